#include "core/evict.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

#include "base/time.h"
#include "core/database.h"
#include "core/lazyfree.h"
#include "core/lru.h"
#include "memory/alloc.h"
#include "memory/not_counted.h"
#include "types/hashtable.h"

namespace ember {

namespace {
constexpr size_t kPoolSize = 16;        // EVPOOL_SIZE
constexpr int kQualityProbes = 4;
constexpr uint64_t kQualityEvery = 4;

bool IsVolatile(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kVolatileLfu ||
         p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kVolatileTtl;
}
bool IsRandom(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kAllkeysRandom;
}
}  // namespace

Evictor::Evictor() : pool_(kPoolSize) {}

void Evictor::ResetStats() {
  int64_t since = stats_.exceeded_since_us;
  stats_ = EvictionStats();
  // A window still open restarts now (Redis resets the start too).
  stats_.exceeded_since_us = since ? MonotonicUs() : 0;
}

size_t Evictor::UsedForEviction() {
  size_t used = mem::UsedMemory();
  size_t nc = mem::NotCountedTotal();
  return used > nc ? used - nc : 0;
}

int64_t Evictor::TimeLimitUs(int tenacity) {
  if (tenacity <= 10) return 50 * static_cast<int64_t>(tenacity);
  if (tenacity < 100) return static_cast<int64_t>(500.0 * std::pow(1.15, tenacity - 10));
  return std::numeric_limits<int64_t>::max();
}

uint64_t Evictor::Score(const void* rec, KeyspaceEnv& env, EvictionPolicy policy) const {
  const Record* r = static_cast<const Record*>(rec);
  switch (policy) {
    case EvictionPolicy::kVolatileTtl:
      return std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(r->expire_ms());
    case EvictionPolicy::kVolatileLfu:
    case EvictionPolicy::kAllkeysLfu:
      return 255 - LfuDecayedCounter(r->lru(), env.now_ms, env.lfu_decay_time);
    default:
      return LruIdleMs(env.lru_clock, r->lru());
  }
}

void Evictor::PopulatePool(Database& db, KeyspaceEnv& env, const EvictionParams& p) {
  Record* samples[64];
  size_t want = std::min<size_t>(static_cast<size_t>(std::max(p.samples, 1)), 64);
  size_t n = IsVolatile(p.policy) ? db.SampleVolatile(want, samples)
                                  : db.SampleRecords(want, samples);
  // Each sample is a cache miss on its record's header: start them all before scoring the first,
  // so they overlap instead of queueing (eviction under a write flood was ~20% Score stalls).
  for (size_t i = 0; i < n; i++) __builtin_prefetch(samples[i]);
  for (size_t i = 0; i < n; i++) {
    Record* r = samples[i];
    uint64_t score = Score(r, env, p.policy);
    // Find the first slot with a score >= ours (or an empty one).
    size_t k = 0;
    while (k < kPoolSize && !pool_[k].key.empty() && pool_[k].score < score) k++;
    if (k == 0 && !pool_[kPoolSize - 1].key.empty()) continue;  // worse than all of a full pool
    // Already pooled? Same record pointer in the same database. A stale pointer that now belongs
    // to another key only costs this one candidate; a key whose record moved can sit in the pool
    // twice (as Redis, which never checks): its second entry is a ghost when it comes up.
    bool dup = false;
    for (size_t j = 0; j < kPoolSize; j++) {
      if (pool_[j].rec == r && pool_[j].dbid == db.id() && !pool_[j].key.empty()) {
        dup = true;
        break;
      }
    }
    if (dup) continue;
    std::string_view key = r->key();
    if (k < kPoolSize && pool_[k].key.empty()) {
      // Free slot at k: insert there.
    } else if (pool_[kPoolSize - 1].key.empty()) {
      // Shift right to make room at k.
      for (size_t j = kPoolSize - 1; j > k; j--) pool_[j] = std::move(pool_[j - 1]);
    } else {
      // Full: drop the lowest entry, shift left, insert at k-1.
      k--;
      for (size_t j = 0; j < k; j++) pool_[j] = std::move(pool_[j + 1]);
    }
    pool_[k].score = score;
    pool_[k].key.assign(key.data(), key.size());
    pool_[k].dbid = db.id();
    pool_[k].rec = r;
  }
}

void Evictor::RecordVictim(Database& db, const void* rec, KeyspaceEnv& env,
                           EvictionPolicy policy) {
  const Record* r = static_cast<const Record*>(rec);
  uint64_t idle_ms;
  if (env.lfu) {
    idle_ms = static_cast<uint64_t>(LfuElapsedMinutes(LfuMinutes(env.now_ms), r->lru() >> 8)) * 60000;
  } else {
    idle_ms = LruIdleMs(env.lru_clock, r->lru());
  }
  if (idle_ms <= 1000) {
    stats_.idle_le_1s++;
  } else if (idle_ms <= 60000) {
    stats_.idle_le_1m++;
  } else if (idle_ms <= 3600000) {
    stats_.idle_le_1h++;
  } else {
    stats_.idle_gt_1h++;
  }
  if (IsRandom(policy) || policy == EvictionPolicy::kVolatileTtl) return;
  // Probing costs a few cache misses: do it for one victim in kQualityEvery.
  if (++quality_tick_ % kQualityEvery != 0) return;
  uint64_t victim = Score(rec, env, policy);
  // Compare with the policy's own candidates (volatile-* only ever sees keys with a TTL), taken
  // the way the pool takes them: one random run of buckets, the records prefetched together.
  Record* others[kQualityProbes];
  size_t got = IsVolatile(policy) ? db.SampleVolatile(kQualityProbes, others)
                                  : db.SampleRecords(kQualityProbes, others);
  for (size_t i = 0; i < got; i++) __builtin_prefetch(others[i]);
  int probes = 0, outranked = 0;
  for (size_t i = 0; i < got; i++) {
    if (others[i] == r) continue;
    probes++;
    if (Score(others[i], env, policy) <= victim) outranked++;
  }
  if (probes == 0) return;
  double q = static_cast<double>(outranked) / probes;
  stats_.quality_samples++;
  double w = stats_.quality_samples < 64 ? 1.0 / stats_.quality_samples : 1.0 / 64;
  stats_.quality = stats_.quality * (1 - w) + q * w;
}

void Evictor::CloseExceededWindow() {
  if (stats_.exceeded_since_us) {
    stats_.total_exceeded_time_us += static_cast<uint64_t>(MonotonicUs() - stats_.exceeded_since_us);
    stats_.exceeded_since_us = 0;
  }
}

EvictResult Evictor::Perform(std::vector<std::unique_ptr<Database>>& dbs, KeyspaceEnv& env,
                             const EvictionParams& p) {
  if (p.maxmemory == 0 || env.loading) {
    CloseExceededWindow();
    return EvictResult::kOk;
  }
  size_t used = UsedForEviction();
  if (used <= p.maxmemory) {
    CloseExceededWindow();
    return EvictResult::kOk;
  }
  if (!stats_.exceeded_since_us) stats_.exceeded_since_us = MonotonicUs();
  int64_t start = MonotonicUs();
  int64_t limit = TimeLimitUs(p.tenacity);
  if (p.policy == EvictionPolicy::kNoEviction) return WaitForLazyFree(env, p, start, limit);

  size_t tofree = used - p.maxmemory;
  size_t freed = 0;
  uint64_t evicted = 0;
  while (freed < tofree) {
    Database* victim_db = nullptr;
    Record* victim = nullptr;
    std::string& victim_key = victim_key_;
    if (!IsRandom(p.policy)) {
      for (int attempts = 0; attempts < 64 && !victim_db; attempts++) {
        uint64_t total_keys = 0;
        for (auto& db : dbs) {
          size_t n = IsVolatile(p.policy) ? db->ExpiresSize() : db->Size();
          if (n == 0) continue;
          total_keys += n;
          PopulatePool(*db, env, p);
        }
        if (total_keys == 0) break;
        // Best candidate first; drop ghosts (keys deleted or made persistent since pooled).
        for (size_t k = kPoolSize; k-- > 0;) {
          if (pool_[k].key.empty()) continue;
          Database& db = *dbs[pool_[k].dbid];
          Record* r = db.Find(pool_[k].key);
          victim_key.swap(pool_[k].key);
          pool_[k].key.clear();
          pool_[k].dbid = -1;
          pool_[k].rec = nullptr;
          if (r && (!IsVolatile(p.policy) || r->has_expire())) {
            victim_db = &db;
            victim = r;
            break;
          }
        }
      }
    } else {
      for (size_t i = 0; i < dbs.size() && !victim_db; i++) {
        Database& db = *dbs[next_db_++ % dbs.size()];
        Record* r = nullptr;
        if (IsVolatile(p.policy)) {
          if (db.ExpiresSize()) r = db.expires_table().RandomEntry();
        } else if (db.Size()) {
          r = db.RandomRecord();
        }
        if (r) {
          victim_db = &db;
          victim = r;
          victim_key.assign(r->key());
        }
      }
    }
    if (!victim_db) break;  // nothing evictable

    RecordVictim(*victim_db, victim, env, p.policy);
    size_t before = mem::UsedMemory();
    victim_db->Delete(victim_key, p.lazy);
    size_t after = mem::UsedMemory();
    freed += before > after ? before - after : 0;
    env.stats.evicted_keys++;
    evicted++;
    if (env.observer) env.observer->OnKeyEvicted(*victim_db, victim_key);
    if ((evicted & 15) == 0) {
      // Lazy eviction frees on the other thread: the delta above misses it, so look again.
      if (p.lazy && UsedForEviction() <= p.maxmemory) break;
      if (MonotonicUs() - start > limit) return EvictResult::kRunning;
    }
  }
  if (UsedForEviction() <= p.maxmemory || freed >= tofree) {
    // Done, as far as this burst can tell (Redis also stops once the measured deltas add up).
    return EvictResult::kOk;
  }
  return WaitForLazyFree(env, p, start, limit);
}

EvictResult Evictor::WaitForLazyFree(KeyspaceEnv& env, const EvictionParams& p, int64_t start,
                                     int64_t limit) {
  // Nothing (more) to evict. Values may still be on their way out through the lazy-free thread:
  // wait for them a little, within the burst's time limit, 1 ms at a time (Redis's cant_free).
  while (env.lazyfree && env.lazyfree->Pending() > 0) {
    int64_t elapsed = MonotonicUs() - start;
    if (elapsed >= limit) break;
    if (UsedForEviction() <= p.maxmemory) {
      CloseExceededWindow();
      return EvictResult::kOk;
    }
    int64_t nap = std::min<int64_t>(limit - elapsed, 1000);
    std::this_thread::sleep_for(std::chrono::microseconds(nap));
  }
  if (UsedForEviction() <= p.maxmemory) {
    CloseExceededWindow();
    return EvictResult::kOk;
  }
  return EvictResult::kFail;
}

}  // namespace ember
