// Server life cycle: init, listeners, accept, client bookkeeping, before-sleep, cron. See server.h.
#include "server/server.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "base/hash.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/time.h"
#include "core/lru.h"
#include "memory/alloc.h"
#include "memory/allocator_stats.h"
#include "net/socket.h"
#include "sys/proc.h"
#include "server/version.h"

namespace ember {

Server* g_server = nullptr;

namespace {
volatile sig_atomic_t g_shutdown_signal = 0;

void SigShutdownHandler(int sig) {
  if (g_shutdown_signal && sig == SIGINT) {
    // A second SIGINT (Ctrl+C twice): exit now, unsaved, as Redis does ("You insist... exiting
    // now."). A second SIGTERM only schedules the shutdown again.
    _exit(1);
  }
  g_shutdown_signal = sig;
  if (g_server) g_server->loop().Wakeup();
}

constexpr const char* kProtectedModeDenied =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no password "
    "is set for the default user. In this mode connections are only accepted from the loopback "
    "interface. If you want to connect from external computers to Redis you may adopt one of the "
    "following solutions: 1) Just disable protected mode sending the command 'CONFIG SET "
    "protected-mode no' from the loopback interface by connecting to Redis from the same host the "
    "server is running, however MAKE SURE Redis is not publicly accessible from internet if you do "
    "so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the "
    "protected mode by editing the Redis configuration file, and setting the protected mode option "
    "to 'no', and then restarting the server. 3) If you started the server manually just for "
    "testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication "
    "password for the default user. NOTE: You only need to do one of the above things in order for "
    "the server to start accepting connections from the outside.\r\n";
// 40 random hex characters (run ids, replication ids), from the kernel's random source.
std::string RandomHex40() {
  static const char kHex[] = "0123456789abcdef";
  unsigned char raw[20];
  size_t got = 0;
  FILE* f = std::fopen("/dev/urandom", "r");
  if (f) {
    got = std::fread(raw, 1, sizeof(raw), f);
    std::fclose(f);
  }
  for (size_t i = got; i < sizeof(raw); i++) {
    raw[i] = static_cast<unsigned char>(MonotonicUs() * 2654435761u >> (i % 24));
  }
  std::string out(40, '0');
  for (size_t i = 0; i < 20; i++) {
    out[2 * i] = kHex[raw[i] >> 4];
    out[2 * i + 1] = kHex[raw[i] & 15];
  }
  return out;
}
}  // namespace

Server::Server(Config* config)
    : config_(config),
      rdb_(std::make_unique<RdbControl>(this)),
      aof_(std::make_unique<AofControl>(this)) {
  g_server = this;
  env_.observer = this;
  unix_minus_monotonic_us = UnixUs() - MonotonicUs();
}

void Server::ServeWhileLoading() {
  // Redis answers clients every 2 MB / 100 ms of loading (processEventsWhileBlocked).
  int64_t now = MonotonicUs();
  if (now - last_loading_events_us_ < 100000) return;
  last_loading_events_us_ = now;
  cmd_time_ms = UnixMs();
  for (int i = 0; i < 4; i++) {
    if (loop_->ProcessEvents(net::kFileEvents | net::kDontWait) == 0) break;
  }
  HandlePendingWrites();
  FreeClientsCloseAsap();
}

Server::~Server() {
  for (auto& [id, c] : clients_) {
    close(c->fd);
    delete c;
  }
  clients_.clear();
  for (int fd : listen_fds_) close(fd);
  if (g_server == this) g_server = nullptr;
}

Status Server::OpenListeners() {
  const ServerConfig& c = cfg();
  if (c.port != 0) {
    std::vector<std::string> warnings;
    Status st = net::ListenTcp(c.bind, c.port, c.tcp_backlog, &listen_fds_, &warnings);
    for (const auto& w : warnings) LOG_WARNING("%s", w.c_str());
    if (!st.ok()) return st;
  }
  if (!c.unixsocket.empty()) {
    auto fd = net::ListenUnix(c.unixsocket, c.unixsocketperm, c.tcp_backlog);
    if (!fd.ok()) return fd.status();
    listen_fds_.push_back(*fd);
  }
  if (listen_fds_.empty()) {
    return Status::InvalidArgument("Configured to not listen anywhere, exiting.");
  }
  for (int fd : listen_fds_) {
    EMBER_RETURN_IF_ERROR(loop_->AddFileEvent(fd, net::kReadable, AcceptHandler, this));
  }
  return Status::OK();
}

void Server::SetupSignals() {
  struct sigaction act;
  std::memset(&act, 0, sizeof(act));
  act.sa_handler = SigShutdownHandler;
  sigemptyset(&act.sa_mask);
  sigaction(SIGTERM, &act, nullptr);
  sigaction(SIGINT, &act, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // A file size limit (RLIMIT_FSIZE) must fail the write with EFBIG, not kill the server: the AOF
  // writer then retries, and writes are refused with MISCONF meanwhile.
  signal(SIGXFSZ, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
}

void Server::ApplyConfigToEnv() {
  const ServerConfig& c = cfg();
  env_.lfu = c.maxmemory_policy == MaxmemoryPolicy::kAllkeysLfu ||
             c.maxmemory_policy == MaxmemoryPolicy::kVolatileLfu;
  env_.lfu_log_factor = c.lfu_log_factor;
  env_.lfu_decay_time = c.lfu_decay_time;
  env_.lazyfree_lazy_expire = c.lazyfree_lazy_expire;
  env_.lazyfree_lazy_server_del = c.lazyfree_lazy_server_del;
  hz = c.hz;
}

void Server::InstallConfigHooks() {
  // maxmemory*, lfu-*, lazyfree-*, active-expire-effort, hz: server_memory.cc.
  InstallMemoryConfigHooks();
  (void)config_->SetApplyHook("appendonly", [this](const ServerConfig& c) {
    if (c.appendonly) return aof_->Start();
    aof_->Stop();
    return Status::OK();
  });
  (void)config_->SetApplyHook("loglevel", [](const ServerConfig& c) {
    SetLogLevel(c.loglevel);
    return Status::OK();
  });
  (void)config_->SetApplyHook("maxclients", [this](const ServerConfig& c) {
    Status st = loop_->ResizeSetSize(static_cast<int>(c.maxclients) + 32 + 96);
    if (!st.ok()) return Status::InvalidArgument("The event loop API used by Redis is not able to handle the specified number of clients");
    return Status::OK();
  });
}

Status Server::Init() {
  const ServerConfig& c = cfg();
  start_time_ms = UnixMs();
  start_monotonic_us = MonotonicUs();
  unix_minus_monotonic_us = UnixUs() - MonotonicUs();
  cmd_time_ms = start_time_ms;
  lastsave_unix = start_time_ms / 1000;
  InitHashSeedRandomly();
  run_id = RandomHex40();
  replid = RandomHex40();
  SetLogLevel(c.loglevel);
  if (!c.logfile.empty() && !SetLogFile(c.logfile)) {
    return Status::IOError("Can't open the log file: " + std::string(std::strerror(errno)));
  }
  for (const auto& w : config_->TakeWarnings()) LOG_WARNING("%s", w.c_str());

  if (!c.dir.empty() && chdir(c.dir.c_str()) != 0) {
    return Status::IOError("Can't chdir to '" + c.dir + "': " + std::strerror(errno));
  }

  auto loop = net::EventLoop::Create(static_cast<int>(c.maxclients) + 32 + 96);
  if (!loop.ok()) return loop.status();
  loop_ = std::move(loop).value();

  for (int i = 0; i < c.databases; i++) dbs_.push_back(std::make_unique<Database>(i, &env_));
  watched_.resize(c.databases);
  ApplyConfigToEnv();
  env_.now_ms = start_time_ms;
  env_.lru_clock = LruClockFromMs(start_time_ms);
  InstallConfigHooks();

  EMBER_RETURN_IF_ERROR(OpenListeners());
  SetupSignals();
  used_memory_startup = mem::UsedMemory();
  rdb_->RemoveStaleTempFiles();
  // With appendonly yes the AOF is the source of truth and the RDB file is not read (Redis).
  bool aof_loaded = false;
  Status as = aof_->Startup(&aof_loaded);
  if (!as.ok()) return Status::Corruption("Fatal error loading the AOF: " + as.message());
  if (!c.appendonly) {
    bool found = false;
    Status ls = rdb_->Load(&found);
    if (!ls.ok()) {
      return Status::Corruption("Fatal error loading the DB (" + cfg().dbfilename +
                                "): " + ls.message() + ". Exiting.");
    }
  }
  online_cpus = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
  loop_->SetBeforeSleep(BeforeSleep, this);
  loop_->SetAfterSleep(AfterSleep, this);
  loop_->CreateTimer(1, CronTimer, this);
  SampleMemory();
  return Status::OK();
}

void Server::Run() {
  // Redis 7.2's lines, one per kind of listener.
  if (cfg().port != 0) LOG_NOTICE("Ready to accept connections tcp");
  if (!cfg().unixsocket.empty()) LOG_NOTICE("Ready to accept connections unix");
  loop_->Run();
}

// ---- clients --------------------------------------------------------------------------------

void Server::AcceptHandler(net::EventLoop*, int fd, void* data, int) {
  auto* s = static_cast<Server*>(data);
  for (int i = 0; i < 1000; i++) {  // MAX_ACCEPTS_PER_CALL
    net::AcceptedConn conn;
    net::IoResult r = net::Accept(fd, &conn);
    if (r.kind == net::IoResult::kAgain) return;
    if (!r.ok()) {
      LOG_WARNING("Accepting client connection: %s", std::strerror(r.err));
      return;
    }
    LOG_VERBOSE("Accepted %s", conn.addr.c_str());
    s->AcceptClient(conn.fd, conn.addr, conn.laddr, conn.is_unix);
  }
}

void Server::AcceptClient(int fd, std::string addr, std::string laddr, bool unix_socket) {
  const ServerConfig& c = cfg();
  if (clients_.size() >= c.maxclients) {
    static const char kMsg[] = "-ERR max number of clients reached\r\n";
    ssize_t w = write(fd, kMsg, sizeof(kMsg) - 1);
    (void)w;
    stats.rejected_connections++;
    close(fd);
    return;
  }
  if (!unix_socket) {
    (void)net::SetNoDelay(fd, true);
    if (c.tcp_keepalive > 0) (void)net::SetKeepAlive(fd, c.tcp_keepalive);
  }
  if (c.protected_mode && c.requirepass.empty() && !unix_socket) {
    bool local = addr.rfind("127.0.0.1:", 0) == 0 || addr.rfind("::1:", 0) == 0;
    if (!local) {
      ssize_t w = write(fd, kProtectedModeDenied, std::strlen(kProtectedModeDenied));
      (void)w;
      stats.rejected_connections++;
      close(fd);
      return;
    }
  }
  auto* cl = new Client(this, fd, next_client_id++, std::move(addr), std::move(laddr), unix_socket);
  cl->SelectDb(0);
  cl->authenticated = c.requirepass.empty();
  Status st = loop_->AddFileEvent(fd, net::kReadable, ReadHandler, cl);
  if (!st.ok()) {
    LOG_WARNING("Error registering fd event for the new client: %s", st.message().c_str());
    close(fd);
    delete cl;
    return;
  }
  clients_[cl->id] = cl;
  stats.total_connections_received++;
}

void Server::ReadHandler(net::EventLoop*, int, void* data, int) {
  auto* c = static_cast<Client*>(data);
  c->OnReadable();
}

void Server::WriteHandler(net::EventLoop* loop, int fd, void* data, int) {
  auto* c = static_cast<Client*>(data);
  if (c->server->HeldForAof(c)) {
    loop->RemoveFileEvent(fd, net::kWritable);
    return;
  }
  if (!c->WritePending()) return;
  if (c->reply.Empty()) loop->RemoveFileEvent(fd, net::kWritable);
}

Client* Server::FindClient(uint64_t id) const {
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : it->second;
}

void Server::MarkPendingWrite(Client* c) {
  if (c->flags & (kClientPendingWrite | kClientFake)) return;
  c->flags |= kClientPendingWrite;
  pending_writes_.push_back(c);
}

void Server::CloseClient(Client* c) {
  if (c->flags & kClientInCall) {
    CloseClientAsync(c);
    return;
  }
  FreeClient(c);
}

void Server::CloseClientAsync(Client* c) {
  if (c->flags & kClientCloseAsap && std::find(close_asap_.begin(), close_asap_.end(), c) !=
                                         close_asap_.end())
    return;
  c->flags |= kClientCloseAsap;
  close_asap_.push_back(c);
}

void Server::FreeClient(Client* c) {
  if (c->bstate) blocking_.Unblock(c);
  clients_mem_total_ -= std::min(clients_mem_total_, c->mem_accounted);
  UnwatchAll(c);
  PubsubUnsubscribeAll(c, false);
  if (c->fd >= 0) {
    loop_->RemoveFileEvent(c->fd, net::kReadable | net::kWritable);
    close(c->fd);
  }
  clients_.erase(c->id);
  pending_writes_.erase(std::remove(pending_writes_.begin(), pending_writes_.end(), c),
                        pending_writes_.end());
  if (c->flags & kClientAofWait) {
    aof_waiting_.erase(std::remove(aof_waiting_.begin(), aof_waiting_.end(), c),
                       aof_waiting_.end());
  }
  close_asap_.erase(std::remove(close_asap_.begin(), close_asap_.end(), c), close_asap_.end());
  delete c;
}

void Server::FreeClientsCloseAsap() {
  while (!close_asap_.empty()) {
    Client* c = close_asap_.back();
    close_asap_.pop_back();
    if (c->flags & kClientInCall) continue;
    c->flags &= ~kClientCloseAsap;  // FreeClient would search the list again otherwise
    FreeClient(c);
  }
}

bool Server::CheckOutputBufferLimits(Client* c) {
  if (c->flags & (kClientCloseAsap | kClientFake)) return false;
  // Redis's classes: normal 0, replica 1, pubsub 2 (a master is never limited).
  int cls = c->Type() == ClientType::kPubsub ? 2 : 0;
  const auto& lim = cfg().client_obuf_limits[cls];
  // Redis counts only the reply list, not the client's fixed 16 KB buffer (PROTO_REPLY_CHUNK_BYTES),
  // so a small reply never trips a small limit.
  constexpr size_t kStaticReplyBuf = 16 * 1024;
  size_t alloc = c->reply.AllocatedBytes();
  size_t used = alloc > kStaticReplyBuf ? alloc - kStaticReplyBuf : 0;
  bool hard = lim.hard_limit_bytes && used >= lim.hard_limit_bytes;
  bool soft = lim.soft_limit_bytes && used >= lim.soft_limit_bytes;
  if (soft && !hard) {
    int64_t now = cmd_time_ms / 1000;
    if (c->obuf_soft_limit_reached_time == 0) {
      c->obuf_soft_limit_reached_time = now;
      soft = false;
    } else if (now - c->obuf_soft_limit_reached_time <= lim.soft_limit_seconds) {
      soft = false;
    }
  } else if (!soft) {
    c->obuf_soft_limit_reached_time = 0;
  }
  if (!hard && !soft) return false;
  LOG_WARNING("Client %s scheduled to be closed ASAP for overcoming of output buffer limits.",
              c->Describe().c_str());
  stats.client_output_buffer_limit_disconnections++;
  CloseClientAsync(c);
  return true;
}

void Server::HandlePendingWrites() {
  std::vector<Client*> list;
  list.swap(pending_writes_);
  for (Client* c : list) {
    c->flags &= ~kClientPendingWrite;
    if (c->flags & kClientCloseAsap) continue;
    if (HeldForAof(c)) continue;
    if (!c->WritePending()) continue;  // freed
    if (!c->reply.Empty()) {
      (void)loop_->AddFileEvent(c->fd, net::kWritable, WriteHandler, c);
    }
  }
}

void Server::AfterSleep(net::EventLoop*, void* data) {
  auto* s = static_cast<Server*>(data);
  s->el_cycle_start_us = MonotonicUs();
  s->el_cycle_start_cmds_ = s->stats.total_commands_processed;
}

void Server::BeforeSleep(net::EventLoop*, void* data) {
  auto* s = static_cast<Server*>(data);
  s->ActiveExpireBeforeSleep();
  s->blocking_.BeforeSleep();
  if (s->aof_->active()) {
    int64_t aof_start = MonotonicUs();
    s->aof_->BeforeSleep();  // this iteration's writes: one submission (group commit)
    s->stats.eventloop_duration_aof_sum += static_cast<uint64_t>(MonotonicUs() - aof_start);
  }
  s->HandlePendingWrites();
  if (s->el_cycle_start_us) {
    // One event-loop cycle: from waking up to going back to sleep (Redis's eventloop_duration).
    uint64_t d = static_cast<uint64_t>(MonotonicUs() - s->el_cycle_start_us);
    s->stats.eventloop_cycles++;
    s->stats.eventloop_duration_sum += d;
    s->stats.eventloop_duration_max = std::max(s->stats.eventloop_duration_max, d);
    // CONFIG RESETSTAT inside the cycle zeroes the total: count from zero then.
    const uint64_t total = s->stats.total_commands_processed;
    uint64_t cmds = total >= s->el_cycle_start_cmds_ ? total - s->el_cycle_start_cmds_ : total;
    s->stats.eventloop_cmd_per_cycle_max = std::max(s->stats.eventloop_cmd_per_cycle_max, cmds);
    s->el_cycle_start_us = 0;
  }
  s->EvictClients(nullptr);
  s->FreeClientsCloseAsap();
  // A fork child needs the CPU the poll would spin on (two-core machines).
  s->loop_->SetIdlePoll(s->env_.child_active || s->online_cpus < 2 ? 0 : s->cfg().idle_poll_us);
  if (g_shutdown_signal && !s->shutdown_asap) {
    LOG_WARNING("Received %s scheduling shutdown...",
                g_shutdown_signal == SIGINT ? "SIGINT" : "SIGTERM");
    s->shutdown_asap = true;
  }
  if (s->shutdown_asap) {
    // A signal shuts down with the options shutdown-on-sigint / shutdown-on-sigterm name.
    int flags = g_shutdown_signal == SIGINT    ? s->cfg().shutdown_on_sigint
                : g_shutdown_signal == SIGTERM ? s->cfg().shutdown_on_sigterm
                                               : 0;
    if (s->PrepareForShutdown(flags & shutdown_flags::kSave, flags & shutdown_flags::kNosave,
                              flags & shutdown_flags::kForce)) {
      s->loop_->Stop();
    } else {  // refused (PrepareForShutdown logged why): keep serving, as Redis 7 does
      s->shutdown_asap = false;
      g_shutdown_signal = 0;
    }
  }
}

void Server::AbandonDatasetForExit() {
  for (auto& db : dbs_) {
    db->expires_table().Clear();
    db->main_table().Clear();  // buckets only: the records stay allocated until the process ends
  }
}

bool Server::PrepareForShutdown(bool save, bool nosave, bool force) {
  LOG_WARNING("User requested shutdown...");
  if (rdb_->child_active() && rdb_->child().type() == ChildType::kRdb) {
    LOG_WARNING("There is a child saving an .rdb. Killing it!");
    rdb_->KillChild();
  }
  auto refuse = [] {
    LOG_WARNING("Errors trying to shut down the server. Check the logs for more information.");
    return false;
  };
  if (aof_->state() == AofControl::State::kWaitRewrite && aof_->child_active()) {
    // The first AOF is still being written: without it the dataset would be lost.
    if (!force) {
      LOG_WARNING("Writing initial AOF, can't exit.");
      return refuse();
    }
    LOG_WARNING("Writing initial AOF. Exit anyway.");
  }
  if (aof_->child_active()) LOG_WARNING("There is a child rewriting the AOF. Killing it!");
  (void)aof_->Shutdown();  // kills a rewrite child; writes and fsyncs what is buffered
  if ((!cfg().save.empty() && !nosave) || save) {
    LOG_NOTICE("Saving the final RDB snapshot before exiting.");
    if (!rdb_->Save().ok()) {
      if (!force) {
        LOG_WARNING("Error trying to save the DB, can't exit.");
        return refuse();
      }
      LOG_WARNING("Error trying to save the DB. Exit anyway.");
    }
  }
  if (!cfg().pidfile.empty()) {
    LOG_NOTICE("Removing the pid file.");
    unlink(cfg().pidfile.c_str());
  }
  for (int fd : listen_fds_) close(fd);
  listen_fds_.clear();
  if (!cfg().unixsocket.empty()) unlink(cfg().unixsocket.c_str());
  LOG_WARNING("Redis is now ready to exit, bye bye...");
  return true;
}

// ---- cron -------------------------------------------------------------------------------------

void Server::SampleMemory() {
  mem::AllocatorStats st = mem::ReadAllocatorStats();
  rss_bytes = sys::ProcessRss();
  alloc_sample.used = mem::UsedMemory();
  alloc_sample.allocated = st.allocated;
  alloc_sample.active = st.active;
  alloc_sample.resident = st.resident;
  alloc_sample.retained = st.retained;
  alloc_sample.muzzy = st.muzzy;
  // Without allocator figures (no jemalloc), Redis falls back to RSS / used memory so that the
  // ratios stay meaningful (1.0 where nothing is known).
  if (!alloc_sample.resident) alloc_sample.resident = rss_bytes;
  if (!alloc_sample.active) alloc_sample.active = alloc_sample.resident;
  if (!alloc_sample.allocated) alloc_sample.allocated = alloc_sample.used;
}

int64_t Server::CronTimer(net::EventLoop*, net::TimerId, void* data) {
  auto* s = static_cast<Server*>(data);
  int64_t start = MonotonicUs();
  s->Cron();
  s->stats.eventloop_duration_cron_sum += static_cast<uint64_t>(MonotonicUs() - start);
  return 1000 / s->hz;
}

void Server::ClientsCron() {
  const ServerConfig& c = cfg();
  if (c.timeout <= 0) return;
  int64_t now = cmd_time_ms;
  std::vector<Client*> idle;
  for (auto& [id, cl] : clients_) {
    if (cl->flags & (kClientBlocked | kClientFake)) continue;
    if (cl->flags & kClientPubsub) continue;
    if ((now - cl->last_interaction_ms) / 1000 > c.timeout) idle.push_back(cl);
  }
  for (Client* cl : idle) {
    LOG_VERBOSE("Closing idle client");
    CloseClient(cl);
  }
}

void Server::Cron() {
  unix_minus_monotonic_us = UnixUs() - MonotonicUs();
  cmd_time_ms = UnixMs();
  env_.now_ms = cmd_time_ms;
  env_.lru_clock = LruClockFromMs(cmd_time_ms);
  cron_loops++;
  // Dynamic hz: raise while there are many clients per tick (MAX_CLIENTS_PER_CLOCK_TICK 200).
  const ServerConfig& c = cfg();
  hz = c.hz;
  if (c.dynamic_hz) {
    while (clients_.size() / hz > 200) {
      hz *= 2;
      if (hz > 500) {
        hz = 500;
        break;
      }
    }
  }
  // Every 100 ms: instantaneous metrics.
  if (cron_loops % std::max(1, hz / 10) == 0) {
    stats.ops.Track(cmd_time_ms, stats.total_commands_processed);
    stats.net_input.Track(cmd_time_ms, stats.total_net_input_bytes);
    stats.net_output.Track(cmd_time_ms, stats.total_net_output_bytes);
    stats.el_cycles.Track(cmd_time_ms, stats.eventloop_cycles);
    stats.el_duration.Track(cmd_time_ms, stats.eventloop_duration_sum);
  }
  mem::UpdatePeak();
  // Every 100 ms: allocator counters, RSS and used memory, sampled together.
  if (cron_loops % std::max(1, hz / 10) == 0) SampleMemory();
  ClientsCron();
  if (ClientEvictionLimit()) {
    // Pub/Sub and writes change other clients' buffers: refresh every figure once per tick.
    for (auto& [id, cl] : clients_) UpdateClientMemory(cl);
  }
  ActiveExpireCron();
  rdb_->Cron();
  aof_->Cron();
  // Incremental rehashing, 1 ms, only with no child (Redis's databasesCron).
  if (c.activerehashing && !env_.child_active) {
    for (auto& db : dbs_) {
      db->main_table().RehashMicroseconds(1000);
      db->expires_table().RehashMicroseconds(1000);
    }
  }
}

}  // namespace ember
