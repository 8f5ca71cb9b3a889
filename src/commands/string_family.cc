// String command family: GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX
// INCR DECR INCRBY DECRBY INCRBYFLOAT APPEND STRLEN SETRANGE GETRANGE SUBSTR LCS.
//
// Handlers parse and reply; read-modify-write work lives in string_ops.cc. Redis 7.2 semantics:
//
//   SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]
//     Options are scanned left to right; an option that conflicts with one already seen is a
//     syntax error (EX after PX, NX after XX, KEEPTTL after EX, ...), repeating the same one is
//     allowed. The expire value is validated before the key is looked at. GET replies with the
//     old value (WRONGTYPE on a non-string, and then nothing is set) instead of OK.
//   GETEX key [EX|PX|EXAT|PXAT|PERSIST]: the key is looked up before the expire value is
//     validated (a missing key replies nil whatever the value); an absolute time in the past
//     deletes the key after replying.
//
// Hot path (GET/SET/INCR/MSET): one hash per key for GET, SET and INCR of an existing key
// (Database::Set's two-phase insert, in-place int updates); replies are written straight from the
// record (no copy for embedded values).
#include <climits>
#include <string>

#include "base/strutil.h"
#include "commands/families.h"
#include "commands/keyspace_util.h"
#include "commands/string_ops.h"
#include "proto/errors.h"
#include "proto/reply_builder.h"
#include "server/command_table.h"
#include "server/server.h"

namespace ember {

namespace {

using keyspace::Modified;
using keyspace::NotifyNew;
using keyspace::OptIs;
using keyspace::ParseInt64OrReply;
using keyspace::ReplyStringValue;
using strops::OpResult;

// Option flags of SET and GETEX (Redis's OBJ_* flags of parseExtendedStringArgumentsOrReply).
enum SetFlag : int {
  kSetNx = 1 << 0,
  kSetXx = 1 << 1,
  kSetGet = 1 << 2,
  kSetKeepTtl = 1 << 3,
  kSetPersist = 1 << 4,
  kSetEx = 1 << 5,
  kSetPx = 1 << 6,
  kSetExat = 1 << 7,
  kSetPxat = 1 << 8,
};
constexpr int kAnyExpire = kSetEx | kSetPx | kSetExat | kSetPxat;

// Parses SET (is_set) or GETEX options from args[first..]. On a syntax error replies and returns
// false. *expire receives the expire argument when an expire option was given.
bool ParseStringOptions(CommandContext& ctx, size_t first, bool is_set, int* flags,
                        std::string_view* expire) {
  int f = 0;
  for (size_t j = first; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    bool has_next = j + 1 < ctx.argc();
    int expire_flag = 0;
    int expire_conflicts = kSetKeepTtl | kSetPersist;
    if (is_set && OptIs(opt, "nx") && !(f & kSetXx)) {
      f |= kSetNx;
    } else if (is_set && OptIs(opt, "xx") && !(f & kSetNx)) {
      f |= kSetXx;
    } else if (is_set && OptIs(opt, "get")) {
      f |= kSetGet;
    } else if (is_set && OptIs(opt, "keepttl") && !(f & (kSetPersist | kAnyExpire))) {
      f |= kSetKeepTtl;
    } else if (!is_set && OptIs(opt, "persist") && !(f & (kAnyExpire | kSetKeepTtl))) {
      f |= kSetPersist;
    } else if (OptIs(opt, "ex")) {
      expire_flag = kSetEx;
    } else if (OptIs(opt, "px")) {
      expire_flag = kSetPx;
    } else if (OptIs(opt, "exat")) {
      expire_flag = kSetExat;
    } else if (OptIs(opt, "pxat")) {
      expire_flag = kSetPxat;
    } else {
      ctx.reply->Error(proto::kErrSyntax);
      return false;
    }
    if (expire_flag) {
      // An expire option conflicts with KEEPTTL/PERSIST and with the other three; it needs a value.
      if ((f & (expire_conflicts | (kAnyExpire & ~expire_flag))) || !has_next) {
        ctx.reply->Error(proto::kErrSyntax);
        return false;
      }
      f |= expire_flag;
      *expire = ctx.arg(++j);
    }
  }
  *flags = f;
  return true;
}

bool ParseExpireFromFlags(CommandContext& ctx, std::string_view cmd, int flags,
                          std::string_view arg, int64_t* when) {
  return keyspace::ParseSetExpireOrReply(ctx, cmd, arg, flags & (kSetEx | kSetExat),
                                         flags & (kSetEx | kSetPx), when);
}

bool WrongType(CommandContext& ctx, const Record* r) {
  if (r && r->type() != ObjType::kString) {
    ctx.reply->Error(proto::kErrWrongType);
    return true;
  }
  return false;
}

// Redis's setGenericCommand. `int_reply`: SETNX's 1/0 replies instead of OK/nil.
void SetGeneric(CommandContext& ctx, int flags, std::string_view key, std::string_view val,
                bool has_expire, int64_t when, bool int_reply) {
  Database& db = *ctx.db;
  bool found = false;
  if (flags & kSetGet) {
    Record* old = db.LookupRead(key);
    if (WrongType(ctx, old)) return;
    if (old) {
      ReplyStringValue(ctx, old);
    } else {
      ctx.reply->Null();
    }
    found = old != nullptr;
  } else if (flags & (kSetNx | kSetXx)) {
    found = db.LookupWrite(key) != nullptr;
  }
  if (((flags & kSetNx) && found) || ((flags & kSetXx) && !found)) {
    if (!(flags & kSetGet)) {
      if (int_reply) {
        ctx.reply->Integer(0);
      } else {
        ctx.reply->Null();
      }
    }
    return;
  }
  bool created;
  Record* r = db.Set(key, ValueInit::FromString(val), flags & kSetKeepTtl, &created);
  if (created) NotifyNew(ctx, db, key);
  Modified(ctx, db, key, notify::kString, "set");
  if (has_expire) {
    db.SetExpire(r, when);
    ctx.server->NotifyKeyspaceEvent(notify::kGeneric, "expire", key, db.id());
    // Relative expiries (SET EX/PX/EXAT, SETEX, PSETEX) are propagated as absolute: SET PXAT.
    if (!(flags & kSetPxat) && ctx.server->propagating()) {
      std::string ms = std::to_string(when);
      ctx.server->PropagateAs({"SET", key, val, "PXAT", ms});
    }
  }
  if (!(flags & kSetGet)) {
    if (int_reply) {
      ctx.reply->Integer(1);
    } else {
      ctx.reply->Ok();
    }
  }
}

void SetCommand(CommandContext& ctx) {
  int flags = 0;
  std::string_view expire;
  int64_t when = 0;
  if (ctx.argc() > 3) {
    if (!ParseStringOptions(ctx, 3, true, &flags, &expire)) return;
    if ((flags & kAnyExpire) && !ParseExpireFromFlags(ctx, "set", flags, expire, &when)) return;
  }
  SetGeneric(ctx, flags, ctx.arg(1), ctx.arg(2), flags & kAnyExpire, when, false);
}

void SetnxCommand(CommandContext& ctx) {
  SetGeneric(ctx, kSetNx, ctx.arg(1), ctx.arg(2), false, 0, true);
}

void SetexCommand(CommandContext& ctx) {
  int64_t when;
  if (!keyspace::ParseSetExpireOrReply(ctx, "setex", ctx.arg(2), true, true, &when)) return;
  SetGeneric(ctx, 0, ctx.arg(1), ctx.arg(3), true, when, false);
}

void PsetexCommand(CommandContext& ctx) {
  int64_t when;
  if (!keyspace::ParseSetExpireOrReply(ctx, "psetex", ctx.arg(2), false, true, &when)) return;
  SetGeneric(ctx, 0, ctx.arg(1), ctx.arg(3), true, when, false);
}

void GetCommand(CommandContext& ctx) {
  Record* r = ctx.db->LookupRead(ctx.arg(1));
  if (!r) {
    ctx.reply->Null();
    return;
  }
  if (WrongType(ctx, r)) return;
  ReplyStringValue(ctx, r);
}

void GetsetCommand(CommandContext& ctx) {
  Database& db = *ctx.db;
  std::string_view key = ctx.arg(1);
  Record* r = db.LookupRead(key);
  if (WrongType(ctx, r)) return;
  if (r) {
    ReplyStringValue(ctx, r);
  } else {
    ctx.reply->Null();
  }
  bool created;
  db.Set(key, ValueInit::FromString(ctx.arg(2)), false, &created);
  if (created) NotifyNew(ctx, db, key);
  Modified(ctx, db, key, notify::kString, "set");
  ctx.server->PropagateAs({"SET", key, ctx.arg(2)});
}

void GetdelCommand(CommandContext& ctx) {
  Database& db = *ctx.db;
  std::string_view key = ctx.arg(1);
  Record* r = db.LookupRead(key);
  if (!r) {
    ctx.reply->Null();
    return;
  }
  if (WrongType(ctx, r)) return;
  ReplyStringValue(ctx, r);
  db.Delete(key, false);
  Modified(ctx, db, key, notify::kGeneric, "del");
  ctx.server->PropagateAs({"DEL", key});
}

void GetexCommand(CommandContext& ctx) {
  int flags = 0;
  std::string_view expire;
  if (!ParseStringOptions(ctx, 2, false, &flags, &expire)) return;
  Database& db = *ctx.db;
  std::string_view key = ctx.arg(1);
  Record* r = db.LookupRead(key);
  if (!r) {
    ctx.reply->Null();
    return;
  }
  if (WrongType(ctx, r)) return;
  int64_t when = 0;
  if ((flags & kAnyExpire) && !ParseExpireFromFlags(ctx, "getex", flags, expire, &when)) return;
  ReplyStringValue(ctx, r);
  // GETEX is never propagated as is: PEXPIREAT, DEL/UNLINK or PERSIST.
  if ((flags & (kSetExat | kSetPxat)) && keyspace::AlreadyExpired(ctx, when)) {
    bool lazy = ctx.server->cfg().lazyfree_lazy_expire;
    db.Delete(key, lazy);
    Modified(ctx, db, key, notify::kGeneric, "del");
    ctx.server->PropagateAs({lazy ? "UNLINK" : "DEL", key});
  } else if (flags & kAnyExpire) {
    db.SetExpire(r, when);
    Modified(ctx, db, key, notify::kGeneric, "expire");
    if (ctx.server->propagating()) {
      std::string ms = std::to_string(when);
      ctx.server->PropagateAs({"PEXPIREAT", key, ms});
    }
  } else if ((flags & kSetPersist) && r->has_expire()) {
    db.RemoveExpire(r);
    Modified(ctx, db, key, notify::kGeneric, "persist");
    ctx.server->PropagateAs({"PERSIST", key});
  }
}

void MgetCommand(CommandContext& ctx) {
  ctx.reply->ArrayLen(ctx.argc() - 1);
  for (size_t j = 1; j < ctx.argc(); j++) {
    Record* r = ctx.db->LookupRead(ctx.arg(j));
    if (!r || r->type() != ObjType::kString) {
      ctx.reply->Null();
    } else {
      ReplyStringValue(ctx, r);
    }
  }
}

void MsetGeneric(CommandContext& ctx, bool nx) {
  if (ctx.argc() % 2 == 0) {
    ctx.reply->Error(proto::WrongArity(nx ? "msetnx" : "mset"));
    return;
  }
  Database& db = *ctx.db;
  if (nx) {
    for (size_t j = 1; j < ctx.argc(); j += 2) {
      if (db.LookupWrite(ctx.arg(j))) {
        ctx.reply->Integer(0);
        return;
      }
    }
  }
  for (size_t j = 1; j < ctx.argc(); j += 2) {
    std::string_view key = ctx.arg(j);
    bool created;
    db.Set(key, ValueInit::FromString(ctx.arg(j + 1)), false, &created);
    if (created) NotifyNew(ctx, db, key);
    Modified(ctx, db, key, notify::kString, "set");
  }
  if (nx) {
    ctx.reply->Integer(1);
  } else {
    ctx.reply->Ok();
  }
}

void MsetCommand(CommandContext& ctx) { MsetGeneric(ctx, false); }
void MsetnxCommand(CommandContext& ctx) { MsetGeneric(ctx, true); }

void IncrDecr(CommandContext& ctx, int64_t delta) {
  std::string_view key = ctx.arg(1);
  int64_t value;
  bool created;
  OpResult res = strops::IncrBy(*ctx.db, key, delta, &value, &created);
  if (res != OpResult::kOk) {
    ctx.reply->Error(strops::ErrorText(res));
    return;
  }
  if (created) NotifyNew(ctx, *ctx.db, key);
  Modified(ctx, *ctx.db, key, notify::kString, "incrby");
  ctx.reply->Integer(value);
}

void IncrCommand(CommandContext& ctx) { IncrDecr(ctx, 1); }
void DecrCommand(CommandContext& ctx) { IncrDecr(ctx, -1); }

void IncrbyCommand(CommandContext& ctx) {
  int64_t by;
  if (!ParseInt64OrReply(ctx, ctx.arg(2), &by)) return;
  IncrDecr(ctx, by);
}

void DecrbyCommand(CommandContext& ctx) {
  int64_t by;
  if (!ParseInt64OrReply(ctx, ctx.arg(2), &by)) return;
  if (by == LLONG_MIN) {
    ctx.reply->Error(proto::kErrDecrementOverflow);
    return;
  }
  IncrDecr(ctx, -by);
}

void IncrbyfloatCommand(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  std::string text;
  bool created;
  OpResult res = strops::IncrByFloat(*ctx.db, key, ctx.arg(2), &text, &created);
  if (res != OpResult::kOk) {
    ctx.reply->Error(strops::ErrorText(res));
    return;
  }
  if (created) NotifyNew(ctx, *ctx.db, key);
  Modified(ctx, *ctx.db, key, notify::kString, "incrbyfloat");
  // Float formatting may differ across platforms: propagate the result, keeping the TTL.
  ctx.server->PropagateAs({"SET", key, text, "KEEPTTL"});
  ctx.reply->Bulk(text);
}

void AppendCommand(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  size_t len;
  bool created;
  OpResult res = strops::Append(*ctx.db, key, ctx.arg(2), ctx.server->cfg().proto_max_bulk_len,
                                &len, &created);
  if (res != OpResult::kOk) {
    ctx.reply->Error(strops::ErrorText(res));
    return;
  }
  if (created) NotifyNew(ctx, *ctx.db, key);
  Modified(ctx, *ctx.db, key, notify::kString, "append");
  ctx.reply->Integer(static_cast<int64_t>(len));
}

void StrlenCommand(CommandContext& ctx) {
  Record* r = ctx.db->LookupRead(ctx.arg(1));
  if (!r) {
    ctx.reply->Integer(0);
    return;
  }
  if (WrongType(ctx, r)) return;
  ctx.reply->Integer(static_cast<int64_t>(strops::StringLength(r)));
}

void SetrangeCommand(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  int64_t offset;
  if (!ParseInt64OrReply(ctx, ctx.arg(2), &offset)) return;
  if (offset < 0) {
    ctx.reply->Error(proto::kErrOffsetOutOfRange);
    return;
  }
  size_t len;
  bool created, modified;
  OpResult res = strops::SetRange(*ctx.db, key, offset, ctx.arg(3),
                                  ctx.server->cfg().proto_max_bulk_len, &len, &created, &modified);
  if (res != OpResult::kOk) {
    ctx.reply->Error(strops::ErrorText(res));
    return;
  }
  if (created) NotifyNew(ctx, *ctx.db, key);
  if (modified) Modified(ctx, *ctx.db, key, notify::kString, "setrange");
  ctx.reply->Integer(static_cast<int64_t>(len));
}

void GetrangeCommand(CommandContext& ctx) {
  int64_t start, end;
  if (!ParseInt64OrReply(ctx, ctx.arg(2), &start)) return;
  if (!ParseInt64OrReply(ctx, ctx.arg(3), &end)) return;
  Record* r = ctx.db->LookupRead(ctx.arg(1));
  if (!r) {
    ctx.reply->Bulk("");
    return;
  }
  if (WrongType(ctx, r)) return;
  char buf[24];
  ctx.reply->Bulk(strops::Slice(r->StringValue(buf), start, end));
}

void LcsCommand(CommandContext& ctx) {
  Database& db = *ctx.db;
  Record* ra = db.LookupRead(ctx.arg(1));
  Record* rb = db.LookupRead(ctx.arg(2));
  if ((ra && ra->type() != ObjType::kString) || (rb && rb->type() != ObjType::kString)) {
    ctx.reply->Error(proto::kErrLcsNotStrings);
    return;
  }
  // Both records stay put: nothing below writes to the database.
  char bufa[24], bufb[24];
  std::string_view a = ra ? ra->StringValue(bufa) : std::string_view();
  std::string_view b = rb ? rb->StringValue(bufb) : std::string_view();
  bool getlen = false, getidx = false, withmatchlen = false;
  int64_t minmatchlen = 0;
  for (size_t j = 3; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    bool more = j + 1 < ctx.argc();
    if (OptIs(opt, "idx")) {
      getidx = true;
    } else if (OptIs(opt, "len")) {
      getlen = true;
    } else if (OptIs(opt, "withmatchlen")) {
      withmatchlen = true;
    } else if (OptIs(opt, "minmatchlen") && more) {
      if (!ParseInt64OrReply(ctx, ctx.arg(j + 1), &minmatchlen)) return;
      if (minmatchlen < 0) minmatchlen = 0;
      j++;
    } else {
      ctx.reply->Error(proto::kErrSyntax);
      return;
    }
  }
  if (getidx && getlen) {
    ctx.reply->Error(proto::kErrLcsLenAndIdx);
    return;
  }
  strops::LcsResult res;
  strops::LcsStatus st = strops::Lcs(a, b, !getlen && !getidx, getidx, minmatchlen, &res);
  if (st == strops::LcsStatus::kTooLong) {
    ctx.reply->Error(proto::kErrLcsTooLong);
    return;
  }
  if (st == strops::LcsStatus::kNoMemory) {
    ctx.reply->Error(proto::kErrLcsNoMemory);
    return;
  }
  if (getidx) {
    ctx.reply->MapLen(2);
    ctx.reply->Bulk("matches");
    ctx.reply->ArrayLen(res.ranges.size());
    for (const auto& m : res.ranges) {
      ctx.reply->ArrayLen(withmatchlen ? 3 : 2);
      ctx.reply->ArrayLen(2);
      ctx.reply->Integer(m.a_start);
      ctx.reply->Integer(m.a_end);
      ctx.reply->ArrayLen(2);
      ctx.reply->Integer(m.b_start);
      ctx.reply->Integer(m.b_end);
      if (withmatchlen) ctx.reply->Integer(m.len());
    }
    ctx.reply->Bulk("len");
    ctx.reply->Integer(res.len);
  } else if (getlen) {
    ctx.reply->Integer(res.len);
  } else {
    ctx.reply->Bulk(res.lcs);
  }
}

constexpr uint32_t kW = kCmdWrite;
constexpr uint32_t kR = kCmdReadonly;
constexpr uint32_t kOom = kCmdDenyOom;
constexpr uint32_t kF = kCmdFast;

}  // namespace

void RegisterStringFamily(CommandTable& t) {
  const char* g = "string";
  CommandSpec get{"get", 2, kR | kF, 1, 1, 1, GetCommand, g, "@read @string @fast"};
  get.summary = "Returns the string value of a key.";
  get.since = "1.0.0";
  get.complexity = "O(1)";
  get.doc_args = "key";
  t.Register(std::move(get));
  CommandSpec set{"set", -3, kW | kOom, 1, 1, 1, SetCommand, g, "@write @string @slow"};
  set.summary =
      "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.";
  set.since = "1.0.0";
  set.complexity = "O(1)";
  set.doc_args =
      "key value [condition:NX|XX] [get:GET] [expiration:EX seconds:integer|PX "
      "milliseconds:integer|EXAT unix-time-seconds:unix-time|PXAT "
      "unix-time-milliseconds:unix-time|KEEPTTL]";
  t.Register(std::move(set));
  t.Register({"setnx", 3, kW | kOom | kF, 1, 1, 1, SetnxCommand, g, "@write @string @fast"});
  t.Register({"setex", 4, kW | kOom, 1, 1, 1, SetexCommand, g, "@write @string @slow"});
  t.Register({"psetex", 4, kW | kOom, 1, 1, 1, PsetexCommand, g, "@write @string @slow"});
  t.Register({"getset", 3, kW | kOom | kF, 1, 1, 1, GetsetCommand, g, "@write @string @fast"});
  t.Register({"getdel", 2, kW | kF, 1, 1, 1, GetdelCommand, g, "@write @string @fast"});
  t.Register({"getex", -2, kW | kF, 1, 1, 1, GetexCommand, g, "@write @string @fast"});
  t.Register({"mget", -2, kR | kF, 1, -1, 1, MgetCommand, g, "@read @string @fast"});
  t.Register({"mset", -3, kW | kOom, 1, -1, 2, MsetCommand, g, "@write @string @slow"});
  t.Register({"msetnx", -3, kW | kOom, 1, -1, 2, MsetnxCommand, g, "@write @string @slow"});
  t.Register({"incr", 2, kW | kOom | kF, 1, 1, 1, IncrCommand, g, "@write @string @fast"});
  t.Register({"decr", 2, kW | kOom | kF, 1, 1, 1, DecrCommand, g, "@write @string @fast"});
  t.Register({"incrby", 3, kW | kOom | kF, 1, 1, 1, IncrbyCommand, g, "@write @string @fast"});
  t.Register({"decrby", 3, kW | kOom | kF, 1, 1, 1, DecrbyCommand, g, "@write @string @fast"});
  t.Register({"incrbyfloat", 3, kW | kOom | kF, 1, 1, 1, IncrbyfloatCommand, g,
              "@write @string @fast"});
  t.Register({"append", 3, kW | kOom | kF, 1, 1, 1, AppendCommand, g, "@write @string @fast"});
  t.Register({"strlen", 2, kR | kF, 1, 1, 1, StrlenCommand, g, "@read @string @fast"});
  t.Register({"setrange", 4, kW | kOom, 1, 1, 1, SetrangeCommand, g, "@write @string @slow"});
  t.Register({"getrange", 4, kR, 1, 1, 1, GetrangeCommand, g, "@read @string @slow"});
  t.Register({"substr", 4, kR, 1, 1, 1, GetrangeCommand, g, "@read @string @slow"});
  t.Register({"lcs", -3, kR, 1, 2, 1, LcsCommand, g, "@read @string @slow"});
}

}  // namespace ember
