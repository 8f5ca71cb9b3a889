// Active expiry: reclaiming expired keys that nobody reads (Redis's activeExpireCycle, expire.c).
//
// Two cycles share one state:
//   slow: from the server cron, hz times per second, with a CPU budget of
//         (25 + 2e)% of each cron tick (e = active-expire-effort - 1): 25 ms per call at hz 10.
//   fast: from before-sleep, at most once per 2x its duration (1000 + 250e us), only when the
//         previous cycle stopped on its time limit (the 7.0/7.2 behaviour).
// Each call visits up to 16 databases, resuming where the last call stopped. In a database it walks
// the expire index from a per-database cursor (HashTable::Scan, so a resize never skips keys),
// sampling up to 20 + 5e keys per round and checking at most 20x that many buckets; it repeats
// while more than (10 - e)% of the sampled keys were expired, checking the clock every 16 rounds.
// Databases whose expire index is less than 1% full are skipped (sampling would be mostly empty).
//
// Stats (INFO stats): expired_keys (via Database::DeleteExpired), expired_stale_perc (EMA with 5%
// weight of the expired share of samples), expired_time_cap_reached_count,
// expire_cycle_cpu_milliseconds; per-database avg_ttl (EMA, 2% weight) for INFO keyspace.
//
// Thread safety: event-loop thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace ember {

class Database;

enum class ExpireCycleType { kSlow, kFast };

struct ActiveExpireStats {
  double stale_perc = 0;                 // expired_stale_perc / 100
  uint64_t time_cap_reached_count = 0;   // expired_time_cap_reached_count
  uint64_t cycle_time_used_us = 0;       // expire_cycle_cpu_milliseconds * 1000
};

class ActiveExpire {
 public:
  // Runs one cycle over `dbs`. `now_ms` refreshes the databases' notion of now as keys are checked.
  void Cycle(std::vector<std::unique_ptr<Database>>& dbs, ExpireCycleType type, int effort, int hz);

  const ActiveExpireStats& stats() const { return stats_; }
  void ResetStats() { stats_ = ActiveExpireStats(); }

 private:
  unsigned current_db_ = 0;
  bool timelimit_exit_ = false;
  int64_t last_fast_cycle_us_ = 0;
  ActiveExpireStats stats_;
};

}  // namespace ember
