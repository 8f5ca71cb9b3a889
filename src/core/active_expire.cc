#include "core/active_expire.h"

#include <algorithm>

#include "base/time.h"
#include "core/database.h"

namespace ember {

namespace {
constexpr int kKeysPerLoop = 20;          // ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP
constexpr int kFastDurationUs = 1000;     // ACTIVE_EXPIRE_CYCLE_FAST_DURATION
constexpr int kSlowTimePerc = 25;         // ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC
constexpr int kAcceptableStale = 10;      // ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE
constexpr unsigned kDbsPerCall = 16;      // CRON_DBS_PER_CALL
}  // namespace

void ActiveExpire::Cycle(std::vector<std::unique_ptr<Database>>& dbs, ExpireCycleType type,
                         int effort, int hz) {
  int e = std::clamp(effort, 1, 10) - 1;
  int keys_per_loop = kKeysPerLoop + kKeysPerLoop / 4 * e;
  int fast_duration = kFastDurationUs + kFastDurationUs / 4 * e;
  int slow_perc = kSlowTimePerc + 2 * e;
  int acceptable_stale = kAcceptableStale - e;

  int64_t start = MonotonicUs();
  if (type == ExpireCycleType::kFast) {
    // Only when the last cycle hit its time limit, and not more often than 2x the fast duration.
    if (!timelimit_exit_) return;
    if (start < last_fast_cycle_us_ + fast_duration * 2) return;
    last_fast_cycle_us_ = start;
  }
  unsigned dbs_per_call = std::min<unsigned>(kDbsPerCall, static_cast<unsigned>(dbs.size()));
  if (timelimit_exit_) dbs_per_call = static_cast<unsigned>(dbs.size());
  int64_t timelimit = static_cast<int64_t>(slow_perc) * 1000000 / std::max(hz, 1) / 100;
  if (type == ExpireCycleType::kFast) timelimit = fast_duration;
  if (timelimit <= 0) timelimit = 1;
  timelimit_exit_ = false;

  uint64_t total_sampled = 0, total_expired = 0;
  int iteration = 0;
  std::vector<Record*> expired;
  for (unsigned j = 0; j < dbs_per_call && !timelimit_exit_; j++) {
    Database& db = *dbs[current_db_ % dbs.size()];
    current_db_++;
    KeyspaceEnv* env = db.env();
    int64_t ttl_sum = 0, ttl_samples = 0;
    uint64_t expired_this_db = 0, sampled_this_db = 0;
    do {
      RecordTable& ex = db.expires_table();
      size_t num = ex.Size();
      if (num == 0) {
        db.set_avg_ttl(0);
        break;
      }
      // Skip nearly empty tables: sampling would mostly find empty buckets.
      size_t slots = ex.BucketCount() * 7;
      if (slots > 7 * 64 && num * 100 / slots < 1) break;
      env->now_ms = UnixMs();
      int64_t now = env->now_ms;
      uint64_t sampled = 0;
      expired_this_db = 0;
      sampled_this_db = 0;
      size_t max_buckets = static_cast<size_t>(keys_per_loop) * 20;
      size_t buckets = 0;
      expired.clear();
      size_t cursor = db.expire_cursor;
      do {
        cursor = ex.Scan(cursor, [&](Record* r) {
          sampled++;
          int64_t when = r->expire_ms();
          if (now > when) {
            expired.push_back(r);
          } else {
            ttl_sum += when - now;
            ttl_samples++;
          }
        });
        buckets++;
      } while (cursor != 0 && sampled < static_cast<uint64_t>(keys_per_loop) &&
               buckets < max_buckets);
      db.expire_cursor = cursor;
      for (Record* r : expired) {
        db.DeleteExpired(r);
        expired_this_db++;
      }
      sampled_this_db = sampled;
      total_sampled += sampled;
      total_expired += expired_this_db;
      if (ttl_samples) {
        int64_t avg = ttl_sum / ttl_samples;
        // Redis: new = old/50*49 + avg/50, starting from the first sample.
        db.set_avg_ttl(db.avg_ttl() == 0 ? avg : db.avg_ttl() / 50 * 49 + avg / 50);
      }
      if ((++iteration & 0xF) == 0) {
        if (MonotonicUs() - start > timelimit) {
          timelimit_exit_ = true;
          stats_.time_cap_reached_count++;
          break;
        }
      }
      if (sampled == 0) break;
    } while (sampled_this_db > 0 &&
             expired_this_db * 100 / sampled_this_db > static_cast<uint64_t>(acceptable_stale));
  }
  int64_t elapsed = MonotonicUs() - start;
  stats_.cycle_time_used_us += static_cast<uint64_t>(elapsed);
  double current = total_sampled ? static_cast<double>(total_expired) / total_sampled : 0;
  stats_.stale_perc = current * 0.05 + stats_.stale_perc * 0.95;
}

}  // namespace ember
