// Key-level events: WATCH invalidation, keyspace notifications, Pub/Sub delivery.
#include <algorithm>

#include "base/strutil.h"
#include "server/server.h"

namespace ember {

// ---- WATCH ----------------------------------------------------------------------------------

void Server::WatchKey(Client* c, int dbid, std::string_view key) {
  for (const auto& [d, k] : c->watched_keys) {
    if (d == dbid && k == key) return;
  }
  auto& list = watched_[dbid][std::string(key)];
  list.push_back(c);
  c->watched_keys.emplace_back(dbid, std::string(key));
}

void Server::UnwatchAll(Client* c) {
  for (const auto& [d, k] : c->watched_keys) {
    auto& m = watched_[d];
    auto it = m.find(k);
    if (it == m.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), c), v.end());
    if (v.empty()) m.erase(it);
  }
  c->watched_keys.clear();
}

void Server::TouchWatchedKey(int dbid, std::string_view key) {
  auto& m = watched_[dbid];
  if (m.empty()) return;
  auto it = m.find(std::string(key));
  if (it == m.end()) return;
  for (Client* c : it->second) c->flags |= kClientDirtyCas;
}

void Server::TouchAllWatchedKeysInDb(int dbid) {
  for (auto& [k, clients] : watched_[dbid]) {
    for (Client* c : clients) c->flags |= kClientDirtyCas;
  }
}

void Server::KeyModified(Database& db, std::string_view key, uint64_t d) {
  TouchWatchedKey(db.id(), key);
  dirty += d;
}

void Server::OnKeyModified(Database& db, std::string_view key) { TouchWatchedKey(db.id(), key); }

void Server::OnKeyExpired(Database& db, std::string_view key) {
  TouchWatchedKey(db.id(), key);
  NotifyKeyspaceEvent(notify::kExpired, "expired", key, db.id());
  dirty++;
}

void Server::OnKeyEvicted(Database& db, std::string_view key) {
  TouchWatchedKey(db.id(), key);
  NotifyKeyspaceEvent(notify::kEvicted, "evicted", key, db.id());
  dirty++;
}

void Server::OnDatabaseFlushed(Database& db) { TouchAllWatchedKeysInDb(db.id()); }

// ---- keyspace notifications ---------------------------------------------------------------

void Server::NotifyKeyspaceEvent(int type, std::string_view event, std::string_view key, int dbid) {
  int flags = cfg().notify_keyspace_events;
  if (!(flags & type)) return;
  if (pubsub_channels_.empty() && pubsub_patterns_.empty()) return;
  std::string db = std::to_string(dbid);
  if (flags & notify::kKeyspace) {
    std::string ch = "__keyspace@" + db + "__:";
    ch.append(key);
    Publish(ch, event);
  }
  if (flags & notify::kKeyevent) {
    std::string ch = "__keyevent@" + db + "__:";
    ch.append(event);
    Publish(ch, key);
  }
}

// ---- Pub/Sub --------------------------------------------------------------------------------

size_t Server::Publish(std::string_view channel, std::string_view message) {
  size_t receivers = 0;
  auto it = pubsub_channels_.find(std::string(channel));
  if (it != pubsub_channels_.end()) {
    for (Client* c : it->second) {
      c->reply.PushLen(3);
      c->reply.Bulk("message");
      c->reply.Bulk(channel);
      c->reply.Bulk(message);
      MarkPendingWrite(c);
      CheckOutputBufferLimits(c);
      receivers++;
    }
  }
  for (auto& [pattern, clients] : pubsub_patterns_) {
    if (!GlobMatch(pattern, channel)) continue;
    for (Client* c : clients) {
      c->reply.PushLen(4);
      c->reply.Bulk("pmessage");
      c->reply.Bulk(pattern);
      c->reply.Bulk(channel);
      c->reply.Bulk(message);
      MarkPendingWrite(c);
      CheckOutputBufferLimits(c);
      receivers++;
    }
  }
  return receivers;
}

void Server::PubsubUnsubscribeAll(Client* c, bool notify) {
  for (const auto& ch : c->channels) {
    auto it = pubsub_channels_.find(ch);
    if (it != pubsub_channels_.end()) {
      it->second.erase(c);
      if (it->second.empty()) pubsub_channels_.erase(it);
    }
  }
  for (const auto& p : c->patterns) {
    auto it = pubsub_patterns_.find(p);
    if (it != pubsub_patterns_.end()) {
      it->second.erase(c);
      if (it->second.empty()) pubsub_patterns_.erase(it);
    }
  }
  c->channels.clear();
  c->patterns.clear();
  c->flags &= ~kClientPubsub;
  (void)notify;
}

}  // namespace ember
