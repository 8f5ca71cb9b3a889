// Command dispatch: Redis's processCommand() checks in Redis's order, then call().
//
//   1. lookup (unknown command / unknown subcommand)     -> rejected, counted in errorstats
//   2. arity                                             -> rejected
//   3. authentication (NOAUTH unless the command is no-auth)
//   4. MULTI: commands flagged no-multi are refused
//   5. memory: client eviction (maxmemory-clients), then key eviction (server_memory.cc); if that
//      fails (over maxmemory, nothing evictable) deny-oom commands are refused, and so is anything
//      inside MULTI but EXEC/DISCARD/QUIT/RESET; EXEC is refused when its queue holds a deny-oom one
//   6. RESP2 Pub/Sub context restrictions
//   7. MULTI: queue everything but EXEC/DISCARD/MULTI/WATCH/QUIT/RESET
//   8. call: cached command time, handler, commandstats, errorstats
//
// A rejection inside MULTI flags the transaction (kClientDirtyExec: EXEC will abort). A rejected
// EXEC discards the transaction and replies "EXECABORT Transaction discarded because of: <why>".
#include <algorithm>

#include "base/strutil.h"
#include "base/time.h"
#include "core/lru.h"
#include "memory/alloc.h"
#include "proto/errors.h"
#include "server/server.h"

namespace ember {

namespace {
bool IsTxControl(const CommandSpec* s) {
  std::string_view n = s->name;
  return n == "exec" || n == "discard" || n == "multi" || n == "watch" || n == "quit" ||
         n == "reset";
}

bool AllowedInSubscribeContext(std::string_view n) {
  return n == "subscribe" || n == "psubscribe" || n == "unsubscribe" || n == "punsubscribe" ||
         n == "ping" || n == "quit" || n == "reset" || n == "ssubscribe" || n == "sunsubscribe";
}

void CountError(Server* s, Client* c, uint64_t before) {
  uint64_t after = c->reply.ErrorCount();
  if (after == before) return;
  s->stats.total_error_replies += after - before;
  s->stats.errors[std::string(c->reply.LastErrorCode())] += after - before;
}
}  // namespace

void Server::Dispatch(Client* c, std::span<const std::string_view> args) {
  uint64_t errors_before = c->reply.ErrorCount();
  const CommandSpec* spec = commands_.Find(args[0]);
  auto reject = [&](std::string_view msg, const CommandSpec* counted) {
    if (c->flags & kClientMulti) c->flags |= kClientDirtyExec;
    if (counted && std::string_view(counted->name) == "exec") {
      DiscardTransaction(c);
      c->reply.Error(proto::ExecAbortBecause(msg));
    } else {
      c->reply.Error(msg);
    }
    if (counted) stats.For(counted).rejected_calls++;
    CountError(this, c, errors_before);
  };
  if (!spec) {
    c->last_cmd = "NULL";
    reject(proto::UnknownCommand(args), nullptr);
    return;
  }
  if (!spec->subcommands.empty() && args.size() >= 2) {
    const CommandSpec* sub = commands_.FindSub(spec, args[1]);
    if (!sub) {
      c->last_cmd = "NULL";
      // Redis counts an unknown subcommand in errorstats only, not in the container's stats.
      reject(proto::UnknownSubcommand(args[0], args[1]), nullptr);
      return;
    }
    spec = sub;
  }
  c->last_cmd = spec->name;
  int argc = static_cast<int>(args.size());
  if ((spec->arity > 0 && spec->arity != argc) || (argc < -spec->arity)) {
    reject(proto::WrongArity(spec->name), spec);
    return;
  }
  if (AuthRequired(c) && !(spec->flags & kCmdNoAuth)) {
    reject(proto::kErrNoAuth, spec);
    return;
  }
  bool in_multi = c->flags & kClientMulti;
  if (in_multi && (spec->flags & kCmdNoMulti)) {
    reject(proto::kErrNotAllowedInMulti, spec);
    return;
  }
  // Client eviction first: the last command may have grown output buffers (Redis's order). A
  // client that evicted itself runs nothing more.
  if (EvictClients(c)) return;
  if (cfg().maxmemory) {
    bool oom = PerformEvictions() == EvictResult::kFail;
    std::string_view name = spec->name;
    bool is_exec = name == "exec";
    bool deny = spec->flags & kCmdDenyOom;
    if (is_exec) {
      for (const auto& q : c->mstate) deny = deny || (q.spec->flags & kCmdDenyOom);
    } else if (in_multi && name != "discard" && name != "quit" && name != "reset") {
      deny = true;  // queueing may consume unlimited memory
    }
    if (oom && deny) {
      reject(proto::kErrOom, spec);
      return;
    }
  }
  // Persistence errors: writes (and PING, as Redis) are refused while the last save failed.
  if (rdb_->WritesRefused() &&
      ((spec->flags & kCmdWrite) || std::string_view(spec->name) == "ping")) {
    reject(proto::kErrMisconfRdb, spec);
    return;
  }
  int aof_err = 0;
  if (aof_->WritesRefused(&aof_err) &&
      ((spec->flags & kCmdWrite) || std::string_view(spec->name) == "ping")) {
    reject(proto::MisconfAof(aof_err), spec);
    return;
  }
  if (c->resp == 2 && (c->flags & kClientPubsub) && !AllowedInSubscribeContext(spec->name)) {
    reject(proto::NotAllowedInSubscribeContext(spec->name), spec);
    return;
  }
  if (env_.loading && !(spec->flags & kCmdLoading)) {
    reject(proto::kErrLoading, spec);
    return;
  }
  if (in_multi && !IsTxControl(spec)) {
    // A doomed transaction (a watched key changed, or a queueing error) queues nothing more.
    if (!(c->flags & (kClientDirtyCas | kClientDirtyExec))) {
      Client::QueuedCommand q{spec, {}};
      q.args.reserve(args.size());
      for (auto a : args) q.args.emplace_back(a);
      c->mstate.push_back(std::move(q));
    }
    c->reply.SimpleString(proto::kStatusQueued);
    return;
  }
  size_t argv_mem = 0;
  for (auto a : args) argv_mem += a.size();
  c->argv_mem = argv_mem;
  Call(c, spec, args);
  c->argv_mem = 0;
  if (blocking_.HasReadyKeys()) blocking_.HandleReadyKeys();
  if (cfg().maxmemory_clients) UpdateClientMemory(c);
}

void Server::Call(Client* c, const CommandSpec* spec, std::span<const std::string_view> args) {
  uint64_t errors_before = c->reply.ErrorCount();
  int64_t start = MonotonicUs();
  // The cached command time is taken by the outermost call only: EXEC's queued commands all see
  // EXEC's time, so a key cannot expire half-way through a transaction (Redis's fixed_time_expire).
  if (call_depth_++ == 0) {
    cmd_time_ms = (start + unix_minus_monotonic_us) / 1000;
    env_.now_ms = cmd_time_ms;
    env_.lru_clock = LruClockFromMs(cmd_time_ms);
  }
  CommandContext ctx;
  ctx.args = args;
  ctx.client = c;
  ctx.server = this;
  ctx.db = c->db;
  ctx.reply = &c->reply;
  // Propagation bookkeeping (propagate.cc): the command's own dirty excludes expired/evicted
  // keys and the commands EXEC ran (they propagate themselves).
  uint64_t dirty_before = dirty, side_before = side_dirty_, nested_saved = nested_dirty_;
  bool as_saved = has_propagate_as_, prevent_saved = prevent_propagation_,
       force_saved = force_propagation_;
  nested_dirty_ = 0;
  has_propagate_as_ = prevent_propagation_ = force_propagation_ = false;
  spec->handler(ctx);
  call_depth_--;
  uint64_t total = dirty > dirty_before ? dirty - dirty_before : 0;
  uint64_t side = side_dirty_ - side_before;
  total = total > side ? total - side : 0;
  uint64_t own = total > nested_dirty_ ? total - nested_dirty_ : 0;
  nested_dirty_ = nested_saved + total;
  if (aof_->active()) AfterCallPropagate(c, args, own, total);
  has_propagate_as_ = as_saved;
  prevent_propagation_ = prevent_saved;
  force_propagation_ = force_saved;
  int64_t dur = MonotonicUs() - start;
  if (c->flags & kClientBlocked) return;  // counted when served or timed out (blocking.h)
  CommandStats& cs = stats.For(spec);
  cs.calls++;
  cs.usec += static_cast<uint64_t>(dur);
  stats.eventloop_duration_cmd_sum += static_cast<uint64_t>(dur);
  if (c->reply.ErrorCount() != errors_before) cs.failed_calls++;
  CountError(this, c, errors_before);
  stats.total_commands_processed++;
  c->commands_processed++;
  CheckOutputBufferLimits(c);
}

}  // namespace ember
