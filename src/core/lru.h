// LRU clock and LFU counter arithmetic, as Redis (evict.c): 24 bits per record.
//   LRU: (ms / resolution) & 0xFFFFFF; idle = clock - lru, allowing one wrap.
//        Redis compiles LRU_CLOCK_RESOLUTION 1000 ms (a wrap every ~194 days). Ember uses 250 ms
//        (a wrap every ~48.5 days): a cache that turns over in about a second at 100k requests/s
//        otherwise sees a whole cache's worth of keys with the same idle time, and sampled LRU
//        degrades towards random among them (utils/bench/evict_quality.py measures the gap to exact
//        LRU). Idle times longer than one wrap are under-reported, as in Redis past 194 days.
//        OBJECT IDLETIME, DUMP/RDB idle fields and RESTORE IDLETIME stay in seconds.
//   LFU: high 16 bits = last decrement time in minutes & 0xFFFF, low 8 bits = log counter.
//        New objects start at LFU_INIT_VAL 5. Access: decay by elapsed periods, then a
//        probabilistic increment with p = 1 / ((counter - 5) * lfu_log_factor + 1).
#pragma once

#include <cstdint>

namespace ember {

constexpr uint32_t kLruClockMax = (1u << 24) - 1;
constexpr uint32_t kLruClockResolutionMs = 250;
constexpr uint8_t kLfuInitVal = 5;

inline uint32_t LruClockFromMs(int64_t unix_ms) {
  return static_cast<uint32_t>((unix_ms / kLruClockResolutionMs) & kLruClockMax);
}

// Milliseconds an object with `lru` has been idle at clock `now`.
inline uint64_t LruIdleMs(uint32_t now, uint32_t lru) {
  uint64_t ticks = now >= lru ? now - lru : (kLruClockMax - lru) + now;
  return ticks * kLruClockResolutionMs;
}

// The LRU field for an object idle for `idle_s` seconds at clock `now` (RDB load, RESTORE
// IDLETIME), as Redis's objectSetLRUOrLFU: idle times past the clock's range are clamped to it.
inline uint32_t LruFromIdleSeconds(uint32_t now, uint64_t idle_s) {
  uint64_t ticks = idle_s * 1000 / kLruClockResolutionMs;
  if (ticks > kLruClockMax - 1) ticks = kLruClockMax - 1;  // the oldest time LruIdleMs can tell
  // Redis adds LRU_CLOCK_MAX (not +1) on underflow, matching LruIdleMs's wrap arithmetic.
  int64_t abs = static_cast<int64_t>(now) - static_cast<int64_t>(ticks);
  if (abs < 0) abs += kLruClockMax;
  return static_cast<uint32_t>(abs);
}

inline uint32_t LfuMinutes(int64_t unix_ms) { return static_cast<uint32_t>((unix_ms / 60000) & 0xFFFF); }

inline uint32_t LfuInitial(int64_t unix_ms) { return (LfuMinutes(unix_ms) << 8) | kLfuInitVal; }

// Minutes elapsed since the stored decrement time, allowing one wrap of the 16-bit field.
inline uint32_t LfuElapsedMinutes(uint32_t now_min, uint32_t ldt) {
  return now_min >= ldt ? now_min - ldt : 65535 - ldt + now_min;
}

// The counter after decay, without storing it (OBJECT FREQ, eviction scoring).
inline uint8_t LfuDecayedCounter(uint32_t lru_field, int64_t unix_ms, int decay_time) {
  uint32_t ldt = lru_field >> 8;
  uint32_t counter = lru_field & 255;
  uint32_t periods = decay_time ? LfuElapsedMinutes(LfuMinutes(unix_ms), ldt) / decay_time : 0;
  return static_cast<uint8_t>(periods > counter ? 0 : counter - periods);
}

// The logarithmic increment; `rnd01` is a uniform random number in [0, 1).
inline uint8_t LfuLogIncr(uint8_t counter, int log_factor, double rnd01) {
  if (counter == 255) return 255;
  double base = counter > kLfuInitVal ? counter - kLfuInitVal : 0;
  double p = 1.0 / (base * log_factor + 1);
  return rnd01 < p ? counter + 1 : counter;
}

}  // namespace ember
