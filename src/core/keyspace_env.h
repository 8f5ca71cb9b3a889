// The state every database consults on each access: the cached command time, the LRU clock, the
// eviction policy's needs, lazy-free settings, whether a fork child exists, and the stats counters
// it bumps. One instance, owned by the server, shared by all databases; the event-loop thread only.
#pragma once

#include <cstdint>
#include <string_view>

namespace ember {

class Database;
class Record;
class LazyFree;

// Receives key-level events the server cares about (WATCH invalidation, keyspace notifications,
// propagation to the AOF). All callbacks run on the event-loop thread, synchronously.
class KeyspaceObserver {
 public:
  virtual ~KeyspaceObserver() = default;
  // A key's value changed, or it was created or deleted (Redis's signalModifiedKey).
  virtual void OnKeyModified(Database& db, std::string_view key) = 0;
  // A key was deleted because it expired (lazily or actively) or was evicted.
  virtual void OnKeyExpired(Database& db, std::string_view key) = 0;
  virtual void OnKeyEvicted(Database& db, std::string_view key) = 0;
  // A whole database was emptied (FLUSHDB/FLUSHALL/SWAPDB touch every watched key).
  virtual void OnDatabaseFlushed(Database& db) = 0;
};

struct KeyspaceStats {
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t expired_keys = 0;
  uint64_t evicted_keys = 0;
  uint64_t lazyfreed_objects = 0;
};

struct KeyspaceEnv {
  // "Now" for expiry decisions: the cached time of the running command (Redis's fixed_time_expire).
  int64_t now_ms = 0;
  // LRU clock in seconds, 24 bits (LRU_CLOCK_RESOLUTION 1000 ms), refreshed by the cron.
  uint32_t lru_clock = 0;
  // The policy is an LFU one: records keep a log counter instead of an LRU time.
  bool lfu = false;
  int lfu_log_factor = 10;
  int lfu_decay_time = 1;
  // While a fork child exists: no LRU/LFU writes, no rehash (copy-on-write stays low).
  bool child_active = false;
  // Loading a dump: no expiry.
  bool loading = false;
  bool lazyfree_lazy_expire = false;
  bool lazyfree_lazy_server_del = false;
  KeyspaceStats stats;
  KeyspaceObserver* observer = nullptr;
  // The lazy-free thread (nullptr: everything is freed inline, e.g. in unit tests and fork children).
  LazyFree* lazyfree = nullptr;
};

}  // namespace ember
