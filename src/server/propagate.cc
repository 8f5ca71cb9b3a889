// Propagation of writes to the AOF (Redis's call() -> alsoPropagate -> propagatePendingCommands).
//
//   Server::Call(c, spec, args)
//     handler runs; it may call PropagateAs(argv) (a deterministic rewrite of itself),
//     AlsoPropagate(db, argv) (extra commands) or PreventPropagation()
//     own dirty = dirty growth - expired/evicted keys - nested calls' growth
//     own dirty > 0 -> op (args, or the PropagateAs rewrite) in the client's db
//   at the end of the top-level call:
//     one op   -> fed as is         (the fast path: no copy of the arguments)
//     >1 ops   -> MULTI, ops, EXEC  (a transaction, or a command plus its extras)
//
// Expired and evicted keys are fed at once as DEL/UNLINK (PropagateNow), before the command that
// found them. With appendfsync always, every client that ran a command while the AOF had bytes
// not yet durable waits for them: its replies are held (HeldForAof) and released by
// ReleaseAofWaiters when the writer's fsync completion arrives. While the AOF cannot be written
// (a write error being retried) only clients that wrote wait; the others are answered.
#include <algorithm>

#include "server/server.h"

namespace ember {

void Server::PropagateAs(std::initializer_list<std::string_view> argv) {
  PropagateAs(std::span<const std::string_view>(argv.begin(), argv.size()));
}

void Server::PropagateAs(std::span<const std::string_view> argv) {
  if (!propagating()) return;
  propagate_as_.assign(argv.begin(), argv.end());
  has_propagate_as_ = true;
}

void Server::AlsoPropagate(int dbid, std::initializer_list<std::string_view> argv) {
  AlsoPropagate(dbid, std::span<const std::string_view>(argv.begin(), argv.size()));
}

void Server::AlsoPropagate(int dbid, std::span<const std::string_view> argv) {
  if (!propagating()) return;
  also_propagate_.push_back(PropOp{dbid, std::vector<std::string>(argv.begin(), argv.end())});
  if (call_depth_ == 0) FlushPropagation();
}

void Server::PropagateNow(int dbid, const std::string_view* argv, size_t argc) {
  aof_->Feed(dbid, argv, argc);
}

void Server::AfterCallPropagate(Client* c, std::span<const std::string_view> args,
                                uint64_t own_dirty, uint64_t total_dirty) {
  if ((own_dirty > 0 || force_propagation_) && !prevent_propagation_) {
    if (call_depth_ == 0 && also_propagate_.empty()) {
      // The common case: one command, fed straight from its arguments.
      if (has_propagate_as_) {
        std::vector<std::string_view> v(propagate_as_.begin(), propagate_as_.end());
        PropagateNow(c->db_index, v.data(), v.size());
      } else {
        PropagateNow(c->db_index, args.data(), args.size());
      }
    } else if (has_propagate_as_) {
      also_propagate_.push_back(PropOp{c->db_index, std::move(propagate_as_)});
    } else {
      also_propagate_.push_back(
          PropOp{c->db_index, std::vector<std::string>(args.begin(), args.end())});
    }
  }
  has_propagate_as_ = false;
  propagate_as_.clear();
  if (call_depth_ == 0) {
    FlushPropagation();
    // Every client that ran a command while the AOF has bytes not yet durable waits for them,
    // readers too (as in Redis, where the fsync precedes all replies of the iteration) -- except
    // while the AOF cannot be written: then only the clients whose writes are pending wait.
    if (aof_->HoldsReplies() && !(c->flags & kClientFake) &&
        (total_dirty > 0 || !aof_->WritesRefused(nullptr))) {
      uint64_t end = aof_->end_offset();
      if (end > aof_->durable_offset()) c->aof_wait_offset = std::max(c->aof_wait_offset, end);
    }
  }
}

void Server::FlushPropagation() {
  if (also_propagate_.empty()) return;
  std::vector<PropOp> ops;
  ops.swap(also_propagate_);
  std::vector<std::string_view> v;
  auto feed = [&](const PropOp& op) {
    v.assign(op.argv.begin(), op.argv.end());
    PropagateNow(op.dbid, v.data(), v.size());
  };
  if (ops.size() == 1) {
    feed(ops[0]);
    return;
  }
  std::string_view multi[1] = {"MULTI"};
  PropagateNow(ops.front().dbid, multi, 1);
  for (const auto& op : ops) feed(op);
  std::string_view exec[1] = {"EXEC"};
  PropagateNow(ops.back().dbid, exec, 1);
}

bool Server::HeldForAof(Client* c) {
  if (c->aof_wait_offset == 0) return false;
  if (c->aof_wait_offset <= aof_->durable_offset()) {
    c->aof_wait_offset = 0;
    return false;
  }
  if (!(c->flags & kClientAofWait)) {
    c->flags |= kClientAofWait;
    aof_waiting_.push_back(c);
  }
  return true;
}

void Server::ReleaseAofWaiters() {
  if (aof_waiting_.empty()) return;
  uint64_t durable = aof_->durable_offset();
  size_t j = 0;
  for (Client* c : aof_waiting_) {
    if (c->aof_wait_offset <= durable) {
      c->aof_wait_offset = 0;
      c->flags &= ~kClientAofWait;
      MarkPendingWrite(c);
    } else {
      aof_waiting_[j++] = c;
    }
  }
  aof_waiting_.resize(j);
}

}  // namespace ember
