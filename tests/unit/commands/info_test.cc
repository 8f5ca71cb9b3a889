// INFO: section selection (default / all / everything / names, case-insensitive), Redis 7.2 field
// names and order, and the formats of the computed sections. Uses a Server that was never started
// (no databases, no clients), which is all GenInfoString needs.
#include "server/info.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "server/server.h"

namespace ember {
namespace {

class InfoTest : public ::testing::Test {
 protected:
  Config config_;
  Server server_{&config_};

  std::string Info(std::vector<std::string_view> args) { return GenInfoString(server_, args); }

  static std::vector<std::string> Headers(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("# ", 0) == 0) out.push_back(line.substr(2, line.size() - 3));
    }
    return out;
  }
  static std::vector<std::string> Fields(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      size_t colon = line.find(':');
      if (colon != std::string::npos && line[0] != '#') out.push_back(line.substr(0, colon));
    }
    return out;
  }
};

TEST_F(InfoTest, DefaultAllEverythingAndNames) {
  using V = std::vector<std::string>;
  V def{"Server", "Clients", "Memory", "Persistence", "Stats",   "Replication",
        "CPU",    "Modules", "Errorstats", "Cluster", "Keyspace"};
  EXPECT_EQ(Headers(Info({})), def);
  EXPECT_EQ(Headers(Info({"default"})), def);
  V all{"Server", "Clients", "Memory",     "Persistence", "Stats",   "Replication",
        "CPU",    "Modules", "Commandstats", "Errorstats", "Cluster", "Keyspace"};
  EXPECT_EQ(Headers(Info({"all"})), all);
  EXPECT_EQ(Headers(Info({"EVERYTHING"})), all);
  EXPECT_EQ(Headers(Info({"keyspace", "SERVER", "server"})), V({"Server", "Keyspace"}));
  EXPECT_EQ(Headers(Info({"default", "commandstats"})).size(), def.size() + 1);
  EXPECT_EQ(Info({"nosuchsection"}), "");
  EXPECT_EQ(Headers(Info({"module_list"})), V({"Modules"}));
  EXPECT_EQ(Headers(Info({"debug"})), V({"Debug"}));
  EXPECT_EQ(Fields(Info({"debug"})),
            V({"eventloop_duration_aof_sum", "eventloop_duration_cron_sum", "eventloop_duration_max",
               "eventloop_cmd_per_cycle_max"}));
}

TEST_F(InfoTest, SectionsAreSeparatedByOneEmptyLine) {
  std::string t = Info({"cluster", "keyspace"});
  EXPECT_EQ(t, "# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n");
}

TEST_F(InfoTest, MemoryFieldsInRedisOrder) {
  std::vector<std::string> expected;
  std::istringstream in(
      "used_memory used_memory_human used_memory_rss used_memory_rss_human used_memory_peak "
      "used_memory_peak_human used_memory_peak_perc used_memory_overhead used_memory_startup "
      "used_memory_dataset used_memory_dataset_perc allocator_allocated allocator_active "
      "allocator_resident total_system_memory total_system_memory_human used_memory_lua "
      "used_memory_vm_eval used_memory_lua_human used_memory_scripts_eval number_of_cached_scripts "
      "number_of_functions number_of_libraries used_memory_vm_functions used_memory_vm_total "
      "used_memory_vm_total_human used_memory_functions used_memory_scripts "
      "used_memory_scripts_human maxmemory maxmemory_human maxmemory_policy allocator_frag_ratio "
      "allocator_frag_bytes allocator_rss_ratio allocator_rss_bytes rss_overhead_ratio "
      "rss_overhead_bytes mem_fragmentation_ratio mem_fragmentation_bytes "
      "mem_not_counted_for_evict mem_replication_backlog mem_total_replication_buffers "
      "mem_clients_slaves mem_clients_normal mem_cluster_links mem_aof_buffer mem_allocator "
      "active_defrag_running lazyfree_pending_objects lazyfreed_objects");
  std::string w;
  while (in >> w) expected.push_back(w);
  ASSERT_EQ(expected.size(), 51u);
  std::string t = Info({"memory"});
  EXPECT_EQ(Fields(t), expected);
  EXPECT_TRUE(std::regex_search(t, std::regex("\r\nused_memory_peak_perc:\\d+\\.\\d\\d%\r\n")));
  EXPECT_NE(t.find("\r\nmaxmemory_policy:noeviction\r\n"), std::string::npos);
}

TEST_F(InfoTest, StatsFieldsIn72Order) {
  const char* expected[] = {
      "total_connections_received", "total_commands_processed", "instantaneous_ops_per_sec",
      "total_net_input_bytes", "total_net_output_bytes", "total_net_repl_input_bytes",
      "total_net_repl_output_bytes", "instantaneous_input_kbps", "instantaneous_output_kbps",
      "instantaneous_input_repl_kbps", "instantaneous_output_repl_kbps", "rejected_connections",
      "sync_full", "sync_partial_ok", "sync_partial_err", "expired_keys", "expired_stale_perc",
      "expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds", "evicted_keys",
      "evicted_clients", "total_eviction_exceeded_time", "current_eviction_exceeded_time",
      "keyspace_hits", "keyspace_misses", "pubsub_channels", "pubsub_patterns",
      "pubsubshard_channels", "latest_fork_usec", "total_forks", "migrate_cached_sockets",
      "slave_expires_tracked_keys", "active_defrag_hits", "active_defrag_misses",
      "active_defrag_key_hits", "active_defrag_key_misses", "total_active_defrag_time",
      "current_active_defrag_time", "tracking_total_keys", "tracking_total_items",
      "tracking_total_prefixes", "unexpected_error_replies", "total_error_replies",
      "dump_payload_sanitizations", "total_reads_processed", "total_writes_processed",
      "io_threaded_reads_processed", "io_threaded_writes_processed", "reply_buffer_shrinks",
      "reply_buffer_expands", "eventloop_cycles", "eventloop_duration_sum",
      "eventloop_duration_cmd_sum", "instantaneous_eventloop_cycles_per_sec",
      "instantaneous_eventloop_duration_usec", "acl_access_denied_auth", "acl_access_denied_cmd",
      "acl_access_denied_key", "acl_access_denied_channel",
      // Ember's eviction observability fields follow Redis's (README, INFO).
      "evicted_keys_idle_le_1s", "evicted_keys_idle_le_1m", "evicted_keys_idle_le_1h",
      "evicted_keys_idle_gt_1h", "eviction_quality_perc",
      // ... and the idle poll's (idle-poll-us).
      "idle_poll_window_us", "idle_poll_waits", "idle_poll_hits"};
  EXPECT_EQ(Fields(Info({"stats"})),
            std::vector<std::string>(std::begin(expected), std::end(expected)));
}

TEST_F(InfoTest, ClientsReplicationCpuFieldLists) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Fields(Info({"clients"})),
            V({"connected_clients", "cluster_connections", "maxclients",
               "client_recent_max_input_buffer", "client_recent_max_output_buffer",
               "blocked_clients", "tracking_clients", "clients_in_timeout_table",
               "total_blocking_keys", "total_blocking_keys_on_nokey"}));
  EXPECT_EQ(Fields(Info({"replication"})),
            V({"role", "connected_slaves", "master_failover_state", "master_replid",
               "master_replid2", "master_repl_offset", "second_repl_offset", "repl_backlog_active",
               "repl_backlog_size", "repl_backlog_first_byte_offset", "repl_backlog_histlen"}));
  std::string cpu = Info({"cpu"});
  EXPECT_TRUE(std::regex_search(cpu, std::regex("^# CPU\r\nused_cpu_sys:\\d+\\.\\d{6}\r\n")));
  EXPECT_EQ(Fields(cpu).size(), 6u);
}

TEST_F(InfoTest, ServerSectionStartsWithVersions) {
  std::string t = Info({"server"});
  EXPECT_EQ(t.rfind("# Server\r\nredis_version:7.2.4\r\nember_version:", 0), 0u);
  EXPECT_NE(t.find("\r\nredis_mode:standalone\r\n"), std::string::npos);
  EXPECT_NE(t.find("\r\nmultiplexing_api:epoll\r\n"), std::string::npos);
  EXPECT_NE(t.find("\r\nlistener0:name=tcp,bind=127.0.0.1,port=6379\r\n"), std::string::npos);
}

TEST_F(InfoTest, ErrorstatsAndCommandstatsFormats) {
  EXPECT_EQ(Info({"errorstats"}), "# Errorstats\r\n");
  server_.stats.errors["WRONGTYPE"] = 2;
  server_.stats.errors["ERR"] = 3;
  EXPECT_EQ(Info({"errorstats"}),
            "# Errorstats\r\nerrorstat_ERR:count=3\r\nerrorstat_WRONGTYPE:count=2\r\n");
  server_.stats.commands["get"] = CommandStats{2, 5, 2, 1};
  server_.stats.commands["config|get"] = CommandStats{0, 0, 1, 0};
  server_.stats.commands["set"] = CommandStats{};  // never called: not listed
  EXPECT_EQ(Info({"commandstats"}),
            "# Commandstats\r\n"
            "cmdstat_config|get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0\r\n"
            "cmdstat_get:calls=2,usec=5,usec_per_call=2.50,rejected_calls=2,failed_calls=1\r\n");
  server_.stats.ResetCounters();
  EXPECT_EQ(Info({"commandstats", "errorstats"}), "# Commandstats\r\n\r\n# Errorstats\r\n");
}

TEST_F(InfoTest, PersistenceReportsDirtyAndNoSaves) {
  server_.dirty = 7;
  std::string t = Info({"persistence"});
  EXPECT_NE(t.find("\r\nrdb_changes_since_last_save:7\r\n"), std::string::npos);
  EXPECT_NE(t.find("\r\nrdb_last_bgsave_time_sec:-1\r\n"), std::string::npos);
  EXPECT_NE(t.find("\r\naof_enabled:0\r\n"), std::string::npos);
  std::vector<std::string> expected;
  std::istringstream in(
      "loading async_loading current_cow_peak current_cow_size current_cow_size_age "
      "current_fork_perc current_save_keys_processed current_save_keys_total "
      "rdb_changes_since_last_save rdb_bgsave_in_progress rdb_last_save_time "
      "rdb_last_bgsave_status rdb_last_bgsave_time_sec rdb_current_bgsave_time_sec rdb_saves "
      "rdb_last_cow_size rdb_last_load_keys_expired rdb_last_load_keys_loaded aof_enabled "
      "aof_rewrite_in_progress aof_rewrite_scheduled aof_last_rewrite_time_sec "
      "aof_current_rewrite_time_sec aof_last_bgrewrite_status aof_rewrites "
      "aof_rewrites_consecutive_failures aof_last_write_status aof_last_cow_size "
      "module_fork_in_progress module_fork_last_cow_size "
      "fork_cow_estimate_bytes aof_writer");  // Ember's own fields, after Redis's
  std::string w;
  while (in >> w) expected.push_back(w);
  EXPECT_EQ(Fields(t), expected);
}

// CONFIG RESETSTAT zeroes the counters; the instantaneous metrics must not then see a negative
// delta (an unsigned wrap would report an absurd ops/sec).
TEST(ServerStatsReset, MetricsRestartWithTheCounters) {
  ServerStats st;
  st.total_commands_processed = 1000;
  st.ops.Track(1000, st.total_commands_processed);
  st.total_commands_processed = 2000;
  st.ops.Track(1100, st.total_commands_processed);
  EXPECT_GT(st.ops.Average(), 0u);
  st.ResetCounters();
  EXPECT_EQ(st.total_commands_processed, 0u);
  EXPECT_EQ(st.ops.Average(), 0u);
  st.total_commands_processed = 5;
  st.ops.Track(1200, st.total_commands_processed);
  EXPECT_LT(st.ops.Average(), 100u);
}

}  // namespace
}  // namespace ember
