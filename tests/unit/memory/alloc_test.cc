// Contracts of the accounting layer (memory/alloc.h): used_memory is exact to the byte, also when a
// block is freed on another thread than the one that allocated it, and SizeClassOf() predicts the
// usable size a request gets.
#include "memory/alloc.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

namespace ember::mem {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif

TEST(UsedMemory, GrowsAndShrinksByExactlyTheUsableSize) {
  const size_t sizes[] = {1, 7, 8, 24, 100, 4096, 5000, 70000, 1 << 20};
  for (size_t n : sizes) {
    size_t before = UsedMemory();
    void* p = Allocate(n);
    size_t usable = UsableSize(p);
    EXPECT_GE(usable, n);
    EXPECT_EQ(UsedMemory(), before + usable) << "size " << n;
    Free(p);
    EXPECT_EQ(UsedMemory(), before) << "size " << n;
  }
}

TEST(UsedMemory, ReallocateAndZeroedAreCountedExactly) {
  size_t before = UsedMemory();
  void* p = AllocateZeroed(300);
  EXPECT_EQ(UsedMemory(), before + UsableSize(p));
  for (size_t n : {10, 5000, 200000, 16, 0}) {
    p = Reallocate(p, n);
    EXPECT_EQ(UsedMemory(), before + UsableSize(p)) << "realloc to " << n;
  }
  Free(p);
  void* q = Reallocate(nullptr, 64);  // null ptr acts as Allocate
  EXPECT_EQ(UsedMemory(), before + UsableSize(q));
  Free(q);
  Free(nullptr);
  EXPECT_EQ(UsedMemory(), before);
}

long ResidentPages() {
  long size = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  if (std::fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
  std::fclose(f);
  return resident;
}

// Big arrays: zeroed, aligned, counted exactly, and (with jemalloc) their pages leave RSS as soon as
// they are freed, so a finished rehash does not keep the old table resident.
TEST(UsedMemory, LargeZeroedBlocksAreCountedAndReturnPagesAtFree) {
  for (size_t n : {size_t{4096}, kEagerPurgeMin, size_t{8} << 20}) {
    size_t before = UsedMemory();
    auto* p = static_cast<unsigned char*>(AllocateLargeZeroed(n, 64));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
    EXPECT_EQ(UsedMemory(), before + UsableSize(p));
    bool zero = true;
    for (size_t i = 0; i < n; i += 512) zero &= p[i] == 0;
    EXPECT_TRUE(zero) << n;
    Free(p);
    EXPECT_EQ(UsedMemory(), before);
  }
#ifdef EMBER_HAVE_JEMALLOC
  const size_t n = 4u << 20;  // below jemalloc's 8 MB oversize threshold (whose arena purges anyway)
  const long page = sysconf(_SC_PAGESIZE);
  auto* p = static_cast<unsigned char*>(AllocateLargeZeroed(n, 64));
  std::memset(p, 1, n);  // every page resident
  long with = ResidentPages();
  Free(p);
  long without = ResidentPages();
  ASSERT_GT(with, 0);
  EXPECT_GE((with - without) * page, static_cast<long>(n) * 3 / 4)
      << "the freed array's pages should leave RSS at once";
#endif
}

// A random sequence of allocate / reallocate / free against a model that sums usable sizes.
TEST(UsedMemory, MatchesAReferenceModelOverRandomOperations) {
  std::mt19937_64 rng(12345);
  std::vector<void*> live;
  live.reserve(4096);  // reserve first: the vector's own buffer is counted too
  size_t base = UsedMemory();
  size_t model = 0;
  for (int i = 0; i < 20000; ++i) {
    int op = static_cast<int>(rng() % 3);
    size_t n = (rng() % 4 == 0) ? rng() % 100000 : rng() % 512;
    if (op == 0 || live.empty()) {
      if (live.size() == live.capacity()) continue;
      void* p = Allocate(n);
      model += UsableSize(p);
      live.push_back(p);
    } else if (op == 1) {
      size_t k = rng() % live.size();
      model -= UsableSize(live[k]);
      live[k] = Reallocate(live[k], n);
      model += UsableSize(live[k]);
    } else {
      size_t k = rng() % live.size();
      model -= UsableSize(live[k]);
      Free(live[k]);
      live[k] = live.back();
      live.pop_back();
    }
    ASSERT_EQ(UsedMemory(), base + model) << "after op " << i;
  }
  for (void* p : live) Free(p);
  EXPECT_EQ(UsedMemory(), base);
}

TEST(UsedMemory, FreeOnAnotherThreadKeepsTheSumExact) {
  constexpr int kBlocks = 5000;
  std::vector<void*> blocks(kBlocks);
  size_t base = UsedMemory();
  size_t expected = 0;
  std::thread producer([&] {
    for (int i = 0; i < kBlocks; ++i) blocks[i] = Allocate(static_cast<size_t>(i % 700) + 1);
  });
  producer.join();
  for (void* p : blocks) expected += UsableSize(p);
  EXPECT_EQ(UsedMemory(), base + expected);
  std::thread consumer([&] {
    for (void* p : blocks) Free(p);
  });
  consumer.join();
  EXPECT_EQ(UsedMemory(), base);
}

// Several threads allocate and hand blocks to each other through a shared ring; every block is
// eventually freed by a thread that (usually) did not allocate it. The total returns to the base.
TEST(UsedMemory, ConcurrentCrossThreadTrafficReturnsToBase) {
  constexpr int kThreads = 4;
  constexpr int kSlots = 1024;
  constexpr int kOps = 20000;
  std::vector<std::atomic<void*>> ring(kSlots);
  for (auto& s : ring) s.store(nullptr);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);  // before the base: the vector outlives the check
  size_t base = UsedMemory();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&ring, t] {
      std::mt19937 rng(static_cast<unsigned>(t) * 7919u + 1);
      for (int i = 0; i < kOps; ++i) {
        void* mine = Allocate(rng() % 2000 + 1);
        void* old = ring[rng() % kSlots].exchange(mine);
        Free(old);  // frees a block some other thread may have allocated
      }
    });
  }
  for (auto& th : threads) th.join();
  size_t in_ring = 0;
  for (auto& s : ring) {
    void* p = s.exchange(nullptr);
    if (p) in_ring += UsableSize(p);
    Free(p);
  }
  EXPECT_GT(in_ring, 0u);
  EXPECT_EQ(UsedMemory(), base);
}

TEST(SizeClassOf, AgreesWithTheUsableSizeOfARealAllocation) {
  std::vector<size_t> sizes;
  for (size_t n = 1; n <= 4096; ++n) sizes.push_back(n);
  for (size_t n = 4096; n <= (size_t{8} << 20); n = n * 5 / 4 + 3) sizes.push_back(n);
  for (size_t n : sizes) {
    void* p = Allocate(n);
    size_t usable = UsableSize(p);
    size_t cls = SizeClassOf(n);
    Free(p);
    ASSERT_GE(cls, n);
    if (kAsan) {
      ASSERT_GE(usable, n);  // ASan reports the requested size, not glibc's chunk size
    } else {
      ASSERT_EQ(usable, cls) << "request of " << n << " bytes";
    }
  }
}

TEST(Peak, TracksTheHighestUsedMemorySeenByUpdatePeak) {
  ResetPeak();
  size_t start = PeakMemory();
  EXPECT_EQ(start, UsedMemory());
  void* p = Allocate(1 << 20);
  UpdatePeak();
  size_t high = PeakMemory();
  EXPECT_GE(high, start + (1 << 20));
  Free(p);
  UpdatePeak();
  EXPECT_EQ(PeakMemory(), high);  // freeing does not lower the peak
  ResetPeak();
  EXPECT_LT(PeakMemory(), high);
}

}  // namespace
}  // namespace ember::mem
