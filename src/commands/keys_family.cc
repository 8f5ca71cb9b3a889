// Generic key commands: DEL UNLINK EXISTS TYPE KEYS SCAN RANDOMKEY RENAME RENAMENX MOVE COPY
// TOUCH OBJECT (ENCODING FREQ HELP IDLETIME REFCOUNT), plus the expire commands of
// expire_family.cc.
//
// Records embed their key, so RENAME builds a new record (same value pointer, TTL and LRU bits)
// under the new name and frees the old shell; MOVE unlinks the record from one database and
// inserts it into the other unchanged; COPY duplicates the value with DupValue (value_free.h).
//
// SCAN uses the table's reverse-binary cursor (types/hashtable.h): every key present for the
// whole scan is returned at least once across grows, shrinks and rehashing. Like Redis, one call
// visits bucket chains until COUNT keys were collected or 10*COUNT chains were visited, then
// filters by MATCH, expiry (expired keys are deleted, not returned) and TYPE.
//
// Lookups: EXISTS, TYPE, TTL and OBJECT do not touch LRU/LFU (Redis's LOOKUP_NOTOUCH); TOUCH
// does. KEYS skips logically expired keys without deleting them.
#include <cctype>
#include <charconv>
#include <climits>
#include <vector>

#include "base/strutil.h"
#include "commands/families.h"
#include "commands/keyspace_util.h"
#include "core/lru.h"
#include "core/value_free.h"
#include "proto/errors.h"
#include "proto/reply_builder.h"
#include "server/command_table.h"
#include "server/server.h"

namespace ember {

namespace {

using keyspace::Modified;
using keyspace::NotifyNew;
using keyspace::OptIs;

// Redis's expireIfNeeded before a delete: a logically expired key is removed as expired (counted
// and notified) and reported missing.
Record* FindLive(Database& db, std::string_view key) {
  return db.Lookup(key, kLookupWrite | kLookupNoTouch);
}

void DelGeneric(CommandContext& ctx, bool lazy) {
  Database& db = *ctx.db;
  int64_t deleted = 0;
  for (size_t j = 1; j < ctx.argc(); j++) {
    std::string_view key = ctx.arg(j);
    if (!FindLive(db, key)) continue;
    db.Delete(key, lazy);
    Modified(ctx, db, key, notify::kGeneric, "del");
    deleted++;
  }
  ctx.reply->Integer(deleted);
}

void DelCommand(CommandContext& ctx) { DelGeneric(ctx, ctx.server->cfg().lazyfree_lazy_user_del); }
void UnlinkCommand(CommandContext& ctx) { DelGeneric(ctx, true); }

void ExistsCommand(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t j = 1; j < ctx.argc(); j++) {
    if (ctx.db->Lookup(ctx.arg(j), kLookupNoTouch)) n++;
  }
  ctx.reply->Integer(n);
}

void TouchCommand(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t j = 1; j < ctx.argc(); j++) {
    if (ctx.db->LookupRead(ctx.arg(j))) n++;
  }
  ctx.reply->Integer(n);
}

void TypeCommand(CommandContext& ctx) {
  Record* r = ctx.db->Lookup(ctx.arg(1), kLookupNoTouch);
  ctx.reply->SimpleString(r ? TypeName(r->type()) : "none");
}

void KeysCommand(CommandContext& ctx) {
  std::string_view pattern = ctx.arg(1);
  bool all = pattern == "*";
  Database& db = *ctx.db;
  size_t handle = ctx.reply->DeferLen();
  uint64_t n = 0;
  db.main_table().ForEach([&](Record* r) {
    std::string_view key = r->key();
    if (!all && !GlobMatch(pattern, key)) return;
    if (db.IsExpired(r)) return;
    ctx.reply->Bulk(key);
    n++;
  });
  ctx.reply->SetDeferredArrayLen(handle, n);
}

void ScanCommand(CommandContext& ctx) {
  uint64_t cursor;
  if (!keyspace::ParseScanCursor(ctx.arg(1), &cursor)) {
    ctx.reply->Error(proto::kErrInvalidCursor);
    return;
  }
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;
  std::string_view type_name;
  bool use_type = false;
  for (size_t i = 2; i < ctx.argc();) {
    std::string_view opt = ctx.arg(i);
    bool has_value = ctx.argc() - i >= 2;
    if (OptIs(opt, "count") && has_value) {
      if (!keyspace::ParseInt64OrReply(ctx, ctx.arg(i + 1), &count)) return;
      if (count < 1) {
        ctx.reply->Error(proto::kErrSyntax);
        return;
      }
    } else if (OptIs(opt, "match") && has_value) {
      pattern = ctx.arg(i + 1);
      use_pattern = pattern != "*";
    } else if (OptIs(opt, "type") && has_value) {
      type_name = ctx.arg(i + 1);
      use_type = true;
    } else {
      ctx.reply->Error(proto::kErrSyntax);
      return;
    }
    i += 2;
  }
  Database& db = *ctx.db;
  std::vector<Record*> batch;
  size_t want = static_cast<size_t>(count);
  uint64_t max_chains = static_cast<uint64_t>(count) * 10;
  if (db.Size() > 0) {
    do {
      cursor = db.Scan(cursor, [&](Record* r) { batch.push_back(r); });
    } while (cursor && max_chains-- && batch.size() < want);
  } else {
    cursor = 0;
  }
  // Filter: records are separate allocations, so deleting an expired one leaves the others put.
  size_t kept = 0;
  for (Record* r : batch) {
    if (use_pattern && !GlobMatch(pattern, r->key())) continue;
    if (db.IsExpired(r) && !db.env()->loading) {
      db.DeleteExpired(r);
      continue;
    }
    if (use_type) {
      // Redis compares the C-string type argument case-insensitively.
      std::string_view t = type_name.substr(0, type_name.find('\0'));
      if (!EqualsIgnoreCase(t, TypeName(r->type()))) continue;
    }
    batch[kept++] = r;
  }
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), cursor);
  ctx.reply->ArrayLen(2);
  ctx.reply->Bulk(std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
  ctx.reply->ArrayLen(kept);
  for (size_t i = 0; i < kept; i++) ctx.reply->Bulk(batch[i]->key());
}

void RandomkeyCommand(CommandContext& ctx) {
  Database& db = *ctx.db;
  for (;;) {
    Record* r = db.RandomRecord();
    if (!r) {
      ctx.reply->Null();
      return;
    }
    if (db.IsExpired(r) && !db.env()->loading) {
      db.DeleteExpired(r);
      continue;
    }
    ctx.reply->Bulk(r->key());
    return;
  }
}

// A new record named `key` holding `r`'s value (shared, not copied), TTL and LRU bits.
Record* Rebuild(const Record* r, std::string_view key) {
  Record* n = Record::New(key, r->Value(), r->has_expire(), r->has_expire() ? r->expire_ms() : 0);
  n->set_lru(r->lru());
  return n;
}

void RenameGeneric(CommandContext& ctx, bool nx) {
  Database& db = *ctx.db;
  std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  if (!db.LookupWrite(src)) {
    ctx.reply->Error(proto::kErrNoSuchKey);
    return;
  }
  if (src == dst) {
    if (nx) {
      ctx.reply->Integer(0);
    } else {
      ctx.reply->Ok();
    }
    return;
  }
  if (db.LookupWrite(dst)) {
    if (nx) {
      ctx.reply->Integer(0);
      return;
    }
    db.Delete(dst, ctx.server->cfg().lazyfree_lazy_server_del);
  }
  Record* old = db.Unlink(src);
  Record* n = Rebuild(old, dst);
  Record::FreeShell(old);
  db.Insert(n);
  NotifyNew(ctx, db, dst);
  ctx.server->KeyModified(db, src);
  ctx.server->KeyModified(db, dst, 0);
  ctx.server->NotifyKeyspaceEvent(notify::kGeneric, "rename_from", src, db.id());
  ctx.server->NotifyKeyspaceEvent(notify::kGeneric, "rename_to", dst, db.id());
  if (nx) {
    ctx.reply->Integer(1);
  } else {
    ctx.reply->Ok();
  }
}

void RenameCommand(CommandContext& ctx) { RenameGeneric(ctx, false); }
void RenamenxCommand(CommandContext& ctx) { RenameGeneric(ctx, true); }

void MoveCommand(CommandContext& ctx) {
  int dbid;
  if (!keyspace::ParseDbIndexOrReply(ctx, ctx.arg(2), &dbid)) return;
  Database& src = *ctx.db;
  Database& dst = ctx.server->db(dbid);
  if (&src == &dst) {
    ctx.reply->Error(proto::kErrSameObject);
    return;
  }
  std::string_view key = ctx.arg(1);
  if (!src.LookupWrite(key) || dst.LookupWrite(key)) {
    ctx.reply->Integer(0);
    return;
  }
  dst.Insert(src.Unlink(key));
  NotifyNew(ctx, dst, key);
  ctx.server->KeyModified(src, key);
  ctx.server->KeyModified(dst, key, 0);
  ctx.server->NotifyKeyspaceEvent(notify::kGeneric, "move_from", key, src.id());
  ctx.server->NotifyKeyspaceEvent(notify::kGeneric, "move_to", key, dst.id());
  ctx.reply->Integer(1);
}

void CopyCommand(CommandContext& ctx) {
  Database& src = *ctx.db;
  Database* dst = &src;
  bool replace = false;
  for (size_t j = 3; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    if (OptIs(opt, "replace")) {
      replace = true;
    } else if (OptIs(opt, "db") && j + 1 < ctx.argc()) {
      int dbid;
      if (!keyspace::ParseDbIndexOrReply(ctx, ctx.arg(j + 1), &dbid)) return;
      dst = &ctx.server->db(dbid);
      j++;
    } else {
      ctx.reply->Error(proto::kErrSyntax);
      return;
    }
  }
  std::string_view key = ctx.arg(1), newkey = ctx.arg(2);
  if (dst == &src && key == newkey) {
    ctx.reply->Error(proto::kErrSameObject);
    return;
  }
  Record* r = src.LookupRead(key);
  if (!r) {
    ctx.reply->Integer(0);
    return;
  }
  bool del = false;
  if (dst->LookupWrite(newkey)) {
    if (!replace) {
      ctx.reply->Integer(0);
      return;
    }
    del = true;
  }
  // Deleting newkey or an expired key frees other records only: `r` stays valid.
  ValueInit v = r->Value();
  Encoding e = r->encoding();
  // An inline value comes as kBorrowed and is copied by Record::New; external ones are duplicated.
  if (r->has_external_value()) v.ptr = DupValue(r->type(), e, r->ptr());
  Record* n = Record::New(newkey, v, r->has_expire(), r->has_expire() ? r->expire_ms() : 0);
  // A copy is a new object: fresh LRU clock or LFU counter.
  const KeyspaceEnv& env = *dst->env();
  n->set_lru(env.lfu ? LfuInitial(env.now_ms) : env.lru_clock);
  if (del) dst->Delete(newkey, ctx.server->cfg().lazyfree_lazy_server_del);
  dst->Insert(n);
  NotifyNew(ctx, *dst, newkey);
  Modified(ctx, *dst, newkey, notify::kGeneric, "copy_to");
  ctx.reply->Integer(1);
}

// ---- OBJECT ------------------------------------------------------------------------------------

Record* ObjectLookup(CommandContext& ctx) {
  Record* r = ctx.db->Lookup(ctx.arg(2), kLookupNoTouch);
  if (!r) ctx.reply->Null();
  return r;
}

bool LfuPolicy(const CommandContext& ctx) {
  MaxmemoryPolicy p = ctx.server->cfg().maxmemory_policy;
  return p == MaxmemoryPolicy::kAllkeysLfu || p == MaxmemoryPolicy::kVolatileLfu;
}

void ObjectEncodingCommand(CommandContext& ctx) {
  if (Record* r = ObjectLookup(ctx)) ctx.reply->Bulk(EncodingName(r->encoding()));
}

void ObjectRefcountCommand(CommandContext& ctx) {
  if (Record* r = ObjectLookup(ctx)) ctx.reply->Integer(keyspace::RefCount(ctx, r));
}

void ObjectIdletimeCommand(CommandContext& ctx) {
  Record* r = ObjectLookup(ctx);
  if (!r) return;
  if (LfuPolicy(ctx)) {
    ctx.reply->Error(proto::kErrLfuSelected);
    return;
  }
  ctx.reply->Integer(
      static_cast<int64_t>(LruIdleMs(ctx.server->env().lru_clock, r->lru()) / 1000));
}

void ObjectFreqCommand(CommandContext& ctx) {
  Record* r = ObjectLookup(ctx);
  if (!r) return;
  if (!LfuPolicy(ctx)) {
    ctx.reply->Error(proto::kErrLfuNotSelected);
    return;
  }
  const KeyspaceEnv& env = ctx.server->env();
  ctx.reply->Integer(LfuDecayedCounter(r->lru(), env.now_ms, env.lfu_decay_time));
}

void ObjectHelpCommand(CommandContext& ctx) {
  static const char* const kLines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply->ArrayLen(std::size(kLines));
  for (const char* l : kLines) ctx.reply->SimpleString(l);
}

}  // namespace

void RegisterKeysFamily(CommandTable& t) {
  constexpr uint32_t kW = kCmdWrite, kR = kCmdReadonly, kF = kCmdFast, kOom = kCmdDenyOom;
  const char* g = "generic";
  t.Register({"del", -2, kW, 1, -1, 1, DelCommand, g, "@keyspace @write @slow"});
  t.Register({"unlink", -2, kW | kF, 1, -1, 1, UnlinkCommand, g, "@keyspace @write @fast"});
  t.Register({"exists", -2, kR | kF, 1, -1, 1, ExistsCommand, g, "@keyspace @read @fast"});
  t.Register({"touch", -2, kR | kF, 1, -1, 1, TouchCommand, g, "@keyspace @read @fast"});
  t.Register({"type", 2, kR | kF, 1, 1, 1, TypeCommand, g, "@keyspace @read @fast"});
  t.Register({"keys", 2, kR, 0, 0, 0, KeysCommand, g, "@keyspace @read @slow @dangerous"});
  t.Register({"scan", -2, kR, 0, 0, 0, ScanCommand, g, "@keyspace @read @slow"});
  t.Register({"randomkey", 1, kR, 0, 0, 0, RandomkeyCommand, g, "@keyspace @read @slow"});
  t.Register({"rename", 3, kW, 1, 2, 1, RenameCommand, g, "@keyspace @write @slow"});
  t.Register({"renamenx", 3, kW | kF, 1, 2, 1, RenamenxCommand, g, "@keyspace @write @fast"});
  t.Register({"move", 3, kW | kF, 1, 1, 1, MoveCommand, g, "@keyspace @write @fast"});
  t.Register({"copy", -3, kW | kOom, 1, 2, 1, CopyCommand, g, "@keyspace @write @slow"});
  const char* ro = "@keyspace @read @slow";
  t.Register({"object", -2, 0, 0, 0, 0, nullptr, g, "@slow",
              {
                  {"object|encoding", 3, kR, 2, 2, 1, ObjectEncodingCommand, g, ro},
                  {"object|freq", 3, kR, 2, 2, 1, ObjectFreqCommand, g, ro},
                  {"object|help", 2, kCmdLoading | kCmdStale, 0, 0, 0, ObjectHelpCommand, g,
                   "@keyspace @slow"},
                  {"object|idletime", 3, kR, 2, 2, 1, ObjectIdletimeCommand, g, ro},
                  {"object|refcount", 3, kR, 2, 2, 1, ObjectRefcountCommand, g, ro},
              }});
  RegisterExpireCommands(t);
}

}  // namespace ember
