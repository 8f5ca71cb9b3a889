// Contracts of core/evict.h: which keys each policy may evict, the OOM signal, the time limits.
#include "core/evict.h"

#include <gtest/gtest.h>

#include "base/time.h"
#include "core/database.h"
#include "memory/alloc.h"

namespace ember {
namespace {

class EvictTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.now_ms = UnixMs();
    env_.lru_clock = 100000;
    dbs_.push_back(std::make_unique<Database>(0, &env_));
  }
  // 2000 keys; key i was last used at clock 100000 - (2000 - i) (lower i = idler).
  void Fill(bool volatile_even) {
    for (int i = 0; i < 2000; i++) {
      Record* r = dbs_[0]->Set("k" + std::to_string(i), ValueInit::FromString(std::string(100, 'x')));
      r->set_lru(env_.lru_clock - (2000 - i));
      if (volatile_even && i % 2 == 0) r = dbs_[0]->SetExpire(r, env_.now_ms + 1000000 + i);
    }
  }
  KeyspaceEnv env_;
  std::vector<std::unique_ptr<Database>> dbs_;
};

TEST_F(EvictTest, TimeLimitFollowsTenacity) {
  EXPECT_EQ(Evictor::TimeLimitUs(10), 500);
  EXPECT_EQ(Evictor::TimeLimitUs(1), 50);
  EXPECT_NEAR(Evictor::TimeLimitUs(20), 2022, 5);
  EXPECT_EQ(Evictor::TimeLimitUs(100), INT64_MAX);
}

TEST_F(EvictTest, NoevictionFailsWithoutTouchingKeys) {
  Fill(false);
  EvictionParams p;
  p.maxmemory = 1;
  p.policy = EvictionPolicy::kNoEviction;
  Evictor ev;
  EXPECT_EQ(ev.Perform(dbs_, env_, p), EvictResult::kFail);
  EXPECT_EQ(dbs_[0]->Size(), 2000u);
}

TEST_F(EvictTest, AllkeysLruEvictsMostlyTheIdlestKeys) {
  Fill(false);
  EvictionParams p;
  p.policy = EvictionPolicy::kAllkeysLru;
  p.tenacity = 100;
  p.maxmemory = Evictor::UsedForEviction() - 200 * 160;  // about 200 keys' worth
  Evictor ev;
  EvictResult res = ev.Perform(dbs_, env_, p);
  EXPECT_EQ(res, EvictResult::kOk);
  size_t evicted = env_.stats.evicted_keys;
  EXPECT_GE(evicted, 150u);
  // The pool favours idle keys: most victims come from the idlest half.
  int idle_half = 0;
  for (int i = 0; i < 1000; i++) idle_half += dbs_[0]->Find("k" + std::to_string(i)) == nullptr;
  EXPECT_GT(idle_half, static_cast<int>(evicted * 8 / 10));
  EXPECT_GT(ev.stats().quality, 0.5);
  EXPECT_EQ(ev.stats().idle_le_1h + ev.stats().idle_le_1m, evicted);
}

TEST_F(EvictTest, VolatilePoliciesNeverTouchPersistentKeys) {
  for (EvictionPolicy pol : {EvictionPolicy::kVolatileLru, EvictionPolicy::kVolatileTtl,
                             EvictionPolicy::kVolatileRandom}) {
    dbs_[0]->Clear(false);
    Fill(true);
    EvictionParams p;
    p.policy = pol;
    p.tenacity = 100;
    p.maxmemory = 1;  // evict everything evictable
    Evictor ev;
    EXPECT_EQ(ev.Perform(dbs_, env_, p), EvictResult::kFail);
    EXPECT_EQ(dbs_[0]->ExpiresSize(), 0u);
    EXPECT_EQ(dbs_[0]->Size(), 1000u);
    for (int i = 1; i < 2000; i += 2) ASSERT_NE(dbs_[0]->Find("k" + std::to_string(i)), nullptr);
  }
}

TEST_F(EvictTest, VolatileTtlEvictsTheSoonestExpiringFirst) {
  Fill(true);
  EvictionParams p;
  p.policy = EvictionPolicy::kVolatileTtl;
  p.tenacity = 100;
  p.maxmemory = Evictor::UsedForEviction() - 50 * 160;
  Evictor ev;
  ev.Perform(dbs_, env_, p);
  // Expire times grow with i: victims come mostly from the soonest-expiring keys. Sampling makes
  // the split random (5 samples a round, ~50 victims): the soonest 40% of the volatile keys must
  // hold 70% of the victims (a uniform pick would put 40% there; the pool's picks sit far lower).
  int low = 0;
  for (int i = 0; i < 800; i += 2) low += dbs_[0]->Find("k" + std::to_string(i)) == nullptr;
  EXPECT_GE(env_.stats.evicted_keys, 40u);
  EXPECT_GE(low, static_cast<int>(env_.stats.evicted_keys * 7 / 10));
}

TEST_F(EvictTest, ABurstStopsAtItsTimeLimitAndTheNextOnesFinishTheJob) {
  Fill(false);
  EvictionParams p;
  p.policy = EvictionPolicy::kAllkeysRandom;
  p.tenacity = 0;  // 0 us: stop at the first time check (every 16 evictions)
  p.maxmemory = 1;
  Evictor ev;
  EXPECT_EQ(ev.Perform(dbs_, env_, p), EvictResult::kRunning);
  EXPECT_EQ(env_.stats.evicted_keys, 16u);
  EXPECT_EQ(dbs_[0]->Size(), 2000u - 16);
  // The continuation (the server's 0 ms timer) keeps calling until nothing is left to evict.
  EvictResult r = EvictResult::kRunning;
  for (int i = 0; i < 1000 && r == EvictResult::kRunning; i++) r = ev.Perform(dbs_, env_, p);
  EXPECT_EQ(r, EvictResult::kFail);
  EXPECT_EQ(dbs_[0]->Size(), 0u);
  EXPECT_EQ(env_.stats.evicted_keys, 2000u);
}

TEST_F(EvictTest, TimeOverTheLimitIsAccounted) {
  Fill(false);
  EvictionParams p;
  p.policy = EvictionPolicy::kNoEviction;
  p.maxmemory = 1;
  Evictor ev;
  EXPECT_EQ(ev.Perform(dbs_, env_, p), EvictResult::kFail);
  int64_t t0 = MonotonicUs();
  EXPECT_GT(ev.stats().exceeded_since_us, 0);
  while (MonotonicUs() - t0 < 5000) {
  }
  EXPECT_GE(ev.CurrentExceededMs(MonotonicUs()), 5u);
  p.maxmemory = 0;  // limit removed: the window closes into the total
  EXPECT_EQ(ev.Perform(dbs_, env_, p), EvictResult::kOk);
  EXPECT_EQ(ev.CurrentExceededMs(MonotonicUs()), 0u);
  EXPECT_GE(ev.TotalExceededMs(MonotonicUs()), 5u);
}

TEST_F(EvictTest, HistogramCountsEveryVictimByIdleAge) {
  Fill(false);  // idle 1..2000 ticks of 250 ms: up to ~8 minutes
  EvictionParams p;
  p.policy = EvictionPolicy::kAllkeysRandom;
  p.tenacity = 100;
  p.maxmemory = 1;
  Evictor ev;
  ev.Perform(dbs_, env_, p);
  const EvictionStats& st = ev.stats();
  EXPECT_EQ(st.idle_le_1s + st.idle_le_1m + st.idle_le_1h + st.idle_gt_1h, 2000u);
  EXPECT_EQ(st.idle_le_1s, 4u);   // 1..4 ticks
  EXPECT_EQ(st.idle_gt_1h, 0u);
  EXPECT_GT(st.idle_le_1h, st.idle_le_1m);
}

}  // namespace
}  // namespace ember
