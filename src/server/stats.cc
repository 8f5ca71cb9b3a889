#include "server/stats.h"

#include "server/command.h"

namespace ember {

void ServerStats::Metric::Track(int64_t now_ms, uint64_t value) {
  int64_t t = now_ms - last_time_ms;
  uint64_t ops = value - last_value;
  uint64_t rate = t > 0 ? ops * 1000 / static_cast<uint64_t>(t) : 0;
  samples[idx] = rate;
  idx = (idx + 1) % kSamples;
  last_time_ms = now_ms;
  last_value = value;
}

uint64_t ServerStats::Metric::Average() const {
  uint64_t sum = 0;
  for (uint64_t s : samples) sum += s;
  return sum / kSamples;
}

CommandStats& ServerStats::For(const CommandSpec* spec) {
  if (!spec->stats_cache) spec->stats_cache = &commands[spec->name];
  return *spec->stats_cache;
}

void ServerStats::ResetCounters() {
  total_connections_received = 0;
  total_commands_processed = 0;
  total_net_input_bytes = 0;
  total_net_output_bytes = 0;
  rejected_connections = 0;
  total_error_replies = 0;
  unexpected_error_replies = 0;
  total_reads_processed = 0;
  total_writes_processed = 0;
  evicted_clients = 0;
  client_query_buffer_limit_disconnections = 0;
  client_output_buffer_limit_disconnections = 0;
  dump_payload_sanitizations = 0;
  total_forks = 0;
  latest_fork_usec = 0;
  eventloop_cycles = 0;
  eventloop_duration_sum = 0;
  eventloop_duration_cmd_sum = 0;
  eventloop_duration_max = 0;
  eventloop_duration_cron_sum = 0;
  eventloop_duration_aof_sum = 0;
  eventloop_cmd_per_cycle_max = 0;
  acl_access_denied_auth = 0;
  errors.clear();
  for (auto& [name, cs] : commands) cs = CommandStats();
  // The instantaneous metrics restart too: their last sampled values refer to the old counters.
  ops = net_input = net_output = el_cycles = el_duration = Metric{};
}

}  // namespace ember
