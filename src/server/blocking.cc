// Blocking operations: wait lists, ready keys, serving and timeouts. See blocking.h.
#include "server/blocking.h"

#include <algorithm>
#include <climits>

#include "base/strutil.h"
#include "base/time.h"
#include "proto/errors.h"
#include "proto/reply_builder.h"
#include "server/client.h"
#include "server/command.h"
#include "server/server.h"

namespace ember {

bool ParseBlockTimeout(std::string_view arg, int64_t now_ms, int64_t* deadline_ms,
                       proto::ReplyBuilder* reply) {
  long double ft;
  if (!ParseLongDouble(arg, &ft)) {
    reply->Error(proto::kErrTimeoutNotFloat);
    return false;
  }
  long double ms = ft * 1000.0L;
  // Redis converts with a C cast; values beyond long long (including +inf) come out as LLONG_MIN
  // on x86-64, hence "timeout is negative" for them.
  int64_t tval;
  if (!(ms > -9223372036854775808.0L && ms < 9223372036854775807.0L)) {
    tval = INT64_MIN;
  } else {
    tval = static_cast<int64_t>(ms);
  }
  if (tval < 0) {
    reply->Error(proto::kErrTimeoutNegative);
    return false;
  }
  if (tval > 0) {
    if (tval > INT64_MAX - now_ms) {
      reply->Error(proto::kErrTimeoutOutOfRange);
      return false;
    }
    tval += now_ms;
  }
  *deadline_ms = tval;
  return true;
}

Blocking::~Blocking() = default;

bool Blocking::CanBlock(const Client* c) {
  return !(c->flags & (kClientMulti | kClientDenyBlocking));
}

std::unordered_map<std::string, std::list<Client*>>& Blocking::DbKeys(int dbid) {
  if (static_cast<size_t>(dbid) >= keys_.size()) keys_.resize(static_cast<size_t>(dbid) + 1);
  return keys_[static_cast<size_t>(dbid)];
}

void Blocking::BlockForKeys(CommandContext& ctx, std::span<const std::string_view> keys,
                            ObjType type, int64_t deadline_ms, BlockTimeoutReply timeout_reply) {
  Client* c = ctx.client;
  if (reprocessing_) deadline_ms = reprocess_deadline_;
  auto* bs = new BlockState();
  bs->dbid = ctx.db->id();
  bs->type = type;
  bs->timeout_reply = timeout_reply;
  bs->deadline_ms = deadline_ms;
  bs->spec = server_->commands().Find(ctx.args[0]);
  bs->argv.reserve(ctx.args.size());
  for (auto a : ctx.args) bs->argv.emplace_back(a);
  bs->argv_views.reserve(bs->argv.size());
  for (const auto& a : bs->argv) bs->argv_views.emplace_back(a);
  auto& m = DbKeys(bs->dbid);
  for (std::string_view k : keys) {
    bool dup = false;
    for (const auto& l : bs->keys) {
      if (l.key == k) {
        dup = true;
        break;
      }
    }
    if (dup) continue;
    auto [it, inserted] = m.try_emplace(std::string(k));
    if (inserted) total_keys_++;
    std::list<Client*>* fifo = &it->second;
    fifo->push_back(c);
    bs->keys.push_back({std::string(k), fifo, std::prev(fifo->end())});
  }
  if (deadline_ms > 0) {
    int64_t delay = deadline_ms - UnixMs();
    if (delay < 0) delay = 0;
    bs->timer = server_->loop().CreateTimer(delay, OnTimeout, c);
  }
  c->bstate = bs;
  c->flags |= kClientBlocked;
  blocked_count_++;
  server_->blocked_clients = blocked_count_;
}

void Blocking::SignalSlow(int dbid, std::string_view key) {
  if (static_cast<size_t>(dbid) >= keys_.size()) return;
  auto& m = keys_[static_cast<size_t>(dbid)];
  if (m.find(std::string(key)) == m.end()) return;
  std::string tag = std::to_string(dbid);
  tag.push_back('\0');
  tag.append(key);
  if (!ready_set_.insert(std::move(tag)).second) return;
  ready_.emplace_back(dbid, std::string(key));
}

void Blocking::SignalAllKeysInDb(int dbid) {
  if (static_cast<size_t>(dbid) >= keys_.size()) return;
  std::vector<std::string> ks;
  for (const auto& [k, fifo] : keys_[static_cast<size_t>(dbid)]) ks.push_back(k);
  for (const auto& k : ks) SignalSlow(dbid, k);
}

void Blocking::Detach(Client* c) {
  BlockState* bs = c->bstate;
  if (!bs) return;
  auto& m = DbKeys(bs->dbid);
  for (auto& l : bs->keys) {
    l.fifo->erase(l.pos);
    if (l.fifo->empty()) {
      m.erase(l.key);
      total_keys_--;
    }
  }
  if (bs->timer) server_->loop().DeleteTimer(bs->timer);
  c->bstate = nullptr;
  c->flags &= ~kClientBlocked;
  blocked_count_--;
  server_->blocked_clients = blocked_count_;
  delete bs;
}

void Blocking::Unblock(Client* c) { Detach(c); }

void Blocking::FinishUnblocked(Client* c) {
  server_->MarkPendingWrite(c);
  unblocked_.push_back(c->id);
}

void Blocking::ReplyTimeout(Client* c, BlockState* bs) {
  if (bs->timeout_reply == BlockTimeoutReply::kNull) {
    c->reply.Null();
  } else {
    c->reply.NullArray();
  }
  if (bs->spec) {
    server_->stats.For(bs->spec).calls++;
    c->last_cmd = bs->spec->name;
  }
  server_->stats.total_commands_processed++;
  c->commands_processed++;
}

int64_t Blocking::OnTimeout(net::EventLoop*, net::TimerId, void* data) {
  auto* c = static_cast<Client*>(data);
  Blocking& b = c->server->blocking();
  BlockState* bs = c->bstate;
  if (!bs) return net::kTimerNoMore;
  bs->timer = 0;  // this timer is done; Detach must not delete it
  b.ReplyTimeout(c, bs);
  b.Detach(c);
  b.FinishUnblocked(c);
  return net::kTimerNoMore;
}

bool Blocking::UnblockWithReply(Client* c, bool error) {
  BlockState* bs = c->bstate;
  if (!bs) return false;
  if (error) {
    c->reply.Error(proto::kErrUnblocked);
    if (bs->spec) {
      auto& cs = server_->stats.For(bs->spec);
      cs.calls++;
      cs.failed_calls++;
    }
    server_->stats.total_error_replies++;
    server_->stats.errors[std::string(c->reply.LastErrorCode())]++;
    server_->stats.total_commands_processed++;
  } else {
    ReplyTimeout(c, bs);
  }
  Detach(c);
  FinishUnblocked(c);
  return true;
}

void Blocking::HandleReadyKeys() {
  while (!ready_.empty()) {
    std::vector<std::pair<int, std::string>> batch;
    batch.swap(ready_);
    ready_set_.clear();
    for (auto& [dbid, key] : batch) {
      auto& m = DbKeys(dbid);
      auto it = m.find(key);
      if (it == m.end()) continue;
      // Only the clients blocked now; a client that blocks again goes to the back of the FIFO
      // and waits for the next signal.
      std::vector<uint64_t> ids;
      ids.reserve(it->second.size());
      for (Client* c : it->second) ids.push_back(c->id);
      Database& db = server_->db(dbid);
      for (uint64_t id : ids) {
        Client* c = server_->FindClient(id);
        if (!c || !c->bstate || (c->flags & kClientCloseAsap)) continue;
        Record* r = db.Lookup(key, kLookupNoTouch | kLookupNoStats);
        if (!r) break;  // the key went away: nobody else can be served from it
        if (r->type() != c->bstate->type) continue;
        BlockState* bs = c->bstate;
        const CommandSpec* spec = bs->spec;
        std::vector<std::string> argv = std::move(bs->argv);
        std::vector<std::string_view> views;
        views.reserve(argv.size());
        for (const auto& a : argv) views.emplace_back(a);
        int64_t deadline = bs->deadline_ms;
        Detach(c);
        bool saved = reprocessing_;
        int64_t saved_deadline = reprocess_deadline_;
        reprocessing_ = true;
        reprocess_deadline_ = deadline;
        if (spec) server_->Call(c, spec, views);
        reprocessing_ = saved;
        reprocess_deadline_ = saved_deadline;
        if (!(c->flags & kClientBlocked)) FinishUnblocked(c);
      }
    }
  }
}

void Blocking::BeforeSleep() {
  HandleReadyKeys();
  while (!unblocked_.empty()) {
    std::vector<uint64_t> ids;
    ids.swap(unblocked_);
    for (uint64_t id : ids) {
      Client* c = server_->FindClient(id);
      if (!c || (c->flags & (kClientBlocked | kClientCloseAsap))) continue;
      if (c->QueryBufferBytes() > 0) c->ProcessInput();
    }
    HandleReadyKeys();
  }
}

}  // namespace ember
