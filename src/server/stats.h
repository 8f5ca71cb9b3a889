// Server-wide counters for INFO stats, commandstats and errorstats. Event-loop thread only.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace ember {

struct CommandStats {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
};

struct ServerStats {
  uint64_t total_connections_received = 0;
  uint64_t total_commands_processed = 0;
  uint64_t total_net_input_bytes = 0;
  uint64_t total_net_output_bytes = 0;
  uint64_t rejected_connections = 0;
  uint64_t total_error_replies = 0;
  uint64_t unexpected_error_replies = 0;
  uint64_t total_reads_processed = 0;
  uint64_t total_writes_processed = 0;
  uint64_t evicted_clients = 0;
  uint64_t client_query_buffer_limit_disconnections = 0;
  uint64_t client_output_buffer_limit_disconnections = 0;
  uint64_t dump_payload_sanitizations = 0;
  uint64_t total_forks = 0;
  uint64_t latest_fork_usec = 0;
  uint64_t eventloop_cycles = 0;
  uint64_t eventloop_duration_sum = 0;      // us
  uint64_t eventloop_duration_cmd_sum = 0;  // us
  uint64_t eventloop_duration_max = 0;      // us (7.2 INFO debug)
  uint64_t eventloop_duration_cron_sum = 0; // us spent in the cron (7.2 INFO debug)
  uint64_t eventloop_duration_aof_sum = 0;  // us spent writing the AOF before sleeping (same)
  uint64_t eventloop_cmd_per_cycle_max = 0; // most commands run in one cycle (7.2 INFO debug)
  // Active expiry and eviction figures live with their owners (Server::active_expire(),
  // Server::evictor(); server_memory.cc); evicted_clients is above.
  uint64_t acl_access_denied_auth = 0;        // failed AUTH / HELLO AUTH
  // errorstats: error code ("ERR", "WRONGTYPE") -> count
  std::map<std::string, uint64_t> errors;
  // commandstats: "get", "config|get" -> stats
  std::map<std::string, CommandStats> commands;

  // instantaneous_* metrics: samples taken every 100 ms by the cron (Redis's STATS_METRIC_*).
  struct Metric {
    static constexpr int kSamples = 16;
    int64_t last_time_ms = 0;
    uint64_t last_value = 0;
    uint64_t samples[kSamples] = {};
    int idx = 0;
    void Track(int64_t now_ms, uint64_t value);
    uint64_t Average() const;
  };
  Metric ops, net_input, net_output, el_cycles, el_duration;

  // The commandstats entry of a command (cached in the spec; entries are never erased, only
  // zeroed, so the cached pointers stay valid).
  CommandStats& For(const struct CommandSpec* spec);

  void ResetCounters();  // CONFIG RESETSTAT
};

}  // namespace ember
