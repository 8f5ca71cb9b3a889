// Contracts of sys/proc.h: RSS and copy-on-write readings follow real memory use, the cgroup reader
// finds limits in v2, hybrid and v1 layouts, and the smaps parser survives long and odd lines.
#include "sys/proc.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "base/time.h"
#include "memory/alloc.h"
#include "fake_tree.h"

namespace ember::sys {
namespace {

using testing::FakeTree;

constexpr size_t kMB = 1 << 20;

TEST(ProcessRss, IsPositiveAndGrowsAfterTouching50MB) {
  size_t before = ProcessRss();
  ASSERT_GT(before, 0u);
  constexpr size_t kSize = 50 * kMB;
  char* p = static_cast<char*>(mem::Allocate(kSize));
  std::memset(p, 0x5a, kSize);
  size_t after = ProcessRss();
  EXPECT_GE(after, before + 45 * kMB) << "before " << before << " after " << after;
  mem::Free(p);
}

TEST(ProcessRss, AllocatesNothing) {
  size_t used = mem::UsedMemory();
  for (int i = 0; i < 100; ++i) (void)ProcessRss();
  (void)PrivateDirtyBytes();
  (void)MemAvailable();
  EXPECT_EQ(mem::UsedMemory(), used);
}

TEST(SystemMemory, TotalAndAvailableArePlausible) {
  size_t total = TotalSystemMemory();
  size_t avail = MemAvailable();
  EXPECT_GT(total, 64 * kMB);
  EXPECT_GT(avail, 0u);
  EXPECT_LE(avail, total);
}

TEST(MemAvailable, ReadsTheFieldFromAFakeMeminfo) {
  FakeTree t;
  t.Write("/proc/meminfo",
          "MemTotal:       24684092 kB\nMemFree:        24491752 kB\n"
          "MemAvailable:   24417412 kB\nBuffers:           12 kB\n");
  EXPECT_EQ(MemAvailable(t.root().c_str()), size_t{24417412} * 1024);
  FakeTree empty;
  EXPECT_EQ(MemAvailable(empty.root().c_str()), 0u);
}

TEST(PrivateDirty, IncreasesAfterDirtyingPages) {
  constexpr size_t kSize = 20 * kMB;
  void* m = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(m, MAP_FAILED);
  size_t before = PrivateDirtyBytes();
  ASSERT_GT(before, 0u);
  std::memset(m, 1, kSize);
  size_t after = PrivateDirtyBytes();
  EXPECT_GE(after, before + 18 * kMB);
  munmap(m, kSize);
}

// In a fork child, pages it writes that the parent also maps are copied: that is the CoW reading.
TEST(PrivateDirty, MeasuresCopyOnWriteInAForkChild) {
  constexpr size_t kSize = 16 * kMB;
  char* m = static_cast<char*>(
      mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(m, MAP_FAILED);
  std::memset(m, 1, kSize);  // resident and dirty in the parent
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Right after fork the pages are shared: they are not private to the child.
    size_t at_fork = PrivateDirtyBytes();
    std::memset(m, 2, kSize);  // copy on write
    size_t after = PrivateDirtyBytes();
    _exit(after >= at_fork + 15 * kMB ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  munmap(m, kSize);
}

TEST(PrivateDirty, RollupAgreesWithSummingSmaps) {
  if (access("/proc/self/smaps_rollup", R_OK) != 0) GTEST_SKIP() << "no smaps_rollup";
  size_t rollup = PrivateDirtyBytesFromFile("/proc/self/smaps_rollup");
  size_t summed = PrivateDirtyBytesFromFile("/proc/self/smaps");
  size_t diff = rollup > summed ? rollup - summed : summed - rollup;
  EXPECT_LT(diff, 4 * kMB) << rollup << " vs " << summed;
}

TEST(PrivateDirty, ParserHandlesLongLinesAndAMissingFinalNewline) {
  FakeTree t;
  std::string smaps;
  smaps += "00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/" + std::string(9000, 'x') + "\n";
  smaps += "Private_Dirty:        112 kB\n";
  smaps += "Private_Clean:        999 kB\n";  // not counted
  for (int i = 0; i < 500; ++i) {             // spans many 4 KB buffer refills
    smaps += "7f0000000000-7f0000001000 rw-p 00000000 00:00 0\nRss:  4 kB\nPrivate_Dirty:  4 kB\n";
  }
  smaps += "Private_Dirty:   7 kB";  // no trailing newline
  t.Write("/smaps", smaps);
  EXPECT_EQ(PrivateDirtyBytesFromFile(t.Path("/smaps").c_str()), (112u + 500 * 4 + 7) * 1024);
  EXPECT_EQ(PrivateDirtyBytesFromFile(t.Path("/missing").c_str()), 0u);
}

TEST(CowSampler, SkipsReadingsUntilTheDutyCycleHasElapsed) {
  CowSampler s(100);
  uint64_t now = static_cast<uint64_t>(MonotonicUs());
  size_t first = s.Sample(now);
  EXPECT_GT(first, 0u);
  EXPECT_EQ(s.readings(), 1u);
  uint64_t cost = s.last_cost_us();
  ASSERT_GT(cost, 0u);  // reading /proc takes at least a microsecond
  (void)s.Sample(static_cast<uint64_t>(MonotonicUs()));
  EXPECT_EQ(s.readings(), 1u) << "sampled again within 100x the cost of " << cost << " us";
  (void)s.Sample(static_cast<uint64_t>(MonotonicUs()) + cost * 100 + 1);
  EXPECT_EQ(s.readings(), 2u);
  (void)s.Sample(static_cast<uint64_t>(MonotonicUs()), /*force=*/true);
  EXPECT_EQ(s.readings(), 3u);
  EXPECT_GE(s.peak_bytes(), s.last_bytes());
  EXPECT_GE(s.sum_bytes(), 3 * uint64_t{s.last_bytes()} / 2);
}

TEST(OomScoreAdj, ReadsAndWritesOurOwnValue) {
  // In a child, so the test process keeps its score.
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    Expected<int> cur = GetOomScoreAdj();
    if (!cur.ok()) _exit(2);
    int target = *cur < 1000 ? *cur + 1 : *cur;  // raising never needs privilege
    if (!SetOomScoreAdj(target).ok()) _exit(3);
    Expected<int> now = GetOomScoreAdj();
    if (!now.ok() || *now != target) _exit(4);
    if (!SetOomScoreAdj(5000).ok()) _exit(5);  // clamped to 1000
    now = GetOomScoreAdj();
    _exit(now.ok() && *now == 1000 ? 0 : 6);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(Cgroup, V2LimitIsTheSmallestOverTheCgroupAndItsAncestors) {
  FakeTree t;
  t.Write("/proc/self/cgroup", "0::/app/svc\n");
  t.Write("/sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");
  t.Write("/sys/fs/cgroup/app/memory.max", "1073741824\n");
  t.Write("/sys/fs/cgroup/app/svc/memory.max", "max\n");
  t.Write("/sys/fs/cgroup/app/svc/memory.current", "123456\n");
  CgroupMemory cg = ReadCgroupMemory(t.root().c_str());
  ASSERT_TRUE(cg.found);
  EXPECT_EQ(cg.version, 2);
  EXPECT_EQ(cg.limit, 1073741824u);
  EXPECT_EQ(cg.current, 123456u);
  EXPECT_TRUE(cg.limited());
  EXPECT_EQ(cg.dir, t.root() + "/sys/fs/cgroup/app/svc");

  t.Write("/sys/fs/cgroup/app/svc/memory.max", "536870912\n");
  EXPECT_EQ(ReadCgroupMemory(t.root().c_str()).limit, 536870912u);
  t.Write("/sys/fs/cgroup/app/memory.max", "max\n");
  t.Write("/sys/fs/cgroup/app/svc/memory.max", "max\n");
  cg = ReadCgroupMemory(t.root().c_str());
  EXPECT_EQ(cg.limit, CgroupMemory::kUnlimited);
  EXPECT_FALSE(cg.limited());
}

TEST(Cgroup, V1InAHybridLayoutTreatsHugeLimitsAsUnlimited) {
  FakeTree t;
  t.Write("/proc/self/cgroup",
          "9:name=systemd:/\n4:memory:/process_api/abc\n1:cpu:/\n0::/\n");
  // The v2 tree exists but has no memory controller files for us.
  t.Write("/sys/fs/cgroup/unified/cgroup.controllers", "");
  t.Write("/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
  t.Write("/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes", "9223372036854771712\n");
  t.Write("/sys/fs/cgroup/memory/process_api/abc/memory.limit_in_bytes", "9223372036854771712\n");
  t.Write("/sys/fs/cgroup/memory/process_api/abc/memory.usage_in_bytes", "5279744\n");
  CgroupMemory cg = ReadCgroupMemory(t.root().c_str());
  ASSERT_TRUE(cg.found);
  EXPECT_EQ(cg.version, 1);
  EXPECT_FALSE(cg.limited());
  EXPECT_EQ(cg.current, 5279744u);

  t.Write("/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes", "2147483648\n");
  cg = ReadCgroupMemory(t.root().c_str());
  EXPECT_TRUE(cg.limited());
  EXPECT_EQ(cg.limit, 2147483648u);
}

TEST(Cgroup, AContainerWithoutACgroupNamespaceReadsTheMountRoot) {
  FakeTree t;
  t.Write("/proc/self/cgroup", "0::/kubepods/pod1/ctr\n");
  t.Write("/sys/fs/cgroup/cgroup.controllers", "memory\n");
  t.Write("/sys/fs/cgroup/memory.max", "268435456\n");
  t.Write("/sys/fs/cgroup/memory.current", "1000\n");
  CgroupMemory cg = ReadCgroupMemory(t.root().c_str());
  ASSERT_TRUE(cg.found);
  EXPECT_EQ(cg.limit, 268435456u);
  EXPECT_EQ(cg.current, 1000u);
  EXPECT_EQ(cg.dir, t.root() + "/sys/fs/cgroup");
}

TEST(Cgroup, NothingReadableMeansNotFound) {
  FakeTree t;
  EXPECT_FALSE(ReadCgroupMemory(t.root().c_str()).found);
  t.Write("/proc/self/cgroup", "1:cpu:/\n");
  EXPECT_FALSE(ReadCgroupMemory(t.root().c_str()).found);
}

TEST(Cgroup, TheRealSystemIsReadableWhenPresent) {
  CgroupMemory cg = ReadCgroupMemory();
  if (!cg.found) GTEST_SKIP() << "no memory cgroup visible";
  EXPECT_GT(cg.current, 0u);
  EXPECT_TRUE(cg.version == 1 || cg.version == 2);
}

TEST(ReadSmallFile, TruncatesToTheBufferAndTerminates) {
  FakeTree t;
  t.Write("/f", "0123456789");
  char buf[5];
  EXPECT_EQ(ReadSmallFile(t.Path("/f").c_str(), buf, sizeof(buf)), 4);
  EXPECT_STREQ(buf, "0123");
  EXPECT_EQ(ReadSmallFile(t.Path("/none").c_str(), buf, sizeof(buf)), -1);
}

}  // namespace
}  // namespace ember::sys
