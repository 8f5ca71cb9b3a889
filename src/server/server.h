// The server: configuration, event loop, listeners, clients, databases, command table, stats, and
// the cron. One instance per process, driven by the event-loop thread.
//
//   main() -> Server::Init() -> Server::Run()
//     accept      -> Client (client.h)
//     readable    -> Client::ProcessInput -> Server::Dispatch (dispatch.cc) -> handler
//     before sleep-> write pending replies, free clients closed asap
//     cron (hz)   -> clocks, stats samples, client timeouts, memory samples, resize/rehash
//
// Thread safety: event-loop thread only, except where a member says otherwise.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/active_expire.h"
#include "core/database.h"
#include "core/evict.h"
#include "core/keyspace_env.h"
#include "core/lazyfree.h"
#include "net/event_loop.h"
#include "server/blocking.h"
#include "server/client.h"
#include "server/command.h"
#include "server/command_table.h"
#include "server/config.h"
#include "server/aof_control.h"
#include "server/rdb_control.h"
#include "server/stats.h"

namespace ember {

class Server : public KeyspaceObserver {
 public:
  explicit Server(Config* config);
  ~Server() override;

  // Sets up logging, system checks, listeners and databases. Errors are fatal for main().
  Status Init();
  // Runs the event loop until SHUTDOWN or a signal.
  void Run();

  const ServerConfig& cfg() const { return config_->values(); }
  Config& config() { return *config_; }
  net::EventLoop& loop() { return *loop_; }
  // The idle poll's figures (zero before Init created the loop).
  net::EventLoop::PollStats idle_poll_stats() const {
    return loop_ ? loop_->poll_stats() : net::EventLoop::PollStats{};
  }
  const CommandTable& commands() const { return commands_; }

  // ---- databases ----
  int DatabaseCount() const { return static_cast<int>(dbs_.size()); }
  std::vector<std::unique_ptr<Database>>& databases() { return dbs_; }
  // RDB persistence (SAVE, BGSAVE, loading, save points).
  RdbControl& rdb() { return *rdb_; }
  // AOF persistence (appendonly, BGREWRITEAOF, loading the AOF).
  AofControl& aof() { return *aof_; }
  // While loading: serve clients (they get -LOADING) every so often.
  void ServeWhileLoading();
  Database& db(int i) { return *dbs_[i]; }
  KeyspaceEnv& env() { return env_; }

  // ---- clients ----
  const std::map<uint64_t, Client*>& clients() const { return clients_; }
  Client* FindClient(uint64_t id) const;
  // Frees now, unless the client is running a command; then it is closed in before-sleep.
  void CloseClient(Client* c);
  void CloseClientAsync(Client* c);
  void MarkPendingWrite(Client* c);
  // Enforces client-output-buffer-limit on `c`; returns true if it was scheduled for closing.
  bool CheckOutputBufferLimits(Client* c);

  // ---- commands ----
  // Runs one parsed command for `c` (arity, auth, MULTI, OOM checks, then the handler).
  void Dispatch(Client* c, std::span<const std::string_view> args);
  // Runs a command without the pre-checks (EXEC's queued commands).
  void Call(Client* c, const CommandSpec* spec, std::span<const std::string_view> args);

  // ---- propagation: the stream of writes the AOF records (Redis's propagate/alsoPropagate) ----
  // By default a command that changed the dataset (dirty grew) is propagated as typed, in the
  // client's database; several commands from one top-level call (EXEC, a command plus its
  // AlsoPropagate extras) are wrapped in MULTI/EXEC. Expired and evicted keys are propagated as
  // DEL/UNLINK when they are deleted. (propagate.cc)
  // True when something records the stream: handlers may skip building rewrites when false.
  bool propagating() const { return aof_->active(); }
  // The running command is propagated as `argv` instead (SET EX -> SET PXAT, INCRBYFLOAT -> SET).
  void PropagateAs(std::initializer_list<std::string_view> argv);
  void PropagateAs(std::span<const std::string_view> argv);
  // An extra command after the running one's (e.g. SPOP's SREMs, with PreventPropagation()).
  void AlsoPropagate(int dbid, std::initializer_list<std::string_view> argv);
  void AlsoPropagate(int dbid, std::span<const std::string_view> argv);
  // The running command itself is not propagated.
  void PreventPropagation() { prevent_propagation_ = true; }
  // The running command is propagated even if it changed nothing (FLUSHALL/FLUSHDB of empty
  // databases, as Redis's forceCommandPropagation).
  void ForcePropagation() { force_propagation_ = true; }
  // appendfsync always: clients whose reply waits for the AOF are released when it is durable.
  void ReleaseAofWaiters();

  // ---- key-level events (KeyspaceObserver) ----
  void OnKeyModified(Database& db, std::string_view key) override;
  void OnKeyExpired(Database& db, std::string_view key) override;
  void OnKeyEvicted(Database& db, std::string_view key) override;
  void OnDatabaseFlushed(Database& db) override;
  // A command changed `key` (Redis's signalModifiedKey + server.dirty++).
  void KeyModified(Database& db, std::string_view key, uint64_t dirty = 1);
  // Keyspace notifications (notify-keyspace-events).
  void NotifyKeyspaceEvent(int type, std::string_view event, std::string_view key, int dbid);

  // ---- blocking operations (server/blocking.h) ----
  Blocking& blocking() { return blocking_; }
  // Redis's signalKeyAsReady: a key clients may block on was created (lists, zsets).
  void SignalKeyAsReady(Database& db, std::string_view key) {
    blocking_.SignalKeyAsReady(db.id(), key);
  }

  // ---- authentication ----
  // Redis's authRequired(): the default user has a password (requirepass) and `c` has not
  // authenticated. A client connected before requirepass was set stays authenticated.
  bool AuthRequired(const Client* c) const {
    return !c->authenticated && !cfg().requirepass.empty();
  }

  // ---- MULTI / WATCH ----
  // WATCH `key` in `dbid` for `c` (no-op if already watched). Notes whether the key exists but is
  // logically expired now, so its lazy deletion later does not count as a change.
  void WatchKey(Client* c, int dbid, std::string_view key);
  void UnwatchAll(Client* c);
  // Flags every client watching `key` with kClientDirtyCas (Redis's touchWatchedKey).
  void TouchWatchedKey(int dbid, std::string_view key);
  // FLUSHDB/FLUSHALL/SWAPDB: flags the watchers of every watched key that EXISTS in `dbid` (Redis 7:
  // a watched key that was missing stays valid). Call it BEFORE emptying the database.
  void TouchAllWatchedKeysInDb(int dbid);
  // True if a watched key (not already expired at WATCH time) has logically expired but is still
  // stored; EXEC then fails as if the key had changed (Redis's isWatchedKeyExpired).
  bool IsWatchedKeyExpired(Client* c);
  // Leaves MULTI: drops the queue, clears kClientMulti/DirtyCas/DirtyExec, unwatches every key.
  void DiscardTransaction(Client* c);

  // ---- Pub/Sub ----
  // Returns the number of clients that received the message (pattern matches counted per pattern).
  size_t Publish(std::string_view channel, std::string_view message);
  std::unordered_map<std::string, std::unordered_set<Client*>>& pubsub_channels() {
    return pubsub_channels_;
  }
  std::unordered_map<std::string, std::unordered_set<Client*>>& pubsub_patterns() {
    return pubsub_patterns_;
  }
  // SUBSCRIBE / PSUBSCRIBE one name: registers it (if new) and replies the "subscribe" /
  // "psubscribe" message with the client's subscription count. Sets kClientPubsub.
  void SubscribeChannel(Client* c, std::string_view channel);
  void SubscribePattern(Client* c, std::string_view pattern);
  // UNSUBSCRIBE / PUNSUBSCRIBE one name; with `notify` replies the "unsubscribe" message even if
  // the client was not subscribed. Returns true if it was subscribed. Does not touch kClientPubsub.
  bool UnsubscribeChannel(Client* c, std::string_view channel, bool notify);
  bool UnsubscribePattern(Client* c, std::string_view pattern, bool notify);
  // Every channel / pattern of `c`; with `notify`, one message each, or one with a null name when
  // there was none. Returns how many there were. Does not touch kClientPubsub.
  size_t UnsubscribeAllChannels(Client* c, bool notify);
  size_t UnsubscribeAllPatterns(Client* c, bool notify);
  // Drops every subscription and clears kClientPubsub (disconnect, RESET). No messages when
  // !notify.
  void PubsubUnsubscribeAll(Client* c, bool notify);

  // ---- state read by INFO and commands ----
  ServerStats stats;
  uint64_t dirty = 0;               // changes since the last save
  int64_t lastsave_unix = 0;
  int64_t start_time_ms = 0;
  int64_t start_monotonic_us = 0;
  int64_t cmd_time_ms = 0;          // the cached time of the running command
  // Unix time minus monotonic time, re-measured by every cron tick: a command's wall-clock time is
  // derived from the monotonic reading it takes anyway (one clock read per command, not two).
  int64_t unix_minus_monotonic_us = 0;
  uint64_t cron_loops = 0;
  int hz = 10;                      // effective hz (dynamic-hz may raise it)
  bool shutdown_asap = false;
  int shutdown_exit_code = 0;
  size_t used_memory_startup = 0;
  uint64_t stat_peak_memory_time = 0;
  std::string executable;
  std::string config_file_abs;
  std::vector<std::string> listen_addrs;
  int tcp_port = 0;
  uint64_t next_client_id = 1;
  size_t blocked_clients = 0;
  // Sampled every 100 ms by the cron (INFO memory).
  size_t rss_bytes = 0;
  // `used` is mem::UsedMemory() at the same moment (Redis's cron_malloc_stats.zmalloc_used), so
  // mem_fragmentation_ratio compares figures taken together. Without jemalloc the allocator fields
  // fall back as Redis's do: resident = RSS, active = resident, allocated = used.
  struct AllocatorSample {
    size_t allocated = 0, active = 0, resident = 0, retained = 0, muzzy = 0, used = 0;
  } alloc_sample;
  // Takes the sample above now (the cron calls it every 100 ms; INFO before the first cron too).
  void SampleMemory();
  // Replication identity (INFO replication). Random 40-hex ids generated at start-up.
  std::string run_id;
  std::string replid;
  std::string replid2 = std::string(40, '0');
  int64_t master_repl_offset = 0;
  int64_t second_repl_offset = -1;
  // Blocking operations (maintained by the blocking-command code): keys with at least one client
  // blocked on them, and those whose clients also wait for the key's deletion (7.2 INFO clients).
  size_t total_blocking_keys = 0;
  size_t total_blocking_keys_on_nokey = 0;
  // Event-loop cycle accounting (INFO stats eventloop_*): start of the current cycle.
  int64_t el_cycle_start_us = 0;
  // Online CPUs at start-up: with one, the idle poll (idle-poll-us) would only take the CPU from the
  // clients and the fork child, so it stays off.
  long online_cpus = 1;
  // Debug toggles.
  bool active_expire_enabled = true;

  // ---- memory under maxmemory: eviction, active expiry, lazy free (server_memory.cc) ----
  // Redis's performEvictions(): with maxmemory set, evicts keys until used memory (minus what is
  // not counted, memory/not_counted.h) is under the limit, for at most the tenacity budget; when the
  // budget runs out it starts a 0 ms timer that keeps evicting between events (kRunning). kFail:
  // over the limit with nothing evictable (or noeviction). kOk when not over, loading, or no limit.
  EvictResult PerformEvictions();
  // maxmemory-clients: disconnects the biggest clients (CLIENT NO-EVICT ones exempt) until the
  // total client memory is under the limit. Returns true if `current` was among them.
  bool EvictClients(Client* current);
  // The maxmemory-clients limit in bytes (a percentage resolved against maxmemory); 0 = off.
  uint64_t ClientEvictionLimit() const;
  // Re-reads `c`'s memory into the running total maxmemory-clients compares (cheap; O(1) but for
  // the MULTI queue). Called after commands, writes, and from the clients cron.
  void UpdateClientMemory(Client* c);
  size_t ClientsMemoryTotal() const { return clients_mem_total_; }
  LazyFree& lazyfree() { return *lazyfree_; }
  Evictor& evictor() { return evictor_; }
  ActiveExpire& active_expire() { return active_expire_; }
  // INFO figures of this area. Each returns "name:value\r\n" lines in Redis's order:
  //   memory: mem_not_counted_for_evict ... lazyfree_pending_objects, lazyfreed_objects are read
  //   through the accessors below; stats: the expiry/eviction block (expired_keys ..
  //   current_eviction_exceeded_time) and Ember's eviction observability fields.
  size_t MemNotCountedForEvict() const;
  size_t LazyfreePendingObjects() const;
  uint64_t LazyfreedObjects() const;
  std::string InfoStatsExpiryEvictionLines();  // expired_keys .. current_eviction_exceeded_time
  std::string InfoStatsEmberEvictionLines();   // evicted_keys_idle_le_1s .. eviction_quality_perc
  // CONFIG RESETSTAT for this area's counters.
  void ResetMemoryStats();
  // In a fork child: closes the listening sockets, so a child that outlives its parent does not
  // keep the port (Redis's closeChildUnusedResourceAfterFork).
  void CloseListenersInChild() {
    for (int fd : listen_fds_) close(fd);
  }

  // At exit, after a successful shutdown: drops the keyspace tables without freeing the records,
  // so the process ends without walking millions of records to free them (Redis exits without
  // freeing its dataset too). Everything else is still torn down normally by the destructors
  // (threads joined, the AOF closed). Not used in sanitizer builds, whose leak check needs the
  // full teardown.
  void AbandonDatasetForExit();

  // Prepares shutdown (SHUTDOWN command, SIGTERM, SIGINT), in Redis's order: kills an RDB child,
  // kills an AOF rewrite child and writes and fsyncs the AOF, saves a final snapshot when save
  // points are configured (unless `nosave`) or `save` is given, then removes the pid file and the
  // unix socket and closes the listeners. Returns false, and leaves the server running and
  // listening, if the shutdown must be refused: the snapshot failed, or the first AOF is still
  // being written; `force` goes on in both cases.
  bool PrepareForShutdown(bool save, bool nosave, bool force);

 private:
  static void AcceptHandler(net::EventLoop* loop, int fd, void* data, int mask);
  static void ReadHandler(net::EventLoop* loop, int fd, void* data, int mask);
  static void WriteHandler(net::EventLoop* loop, int fd, void* data, int mask);
  static int64_t CronTimer(net::EventLoop* loop, net::TimerId id, void* data);
  static void BeforeSleep(net::EventLoop* loop, void* data);
  static void AfterSleep(net::EventLoop* loop, void* data);
  void AcceptClient(int fd, std::string addr, std::string laddr, bool unix_socket);
  void FreeClient(Client* c);
  void Cron();
  void ClientsCron();
  // Propagation (propagate.cc): called by Call() around the handler.
  struct PropOp {
    int dbid;
    std::vector<std::string> argv;
  };
  void PropagateNow(int dbid, const std::string_view* argv, size_t argc);
  void AfterCallPropagate(Client* c, std::span<const std::string_view> args, uint64_t own_dirty,
                          uint64_t total_dirty);
  void FlushPropagation();
  // True if `c`'s replies must wait for the AOF (and it was parked in aof_waiting_).
  bool HeldForAof(Client* c);
  void HandlePendingWrites();
  void FreeClientsCloseAsap();
  bool RejectIfNeeded(Client* c, const CommandSpec* spec, std::span<const std::string_view> args);
  void ApplyConfigToEnv();
  void InstallMemoryConfigHooks();    // server_memory.cc
  EvictionParams CurrentEvictionParams() const;
  void StartEvictionTimer();
  static int64_t EvictionTimer(net::EventLoop* loop, net::TimerId id, void* data);
  void ActiveExpireCron();            // slow cycle, from Cron
  void ActiveExpireBeforeSleep();     // fast cycle, from BeforeSleep
  void InstallConfigHooks();
  Status OpenListeners();
  void SetupSignals();

  Config* config_;
  std::unique_ptr<RdbControl> rdb_;
  std::unique_ptr<AofControl> aof_;
  // Propagation state (propagate.cc).
  std::vector<PropOp> also_propagate_;
  std::vector<std::string> propagate_as_;
  bool has_propagate_as_ = false;
  bool prevent_propagation_ = false;
  bool force_propagation_ = false;
  int call_depth_ = 0;
  uint64_t side_dirty_ = 0;    // dirty increments from expiry/eviction (not the command's own)
  uint64_t nested_dirty_ = 0;  // dirty of nested calls (EXEC's commands), for the outer one
  std::vector<Client*> aof_waiting_;  // replies held until the AOF is durable
  int64_t last_loading_events_us_ = 0;
  std::unique_ptr<net::EventLoop> loop_;
  std::vector<int> listen_fds_;
  uint64_t el_cycle_start_cmds_ = 0;  // total_commands_processed when the cycle began
  std::vector<std::unique_ptr<Database>> dbs_;
  KeyspaceEnv env_;
  CommandTable commands_;
  std::map<uint64_t, Client*> clients_;
  std::vector<Client*> pending_writes_;
  std::vector<Client*> close_asap_;
  // WATCH: per db, key -> clients watching it.
  std::vector<std::unordered_map<std::string, std::vector<Client*>>> watched_;
  std::unordered_map<std::string, std::unordered_set<Client*>> pubsub_channels_;
  std::unordered_map<std::string, std::unordered_set<Client*>> pubsub_patterns_;
  Blocking blocking_{this};
  // Memory management (server_memory.cc). The lazy-free thread lives as long as the server.
  std::unique_ptr<LazyFree> lazyfree_;
  Evictor evictor_;
  ActiveExpire active_expire_;
  bool eviction_timer_running_ = false;
  size_t clients_mem_total_ = 0;  // sum of Client::mem_accounted over live clients
};

// Process-wide pointer used by signal handlers and logging of fatal errors.
extern Server* g_server;

}  // namespace ember
