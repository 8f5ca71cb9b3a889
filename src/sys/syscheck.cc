// System checks. Each check reads one or two files under options.root and returns a CheckResult;
// the texts of the checks Redis has are Redis 7.0's, byte for byte (including the "can can" of the
// overcommit text), because operators grep logs for them.
//
// The open-file limit follows Redis's adjustOpenFilesLimit():
//
//   need = maxclients + 32
//   soft >= need                 -> nothing to do
//   try setrlimit(need), need-16, need-32, ... while > soft   (soft and hard set together)
//   best < need                  -> maxclients = best - 32 (exit if best <= 32), three warnings
//   best == need                 -> notice "Increased maximum number of open files ..."
//
// The cgroup check is Ember's own: under a memory cgroup smaller than the machine, a fork for
// BGSAVE/BGREWRITEAOF charges every copied-on-write page to the same cgroup, so a server that
// relies on RAM size (maxmemory 0) or sets maxmemory above the cgroup limit is OOM-killed instead of
// evicting.
#include "sys/syscheck.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/log.h"
#include "base/strutil.h"
#include "sys/proc.h"

namespace ember::sys {

namespace {

constexpr char kOvercommitHead[] =
    "Memory overcommit must be enabled! Without it, a background save or replication may fail "
    "under low memory condition. ";
constexpr char kOvercommitJemalloc[] =
    "Being disabled, it can can also cause failures without low memory condition, see "
    "https://github.com/jemalloc/jemalloc/issues/1328. ";
constexpr char kOvercommitTail[] =
    "To fix this issue add 'vm.overcommit_memory = 1' to /etc/sysctl.conf and then reboot or run "
    "the command 'sysctl vm.overcommit_memory=1' for this to take effect.";
constexpr char kThpText[] =
    "You have Transparent Huge Pages (THP) support enabled in your kernel. This will create latency "
    "and memory usage issues with Redis. To fix this issue run the command 'echo madvise > "
    "/sys/kernel/mm/transparent_hugepage/enabled' as root, and add it to your /etc/rc.local in "
    "order to retain the setting after a reboot. Redis must be restarted after THP is disabled "
    "(set to 'madvise' or 'never').";
constexpr char kXenText[] =
    "Your system is configured to use the 'xen' clocksource which might lead to degraded "
    "performance. Check the result of the [slow-clocksource] system check: run 'redis-server "
    "--check-system' to check if the system's clocksource isn't degrading performance.";
constexpr char kClocksourceDir[] = "/sys/devices/system/clocksource/clocksource0/";
constexpr int kCapSysResource = 24;

std::string Format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string Format(const char* fmt, ...) {
  char buf[2048];
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (n < 0) return std::string();
  return std::string(buf, static_cast<size_t>(n) < sizeof(buf) ? static_cast<size_t>(n)
                                                                 : sizeof(buf) - 1);
}

// First line of <root><path>, trimmed of spaces and newlines. False if unreadable or empty.
bool ReadLine(const SysCheckOptions& o, const char* path, std::string* out) {
  std::string full = o.root + path;
  char buf[1024];
  if (ReadSmallFile(full.c_str(), buf, sizeof(buf)) <= 0) return false;
  char* nl = std::strchr(buf, '\n');
  if (nl) *nl = '\0';
  std::string s(buf);
  size_t b = s.find_first_not_of(' ');
  size_t e = s.find_last_not_of(' ');
  if (b == std::string::npos) return false;
  *out = s.substr(b, e - b + 1);
  return true;
}

CheckResult Ok(const char* name) { return CheckResult{name, true, false, {}}; }
CheckResult Skipped(const char* name) { return CheckResult{name, true, true, {}}; }
CheckResult Warn(const char* name, std::string msg) {
  return CheckResult{name, false, false, std::move(msg)};
}

int RealThpDisable() { return prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0); }
int RealGetNofile(struct rlimit* l) { return getrlimit(RLIMIT_NOFILE, l); }
int RealSetNofile(const struct rlimit* l) { return setrlimit(RLIMIT_NOFILE, l); }

uint64_t TimespecUs(const timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1000000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}
int64_t TimevalUs(const timeval& tv) {
  return static_cast<int64_t>(tv.tv_sec) * 1000000 + tv.tv_usec;
}

// True if CapEff in <root>/proc/self/status has CAP_SYS_RESOURCE.
bool HasCapSysResource(const SysCheckOptions& o) {
  std::string path = o.root + "/proc/self/status";
  char buf[4096];
  if (ReadSmallFile(path.c_str(), buf, sizeof(buf)) <= 0) return false;
  const char* p = std::strstr(buf, "CapEff:");
  if (!p) return false;
  unsigned long long caps = std::strtoull(p + 7, nullptr, 16);
  return (caps >> kCapSysResource) & 1;
}

}  // namespace

CheckResult CheckSlowClocksource(const SysCheckOptions& o) {
  const char* name = "slow-clocksource";
  if (!o.measure_clocksource) return Skipped(name);
  long hz = sysconf(_SC_CLK_TCK);
  if (hz <= 0) return Skipped(name);
  struct rusage start, end;
  timespec ts;
  if (getrusage(RUSAGE_SELF, &start) != 0 || clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
    return Skipped(name);
  }
  // Busy-loop on clock_gettime for 5 scheduler ticks so getrusage's tick-based accounting is
  // meaningful; a vDSO clock spends (almost) nothing in the kernel.
  uint64_t t0 = TimespecUs(ts);
  uint64_t test_us = 5 * 1000000 / static_cast<uint64_t>(hz);
  for (;;) {
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return Skipped(name);
    if (TimespecUs(ts) - t0 >= test_us) break;
  }
  if (getrusage(RUSAGE_SELF, &end) != 0) return Skipped(name);
  int64_t sys_us = TimevalUs(end.ru_stime) - TimevalUs(start.ru_stime);
  int64_t user_us = TimevalUs(end.ru_utime) - TimevalUs(start.ru_utime);
  if (sys_us * 10 <= sys_us + user_us) return Ok(name);
  std::string avail, curr;
  (void)ReadLine(o, (std::string(kClocksourceDir) + "available_clocksource").c_str(), &avail);
  (void)ReadLine(o, (std::string(kClocksourceDir) + "current_clocksource").c_str(), &curr);
  return Warn(name,
              Format("Slow system clocksource detected. This can result in degraded performance. "
                     "Consider changing the system's clocksource. Current clocksource: %s. "
                     "Available clocksources: %s. For example: run the command 'echo tsc > "
                     "/sys/devices/system/clocksource/clocksource0/current_clocksource' as root. "
                     "To permanently change the system's clocksource you'll need to set the "
                     "'clocksource=' kernel command line parameter.",
                     curr.c_str(), avail.c_str()));
}

CheckResult CheckXenClocksource(const SysCheckOptions& o) {
  const char* name = "xen-clocksource";
  std::string curr;
  if (!ReadLine(o, (std::string(kClocksourceDir) + "current_clocksource").c_str(), &curr)) {
    return Skipped(name);
  }
  if (curr == "xen") return Warn(name, kXenText);
  return Ok(name);
}

CheckResult CheckOvercommit(const SysCheckOptions& o) {
  const char* name = "overcommit";
  std::string line;
  if (!ReadLine(o, "/proc/sys/vm/overcommit_memory", &line)) return Skipped(name);
  if (std::strtol(line.c_str(), nullptr, 10) == 1) return Ok(name);
  std::string msg = kOvercommitHead;
  if (o.jemalloc) msg += kOvercommitJemalloc;
  msg += kOvercommitTail;
  return Warn(name, std::move(msg));
}

CheckResult CheckTHP(const SysCheckOptions& o) {
  const char* name = "THP";
  std::string line;
  if (!ReadLine(o, "/sys/kernel/mm/transparent_hugepage/enabled", &line)) return Skipped(name);
  if (line.find("[always]") != std::string::npos) return Warn(name, kThpText);
  return Ok(name);
}

CheckResult CheckSomaxconn(const SysCheckOptions& o) {
  const char* name = "somaxconn";
  std::string line;
  if (!ReadLine(o, "/proc/sys/net/core/somaxconn", &line)) return Skipped(name);
  int somaxconn = std::atoi(line.c_str());
  if (somaxconn > 0 && somaxconn < o.tcp_backlog) {
    return Warn(name, Format("The TCP backlog setting of %d cannot be enforced because "
                             "/proc/sys/net/core/somaxconn is set to the lower value of %d.",
                             o.tcp_backlog, somaxconn));
  }
  return Ok(name);
}

CheckResult CheckOpenFiles(const SysCheckOptions& o) {
  const char* name = "open-files";
  struct rlimit l;
  if ((o.get_nofile ? o.get_nofile : RealGetNofile)(&l) != 0) return Skipped(name);
  uint64_t need = static_cast<uint64_t>(o.maxclients) + kMinReservedFds;
  if (l.rlim_cur == RLIM_INFINITY || l.rlim_cur >= need) return Ok(name);
  if (l.rlim_max == RLIM_INFINITY || l.rlim_max >= need) return Ok(name);  // raisable
  uint64_t reachable = l.rlim_max;
  if (HasCapSysResource(o)) {
    // Privileged: the hard limit can be raised, up to fs.nr_open.
    std::string line;
    uint64_t nr_open = 0;
    if (ReadLine(o, "/proc/sys/fs/nr_open", &line)) nr_open = std::strtoull(line.c_str(), nullptr, 10);
    if (nr_open >= need) return Ok(name);
    if (nr_open > reachable) reachable = nr_open;
  }
  int reduced = reachable > static_cast<uint64_t>(kMinReservedFds)
                    ? static_cast<int>(reachable - kMinReservedFds)
                    : 0;
  return Warn(name,
              Format("You requested maxclients of %d requiring at least %llu max file descriptors, "
                     "but the open files limit can be raised only to %llu (soft limit %llu). "
                     "maxclients will be reduced to %d to compensate for low ulimit. If you need "
                     "higher maxclients increase 'ulimit -n'.",
                     o.maxclients, static_cast<unsigned long long>(need),
                     static_cast<unsigned long long>(reachable),
                     static_cast<unsigned long long>(l.rlim_cur), reduced));
}

CheckResult CheckCgroupMemory(const SysCheckOptions& o) {
  const char* name = "cgroup-memory";
  CgroupMemory cg = ReadCgroupMemory(o.root.c_str());
  if (!cg.found) return Skipped(name);
  uint64_t total = o.total_memory ? o.total_memory : TotalSystemMemory();
  if (!cg.limited() || (total != 0 && cg.limit >= total)) return Ok(name);
  if (o.maxmemory != 0 && o.maxmemory <= cg.limit) return Ok(name);
  std::string limit_h = BytesToHuman(cg.limit);
  std::string total_h = BytesToHuman(total);
  std::string maxmem =
      o.maxmemory == 0 ? std::string("0 (no limit)")
                       : BytesToHuman(o.maxmemory) + " (" + std::to_string(o.maxmemory) + " bytes)";
  return Warn(name,
              Format("This process runs in a memory cgroup (%s, version %d) limited to %s (%llu "
                     "bytes), less than the %s of system RAM, and maxmemory is %s. The kernel will "
                     "OOM-kill the server, or its background save / AOF rewrite child whose "
                     "copy-on-write pages are charged to the same cgroup, before keys are "
                     "evicted. To fix this issue set maxmemory below the cgroup limit, leaving room "
                     "for copy-on-write during fork (for example 'maxmemory %llu', half of it).",
                     cg.dir.c_str(), cg.version, limit_h.c_str(),
                     static_cast<unsigned long long>(cg.limit), total_h.c_str(), maxmem.c_str(),
                     static_cast<unsigned long long>(cg.limit / 2)));
}

std::vector<CheckResult> RunAllChecks(const SysCheckOptions& o) {
  std::vector<CheckResult> r;
  r.push_back(CheckSlowClocksource(o));
  r.push_back(CheckXenClocksource(o));
  r.push_back(CheckOvercommit(o));
  r.push_back(CheckTHP(o));
  r.push_back(CheckSomaxconn(o));
  r.push_back(CheckOpenFiles(o));
  r.push_back(CheckCgroupMemory(o));
  return r;
}

int RunCheckSystem(const SysCheckOptions& o, FILE* out) {
  int rc = 0;
  for (const CheckResult& c : RunAllChecks(o)) {
    std::fprintf(out, "[%s]...", c.name.c_str());
    if (c.skipped) {
      std::fprintf(out, "skipped\n");
    } else if (c.ok) {
      std::fprintf(out, "OK\n");
    } else {
      std::fprintf(out, "WARNING:\n%s\n", c.message.c_str());
      rc = 1;
    }
  }
  std::fflush(out);
  return rc;
}

OpenFilesAdjustment AdjustOpenFilesLimit(const SysCheckOptions& o) {
  OpenFilesAdjustment r;
  r.maxclients = o.maxclients;
  auto get = o.get_nofile ? o.get_nofile : RealGetNofile;
  auto set = o.set_nofile ? o.set_nofile : RealSetNofile;
  uint64_t maxfiles = static_cast<uint64_t>(o.maxclients) + kMinReservedFds;
  struct rlimit limit;
  if (get(&limit) == -1) {
    r.log.push_back({true, Format("Unable to obtain the current NOFILE limit (%s), assuming 1024 "
                                  "and setting the max clients configuration accordingly.",
                                  std::strerror(errno))});
    r.maxclients = 1024 - kMinReservedFds;
    r.old_limit = r.limit = 1024;
    return r;
  }
  uint64_t oldlimit = limit.rlim_cur;
  r.old_limit = r.limit = oldlimit;
  if (limit.rlim_cur == RLIM_INFINITY || oldlimit >= maxfiles) return r;

  // Try maxfiles, then 16 fewer each time, down to the current limit.
  uint64_t best = maxfiles;
  int setrlimit_error = 0;
  constexpr uint64_t kStep = 16;
  while (best > oldlimit) {
    limit.rlim_cur = best;
    limit.rlim_max = best;
    if (set(&limit) != -1) break;
    setrlimit_error = errno;
    if (best < kStep) {
      best = oldlimit;
      break;
    }
    best -= kStep;
  }
  if (best < oldlimit) best = oldlimit;  // our last try went below what we already had
  r.limit = best;

  if (best >= maxfiles) {
    r.log.push_back({false, Format("Increased maximum number of open files to %llu (it was "
                                   "originally set to %llu).",
                                   static_cast<unsigned long long>(maxfiles),
                                   static_cast<unsigned long long>(oldlimit))});
    return r;
  }
  int old_maxclients = o.maxclients;
  r.maxclients = static_cast<int>(best) - kMinReservedFds;
  if (best <= static_cast<uint64_t>(kMinReservedFds)) {
    r.fatal = true;
    r.log.push_back({true, Format("Your current 'ulimit -n' of %llu is not enough for the server "
                                  "to start. Please increase your open file limit to at least "
                                  "%llu. Exiting.",
                                  static_cast<unsigned long long>(oldlimit),
                                  static_cast<unsigned long long>(maxfiles))});
    return r;
  }
  r.log.push_back({true, Format("You requested maxclients of %d requiring at least %llu max file "
                                "descriptors.",
                                old_maxclients, static_cast<unsigned long long>(maxfiles))});
  r.log.push_back({true, Format("Server can't set maximum open files to %llu because of OS error: "
                                "%s.",
                                static_cast<unsigned long long>(maxfiles),
                                std::strerror(setrlimit_error))});
  r.log.push_back({true, Format("Current maximum open files is %llu. maxclients has been reduced "
                                "to %d to compensate for low ulimit. If you need higher maxclients "
                                "increase 'ulimit -n'.",
                                static_cast<unsigned long long>(best), r.maxclients)});
  return r;
}

StartupReport RunStartupChecks(const SysCheckOptions& o) {
  StartupReport rep;
  OpenFilesAdjustment files = AdjustOpenFilesLimit(o);
  for (const auto& line : files.log) {
    if (line.warning) {
      LOG_WARNING("%s", line.text.c_str());
    } else {
      LOG_NOTICE("%s", line.text.c_str());
    }
  }
  rep.maxclients = files.maxclients;
  if (files.fatal) {
    rep.fatal = true;
    return rep;
  }

  CheckResult somax = CheckSomaxconn(o);
  if (!somax.ok) {
    LOG_WARNING("WARNING: %s", somax.message.c_str());
    rep.warnings.push_back(std::move(somax));
  }

  CheckResult over = CheckOvercommit(o);
  if (!over.ok) {
    LOG_WARNING("WARNING %s", over.message.c_str());
    rep.warnings.push_back(std::move(over));
  }

  CheckResult thp = CheckTHP(o);
  if (!thp.ok) {
    // Redis 7: with disable-thp, turn THP off for this process; warn only if that fails.
    bool disabled = o.disable_thp && (o.thp_disable ? o.thp_disable : RealThpDisable)() == 0;
    if (!disabled) {
      rep.thp_enabled = true;
      LOG_WARNING("WARNING %s", thp.message.c_str());
      rep.warnings.push_back(std::move(thp));
    }
  }

  CheckResult xen = CheckXenClocksource(o);
  if (!xen.ok) {
    LOG_WARNING("WARNING %s", xen.message.c_str());
    rep.warnings.push_back(std::move(xen));
  }

  CheckResult cg = CheckCgroupMemory(o);
  if (!cg.ok) {
    LOG_WARNING("WARNING %s", cg.message.c_str());
    rep.warnings.push_back(std::move(cg));
  }
  return rep;
}

}  // namespace ember::sys
