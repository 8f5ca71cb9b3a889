// The server under maxmemory: where eviction, active expiry, lazy freeing and client eviction are
// wired into the event loop (the algorithms live in core/evict, core/active_expire, core/lazyfree).
//
//   Dispatch (before each command)       EvictClients(c), then PerformEvictions()  (Redis's
//                                        processCommand order); kFail -> -OOM for deny-oom commands
//                                        and anything queued inside MULTI
//   PerformEvictions -> kRunning         a 0 ms timer keeps evicting between events until kOk/kFail
//   Cron (hz)                            slow active-expire cycle (25% of a tick at effort 1)
//   BeforeSleep                          fast active-expire cycle (only after a time-capped slow one),
//                                        client eviction
//   CONFIG SET maxmemory*/lfu-*/lazyfree-*/active-expire-effort/hz
//                                        one hook re-reads them; a maxmemory below current use
//                                        starts the eviction timer at once (Redis's updateMaxmemory)
//
// Client eviction (maxmemory-clients): every client's MemoryUsage() is kept in a running total
// (refreshed after its commands and writes, and by the cron for all clients, since Pub/Sub grows
// other clients' buffers). When the total reaches the limit the biggest clients are closed first,
// except CLIENT NO-EVICT ones, each logged as "Evicting client: ..." and counted in evicted_clients.
// The limit is at least 128 KB so a bad setting cannot lock everyone out (Redis's floor).
//
// Thread safety: event-loop thread only (the lazy-free worker is reached through LazyFree).
#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>

#include "base/log.h"
#include "base/time.h"
#include "core/lru.h"
#include "memory/alloc.h"
#include "memory/not_counted.h"
#include "server/server.h"

namespace ember {

namespace {
constexpr uint64_t kMinClientEvictionLimit = 128 * 1024;

void AddLine(std::string& o, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void AddLine(std::string& o, const char* fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (n > 0) o.append(buf, std::min<size_t>(static_cast<size_t>(n), sizeof(buf) - 1));
}
}  // namespace

void Server::InstallMemoryConfigHooks() {
  if (!lazyfree_) lazyfree_ = std::make_unique<LazyFree>();
  env_.lazyfree = lazyfree_.get();
  (void)config_->SetApplyHook(
      {"maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity",
       "maxmemory-clients", "lfu-log-factor", "lfu-decay-time", "lazyfree-lazy-eviction",
       "lazyfree-lazy-expire", "lazyfree-lazy-server-del", "lazyfree-lazy-user-del",
       "lazyfree-lazy-user-flush", "active-expire-effort", "hz"},
      [this](const ServerConfig& c) {
        ApplyConfigToEnv();
        if (c.maxmemory) {
          size_t used = Evictor::UsedForEviction();
          if (c.maxmemory < used) {
            LOG_WARNING("WARNING: the new maxmemory value set via CONFIG SET (%" PRIu64
                        ") is smaller than the current memory usage (%zu). This will result in key "
                        "eviction and/or the inability to accept new write commands depending on "
                        "the maxmemory-policy.",
                        c.maxmemory, used);
          }
          StartEvictionTimer();
        }
        // Client eviction may just have been switched on: start from exact figures.
        clients_mem_total_ = 0;
        for (auto& [id, cl] : clients_) {
          cl->mem_accounted = cl->MemoryUsage();
          clients_mem_total_ += cl->mem_accounted;
        }
        return Status::OK();
      });
}

EvictionParams Server::CurrentEvictionParams() const {
  const ServerConfig& c = cfg();
  EvictionParams p;
  p.maxmemory = c.maxmemory;
  p.policy = static_cast<EvictionPolicy>(static_cast<int>(c.maxmemory_policy));
  p.samples = c.maxmemory_samples;
  p.tenacity = c.maxmemory_eviction_tenacity;
  p.lazy = c.lazyfree_lazy_eviction;
  return p;
}

EvictResult Server::PerformEvictions() {
  if (!cfg().maxmemory) {
    evictor_.Perform(dbs_, env_, CurrentEvictionParams());  // closes an open exceeded window
    return EvictResult::kOk;
  }
  EvictResult r = evictor_.Perform(dbs_, env_, CurrentEvictionParams());
  if (r == EvictResult::kRunning) StartEvictionTimer();
  return r;
}

void Server::StartEvictionTimer() {
  if (eviction_timer_running_ || !loop_) return;
  eviction_timer_running_ = true;
  loop_->CreateTimer(0, EvictionTimer, this);
}

int64_t Server::EvictionTimer(net::EventLoop*, net::TimerId, void* data) {
  auto* s = static_cast<Server*>(data);
  s->cmd_time_ms = UnixMs();
  s->env_.now_ms = s->cmd_time_ms;
  s->env_.lru_clock = LruClockFromMs(s->cmd_time_ms);
  EvictResult r = s->cfg().maxmemory ? s->evictor_.Perform(s->dbs_, s->env_, s->CurrentEvictionParams())
                                     : EvictResult::kOk;
  if (r == EvictResult::kRunning) return 0;  // keep going after the next round of events
  s->eviction_timer_running_ = false;
  return net::kTimerNoMore;
}

// ---- active expiry --------------------------------------------------------------------------

void Server::ActiveExpireCron() {
  if (!active_expire_enabled || env_.loading) return;
  active_expire_.Cycle(dbs_, ExpireCycleType::kSlow, cfg().active_expire_effort, hz);
  env_.now_ms = cmd_time_ms;
}

void Server::ActiveExpireBeforeSleep() {
  if (!active_expire_enabled || env_.loading) return;
  active_expire_.Cycle(dbs_, ExpireCycleType::kFast, cfg().active_expire_effort, hz);
}

// ---- client eviction ------------------------------------------------------------------------

uint64_t Server::ClientEvictionLimit() const {
  const ServerConfig& c = cfg();
  uint64_t limit;
  if (c.maxmemory_clients < 0) {
    if (c.maxmemory == 0) return 0;
    limit = static_cast<uint64_t>(static_cast<double>(c.maxmemory) *
                                  static_cast<double>(-c.maxmemory_clients) / 100.0);
  } else if (c.maxmemory_clients > 0) {
    limit = static_cast<uint64_t>(c.maxmemory_clients);
  } else {
    return 0;
  }
  return std::max(limit, kMinClientEvictionLimit);
}

void Server::UpdateClientMemory(Client* c) {
  size_t now = c->MemoryUsage();
  clients_mem_total_ += now;
  clients_mem_total_ -= std::min(clients_mem_total_, c->mem_accounted);
  c->mem_accounted = now;
}

bool Server::EvictClients(Client* current) {
  uint64_t limit = ClientEvictionLimit();
  if (limit == 0) return false;
  if (current) UpdateClientMemory(current);
  if (clients_mem_total_ < limit) return false;
  // Over the limit: exact figures, then the biggest evictable clients first.
  std::vector<std::pair<size_t, Client*>> order;
  clients_mem_total_ = 0;
  for (auto& [id, cl] : clients_) {
    cl->mem_accounted = cl->MemoryUsage();
    clients_mem_total_ += cl->mem_accounted;
    if (cl->flags & (kClientNoEvict | kClientFake | kClientCloseAsap)) continue;
    order.emplace_back(cl->mem_accounted, cl);
  }
  std::sort(order.begin(), order.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  bool self = false;
  for (auto& [mem, cl] : order) {
    if (clients_mem_total_ < limit) break;
    LOG_NOTICE("Evicting client: %s", cl->InfoLine(cmd_time_ms).c_str());
    stats.evicted_clients++;
    clients_mem_total_ -= std::min(clients_mem_total_, cl->mem_accounted);
    cl->mem_accounted = 0;
    if (cl == current) {
      self = true;
      CloseClientAsync(cl);
    } else {
      CloseClient(cl);
    }
  }
  if (clients_mem_total_ >= limit) {
    LOG_WARNING("Over client maxmemory after evicting all evictable clients");
  }
  return self;
}

// ---- INFO -------------------------------------------------------------------------------------

size_t Server::MemNotCountedForEvict() const { return mem::NotCountedTotal(); }

size_t Server::LazyfreePendingObjects() const { return lazyfree_ ? lazyfree_->Pending() : 0; }

uint64_t Server::LazyfreedObjects() const { return lazyfree_ ? lazyfree_->Freed() : 0; }

std::string Server::InfoStatsExpiryEvictionLines() {
  const ActiveExpireStats& ae = active_expire_.stats();
  int64_t now_us = MonotonicUs();
  std::string o;
  AddLine(o, "expired_keys:%" PRIu64 "\r\n", env_.stats.expired_keys);
  AddLine(o, "expired_stale_perc:%.2f\r\n", ae.stale_perc * 100);
  AddLine(o, "expired_time_cap_reached_count:%" PRIu64 "\r\n", ae.time_cap_reached_count);
  AddLine(o, "expire_cycle_cpu_milliseconds:%" PRIu64 "\r\n", ae.cycle_time_used_us / 1000);
  AddLine(o, "evicted_keys:%" PRIu64 "\r\n", env_.stats.evicted_keys);
  AddLine(o, "evicted_clients:%" PRIu64 "\r\n", stats.evicted_clients);
  AddLine(o, "total_eviction_exceeded_time:%" PRIu64 "\r\n", evictor_.TotalExceededMs(now_us));
  AddLine(o, "current_eviction_exceeded_time:%" PRIu64 "\r\n", evictor_.CurrentExceededMs(now_us));
  return o;
}

std::string Server::InfoStatsEmberEvictionLines() {
  const EvictionStats& es = evictor_.stats();
  std::string o;
  AddLine(o, "evicted_keys_idle_le_1s:%" PRIu64 "\r\n", es.idle_le_1s);
  AddLine(o, "evicted_keys_idle_le_1m:%" PRIu64 "\r\n", es.idle_le_1m);
  AddLine(o, "evicted_keys_idle_le_1h:%" PRIu64 "\r\n", es.idle_le_1h);
  AddLine(o, "evicted_keys_idle_gt_1h:%" PRIu64 "\r\n", es.idle_gt_1h);
  AddLine(o, "eviction_quality_perc:%.2f\r\n", es.quality * 100);
  return o;
}

void Server::ResetMemoryStats() {
  active_expire_.ResetStats();
  evictor_.ResetStats();
  if (lazyfree_) lazyfree_->ResetFreedCounter();
  env_.stats.expired_keys = 0;
  env_.stats.evicted_keys = 0;
  env_.stats.lazyfreed_objects = 0;
  stats.evicted_clients = 0;
}

}  // namespace ember
