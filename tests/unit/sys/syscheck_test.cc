// Contracts of sys/syscheck.h against fake /proc and /sys trees: each check warns exactly when
// Redis's does, with Redis's texts; --check-system prints Redis's format and exit code; the open-file
// adjustment follows adjustOpenFilesLimit step by step.
#include "sys/syscheck.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/log.h"
#include "fake_tree.h"

namespace ember::sys {
namespace {

using testing::FakeTree;

constexpr char kOvercommitRedisJemalloc[] =
    "Memory overcommit must be enabled! Without it, a background save or replication may fail under "
    "low memory condition. Being disabled, it can can also cause failures without low memory "
    "condition, see https://github.com/jemalloc/jemalloc/issues/1328. To fix this issue add "
    "'vm.overcommit_memory = 1' to /etc/sysctl.conf and then reboot or run the command 'sysctl "
    "vm.overcommit_memory=1' for this to take effect.";
constexpr char kOvercommitRedisLibc[] =
    "Memory overcommit must be enabled! Without it, a background save or replication may fail under "
    "low memory condition. To fix this issue add 'vm.overcommit_memory = 1' to /etc/sysctl.conf and "
    "then reboot or run the command 'sysctl vm.overcommit_memory=1' for this to take effect.";
constexpr char kThpRedis[] =
    "You have Transparent Huge Pages (THP) support enabled in your kernel. This will create latency "
    "and memory usage issues with Redis. To fix this issue run the command 'echo madvise > "
    "/sys/kernel/mm/transparent_hugepage/enabled' as root, and add it to your /etc/rc.local in order "
    "to retain the setting after a reboot. Redis must be restarted after THP is disabled (set to "
    "'madvise' or 'never').";

// A healthy machine: every check passes.
void WriteHealthy(const FakeTree& t) {
  t.Write("/proc/sys/vm/overcommit_memory", "1\n");
  t.Write("/sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n");
  t.Write("/proc/sys/net/core/somaxconn", "4096\n");
  t.Write("/sys/devices/system/clocksource/clocksource0/current_clocksource", "tsc\n");
  t.Write("/proc/self/cgroup", "0::/\n");
  t.Write("/sys/fs/cgroup/cgroup.controllers", "memory\n");
  t.Write("/sys/fs/cgroup/memory.max", "max\n");
  t.Write("/sys/fs/cgroup/memory.current", "1000\n");
}

SysCheckOptions Opts(const FakeTree& t) {
  SysCheckOptions o;
  o.root = t.root();
  o.measure_clocksource = false;
  o.total_memory = uint64_t{16} << 30;
  return o;
}

// Fake RLIMIT_NOFILE: a soft/hard pair; setrlimit succeeds up to `ceiling`.
struct FakeRlimit {
  rlim_t cur = 1024, max = 1024, ceiling = 1024;
  bool get_fails = false;
  std::vector<rlim_t> tries;
} g_rl;
int FakeGet(struct rlimit* l) {
  if (g_rl.get_fails) {
    errno = EPERM;
    return -1;
  }
  l->rlim_cur = g_rl.cur;
  l->rlim_max = g_rl.max;
  return 0;
}
int FakeSet(const struct rlimit* l) {
  g_rl.tries.push_back(l->rlim_cur);
  if (l->rlim_max > g_rl.ceiling) {
    errno = EPERM;
    return -1;
  }
  g_rl.cur = l->rlim_cur;
  g_rl.max = l->rlim_max;
  return 0;
}
SysCheckOptions WithFakeRlimit(SysCheckOptions o, rlim_t cur, rlim_t max, rlim_t ceiling) {
  g_rl = FakeRlimit{cur, max, ceiling, false, {}};
  o.get_nofile = FakeGet;
  o.set_nofile = FakeSet;
  return o;
}

int g_thp_calls = 0;
int ThpDisableOk() {
  ++g_thp_calls;
  return 0;
}
int ThpDisableFails() {
  ++g_thp_calls;
  errno = EINVAL;
  return -1;
}

std::string RunToString(const SysCheckOptions& o, int* rc) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  *rc = RunCheckSystem(o, f);
  fclose(f);
  std::string s(buf, len);
  free(buf);
  return s;
}

TEST(CheckOvercommit, WarnsWithRedisTextUnlessItIsOne) {
  FakeTree t;
  SysCheckOptions o = Opts(t);
  EXPECT_TRUE(CheckOvercommit(o).skipped);  // no file: skipped, not failed
  EXPECT_TRUE(CheckOvercommit(o).ok);
  t.Write("/proc/sys/vm/overcommit_memory", "1\n");
  EXPECT_TRUE(CheckOvercommit(o).ok);
  EXPECT_FALSE(CheckOvercommit(o).skipped);
  for (const char* v : {"0\n", "2\n"}) {
    t.Write("/proc/sys/vm/overcommit_memory", v);
    o.jemalloc = true;
    CheckResult r = CheckOvercommit(o);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.name, "overcommit");
    EXPECT_EQ(r.message, kOvercommitRedisJemalloc);
    o.jemalloc = false;
    EXPECT_EQ(CheckOvercommit(o).message, kOvercommitRedisLibc);
  }
}

TEST(CheckTHP, WarnsOnlyWhenAlwaysIsSelected) {
  FakeTree t;
  SysCheckOptions o = Opts(t);
  EXPECT_TRUE(CheckTHP(o).skipped);
  t.Write("/sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n");
  EXPECT_TRUE(CheckTHP(o).ok);
  t.Write("/sys/kernel/mm/transparent_hugepage/enabled", "always madvise [never]\n");
  EXPECT_TRUE(CheckTHP(o).ok);
  t.Write("/sys/kernel/mm/transparent_hugepage/enabled", "[always] madvise never\n");
  CheckResult r = CheckTHP(o);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.name, "THP");
  EXPECT_EQ(r.message, kThpRedis);
}

TEST(CheckSomaxconn, WarnsWhenBelowTheBacklog) {
  FakeTree t;
  SysCheckOptions o = Opts(t);
  EXPECT_TRUE(CheckSomaxconn(o).skipped);
  t.Write("/proc/sys/net/core/somaxconn", "128\n");
  o.tcp_backlog = 511;
  CheckResult r = CheckSomaxconn(o);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.message,
            "The TCP backlog setting of 511 cannot be enforced because "
            "/proc/sys/net/core/somaxconn is set to the lower value of 128.");
  o.tcp_backlog = 128;
  EXPECT_TRUE(CheckSomaxconn(o).ok);
  t.Write("/proc/sys/net/core/somaxconn", "0\n");  // Redis ignores non-positive values
  o.tcp_backlog = 511;
  EXPECT_TRUE(CheckSomaxconn(o).ok);
}

TEST(CheckXenClocksource, WarnsOnXen) {
  FakeTree t;
  SysCheckOptions o = Opts(t);
  EXPECT_TRUE(CheckXenClocksource(o).skipped);
  t.Write("/sys/devices/system/clocksource/clocksource0/current_clocksource", "tsc\n");
  EXPECT_TRUE(CheckXenClocksource(o).ok);
  t.Write("/sys/devices/system/clocksource/clocksource0/current_clocksource", "xen\n");
  CheckResult r = CheckXenClocksource(o);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("'xen' clocksource"), std::string::npos);
}

TEST(CheckSlowClocksource, PassesOnThisMachineAndCanBeSkipped) {
  FakeTree t;
  SysCheckOptions o = Opts(t);
  EXPECT_TRUE(CheckSlowClocksource(o).skipped);
  o.measure_clocksource = true;
  CheckResult r = CheckSlowClocksource(o);
  EXPECT_EQ(r.name, "slow-clocksource");
  EXPECT_FALSE(r.skipped);
  // A VM may genuinely have a slow clock; then the message names the current clocksource.
  if (!r.ok) {
    EXPECT_NE(r.message.find("Slow system clocksource detected."), std::string::npos);
  }
}

TEST(CheckOpenFiles, PassesWhenTheLimitIsOrCanBeRaisedHighEnough) {
  FakeTree t;
  SysCheckOptions o = Opts(t);
  o.maxclients = 10000;
  EXPECT_TRUE(CheckOpenFiles(WithFakeRlimit(o, 20000, 20000, 20000)).ok);
  EXPECT_TRUE(CheckOpenFiles(WithFakeRlimit(o, 1024, 1048576, 1048576)).ok);  // hard allows it
  t.Write("/proc/self/status", "Name:\tx\nCapEff:\t0000000000000000\n");
  CheckResult r = CheckOpenFiles(WithFakeRlimit(o, 1024, 4096, 4096));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("You requested maxclients of 10000 requiring at least 10032 max file "
                           "descriptors"),
            std::string::npos)
      << r.message;
  EXPECT_NE(r.message.find("reduced to 4064"), std::string::npos) << r.message;
  // CAP_SYS_RESOURCE (bit 24) can raise the hard limit up to fs.nr_open.
  t.Write("/proc/self/status", "Name:\tx\nCapEff:\t000001ffffffffff\n");
  t.Write("/proc/sys/fs/nr_open", "1048576\n");
  EXPECT_TRUE(CheckOpenFiles(WithFakeRlimit(o, 1024, 4096, 4096)).ok);
  t.Write("/proc/sys/fs/nr_open", "8192\n");
  r = CheckOpenFiles(WithFakeRlimit(o, 1024, 4096, 4096));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("reduced to 8160"), std::string::npos) << r.message;
  g_rl.get_fails = true;
  o.get_nofile = FakeGet;
  EXPECT_TRUE(CheckOpenFiles(o).skipped);
}

TEST(CheckCgroupMemory, WarnsWhenTheCgroupIsSmallerThanRamAndMaxmemoryDoesNotFit) {
  FakeTree t;
  SysCheckOptions o = Opts(t);  // 16 GB of RAM
  EXPECT_TRUE(CheckCgroupMemory(o).skipped);
  t.Write("/proc/self/cgroup", "0::/svc\n");
  t.Write("/sys/fs/cgroup/cgroup.controllers", "memory\n");
  t.Write("/sys/fs/cgroup/svc/memory.current", "1000\n");
  t.Write("/sys/fs/cgroup/svc/memory.max", "max\n");
  EXPECT_TRUE(CheckCgroupMemory(o).ok);  // unlimited
  EXPECT_FALSE(CheckCgroupMemory(o).skipped);
  t.Write("/sys/fs/cgroup/svc/memory.max", "34359738368\n");  // 32 GB: above RAM
  EXPECT_TRUE(CheckCgroupMemory(o).ok);
  t.Write("/sys/fs/cgroup/svc/memory.max", "2147483648\n");  // 2 GB
  o.maxmemory = 0;
  CheckResult r = CheckCgroupMemory(o);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.name, "cgroup-memory");
  EXPECT_NE(r.message.find("2147483648 bytes"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("maxmemory is 0 (no limit)"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("'maxmemory 1073741824'"), std::string::npos) << r.message;
  o.maxmemory = uint64_t{3} << 30;  // above the limit
  EXPECT_FALSE(CheckCgroupMemory(o).ok);
  o.maxmemory = uint64_t{1} << 30;  // fits
  EXPECT_TRUE(CheckCgroupMemory(o).ok);
}

TEST(RunCheckSystem, PrintsRedisFormatAndExitsZeroWhenAllPass) {
  FakeTree t;
  WriteHealthy(t);
  SysCheckOptions o = WithFakeRlimit(Opts(t), 100000, 100000, 100000);
  int rc = -1;
  std::string out = RunToString(o, &rc);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(out,
            "[slow-clocksource]...skipped\n"
            "[xen-clocksource]...OK\n"
            "[overcommit]...OK\n"
            "[THP]...OK\n"
            "[somaxconn]...OK\n"
            "[open-files]...OK\n"
            "[cgroup-memory]...OK\n");
}

TEST(RunCheckSystem, PrintsWarningAndMessageAndExitsOneWhenOneFails) {
  FakeTree t;
  WriteHealthy(t);
  t.Write("/proc/sys/vm/overcommit_memory", "0\n");
  SysCheckOptions o = WithFakeRlimit(Opts(t), 100000, 100000, 100000);
  o.jemalloc = true;
  int rc = -1;
  std::string out = RunToString(o, &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("[xen-clocksource]...OK\n[overcommit]...WARNING:\n" +
                     std::string(kOvercommitRedisJemalloc) + "\n[THP]...OK\n"),
            std::string::npos)
      << out;
}

TEST(AdjustOpenFilesLimit, NothingToDoWhenTheLimitSuffices) {
  SysCheckOptions o;
  o.maxclients = 10000;
  OpenFilesAdjustment r = AdjustOpenFilesLimit(WithFakeRlimit(o, 10032, 10032, 10032));
  EXPECT_EQ(r.maxclients, 10000);
  EXPECT_TRUE(r.log.empty());
  EXPECT_TRUE(g_rl.tries.empty());
}

TEST(AdjustOpenFilesLimit, RaisesToMaxclientsPlus32) {
  SysCheckOptions o;
  o.maxclients = 10000;
  OpenFilesAdjustment r = AdjustOpenFilesLimit(WithFakeRlimit(o, 1024, 1024, 1 << 20));
  EXPECT_EQ(r.maxclients, 10000);
  EXPECT_EQ(r.limit, 10032u);
  EXPECT_EQ(g_rl.cur, 10032u);
  EXPECT_EQ(g_rl.max, 10032u);  // Redis sets the hard limit too
  ASSERT_EQ(r.log.size(), 1u);
  EXPECT_FALSE(r.log[0].warning);
  EXPECT_EQ(r.log[0].text,
            "Increased maximum number of open files to 10032 (it was originally set to 1024).");
}

TEST(AdjustOpenFilesLimit, StepsDownBy16AndReducesMaxclients) {
  SysCheckOptions o;
  o.maxclients = 10000;
  OpenFilesAdjustment r = AdjustOpenFilesLimit(WithFakeRlimit(o, 1024, 4096, 4100));
  // 10032, 10016, ... each 16 lower until one fits under 4100: 10032 - 16*371 = 4096.
  ASSERT_GE(g_rl.tries.size(), 2u);
  EXPECT_EQ(g_rl.tries[0], 10032u);
  EXPECT_EQ(g_rl.tries[1], 10016u);
  EXPECT_EQ(g_rl.tries.back(), 4096u);
  EXPECT_EQ(r.limit, 4096u);
  EXPECT_EQ(r.maxclients, 4064);
  EXPECT_FALSE(r.fatal);
  ASSERT_EQ(r.log.size(), 3u);
  EXPECT_EQ(r.log[0].text,
            "You requested maxclients of 10000 requiring at least 10032 max file descriptors.");
  EXPECT_EQ(r.log[1].text,
            "Server can't set maximum open files to 10032 because of OS error: Operation not "
            "permitted.");
  EXPECT_EQ(r.log[2].text,
            "Current maximum open files is 4096. maxclients has been reduced to 4064 to compensate "
            "for low ulimit. If you need higher maxclients increase 'ulimit -n'.");
  for (const auto& l : r.log) EXPECT_TRUE(l.warning);
}

TEST(AdjustOpenFilesLimit, KeepsTheOldLimitWhenNothingCanBeSet) {
  SysCheckOptions o;
  o.maxclients = 10000;
  OpenFilesAdjustment r = AdjustOpenFilesLimit(WithFakeRlimit(o, 1000, 1000, 0));
  EXPECT_EQ(r.limit, 1000u);
  EXPECT_EQ(r.maxclients, 968);
  EXPECT_EQ(g_rl.tries.back(), 1008u);  // the last try above the old limit
}

TEST(AdjustOpenFilesLimit, IsFatalWhenTheReservedFdsDoNotFit) {
  SysCheckOptions o;
  o.maxclients = 100;
  OpenFilesAdjustment r = AdjustOpenFilesLimit(WithFakeRlimit(o, 20, 20, 0));
  EXPECT_TRUE(r.fatal);
  ASSERT_EQ(r.log.size(), 1u);
  EXPECT_EQ(r.log[0].text,
            "Your current 'ulimit -n' of 20 is not enough for the server to start. Please increase "
            "your open file limit to at least 132. Exiting.");
}

TEST(AdjustOpenFilesLimit, AssumesTheDefaultWhenGetrlimitFails) {
  SysCheckOptions o = WithFakeRlimit(SysCheckOptions{}, 0, 0, 0);
  g_rl.get_fails = true;
  OpenFilesAdjustment r = AdjustOpenFilesLimit(o);
  EXPECT_EQ(r.maxclients, 992);
  ASSERT_EQ(r.log.size(), 1u);
  EXPECT_EQ(r.log[0].text,
            "Unable to obtain the current NOFILE limit (Operation not permitted), assuming 1024 and "
            "setting the max clients configuration accordingly.");
}

// Captures what RunStartupChecks logs.
class StartupChecks : public ::testing::Test {
 protected:
  void SetUp() override {
    log_path_ = tree_.Path("/ember.log");
    ASSERT_TRUE(SetLogFile(log_path_));
    g_thp_calls = 0;
  }
  void TearDown() override { ASSERT_TRUE(SetLogFile("")); }
  std::string Log() {
    std::ifstream f(log_path_);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  FakeTree tree_;
  std::string log_path_;
};

TEST_F(StartupChecks, AHealthySystemLogsNoWarning) {
  WriteHealthy(tree_);
  SysCheckOptions o = WithFakeRlimit(Opts(tree_), 100000, 100000, 100000);
  StartupReport rep = RunStartupChecks(o);
  EXPECT_TRUE(rep.warnings.empty());
  EXPECT_FALSE(rep.fatal);
  EXPECT_FALSE(rep.thp_enabled);
  EXPECT_EQ(rep.maxclients, 10000);
  EXPECT_EQ(Log().find(" # "), std::string::npos) << Log();
}

TEST_F(StartupChecks, LogsRedisWarningLines) {
  WriteHealthy(tree_);
  tree_.Write("/proc/sys/vm/overcommit_memory", "0\n");
  tree_.Write("/proc/sys/net/core/somaxconn", "128\n");
  SysCheckOptions o = WithFakeRlimit(Opts(tree_), 100000, 100000, 100000);
  o.jemalloc = true;
  StartupReport rep = RunStartupChecks(o);
  ASSERT_EQ(rep.warnings.size(), 2u);
  std::string log = Log();
  EXPECT_NE(log.find(" # WARNING " + std::string(kOvercommitRedisJemalloc) + "\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(" # WARNING: The TCP backlog setting of 511 cannot be enforced because "
                     "/proc/sys/net/core/somaxconn is set to the lower value of 128.\n"),
            std::string::npos)
      << log;
}

TEST_F(StartupChecks, ThpAlwaysIsDisabledForTheProcessInsteadOfWarning) {
  WriteHealthy(tree_);
  tree_.Write("/sys/kernel/mm/transparent_hugepage/enabled", "[always] madvise never\n");
  SysCheckOptions o = WithFakeRlimit(Opts(tree_), 100000, 100000, 100000);
  o.thp_disable = ThpDisableOk;
  StartupReport rep = RunStartupChecks(o);
  EXPECT_EQ(g_thp_calls, 1);
  EXPECT_FALSE(rep.thp_enabled);
  EXPECT_TRUE(rep.warnings.empty());
  EXPECT_EQ(Log().find("Transparent Huge Pages"), std::string::npos);
}

TEST_F(StartupChecks, ThpWarnsWhenDisablingFailsOrIsNotWanted) {
  WriteHealthy(tree_);
  tree_.Write("/sys/kernel/mm/transparent_hugepage/enabled", "[always] madvise never\n");
  SysCheckOptions o = WithFakeRlimit(Opts(tree_), 100000, 100000, 100000);
  o.thp_disable = ThpDisableFails;
  StartupReport rep = RunStartupChecks(o);
  EXPECT_EQ(g_thp_calls, 1);
  EXPECT_TRUE(rep.thp_enabled);
  EXPECT_NE(Log().find(" # WARNING " + std::string(kThpRedis) + "\n"), std::string::npos);

  o.disable_thp = false;
  o.thp_disable = ThpDisableOk;
  rep = RunStartupChecks(o);
  EXPECT_EQ(g_thp_calls, 1);  // not even tried
  EXPECT_TRUE(rep.thp_enabled);
}

TEST_F(StartupChecks, ReducesMaxclientsAndStopsWhenFatal) {
  WriteHealthy(tree_);
  SysCheckOptions o = WithFakeRlimit(Opts(tree_), 1024, 1024, 1024);
  o.maxclients = 10000;
  StartupReport rep = RunStartupChecks(o);
  EXPECT_EQ(rep.maxclients, 992);
  EXPECT_NE(Log().find("maxclients has been reduced to 992"), std::string::npos);
  o = WithFakeRlimit(Opts(tree_), 10, 10, 0);
  rep = RunStartupChecks(o);
  EXPECT_TRUE(rep.fatal);
  EXPECT_NE(Log().find("Exiting."), std::string::npos);
}

}  // namespace
}  // namespace ember::sys
