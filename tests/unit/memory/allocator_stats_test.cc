// Contracts of memory/allocator_stats.h: the jemalloc counters are fresh after a refresh and ordered
// the way INFO's ratios assume; builds without jemalloc report "not available" instead of numbers.
#include "memory/allocator_stats.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "memory/alloc.h"

#ifdef EMBER_HAVE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace ember::mem {
namespace {

TEST(AllocatorStats, CountersAreSaneAndCoverOurUsedMemory) {
  AllocatorStats s = ReadAllocatorStats();
  if (!HaveJemalloc()) {
    EXPECT_FALSE(s.valid);
    EXPECT_EQ(s.allocated, 0u);
    EXPECT_EQ(s.resident, 0u);
    return;
  }
  ASSERT_TRUE(s.valid);
  // jemalloc serves every malloc of the process, ours included.
  EXPECT_GE(s.allocated, UsedMemory());
  EXPECT_GE(s.active, s.allocated);
  EXPECT_GE(s.mapped, s.active);
  EXPECT_GE(s.resident, s.active);
  EXPECT_GT(s.metadata, 0u);
}

TEST(AllocatorStats, RefreshMakesNewAllocationsVisible) {
  if (!HaveJemalloc()) GTEST_SKIP() << "built without jemalloc";
#ifdef EMBER_HAVE_JEMALLOC
  // Memory freed by earlier tests may sit in this thread's cache and be reused; flush it so the
  // stats move by what this test allocates.
  mallctl("thread.tcache.flush", nullptr, nullptr, nullptr, 0);
#endif
  AllocatorStats before = ReadAllocatorStats();
  constexpr size_t kSize = 32 << 20;
  char* p = static_cast<char*>(Allocate(kSize));
  std::memset(p, 1, kSize);
  AllocatorStats stale;
  ASSERT_TRUE(GetAllocatorStats(&stale));
  EXPECT_EQ(stale.allocated, before.allocated);  // no epoch bump: previous snapshot
  AllocatorStats after = ReadAllocatorStats();
  EXPECT_GE(after.allocated, before.allocated + kSize);
  EXPECT_GE(after.resident, before.resident + kSize / 2);
  Free(p);
  AllocatorStats freed = ReadAllocatorStats();
  EXPECT_LT(freed.allocated, after.allocated - kSize / 2);
}

TEST(AllocatorStats, PurgeReturnsDirtyPages) {
  Status st = PurgeAllocator();
  if (!HaveJemalloc()) {
    EXPECT_EQ(st.code(), StatusCode::kUnsupported);
    return;
  }
  ASSERT_TRUE(st.ok()) << st.ToString();
  // Free many small blocks: their pages become dirty (kept for reuse) until purged.
  std::vector<void*> blocks;
  blocks.reserve(100000);
  for (int i = 0; i < 100000; ++i) blocks.push_back(Allocate(200));
  for (void* b : blocks) Free(b);
  AllocatorStats dirty = ReadAllocatorStats();
  EXPECT_GT(dirty.dirty, 0u);
  ASSERT_TRUE(PurgeAllocator().ok());
  AllocatorStats purged = ReadAllocatorStats();
  EXPECT_LT(purged.dirty, dirty.dirty);
}

TEST(AllocatorName, IsJemallocWithItsVersionOrLibc) {
  std::string_view name = AllocatorName();
#ifdef EMBER_HAVE_JEMALLOC
  std::string expected = "jemalloc-" + std::to_string(JEMALLOC_VERSION_MAJOR) + "." +
                         std::to_string(JEMALLOC_VERSION_MINOR) + "." +
                         std::to_string(JEMALLOC_VERSION_BUGFIX);
  EXPECT_EQ(name, expected);
#else
  EXPECT_EQ(name, "libc");
#endif
  EXPECT_EQ(AllocatorName().data(), name.data());  // static storage, computed once
}

TEST(MallocStatsText, IsJemallocsReportOrRedisNotSupportedText) {
  std::string text = MallocStatsText();
  ASSERT_FALSE(text.empty());
  if (HaveJemalloc()) {
    EXPECT_NE(text.find("___ Begin jemalloc statistics ___"), std::string::npos);
    EXPECT_NE(text.find("--- End jemalloc statistics ---"), std::string::npos);
  } else {
    EXPECT_EQ(text, "Stats not supported for the current allocator");
  }
}

TEST(BackgroundThread, CanBeTurnedOnAndOff) {
  if (!HaveJemalloc()) {
    EXPECT_EQ(SetBackgroundThread(true).code(), StatusCode::kUnsupported);
    EXPECT_FALSE(BackgroundThreadEnabled());
    return;
  }
  bool was = BackgroundThreadEnabled();
  ASSERT_TRUE(SetBackgroundThread(true).ok());
  EXPECT_TRUE(BackgroundThreadEnabled());
  ASSERT_TRUE(SetBackgroundThread(false).ok());
  EXPECT_FALSE(BackgroundThreadEnabled());
  ASSERT_TRUE(SetBackgroundThread(was).ok());
}

TEST(PageSize, IsAPowerOfTwoAtLeastTheSystemPage) {
  size_t page = PageSize();
  EXPECT_GE(page, static_cast<size_t>(sysconf(_SC_PAGESIZE)));
  EXPECT_EQ(page & (page - 1), 0u);
}

}  // namespace
}  // namespace ember::mem
