// Memory accounting reports shared by INFO memory, MEMORY STATS and MEMORY DOCTOR: what part of
// used_memory is server overhead and what part is the dataset, and how the allocator's and the
// kernel's views (sampled together every 100 ms by the cron) compare with it.
//
//   used (exact, mem::UsedMemory)
//     = overhead: startup + replication backlog + replica/normal client buffers + AOF buffer
//                 + script caches + per non-empty database: main and expire table arrays
//     + dataset:  everything else (the records, their values)
//
//   allocator_frag  = allocator active   / allocator allocated   (bytes: the difference)
//   allocator_rss   = allocator resident / allocator active
//   rss_overhead    = process RSS        / allocator resident
//   fragmentation   = process RSS        / used (sampled)
//
// Redis computes the per-db overhead from dictEntry/robj sizes; Ember's records embed key and
// value, so the overhead of a database is exactly the memory of its two tables' bucket arrays
// (Database::MainOverheadBytes / ExpiresOverheadBytes), and the records count as dataset.
//
// Ember has no scripting: script/function caches are 0, truthfully. There is no replication
// backlog or AOF buffer yet: 0 until those exist.
//
// Thread safety: event-loop thread (reads the server's state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ember {

class Server;

struct MemoryOverhead {
  size_t total_allocated = 0;    // used memory now
  size_t startup_allocated = 0;
  size_t peak_allocated = 0;
  size_t repl_backlog = 0;
  size_t clients_slaves = 0;
  size_t clients_normal = 0;
  size_t cluster_links = 0;
  size_t aof_buffer = 0;
  size_t lua_caches = 0;
  size_t functions_caches = 0;
  struct Db {
    int id;
    size_t overhead_main;
    size_t overhead_expires;
  };
  std::vector<Db> dbs;  // non-empty databases only, in id order
  size_t overhead_total = 0;
  size_t total_keys = 0;
  size_t bytes_per_key = 0;
  size_t dataset = 0;
  double dataset_perc = 0;
  double peak_perc = 0;
  // Sampled by the cron.
  size_t allocator_allocated = 0, allocator_active = 0, allocator_resident = 0, process_rss = 0;
  double allocator_frag = 0, allocator_rss = 0, rss_extra = 0, total_frag = 0;
  int64_t allocator_frag_bytes = 0, allocator_rss_bytes = 0, rss_extra_bytes = 0,
          total_frag_bytes = 0;
};

// Computes the report from the server's current state and its last memory sample. O(clients + dbs).
MemoryOverhead ComputeMemoryOverhead(Server& s);

// Sum of the memory held by normal (non-replica) clients: Client::MemoryUsage over all clients.
size_t NormalClientsMemory(const Server& s);

// MEMORY DOCTOR's text (Redis's wording and thresholds), from a report and the client count.
std::string MemoryDoctorText(const MemoryOverhead& mh, size_t num_clients, const char* allocator);

// a / b, or 0 when b is 0 (instead of Redis's inf/nan when nothing was sampled).
inline double SafeRatio(double a, double b) { return b == 0 ? 0 : a / b; }

}  // namespace ember
