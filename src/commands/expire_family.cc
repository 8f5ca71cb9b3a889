// Key expiry commands: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT), TTL PTTL EXPIRETIME
// PEXPIRETIME, PERSIST. Registered from keys_family.cc (RegisterExpireCommands).
//
// EXPIRE semantics (Redis 7.2 expireGenericCommand), in this order:
//   1. options: any of NX XX GT LT (case-insensitive), anything else "ERR Unsupported option X";
//      NX with any other, or GT with LT, is an error;
//   2. the time: an int64 (else "value is not an integer"); seconds outside +-LLONG_MAX/1000, or
//      a sum with the base time above LLONG_MAX, is "invalid expire time in '<cmd>' command"
//      (negative times are allowed);
//   3. a missing key replies 0; the conditions compare against the current TTL, where "no TTL"
//      is infinite (GT never passes, LT always does);
//   4. a time at or before now deletes the key ("del" event) instead of setting the TTL.
// TTL-style replies: -2 missing, -1 no TTL, else the remaining (or absolute) time, never
// negative; seconds are rounded to the nearest ((ms + 500) / 1000).
#include <climits>
#include <string>
#include <vector>

#include "commands/keyspace_util.h"
#include "proto/errors.h"
#include "proto/reply_builder.h"
#include "server/command_table.h"
#include "server/server.h"

namespace ember {

namespace {

using keyspace::Modified;
using keyspace::OptIs;

enum ExpireFlag : int { kExpNx = 1, kExpXx = 2, kExpGt = 4, kExpLt = 8 };

void ExpireGeneric(CommandContext& ctx, std::string_view cmd, bool relative, bool seconds) {
  int flags = 0;
  for (size_t j = 3; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    if (OptIs(opt, "nx")) {
      flags |= kExpNx;
    } else if (OptIs(opt, "xx")) {
      flags |= kExpXx;
    } else if (OptIs(opt, "gt")) {
      flags |= kExpGt;
    } else if (OptIs(opt, "lt")) {
      flags |= kExpLt;
    } else {
      ctx.reply->Error(proto::UnsupportedOption(opt));
      return;
    }
  }
  if ((flags & kExpNx) && (flags & (kExpXx | kExpGt | kExpLt))) {
    ctx.reply->Error(proto::kErrExpireNxAndOthers);
    return;
  }
  if ((flags & kExpGt) && (flags & kExpLt)) {
    ctx.reply->Error(proto::kErrExpireGtAndLt);
    return;
  }
  int64_t when;
  if (!keyspace::ParseInt64OrReply(ctx, ctx.arg(2), &when)) return;
  if (seconds) {
    if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) {
      ctx.reply->Error(proto::InvalidExpireTime(cmd));
      return;
    }
    when *= 1000;
  }
  int64_t base = relative ? ctx.server->env().now_ms : 0;
  if (when > LLONG_MAX - base) {
    ctx.reply->Error(proto::InvalidExpireTime(cmd));
    return;
  }
  when += base;

  Database& db = *ctx.db;
  std::string_view key = ctx.arg(1);
  Record* r = db.LookupWrite(key);
  if (!r) {
    ctx.reply->Integer(0);
    return;
  }
  if (flags) {
    int64_t current = r->has_expire() ? r->expire_ms() : -1;
    bool fail = ((flags & kExpNx) && current != -1) || ((flags & kExpXx) && current == -1) ||
                ((flags & kExpGt) && (current == -1 || when <= current)) ||
                ((flags & kExpLt) && current != -1 && when >= current);
    if (fail) {
      ctx.reply->Integer(0);
      return;
    }
  }
  if (keyspace::AlreadyExpired(ctx, when)) {
    bool lazy = ctx.server->cfg().lazyfree_lazy_expire;
    db.Delete(key, lazy);
    Modified(ctx, db, key, notify::kGeneric, "del");
    ctx.server->PropagateAs({lazy ? "UNLINK" : "DEL", key});
  } else {
    db.SetExpire(r, when);
    Modified(ctx, db, key, notify::kGeneric, "expire");
    // Propagated as PEXPIREAT <unix ms> (options kept), so a replay sets the same deadline.
    if (cmd != "pexpireat" && ctx.server->propagating()) {
      std::string ms = std::to_string(when);
      std::vector<std::string_view> argv(ctx.args.begin(), ctx.args.end());
      argv[0] = "PEXPIREAT";
      argv[2] = ms;
      ctx.server->PropagateAs(std::span<const std::string_view>(argv));
    }
  }
  ctx.reply->Integer(1);
}

void ExpireCommand(CommandContext& ctx) { ExpireGeneric(ctx, "expire", true, true); }
void PexpireCommand(CommandContext& ctx) { ExpireGeneric(ctx, "pexpire", true, false); }
void ExpireatCommand(CommandContext& ctx) { ExpireGeneric(ctx, "expireat", false, true); }
void PexpireatCommand(CommandContext& ctx) { ExpireGeneric(ctx, "pexpireat", false, false); }

void TtlGeneric(CommandContext& ctx, bool ms, bool absolute) {
  Record* r = ctx.db->Lookup(ctx.arg(1), kLookupNoTouch);
  if (!r) {
    ctx.reply->Integer(-2);
    return;
  }
  if (!r->has_expire()) {
    ctx.reply->Integer(-1);
    return;
  }
  int64_t ttl = absolute ? r->expire_ms() : r->expire_ms() - ctx.server->env().now_ms;
  if (ttl < 0) ttl = 0;
  ctx.reply->Integer(ms ? ttl : (ttl + 500) / 1000);
}

void TtlCommand(CommandContext& ctx) { TtlGeneric(ctx, false, false); }
void PttlCommand(CommandContext& ctx) { TtlGeneric(ctx, true, false); }
void ExpiretimeCommand(CommandContext& ctx) { TtlGeneric(ctx, false, true); }
void PexpiretimeCommand(CommandContext& ctx) { TtlGeneric(ctx, true, true); }

void PersistCommand(CommandContext& ctx) {
  Database& db = *ctx.db;
  std::string_view key = ctx.arg(1);
  Record* r = db.LookupWrite(key);
  if (!r || !r->has_expire()) {
    ctx.reply->Integer(0);
    return;
  }
  db.RemoveExpire(r);
  Modified(ctx, db, key, notify::kGeneric, "persist");
  ctx.reply->Integer(1);
}

}  // namespace

void RegisterExpireCommands(CommandTable& t) {
  constexpr uint32_t kWF = kCmdWrite | kCmdFast;
  constexpr uint32_t kRF = kCmdReadonly | kCmdFast;
  const char* g = "generic";
  const char* w = "@keyspace @write @fast";
  const char* r = "@keyspace @read @fast";
  t.Register({"expire", -3, kWF, 1, 1, 1, ExpireCommand, g, w});
  t.Register({"pexpire", -3, kWF, 1, 1, 1, PexpireCommand, g, w});
  t.Register({"expireat", -3, kWF, 1, 1, 1, ExpireatCommand, g, w});
  t.Register({"pexpireat", -3, kWF, 1, 1, 1, PexpireatCommand, g, w});
  t.Register({"ttl", 2, kRF, 1, 1, 1, TtlCommand, g, r});
  t.Register({"pttl", 2, kRF, 1, 1, 1, PttlCommand, g, r});
  t.Register({"expiretime", 2, kRF, 1, 1, 1, ExpiretimeCommand, g, r});
  t.Register({"pexpiretime", 2, kRF, 1, 1, 1, PexpiretimeCommand, g, r});
  t.Register({"persist", 2, kWF, 1, 1, 1, PersistCommand, g, w});
}

}  // namespace ember
