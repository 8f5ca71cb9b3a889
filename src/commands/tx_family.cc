// Transactions: MULTI EXEC DISCARD WATCH UNWATCH (Redis 7.2's multi.c semantics).
//
// MULTI sets kClientMulti; from then on the dispatcher queues every command except
// EXEC/DISCARD/MULTI/WATCH/QUIT/RESET (replying +QUEUED) after its lookup, arity, auth and memory
// checks; a rejection flags kClientDirtyExec. EXEC then:
//
//   not in MULTI                         -> "ERR EXEC without MULTI"
//   a watched key expired meanwhile      -> treated as modified (kClientDirtyCas)
//   kClientDirtyExec                     -> "EXECABORT Transaction discarded because of previous
//                                           errors." (checked before DirtyCas, as Redis does)
//   kClientDirtyCas                      -> null array (RESP2 *-1, RESP3 _)
//   otherwise                            -> unwatch, then an array with each queued command's reply,
//                                           run through Server::Call; a command failing at run time
//                                           does not stop the others
//
// Either way the transaction ends: queue dropped, flags cleared, keys unwatched. Nested MULTI and
// WATCH inside MULTI are refused without dooming the transaction.
#include <string_view>
#include <vector>

#include "commands/families.h"
#include "proto/errors.h"
#include "proto/reply_builder.h"
#include "server/command_table.h"
#include "server/server.h"

namespace ember {
namespace {

void MultiCommand(CommandContext& ctx) {
  if (ctx.client->flags & kClientMulti) {
    ctx.reply->Error(proto::kErrMultiNested);
    return;
  }
  ctx.client->flags |= kClientMulti;
  ctx.reply->Ok();
}

void DiscardCommand(CommandContext& ctx) {
  if (!(ctx.client->flags & kClientMulti)) {
    ctx.reply->Error(proto::kErrDiscardWithoutMulti);
    return;
  }
  ctx.server->DiscardTransaction(ctx.client);
  ctx.reply->Ok();
}

void ExecCommand(CommandContext& ctx) {
  Client* c = ctx.client;
  Server* s = ctx.server;
  if (!(c->flags & kClientMulti)) {
    ctx.reply->Error(proto::kErrExecWithoutMulti);
    return;
  }
  if (s->IsWatchedKeyExpired(c)) c->flags |= kClientDirtyCas;
  if (c->flags & (kClientDirtyCas | kClientDirtyExec)) {
    if (c->flags & kClientDirtyExec) {
      ctx.reply->Error(proto::kErrExecAbort);
    } else {
      ctx.reply->NullArray();
    }
    s->DiscardTransaction(c);
    return;
  }
  s->UnwatchAll(c);
  // Run from a local copy of the queue, so nothing a queued command does to the client's state
  // can invalidate the iteration.
  std::vector<Client::QueuedCommand> queue;
  queue.swap(c->mstate);
  ctx.reply->ArrayLen(queue.size());
  std::vector<std::string_view> argv;
  for (const auto& q : queue) {
    argv.assign(q.args.begin(), q.args.end());
    s->Call(c, q.spec, argv);
  }
  s->DiscardTransaction(c);
}

void WatchCommand(CommandContext& ctx) {
  Client* c = ctx.client;
  if (c->flags & kClientMulti) {
    ctx.reply->Error(proto::kErrWatchInMulti);
    return;
  }
  // No point in watching once a watched key already changed.
  if (!(c->flags & kClientDirtyCas)) {
    for (size_t j = 1; j < ctx.argc(); j++) ctx.server->WatchKey(c, c->db_index, ctx.arg(j));
  }
  ctx.reply->Ok();
}

void UnwatchCommand(CommandContext& ctx) {
  ctx.server->UnwatchAll(ctx.client);
  ctx.client->flags &= ~kClientDirtyCas;
  ctx.reply->Ok();
}

}  // namespace

void RegisterTxFamily(CommandTable& t) {
  constexpr uint32_t kTx = kCmdNoscript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy;
  const char* g = "transactions";
  t.Register({"multi", 1, kTx, 0, 0, 0, MultiCommand, g, "@fast @transaction"});
  t.Register({"exec", 1, kCmdNoscript | kCmdLoading | kCmdStale | kCmdSkipMonitor, 0, 0, 0,
              ExecCommand, g, "@slow @transaction"});
  t.Register({"discard", 1, kTx, 0, 0, 0, DiscardCommand, g, "@fast @transaction"});
  t.Register({"watch", -2, kTx, 1, -1, 1, WatchCommand, g, "@fast @transaction"});
  t.Register({"unwatch", 1, kTx, 0, 0, 0, UnwatchCommand, g, "@fast @transaction"});
}

}  // namespace ember
