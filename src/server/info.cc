// INFO report assembly. Every figure is read from the live server: counters from ServerStats and
// KeyspaceEnv, memory from memory_report.h (cron samples + exact used memory), CPU from getrusage.
// Subsystems Ember does not have yet (replicas, AOF, forks, modules, scripting, cluster, client
// tracking, active defrag) report their idle values, which is what they truly are.
#include "server/info.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <set>

#include "base/strutil.h"
#include "base/time.h"
#include "core/lru.h"
#include "memory/alloc.h"
#include "memory/not_counted.h"
#include "memory/allocator_stats.h"
#include "server/memory_report.h"
#include "server/server.h"
#include "server/version.h"
#include "sys/proc.h"

namespace ember {

namespace {

void Addf(std::string& out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void Addf(std::string& out, const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (static_cast<size_t>(n) < sizeof(buf)) {
    out.append(buf, static_cast<size_t>(n));
    return;
  }
  std::string big(static_cast<size_t>(n) + 1, '\0');
  va_start(ap, fmt);
  std::vsnprintf(big.data(), big.size(), fmt, ap);
  va_end(ap);
  big.resize(static_cast<size_t>(n));
  out += big;
}

using ull = unsigned long long;
using ll = long long;

void ServerSection(Server& s, std::string& o) {
  const ServerConfig& c = s.cfg();
  struct utsname name;
  std::string os = "Linux";
  if (uname(&name) == 0) os = std::string(name.sysname) + " " + name.release + " " + name.machine;
  int64_t now_us = UnixUs();
  int64_t uptime = (now_us / 1000 - s.start_time_ms) / 1000;
  o += "# Server\r\n";
  Addf(o, "redis_version:%s\r\n", kRedisVersion);
  Addf(o, "ember_version:%s\r\n", kEmberVersion);
  o += "redis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:0\r\n";
  o += "redis_mode:standalone\r\n";
  Addf(o, "os:%s\r\n", os.c_str());
  Addf(o, "arch_bits:%d\r\n", static_cast<int>(sizeof(long) * 8));
  o += "monotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\n";
  o += "atomicvar_api:c11-builtin\r\n";
  Addf(o, "gcc_version:%d.%d.%d\r\n", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
  Addf(o, "process_id:%ld\r\n", static_cast<long>(getpid()));
  o += "process_supervised:no\r\n";
  Addf(o, "run_id:%s\r\n", s.run_id.c_str());
  Addf(o, "tcp_port:%d\r\n", c.port);
  Addf(o, "server_time_usec:%lld\r\n", static_cast<ll>(now_us));
  Addf(o, "uptime_in_seconds:%lld\r\n", static_cast<ll>(uptime));
  Addf(o, "uptime_in_days:%lld\r\n", static_cast<ll>(uptime / 86400));
  Addf(o, "hz:%d\r\n", s.hz);
  Addf(o, "configured_hz:%d\r\n", c.hz);
  // Redis's field: its LRU clock, seconds in 24 bits (Ember's own clock ticks every 250 ms).
  Addf(o, "lru_clock:%u\r\n", static_cast<unsigned>((now_us / 1000000) & kLruClockMax));
  Addf(o, "executable:%s\r\n", s.executable.c_str());
  Addf(o, "config_file:%s\r\n", s.config().config_file().c_str());
  o += "io_threads_active:0\r\n";
  int idx = 0;
  if (c.port) {
    Addf(o, "listener%d:name=tcp", idx++);
    for (const auto& b : c.bind) Addf(o, ",bind=%s", b.c_str());
    Addf(o, ",port=%d\r\n", c.port);
  }
  if (!c.unixsocket.empty()) {
    Addf(o, "listener%d:name=unix,bind=%s\r\n", idx++, c.unixsocket.c_str());
  }
}

void ClientsSection(Server& s, std::string& o) {
  size_t max_in = 0, max_out = 0;
  for (const auto& [id, c] : s.clients()) {
    max_in = std::max(max_in, c->QueryBufferAllocated());
    max_out = std::max(max_out, c->reply.AllocatedBytes());
  }
  o += "# Clients\r\n";
  Addf(o, "connected_clients:%zu\r\n", s.clients().size());
  o += "cluster_connections:0\r\n";
  Addf(o, "maxclients:%u\r\n", s.cfg().maxclients);
  // Redis reports the peak over the last few seconds; Ember reports the largest current buffers.
  Addf(o, "client_recent_max_input_buffer:%zu\r\n", max_in);
  Addf(o, "client_recent_max_output_buffer:%zu\r\n", max_out);
  Addf(o, "blocked_clients:%zu\r\n", s.blocked_clients);
  o += "tracking_clients:0\r\nclients_in_timeout_table:0\r\n";
  Addf(o, "total_blocking_keys:%zu\r\n", s.total_blocking_keys);
  Addf(o, "total_blocking_keys_on_nokey:%zu\r\n", s.total_blocking_keys_on_nokey);
}

void MemorySection(Server& s, std::string& o) {
  mem::UpdatePeak();
  MemoryOverhead mh = ComputeMemoryOverhead(s);
  const ServerConfig& c = s.cfg();
  size_t used = mh.total_allocated;
  size_t total_sys = sys::TotalSystemMemory();
  auto policy = s.config().GetValue("maxmemory-policy");
  o += "# Memory\r\n";
  Addf(o, "used_memory:%zu\r\n", used);
  Addf(o, "used_memory_human:%s\r\n", BytesToHuman(used).c_str());
  Addf(o, "used_memory_rss:%zu\r\n", s.rss_bytes);
  Addf(o, "used_memory_rss_human:%s\r\n", BytesToHuman(s.rss_bytes).c_str());
  Addf(o, "used_memory_peak:%zu\r\n", mh.peak_allocated);
  Addf(o, "used_memory_peak_human:%s\r\n", BytesToHuman(mh.peak_allocated).c_str());
  Addf(o, "used_memory_peak_perc:%.2f%%\r\n", mh.peak_perc);
  Addf(o, "used_memory_overhead:%zu\r\n", mh.overhead_total);
  Addf(o, "used_memory_startup:%zu\r\n", mh.startup_allocated);
  Addf(o, "used_memory_dataset:%zu\r\n", mh.dataset);
  Addf(o, "used_memory_dataset_perc:%.2f%%\r\n", mh.dataset_perc);
  Addf(o, "allocator_allocated:%zu\r\n", mh.allocator_allocated);
  Addf(o, "allocator_active:%zu\r\n", mh.allocator_active);
  Addf(o, "allocator_resident:%zu\r\n", mh.allocator_resident);
  Addf(o, "total_system_memory:%zu\r\n", total_sys);
  Addf(o, "total_system_memory_human:%s\r\n", BytesToHuman(total_sys).c_str());
  // No scripting engine: every Lua / function figure is truly zero.
  o += "used_memory_lua:0\r\nused_memory_vm_eval:0\r\nused_memory_lua_human:0B\r\n"
       "used_memory_scripts_eval:0\r\nnumber_of_cached_scripts:0\r\nnumber_of_functions:0\r\n"
       "number_of_libraries:0\r\nused_memory_vm_functions:0\r\nused_memory_vm_total:0\r\n"
       "used_memory_vm_total_human:0B\r\nused_memory_functions:0\r\nused_memory_scripts:0\r\n"
       "used_memory_scripts_human:0B\r\n";
  Addf(o, "maxmemory:%llu\r\n", static_cast<ull>(c.maxmemory));
  Addf(o, "maxmemory_human:%s\r\n", BytesToHuman(c.maxmemory).c_str());
  Addf(o, "maxmemory_policy:%s\r\n", policy.ok() ? policy->c_str() : "noeviction");
  Addf(o, "allocator_frag_ratio:%.2f\r\n", mh.allocator_frag);
  Addf(o, "allocator_frag_bytes:%lld\r\n", static_cast<ll>(mh.allocator_frag_bytes));
  Addf(o, "allocator_rss_ratio:%.2f\r\n", mh.allocator_rss);
  Addf(o, "allocator_rss_bytes:%lld\r\n", static_cast<ll>(mh.allocator_rss_bytes));
  Addf(o, "rss_overhead_ratio:%.2f\r\n", mh.rss_extra);
  Addf(o, "rss_overhead_bytes:%lld\r\n", static_cast<ll>(mh.rss_extra_bytes));
  Addf(o, "mem_fragmentation_ratio:%.2f\r\n", mh.total_frag);
  Addf(o, "mem_fragmentation_bytes:%lld\r\n", static_cast<ll>(mh.total_frag_bytes));
  // Registered by the subsystems whose buffers are not data (memory/not_counted.h).
  Addf(o, "mem_not_counted_for_evict:%zu\r\n", s.MemNotCountedForEvict());
  Addf(o, "mem_replication_backlog:%zu\r\n", mh.repl_backlog);
  o += "mem_total_replication_buffers:0\r\n";
  Addf(o, "mem_clients_slaves:%zu\r\n", mh.clients_slaves);
  Addf(o, "mem_clients_normal:%zu\r\n", mh.clients_normal);
  o += "mem_cluster_links:0\r\n";
  Addf(o, "mem_aof_buffer:%zu\r\n", mh.aof_buffer);
  Addf(o, "mem_allocator:%s\r\n", std::string(mem::AllocatorName()).c_str());
  o += "active_defrag_running:0\r\n";
  Addf(o, "lazyfree_pending_objects:%zu\r\n", s.LazyfreePendingObjects());
  Addf(o, "lazyfreed_objects:%llu\r\n", static_cast<ull>(s.LazyfreedObjects()));
}

// The RDB part of INFO persistence (loading .. rdb_last_load_keys_loaded). Nothing is saved or
// loaded yet on this branch; once RdbControl exists this is `s.rdb().InfoFields()` (without its
// loading_* extras, which Redis prints at the end of the section, after the AOF fields).
void PersistenceSection(Server& s, std::string& o) {
  o += "# Persistence\r\n";
  o += s.rdb().InfoFields();
  o += s.aof().InfoFields();  // aof_enabled .. module_fork_last_cow_size (+ the AOF-on block)
  o += s.rdb().LoadingInfoFields();
  o += s.rdb().EmberInfoFields();
  o += s.aof().EmberInfoFields();  // aof_writer
}

void StatsSection(Server& s, std::string& o) {
  const ServerStats& st = s.stats;
  const KeyspaceStats& ks = s.env().stats;
  uint64_t cycles_rate = st.el_cycles.Average();
  uint64_t el_dur = cycles_rate ? st.el_duration.Average() / cycles_rate : 0;
  o += "# Stats\r\n";
  Addf(o, "total_connections_received:%llu\r\n", static_cast<ull>(st.total_connections_received));
  Addf(o, "total_commands_processed:%llu\r\n", static_cast<ull>(st.total_commands_processed));
  Addf(o, "instantaneous_ops_per_sec:%llu\r\n", static_cast<ull>(st.ops.Average()));
  Addf(o, "total_net_input_bytes:%llu\r\n", static_cast<ull>(st.total_net_input_bytes));
  Addf(o, "total_net_output_bytes:%llu\r\n", static_cast<ull>(st.total_net_output_bytes));
  o += "total_net_repl_input_bytes:0\r\ntotal_net_repl_output_bytes:0\r\n";
  Addf(o, "instantaneous_input_kbps:%.2f\r\n", static_cast<double>(st.net_input.Average()) / 1024);
  Addf(o, "instantaneous_output_kbps:%.2f\r\n",
       static_cast<double>(st.net_output.Average()) / 1024);
  o += "instantaneous_input_repl_kbps:0.00\r\ninstantaneous_output_repl_kbps:0.00\r\n";
  Addf(o, "rejected_connections:%llu\r\n", static_cast<ull>(st.rejected_connections));
  o += "sync_full:0\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\n";
  // expired_keys .. current_eviction_exceeded_time: the expire cycle and the evictor's figures.
  o += s.InfoStatsExpiryEvictionLines();
  Addf(o, "keyspace_hits:%llu\r\n", static_cast<ull>(ks.keyspace_hits));
  Addf(o, "keyspace_misses:%llu\r\n", static_cast<ull>(ks.keyspace_misses));
  Addf(o, "pubsub_channels:%zu\r\n", s.pubsub_channels().size());
  Addf(o, "pubsub_patterns:%zu\r\n", s.pubsub_patterns().size());
  o += "pubsubshard_channels:0\r\n";
  Addf(o, "latest_fork_usec:%llu\r\n", static_cast<ull>(st.latest_fork_usec));
  Addf(o, "total_forks:%llu\r\n", static_cast<ull>(st.total_forks));
  o += "migrate_cached_sockets:0\r\nslave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\n"
       "active_defrag_misses:0\r\nactive_defrag_key_hits:0\r\nactive_defrag_key_misses:0\r\n"
       "total_active_defrag_time:0\r\ncurrent_active_defrag_time:0\r\ntracking_total_keys:0\r\n"
       "tracking_total_items:0\r\ntracking_total_prefixes:0\r\n";
  Addf(o, "unexpected_error_replies:%llu\r\n", static_cast<ull>(st.unexpected_error_replies));
  Addf(o, "total_error_replies:%llu\r\n", static_cast<ull>(st.total_error_replies));
  Addf(o, "dump_payload_sanitizations:%llu\r\n", static_cast<ull>(st.dump_payload_sanitizations));
  Addf(o, "total_reads_processed:%llu\r\n", static_cast<ull>(st.total_reads_processed));
  Addf(o, "total_writes_processed:%llu\r\n", static_cast<ull>(st.total_writes_processed));
  // Single-threaded I/O; the chunked reply buffer is never shrunk or expanded in place.
  o += "io_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\n"
       "reply_buffer_shrinks:0\r\nreply_buffer_expands:0\r\n";
  Addf(o, "eventloop_cycles:%llu\r\n", static_cast<ull>(st.eventloop_cycles));
  Addf(o, "eventloop_duration_sum:%llu\r\n", static_cast<ull>(st.eventloop_duration_sum));
  Addf(o, "eventloop_duration_cmd_sum:%llu\r\n", static_cast<ull>(st.eventloop_duration_cmd_sum));
  Addf(o, "instantaneous_eventloop_cycles_per_sec:%llu\r\n", static_cast<ull>(cycles_rate));
  Addf(o, "instantaneous_eventloop_duration_usec:%llu\r\n", static_cast<ull>(el_dur));
  Addf(o, "acl_access_denied_auth:%llu\r\n", static_cast<ull>(st.acl_access_denied_auth));
  o += "acl_access_denied_cmd:0\r\nacl_access_denied_key:0\r\nacl_access_denied_channel:0\r\n";
  // Ember only (README "INFO"): idle-age histogram of evicted keys and the eviction quality estimate.
  o += s.InfoStatsEmberEvictionLines();
  // Ember only: the event loop's idle poll (idle-poll-us).
  const net::EventLoop::PollStats ps = s.idle_poll_stats();
  Addf(o, "idle_poll_window_us:%lld\r\n", static_cast<ll>(ps.window_us));
  Addf(o, "idle_poll_waits:%llu\r\n", static_cast<ull>(ps.polls));
  Addf(o, "idle_poll_hits:%llu\r\n", static_cast<ull>(ps.hits));
}

void ReplicationSection(Server& s, std::string& o) {
  o += "# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\n";
  Addf(o, "master_replid:%s\r\n", s.replid.c_str());
  Addf(o, "master_replid2:%s\r\n", s.replid2.c_str());
  Addf(o, "master_repl_offset:%lld\r\n", static_cast<ll>(s.master_repl_offset));
  Addf(o, "second_repl_offset:%lld\r\n", static_cast<ll>(s.second_repl_offset));
  o += "repl_backlog_active:0\r\n";
  Addf(o, "repl_backlog_size:%lld\r\n", static_cast<ll>(s.cfg().repl_backlog_size));
  o += "repl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n";
}

void CpuSection(std::string& o) {
  struct rusage self, children, thread;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  getrusage(RUSAGE_THREAD, &thread);
  auto tv = [&](const char* name, const struct timeval& t) {
    Addf(o, "%s:%ld.%06ld\r\n", name, static_cast<long>(t.tv_sec), static_cast<long>(t.tv_usec));
  };
  o += "# CPU\r\n";
  tv("used_cpu_sys", self.ru_stime);
  tv("used_cpu_user", self.ru_utime);
  tv("used_cpu_sys_children", children.ru_stime);
  tv("used_cpu_user_children", children.ru_utime);
  tv("used_cpu_sys_main_thread", thread.ru_stime);
  tv("used_cpu_user_main_thread", thread.ru_utime);
}

void CommandstatsSection(Server& s, std::string& o) {
  o += "# Commandstats\r\n";
  for (const auto& [name, cs] : s.stats.commands) {
    if (!cs.calls && !cs.failed_calls && !cs.rejected_calls) continue;
    double per = cs.calls ? static_cast<double>(cs.usec) / static_cast<double>(cs.calls) : 0;
    Addf(o, "cmdstat_%s:calls=%llu,usec=%llu,usec_per_call=%.2f,rejected_calls=%llu,failed_calls=%llu\r\n",
         name.c_str(), static_cast<ull>(cs.calls), static_cast<ull>(cs.usec), per,
         static_cast<ull>(cs.rejected_calls), static_cast<ull>(cs.failed_calls));
  }
}

void ErrorstatsSection(Server& s, std::string& o) {
  o += "# Errorstats\r\n";
  for (const auto& [code, n] : s.stats.errors) {
    Addf(o, "errorstat_%s:count=%llu\r\n", code.c_str(), static_cast<ull>(n));
  }
}

void KeyspaceSection(Server& s, std::string& o) {
  o += "# Keyspace\r\n";
  for (int i = 0; i < s.DatabaseCount(); i++) {
    Database& db = s.db(i);
    size_t keys = db.Size(), expires = db.ExpiresSize();
    if (!keys && !expires) continue;
    Addf(o, "db%d:keys=%zu,expires=%zu,avg_ttl=%lld\r\n", i, keys, expires,
         static_cast<ll>(db.avg_ttl()));
  }
}

void DebugSection(Server& s, std::string& o) {
  const ServerStats& st = s.stats;
  o += "# Debug\r\n";
  Addf(o, "eventloop_duration_aof_sum:%llu\r\n", static_cast<ull>(st.eventloop_duration_aof_sum));
  Addf(o, "eventloop_duration_cron_sum:%llu\r\n", static_cast<ull>(st.eventloop_duration_cron_sum));
  Addf(o, "eventloop_duration_max:%llu\r\n", static_cast<ull>(st.eventloop_duration_max));
  Addf(o, "eventloop_cmd_per_cycle_max:%llu\r\n", static_cast<ull>(st.eventloop_cmd_per_cycle_max));
}

}  // namespace

std::string GenInfoString(Server& s, std::span<const std::string_view> sections) {
  static const char* const kDefault[] = {"server",      "clients", "memory",     "persistence",
                                         "stats",       "replication", "cpu",    "modules",
                                         "errorstats",  "cluster", "keyspace"};
  std::set<std::string> want;
  bool all = false;
  auto add_default = [&] {
    for (const char* d : kDefault) want.insert(d);
  };
  if (sections.empty()) add_default();
  for (std::string_view a : sections) {
    std::string n = ToLower(a);
    if (n == "default") {
      add_default();
    } else if (n == "all" || n == "everything") {
      all = true;
    } else if (n == "module_list") {
      want.insert("modules");
    } else {
      want.insert(n);
    }
  }
  auto has = [&](const char* n) { return (all && std::string_view(n) != "debug") || want.count(n); };
  std::string o;
  int count = 0;
  auto section = [&](const char* n, auto&& fn) {
    if (!has(n)) return;
    if (count++) o += "\r\n";
    fn();
  };
  section("server", [&] { ServerSection(s, o); });
  section("clients", [&] { ClientsSection(s, o); });
  section("memory", [&] { MemorySection(s, o); });
  section("persistence", [&] { PersistenceSection(s, o); });
  section("stats", [&] { StatsSection(s, o); });
  section("replication", [&] { ReplicationSection(s, o); });
  section("cpu", [&] { CpuSection(o); });
  section("modules", [&] { o += "# Modules\r\n"; });
  section("commandstats", [&] { CommandstatsSection(s, o); });
  section("errorstats", [&] { ErrorstatsSection(s, o); });
  section("cluster", [&] { o += "# Cluster\r\ncluster_enabled:0\r\n"; });
  section("keyspace", [&] { KeyspaceSection(s, o); });
  section("debug", [&] { DebugSection(s, o); });
  return o;
}

}  // namespace ember
