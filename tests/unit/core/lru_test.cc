// Contracts of core/lru.h: the LRU clock's resolution and wrap, idle-time round trips through the
// seconds that RDB/RESTORE carry, and the LFU counter's decay and logarithmic growth (checked
// against the table in Redis's redis.conf).
#include "core/lru.h"

#include <gtest/gtest.h>

#include <random>

namespace ember {
namespace {

TEST(LruClockTest, IdleTimeHasTheClockResolution) {
  int64_t t0 = 1'700'000'000'000;
  uint32_t lru = LruClockFromMs(t0);
  EXPECT_EQ(LruIdleMs(LruClockFromMs(t0 + 10'000), lru), 10'000u);
  EXPECT_EQ(LruIdleMs(LruClockFromMs(t0 + kLruClockResolutionMs), lru), kLruClockResolutionMs);
  EXPECT_EQ(LruIdleMs(lru, lru), 0u);
  // Finer than Redis's 1 s: two accesses 250 ms apart are told apart.
  EXPECT_EQ(LruClockFromMs(t0 + 250) - LruClockFromMs(t0), 1u);
}

TEST(LruClockTest, OneWrapOfTheClockIsAllowedFor) {
  uint32_t lru = kLruClockMax - 4;  // five ticks before the wrap
  uint32_t now = 10;
  EXPECT_EQ(LruIdleMs(now, lru), (4u + 10u) * kLruClockResolutionMs);
}

TEST(LruClockTest, IdleSecondsRoundTrip) {
  uint32_t now = LruClockFromMs(1'700'000'000'000);
  for (uint64_t idle : {0ull, 1ull, 59ull, 3600ull, 86400ull * 30}) {
    uint32_t lru = LruFromIdleSeconds(now, idle);
    EXPECT_EQ(LruIdleMs(now, lru) / 1000, idle) << idle;
  }
  // Beyond the clock's range: clamped to the oldest representable time, not wrapped to "fresh".
  uint32_t oldest = LruFromIdleSeconds(now, 86400ull * 365 * 10);
  EXPECT_GE(LruIdleMs(now, oldest) / 1000, 86400ull * 48);
  // Near a wrap too.
  EXPECT_EQ(LruIdleMs(3, LruFromIdleSeconds(3, 10)) / 1000, 10u);
}

TEST(LfuTest, DecayRemovesOnePerElapsedPeriod) {
  int64_t t0 = 1'700'000'000'000;
  uint32_t field = (LfuMinutes(t0) << 8) | 20;
  EXPECT_EQ(LfuDecayedCounter(field, t0, 1), 20);
  EXPECT_EQ(LfuDecayedCounter(field, t0 + 5 * 60'000, 1), 15);
  EXPECT_EQ(LfuDecayedCounter(field, t0 + 5 * 60'000, 2), 18);   // 2 periods of 2 minutes
  EXPECT_EQ(LfuDecayedCounter(field, t0 + 5 * 60'000, 0), 20);   // decay disabled
  EXPECT_EQ(LfuDecayedCounter(field, t0 + 600 * 60'000, 1), 0);  // never below zero
}

// redis.conf: "factor | 100 hits | 1000 hits | 100K hits | 1M hits" with 0 -> 104/255/255/255,
// 10 -> 10/18/142/255 (a new key starts at 5; the first hit creates it).
uint8_t CounterAfter(int factor, int hits, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  uint8_t c = kLfuInitVal;
  for (int i = 1; i < hits; i++) c = LfuLogIncr(c, factor, u(rng));
  return c;
}

TEST(LfuTest, LogarithmicIncrementMatchesRedisTable) {
  EXPECT_EQ(CounterAfter(0, 100, 1), 104);
  EXPECT_EQ(CounterAfter(0, 1000, 1), 255);
  uint8_t c100 = CounterAfter(10, 100, 7), c1k = CounterAfter(10, 1000, 7);
  uint8_t c100k = CounterAfter(10, 100'000, 7), c1m = CounterAfter(10, 1'000'000, 7);
  EXPECT_GE(c100, 8);
  EXPECT_LE(c100, 13);
  EXPECT_GE(c1k, 14);
  EXPECT_LE(c1k, 24);
  EXPECT_GE(c100k, 128);
  EXPECT_LE(c100k, 165);
  EXPECT_EQ(c1m, 255);
  EXPECT_EQ(LfuLogIncr(255, 10, 0.0), 255);
}

}  // namespace
}  // namespace ember
