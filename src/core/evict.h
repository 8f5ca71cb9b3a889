// Eviction under maxmemory (Redis's evict.c model, Redis's constants).
//
// Before each command the server calls Evictor::Perform. If used_memory minus the memory that is not
// data (memory/not_counted.h) is over maxmemory, it deletes keys until it is not:
//
//   LRU/LFU/TTL policies: fill a 16-entry pool (EVPOOL_SIZE) by sampling maxmemory-samples records
//   from every database (the main table for allkeys-*, the expire index for volatile-*), scored so
//   that higher means "evict first": LRU idle ms; LFU 255 - decayed counter; TTL ULLONG_MAX -
//   expire time. The pool stays sorted; a candidate below every entry of a full pool is dropped.
//   The best entry is evicted; one whose key is gone (a ghost) is skipped.
//   random policies: round-robin over databases, one random record each time.
//
// A burst stops after a time limit from maxmemory-eviction-tenacity (<= 10: 50 us x t; 11..99:
// 500 us x 1.15^(t-10); 100: unlimited), checked every 16 evictions; the server then continues in a
// 0 ms timer (kRunning) while still serving commands. Nothing left to evict: kFail (after waiting,
// within the time limit, for values still queued on the lazy-free thread), and deny-oom commands
// get the OOM error. No LRU/LFU writes happen during eviction.
//
// Beyond Redis, for operators: a histogram of the idle age of evicted keys (<= 1 s, <= 1 min,
// <= 1 h, > 1 h) and a running estimate of eviction quality: after each LRU/LFU eviction, a few
// keys of the same database, sampled as the pool samples, are scored (for one LRU/LFU victim in 4,
// to keep it cheap); the share of them the victim outranks (idler or less frequent) feeds an
// exponential average. 100% means every victim was at least as cold as everything sampled, which
// is what exact LRU/LFU would achieve.
//
// Thread safety: event-loop thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ember {

class Database;
struct KeyspaceEnv;

// Same order as Redis's maxmemory-policy values (and server/config.h MaxmemoryPolicy).
enum class EvictionPolicy : int {
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
  kAllkeysLru,
  kAllkeysLfu,
  kAllkeysRandom,
  kNoEviction,
};

struct EvictionParams {
  uint64_t maxmemory = 0;
  EvictionPolicy policy = EvictionPolicy::kNoEviction;
  int samples = 5;
  int tenacity = 10;
  bool lazy = false;  // lazyfree-lazy-eviction
};

enum class EvictResult { kOk, kRunning, kFail };

struct EvictionStats {
  uint64_t idle_le_1s = 0, idle_le_1m = 0, idle_le_1h = 0, idle_gt_1h = 0;
  double quality = 1.0;            // running estimate, 0..1
  uint64_t quality_samples = 0;
  uint64_t total_exceeded_time_us = 0;  // closed windows over maxmemory
  int64_t exceeded_since_us = 0;        // monotonic start of the open window; 0 = none
};

class Evictor {
 public:
  Evictor();
  // Evicts until under maxmemory, the time limit, or nothing is left. `now_ms` is the cached time.
  EvictResult Perform(std::vector<std::unique_ptr<Database>>& dbs, KeyspaceEnv& env,
                      const EvictionParams& p);
  // used_memory minus not-counted memory, as compared with maxmemory.
  static size_t UsedForEviction();
  // Microseconds one burst may run for a tenacity value.
  static int64_t TimeLimitUs(int tenacity);

  EvictionStats& stats() { return stats_; }
  void ResetStats();
  // Time spent over maxmemory in the open window, and in total (INFO stats
  // current_eviction_exceeded_time / total_eviction_exceeded_time, in ms). `now_us` is monotonic.
  uint64_t CurrentExceededMs(int64_t now_us) const {
    return stats_.exceeded_since_us ? static_cast<uint64_t>(now_us - stats_.exceeded_since_us) / 1000
                                    : 0;
  }
  uint64_t TotalExceededMs(int64_t now_us) const {
    return stats_.total_exceeded_time_us / 1000 + CurrentExceededMs(now_us);
  }

 private:
  struct PoolEntry {
    uint64_t score = 0;
    std::string key;
    int dbid = -1;
    // The sampled record, only ever compared (never dereferenced: it may be gone by now): a record
    // already pooled is recognised without comparing key bytes against every entry.
    const void* rec = nullptr;
  };
  void PopulatePool(Database& db, KeyspaceEnv& env, const EvictionParams& p);
  uint64_t Score(const void* record, KeyspaceEnv& env, EvictionPolicy policy) const;
  void RecordVictim(Database& db, const void* record, KeyspaceEnv& env, EvictionPolicy policy);
  void CloseExceededWindow();
  EvictResult WaitForLazyFree(KeyspaceEnv& env, const EvictionParams& p, int64_t start_us,
                              int64_t limit_us);

  std::vector<PoolEntry> pool_;  // kPoolSize entries, ascending score; empty key = free slot
  unsigned next_db_ = 0;
  uint64_t quality_tick_ = 0;
  std::string victim_key_;  // reused buffer
  EvictionStats stats_;
};

}  // namespace ember
