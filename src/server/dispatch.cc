// Command dispatch: Redis's processCommand() checks in Redis's order, then call().
//
//   1. lookup (unknown command / unknown subcommand)     -> rejected, counted in errorstats
//   2. arity                                             -> rejected
//   3. authentication (NOAUTH unless the command is no-auth)
//   4. RESP2 Pub/Sub context restrictions
//   5. MULTI: queue everything but EXEC/DISCARD/MULTI/WATCH/QUIT/RESET (a rejection in 1-2 while
//      queueing makes EXEC abort with EXECABORT)
//   6. memory (OOM for deny-oom commands over maxmemory)
//   7. call: cached command time, handler, commandstats, errorstats
#include <algorithm>

#include "base/strutil.h"
#include "base/time.h"
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
    c->reply.Error(msg);
    if (counted) stats.commands[counted->name].rejected_calls++;
    CountError(this, c, errors_before);
  };
  if (!spec) {
    reject(proto::UnknownCommand(args), nullptr);
    return;
  }
  if (!spec->subcommands.empty() && args.size() >= 2) {
    const CommandSpec* sub = commands_.FindSub(spec, args[1]);
    if (!sub) {
      // Redis counts an unknown subcommand in errorstats only, not in the container's stats.
      reject(proto::UnknownSubcommand(args[0], args[1]), nullptr);
      return;
    }
    spec = sub;
  }
  int argc = static_cast<int>(args.size());
  if ((spec->arity > 0 && spec->arity != argc) || (argc < -spec->arity)) {
    reject(proto::WrongArity(spec->name), spec);
    return;
  }
  if (!c->authenticated && !(spec->flags & kCmdNoAuth)) {
    reject(proto::kErrNoAuth, spec);
    return;
  }
  if (c->resp == 2 && (c->flags & kClientPubsub) && !AllowedInSubscribeContext(spec->name)) {
    reject(proto::NotAllowedInSubscribeContext(spec->name), spec);
    return;
  }
  if (c->flags & kClientMulti) {
    if (spec->flags & kCmdNoMulti) {
      reject(proto::kErrNotAllowedInMulti, spec);
      return;
    }
    if (!IsTxControl(spec)) {
      Client::QueuedCommand q{spec, {}};
      q.args.reserve(args.size());
      for (auto a : args) q.args.emplace_back(a);
      c->mstate.push_back(std::move(q));
      c->reply.SimpleString(proto::kStatusQueued);
      return;
    }
  }
  const ServerConfig& conf = cfg();
  if (conf.maxmemory && (spec->flags & kCmdDenyOom) && mem::UsedMemory() > conf.maxmemory) {
    reject(proto::kErrOom, spec);
    return;
  }
  Call(c, spec, args);
}

void Server::Call(Client* c, const CommandSpec* spec, std::span<const std::string_view> args) {
  uint64_t errors_before = c->reply.ErrorCount();
  int64_t start = MonotonicUs();
  cmd_time_ms = UnixMs();
  env_.now_ms = cmd_time_ms;
  CommandContext ctx;
  ctx.args = args;
  ctx.client = c;
  ctx.server = this;
  ctx.db = c->db;
  ctx.reply = &c->reply;
  spec->handler(ctx);
  int64_t dur = MonotonicUs() - start;
  CommandStats& cs = stats.commands[spec->name];
  cs.calls++;
  cs.usec += static_cast<uint64_t>(dur);
  stats.eventloop_duration_cmd_sum += static_cast<uint64_t>(dur);
  if (c->reply.ErrorCount() != errors_before) cs.failed_calls++;
  CountError(this, c, errors_before);
  stats.total_commands_processed++;
  c->commands_processed++;
  c->last_cmd = spec->name;
  CheckOutputBufferLimits(c);
}

}  // namespace ember
