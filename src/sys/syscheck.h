// Start-up system checks, as Redis runs them and a little more, shared by the server (start-up
// warnings, `--check-system`) and by tools (ember-doctor).
//
//   check              what warns                                            Redis 7.0
//   slow-clocksource   clock_gettime spends > 10% of its time in the kernel  --check-system
//   xen-clocksource    current clocksource is "xen"                          start-up + --check-system
//   overcommit         vm.overcommit_memory != 1 (fork may fail)             start-up + --check-system
//   THP                transparent_hugepage/enabled is [always]              start-up + --check-system
//   somaxconn          net.core.somaxconn < tcp-backlog                      start-up only
//   open-files         RLIMIT_NOFILE cannot reach maxclients + 32            start-up (adjusts maxclients)
//   cgroup-memory      cgroup limit < RAM and maxmemory 0 or above it        Ember only
//
// Every check is a pure function of SysCheckOptions: each /proc and /sys path is read under
// `options.root` ("" = the real system), and the system calls that change state (prctl, setrlimit)
// go through hooks, so tests run the checks against a fake tree in a temporary directory.
//
// Output formats follow Redis byte for byte where Redis has the check: the start-up log line is
// "WARNING <message>" (somaxconn: "WARNING: <message>"), and `--check-system` prints
// "[name]...OK", "[name]...skipped" or "[name]...WARNING:\n<message>" per check.
//
// Thread safety: the checks read files and may call setrlimit/prctl; call them from the main thread
// at start-up (the hooks are plain function pointers, not synchronized). Not for a fork child.
#pragma once

#include <sys/resource.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace ember::sys {

#ifdef EMBER_HAVE_JEMALLOC
inline constexpr bool kBuiltWithJemalloc = true;
#else
inline constexpr bool kBuiltWithJemalloc = false;
#endif

// File descriptors Redis keeps for itself beyond maxclients (CONFIG_MIN_RESERVED_FDS).
inline constexpr int kMinReservedFds = 32;

struct SysCheckOptions {
  std::string root;            // prefix of every /proc and /sys path read ("" = real system)
  bool disable_thp = true;     // `disable-thp`: try prctl(PR_SET_THP_DISABLE) before warning
  int tcp_backlog = 511;       // `tcp-backlog`
  int maxclients = 10000;      // `maxclients`
  uint64_t maxmemory = 0;      // `maxmemory` (0 = no limit)
  bool jemalloc = kBuiltWithJemalloc;  // adds the jemalloc sentence to the overcommit text
  bool measure_clocksource = true;     // slow-clocksource busy-loops for 5 ticks (~50 ms)
  uint64_t total_memory = 0;   // physical RAM for cgroup-memory; 0 = TotalSystemMemory()
  // Hooks; null means the real call. Each returns 0 on success or -1 with errno set.
  int (*thp_disable)() = nullptr;                       // prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)
  int (*get_nofile)(struct rlimit*) = nullptr;          // getrlimit(RLIMIT_NOFILE, ...)
  int (*set_nofile)(const struct rlimit*) = nullptr;    // setrlimit(RLIMIT_NOFILE, ...)
};

struct CheckResult {
  std::string name;     // as printed between brackets by --check-system
  bool ok = true;       // false: a warning (message says why and how to fix it)
  bool skipped = false; // the check could not run (file missing, call failed); ok stays true
  std::string message;  // empty unless !ok
};

// The individual checks. None changes system state.
CheckResult CheckSlowClocksource(const SysCheckOptions& o);
CheckResult CheckXenClocksource(const SysCheckOptions& o);
CheckResult CheckOvercommit(const SysCheckOptions& o);
CheckResult CheckTHP(const SysCheckOptions& o);
CheckResult CheckSomaxconn(const SysCheckOptions& o);
// Passes when the soft limit already covers maxclients + 32, or when it can be raised that far: the
// hard limit allows it, or the process has CAP_SYS_RESOURCE and fs.nr_open allows it.
CheckResult CheckOpenFiles(const SysCheckOptions& o);
CheckResult CheckCgroupMemory(const SysCheckOptions& o);

// Every check, in --check-system order: slow-clocksource, xen-clocksource, overcommit, THP,
// somaxconn, open-files, cgroup-memory.
std::vector<CheckResult> RunAllChecks(const SysCheckOptions& o);

// `--check-system`: prints each result to out and returns the process exit code: 0 when no check
// warned, 1 otherwise.
int RunCheckSystem(const SysCheckOptions& o, FILE* out);

// Redis's adjustOpenFilesLimit: raise RLIMIT_NOFILE (soft and hard) to maxclients + 32, stepping
// down by 16 on failure; if the best limit obtained is still too low, reduce maxclients to
// limit - 32. The lines Redis logs come back in `log` (not yet logged), in order.
struct OpenFilesAdjustment {
  int maxclients = 0;         // the value to use from now on (maybe reduced)
  uint64_t old_limit = 0;     // soft limit before
  uint64_t limit = 0;         // soft limit after
  bool fatal = false;         // the limit cannot even hold the reserved fds: exit(1) after logging
  struct Line {
    bool warning;             // true: LL_WARNING, false: LL_NOTICE
    std::string text;
  };
  std::vector<Line> log;
};
OpenFilesAdjustment AdjustOpenFilesLimit(const SysCheckOptions& o);

// What the server needs to know after the start-up checks.
struct StartupReport {
  int maxclients = 0;         // after AdjustOpenFilesLimit
  bool thp_enabled = false;   // THP is [always] and could not be disabled for this process
  bool fatal = false;         // open-file limit too low to run at all: the caller exits with 1
  std::vector<CheckResult> warnings;  // every check that warned (already logged)
};
// Runs, in Redis's order, the open-files adjustment, somaxconn, overcommit, THP (with disable_thp it
// first tries prctl and warns only if that fails, as Redis 7 does), xen-clocksource and
// cgroup-memory, logging each warning with LOG_WARNING. Changes RLIMIT_NOFILE and possibly the THP
// flag of this process; does not run the slow-clocksource measurement.
StartupReport RunStartupChecks(const SysCheckOptions& o);

}  // namespace ember::sys
