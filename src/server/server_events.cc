// Key-level events: WATCH invalidation, keyspace notifications, Pub/Sub delivery.
#include <algorithm>
#include <vector>

#include "base/strutil.h"
#include "server/server.h"

namespace ember {

// ---- WATCH ----------------------------------------------------------------------------------
//
// Two indexes of the same pairs: per database, key -> clients watching it (what a write consults),
// and per client, its WatchedKey list (what UNWATCH/EXEC/disconnect walk). A modification flags
// every watcher with kClientDirtyCas; EXEC then replies a null array. A key that existed but was
// already logically expired at WATCH time is marked `expired`: its deletion (lazy or active
// expiry, a flush) is no logical change and only clears the mark, while a new value dirties.

void Server::WatchKey(Client* c, int dbid, std::string_view key) {
  for (const auto& w : c->watched_keys) {
    if (w.db == dbid && w.key == key) return;
  }
  auto& list = watched_[dbid][std::string(key)];
  list.push_back(c);
  Database& d = db(dbid);
  const Record* r = d.Find(key);
  bool expired = r != nullptr && d.IsExpired(r);
  c->watched_keys.push_back(WatchedKey{dbid, std::string(key), expired});
}

void Server::UnwatchAll(Client* c) {
  for (const auto& w : c->watched_keys) {
    auto& m = watched_[w.db];
    auto it = m.find(w.key);
    if (it == m.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), c), v.end());
    if (v.empty()) m.erase(it);
  }
  c->watched_keys.clear();
}

namespace {
WatchedKey* FindWatched(Client* c, int dbid, std::string_view key) {
  for (auto& w : c->watched_keys) {
    if (w.db == dbid && w.key == key) return &w;
  }
  return nullptr;
}
}  // namespace

void Server::TouchWatchedKey(int dbid, std::string_view key) {
  auto& m = watched_[dbid];
  if (m.empty()) return;
  auto it = m.find(std::string(key));
  if (it == m.end()) return;
  bool exists = false, checked = false;
  std::vector<Client*> dirtied;
  for (Client* c : it->second) {
    WatchedKey* w = FindWatched(c, dbid, key);
    if (w != nullptr && w->expired) {
      if (!checked) {
        exists = db(dbid).Find(key) != nullptr;
        checked = true;
      }
      if (!exists) {  // the expired key is now gone: logically unchanged
        w->expired = false;
        continue;
      }
    }
    c->flags |= kClientDirtyCas;
    dirtied.push_back(c);
  }
  // A dirty client's EXEC fails whatever happens next: stop watching for it now (as Redis 7.2
  // does), after the walk, since unwatching edits the list being walked.
  for (Client* c : dirtied) UnwatchAll(c);
}

void Server::TouchAllWatchedKeysInDb(int dbid) {
  Database& d = db(dbid);
  for (auto& [k, clients] : watched_[dbid]) {
    if (d.Find(k) == nullptr) continue;
    for (Client* c : clients) {
      WatchedKey* w = FindWatched(c, dbid, k);
      if (w != nullptr && w->expired) {  // an expired key deleted by the flush: no change
        w->expired = false;
        continue;
      }
      c->flags |= kClientDirtyCas;
    }
  }
}

bool Server::IsWatchedKeyExpired(Client* c) {
  for (const auto& w : c->watched_keys) {
    if (w.expired) continue;
    Database& d = db(w.db);
    const Record* r = d.Find(w.key);
    if (r != nullptr && d.IsExpired(r)) return true;
  }
  return false;
}

void Server::DiscardTransaction(Client* c) {
  c->mstate.clear();
  c->mstate.shrink_to_fit();
  c->flags &= ~(kClientMulti | kClientDirtyCas | kClientDirtyExec);
  UnwatchAll(c);
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
  side_dirty_++;
  if (propagating()) {
    std::string_view argv[2] = {cfg().lazyfree_lazy_expire ? "UNLINK" : "DEL", key};
    PropagateNow(db.id(), argv, 2);
  }
}

void Server::OnKeyEvicted(Database& db, std::string_view key) {
  TouchWatchedKey(db.id(), key);
  NotifyKeyspaceEvent(notify::kEvicted, "evicted", key, db.id());
  dirty++;
  side_dirty_++;
  if (propagating()) {
    std::string_view argv[2] = {cfg().lazyfree_lazy_eviction ? "UNLINK" : "DEL", key};
    PropagateNow(db.id(), argv, 2);
  }
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
//
// Server side: channel -> subscribers and pattern -> subscribers; client side: its channel and
// pattern sets. PUBLISH looks the channel up (O(1)) and then matches every pattern (O(patterns)),
// as Redis does. Messages are RESP2 arrays or RESP3 pushes ("message", channel, payload) /
// ("pmessage", pattern, channel, payload). A subscriber over its output-buffer limit is closed
// asynchronously; one already scheduled for closing gets nothing more but is still counted.

namespace {
void SubscriptionReply(Client* c, std::string_view kind, const std::string_view* name,
                       size_t count) {
  c->reply.PushLen(3);
  c->reply.Bulk(kind);
  if (name != nullptr) {
    c->reply.Bulk(*name);
  } else {
    c->reply.Null();
  }
  c->reply.Integer(static_cast<int64_t>(count));
}
}  // namespace

size_t Server::Publish(std::string_view channel, std::string_view message) {
  size_t receivers = 0;
  auto deliver = [&](Client* c, const std::string* pattern) {
    receivers++;
    if (c->flags & kClientCloseAsap) return;
    if (pattern != nullptr) {
      c->reply.PushLen(4);
      c->reply.Bulk("pmessage");
      c->reply.Bulk(*pattern);
    } else {
      c->reply.PushLen(3);
      c->reply.Bulk("message");
    }
    c->reply.Bulk(channel);
    c->reply.Bulk(message);
    MarkPendingWrite(c);
    CheckOutputBufferLimits(c);
  };
  if (!pubsub_channels_.empty()) {
    auto it = pubsub_channels_.find(std::string(channel));
    if (it != pubsub_channels_.end()) {
      for (Client* c : it->second) deliver(c, nullptr);
    }
  }
  for (auto& [pattern, clients] : pubsub_patterns_) {
    if (!GlobMatch(pattern, channel)) continue;
    for (Client* c : clients) deliver(c, &pattern);
  }
  return receivers;
}

void Server::SubscribeChannel(Client* c, std::string_view channel) {
  if (c->channels.emplace(channel).second) pubsub_channels_[std::string(channel)].insert(c);
  c->flags |= kClientPubsub;
  SubscriptionReply(c, "subscribe", &channel, c->SubscriptionCount());
}

void Server::SubscribePattern(Client* c, std::string_view pattern) {
  if (c->patterns.emplace(pattern).second) pubsub_patterns_[std::string(pattern)].insert(c);
  c->flags |= kClientPubsub;
  SubscriptionReply(c, "psubscribe", &pattern, c->SubscriptionCount());
}

namespace {
bool Unsubscribe(std::unordered_set<std::string>& mine,
                 std::unordered_map<std::string, std::unordered_set<Client*>>& all, Client* c,
                 std::string_view name) {
  auto it = mine.find(std::string(name));
  if (it == mine.end()) return false;
  auto sit = all.find(*it);
  if (sit != all.end()) {
    sit->second.erase(c);
    if (sit->second.empty()) all.erase(sit);
  }
  mine.erase(it);
  return true;
}
}  // namespace

bool Server::UnsubscribeChannel(Client* c, std::string_view channel, bool notify) {
  bool was = Unsubscribe(c->channels, pubsub_channels_, c, channel);
  if (notify) SubscriptionReply(c, "unsubscribe", &channel, c->SubscriptionCount());
  return was;
}

bool Server::UnsubscribePattern(Client* c, std::string_view pattern, bool notify) {
  bool was = Unsubscribe(c->patterns, pubsub_patterns_, c, pattern);
  if (notify) SubscriptionReply(c, "punsubscribe", &pattern, c->SubscriptionCount());
  return was;
}

size_t Server::UnsubscribeAllChannels(Client* c, bool notify) {
  std::vector<std::string> names(c->channels.begin(), c->channels.end());
  for (const auto& n : names) UnsubscribeChannel(c, n, notify);
  if (notify && names.empty()) SubscriptionReply(c, "unsubscribe", nullptr, c->SubscriptionCount());
  return names.size();
}

size_t Server::UnsubscribeAllPatterns(Client* c, bool notify) {
  std::vector<std::string> names(c->patterns.begin(), c->patterns.end());
  for (const auto& n : names) UnsubscribePattern(c, n, notify);
  if (notify && names.empty()) {
    SubscriptionReply(c, "punsubscribe", nullptr, c->SubscriptionCount());
  }
  return names.size();
}

void Server::PubsubUnsubscribeAll(Client* c, bool notify) {
  UnsubscribeAllChannels(c, notify);
  UnsubscribeAllPatterns(c, notify);
  c->flags &= ~kClientPubsub;
}

}  // namespace ember
