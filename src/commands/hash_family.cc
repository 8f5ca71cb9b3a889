// Hash command family: HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL
// HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, with Redis 7.2's replies, errors and event names.
//
// Handlers parse and reply; the data work is in core/hash_value.cc. Order of checks follows
// t_hash.c so the same bad input gets the same error: HSET checks the argument parity before the
// key; HINCRBY/HINCRBYFLOAT parse the increment first; HRANDFIELD parses the count before the
// lookup; HSCAN parses the cursor, then looks the key up, then the options (so a missing key with
// bad options still answers an empty scan).
//
// A failed command changes nothing: keys are created only when a write is certain to happen, and
// every error is detected before the first change.
//
// Events: hset (HSET, HMSET, HSETNX), hdel (+ del when the hash empties), hincrby, hincrbyfloat.
#include <climits>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "base/strutil.h"
#include "commands/families.h"
#include "commands/keyspace_util.h"
#include "core/database.h"
#include "core/hash_value.h"
#include "proto/errors.h"
#include "proto/reply_builder.h"
#include "server/client.h"
#include "server/command_table.h"
#include "server/server.h"
#include "types/listpack.h"

namespace ember {

namespace {

HashLimits Limits(const CommandContext& ctx) {
  const ServerConfig& c = ctx.server->cfg();
  return HashLimits{static_cast<size_t>(c.hash_max_listpack_entries),
                    static_cast<size_t>(c.hash_max_listpack_value)};
}

HashRef RefOf(const Record* r) { return HashRef{r->encoding(), r->ptr()}; }

// Stores a (possibly converted or moved) hash back into its record.
void StoreRef(Record* r, const HashRef& h) {
  if (r->ptr() != h.ptr) r->set_ptr(h.ptr);
  if (r->encoding() != h.enc) r->set_encoding(h.enc);
}

// Read lookup: null (nothing replied) when missing; replies WRONGTYPE and sets *wrong for another
// type.
Record* LookupHashRead(CommandContext& ctx, std::string_view key, bool* wrong) {
  *wrong = false;
  Record* r = ctx.db->LookupRead(key);
  if (r && r->type() != ObjType::kHash) {
    ctx.reply->Error(proto::kErrWrongType);
    *wrong = true;
    return nullptr;
  }
  return r;
}

Record* LookupHashWrite(CommandContext& ctx, std::string_view key, bool* wrong) {
  *wrong = false;
  Record* r = ctx.db->LookupWrite(key);
  if (r && r->type() != ObjType::kHash) {
    ctx.reply->Error(proto::kErrWrongType);
    *wrong = true;
    return nullptr;
  }
  return r;
}

Record* CreateHash(CommandContext& ctx, std::string_view key) {
  HashRef h = NewHash();
  return ctx.db->Add(key, ValueInit::Ptr(ObjType::kHash, h.enc, h.ptr));
}

void Changed(CommandContext& ctx, std::string_view key, const char* event, uint64_t dirty = 1) {
  ctx.server->KeyModified(*ctx.db, key, dirty);
  ctx.server->NotifyKeyspaceEvent(notify::kHash, event, key, ctx.db->id());
}

bool ClientClosing(const CommandContext& ctx) {
  return ctx.client && ctx.client->HasFlag(kClientCloseAsap);
}

// ---- writes ----

// HSET key field value [field value ...] / HMSET (same, replies +OK).
void HsetGeneric(CommandContext& ctx, bool hmset) {
  if (ctx.argc() % 2 == 1) {
    ctx.reply->Error(proto::WrongArity(hmset ? "hmset" : "hset"));
    return;
  }
  std::string_view key = ctx.arg(1);
  bool wrong;
  Record* r = LookupHashWrite(ctx, key, &wrong);
  if (wrong) return;
  if (!r) r = CreateHash(ctx, key);
  HashRef h = RefOf(r);
  HashLimits lim = Limits(ctx);
  HashTryConversion(&h, ctx.args.subspan(2), lim);
  int64_t created = 0;
  for (size_t i = 2; i < ctx.argc(); i += 2) created += HashSet(&h, ctx.arg(i), ctx.arg(i + 1), lim);
  StoreRef(r, h);
  if (hmset) {
    ctx.reply->Ok();
  } else {
    ctx.reply->Integer(created);
  }
  Changed(ctx, key, "hset", (ctx.argc() - 2) / 2);
}

void HsetCommand(CommandContext& ctx) { HsetGeneric(ctx, false); }
void HmsetCommand(CommandContext& ctx) { HsetGeneric(ctx, true); }

void HsetnxCommand(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  bool wrong;
  Record* r = LookupHashWrite(ctx, key, &wrong);
  if (wrong) return;
  if (r && HashExists(RefOf(r), ctx.arg(2))) {
    ctx.reply->Integer(0);
    return;
  }
  if (!r) r = CreateHash(ctx, key);
  HashRef h = RefOf(r);
  HashLimits lim = Limits(ctx);
  HashTryConversion(&h, ctx.args.subspan(2, 2), lim);
  HashSet(&h, ctx.arg(2), ctx.arg(3), lim);
  StoreRef(r, h);
  ctx.reply->Integer(1);
  Changed(ctx, key, "hset");
}

void HdelCommand(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  bool wrong;
  Record* r = LookupHashWrite(ctx, key, &wrong);
  if (wrong) return;
  if (!r) {
    ctx.reply->Integer(0);
    return;
  }
  HashRef h = RefOf(r);
  int64_t deleted = 0;
  bool removed = false;
  for (size_t j = 2; j < ctx.argc(); j++) {
    if (HashDelete(&h, ctx.arg(j))) {
      deleted++;
      if (HashLength(h) == 0) {
        removed = true;
        break;
      }
    }
  }
  StoreRef(r, h);
  if (removed) ctx.db->Delete(key, ctx.server->cfg().lazyfree_lazy_server_del);
  if (deleted) {
    Changed(ctx, key, "hdel", static_cast<uint64_t>(deleted));
    if (removed) ctx.server->NotifyKeyspaceEvent(notify::kGeneric, "del", key, ctx.db->id());
  }
  ctx.reply->Integer(deleted);
}

void HincrbyCommand(CommandContext& ctx) {
  int64_t incr;
  if (!ParseInt64(ctx.arg(3), &incr)) {
    ctx.reply->Error(proto::kErrNotInteger);
    return;
  }
  std::string_view key = ctx.arg(1);
  bool wrong;
  Record* r = LookupHashWrite(ctx, key, &wrong);
  if (wrong) return;
  int64_t value = 0;
  if (r) {
    hpack::Scratch sc;
    std::string_view cur;
    if (HashGet(RefOf(r), ctx.arg(2), &sc, &cur) && !ParseInt64(cur, &value)) {
      ctx.reply->Error(proto::kErrHashValueNotInteger);
      return;
    }
  }
  if ((incr < 0 && value < 0 && incr < (LLONG_MIN - value)) ||
      (incr > 0 && value > 0 && incr > (LLONG_MAX - value))) {
    ctx.reply->Error(proto::kErrOverflow);
    return;
  }
  value += incr;
  if (!r) r = CreateHash(ctx, key);
  HashRef h = RefOf(r);
  char buf[24];
  HashSet(&h, ctx.arg(2), std::string_view(buf, Int64ToChars(value, buf)), Limits(ctx));
  StoreRef(r, h);
  ctx.reply->Integer(value);
  Changed(ctx, key, "hincrby");
}

void HincrbyfloatCommand(CommandContext& ctx) {
  long double incr;
  if (!ParseLongDouble(ctx.arg(3), &incr)) {
    ctx.reply->Error(proto::kErrNotFloat);
    return;
  }
  if (std::isnan(incr) || std::isinf(incr)) {
    ctx.reply->Error(proto::kErrValueNanOrInf);
    return;
  }
  std::string_view key = ctx.arg(1);
  bool wrong;
  Record* r = LookupHashWrite(ctx, key, &wrong);
  if (wrong) return;
  long double value = 0;
  if (r) {
    hpack::Scratch sc;
    std::string_view cur;
    if (HashGet(RefOf(r), ctx.arg(2), &sc, &cur) && !ParseLongDouble(cur, &value)) {
      ctx.reply->Error(proto::kErrHashValueNotFloat);
      return;
    }
  }
  value += incr;
  std::string text;
  if (std::isnan(value) || std::isinf(value) || !LongDoubleToHumanString(value, &text)) {
    ctx.reply->Error(proto::kErrIncrNanOrInf);
    return;
  }
  if (!r) r = CreateHash(ctx, key);
  HashRef h = RefOf(r);
  HashSet(&h, ctx.arg(2), text, Limits(ctx));
  StoreRef(r, h);
  ctx.reply->Bulk(text);
  Changed(ctx, key, "hincrbyfloat");
  // Propagated as the resulting value (float formatting must not differ on replay).
  ctx.server->PropagateAs({"HSET", key, ctx.arg(2), text});
}

// ---- reads ----

void HgetCommand(CommandContext& ctx) {
  bool wrong;
  Record* r = LookupHashRead(ctx, ctx.arg(1), &wrong);
  if (wrong) return;
  hpack::Scratch sc;
  std::string_view v;
  if (r && HashGet(RefOf(r), ctx.arg(2), &sc, &v)) {
    ctx.reply->Bulk(v);
  } else {
    ctx.reply->Null();
  }
}

void HmgetCommand(CommandContext& ctx) {
  bool wrong;
  Record* r = LookupHashRead(ctx, ctx.arg(1), &wrong);
  if (wrong) return;
  ctx.reply->ArrayLen(ctx.argc() - 2);
  hpack::Scratch sc;
  for (size_t i = 2; i < ctx.argc(); i++) {
    std::string_view v;
    if (r && HashGet(RefOf(r), ctx.arg(i), &sc, &v)) {
      ctx.reply->Bulk(v);
    } else {
      ctx.reply->Null();
    }
  }
}

void HlenCommand(CommandContext& ctx) {
  bool wrong;
  Record* r = LookupHashRead(ctx, ctx.arg(1), &wrong);
  if (wrong) return;
  ctx.reply->Integer(r ? static_cast<int64_t>(HashLength(RefOf(r))) : 0);
}

void HstrlenCommand(CommandContext& ctx) {
  bool wrong;
  Record* r = LookupHashRead(ctx, ctx.arg(1), &wrong);
  if (wrong) return;
  ctx.reply->Integer(r ? static_cast<int64_t>(HashStrlen(RefOf(r), ctx.arg(2))) : 0);
}

void HexistsCommand(CommandContext& ctx) {
  bool wrong;
  Record* r = LookupHashRead(ctx, ctx.arg(1), &wrong);
  if (wrong) return;
  ctx.reply->Integer(r && HashExists(RefOf(r), ctx.arg(2)) ? 1 : 0);
}

enum GetAllFlags { kFields = 1, kValues = 2 };

void HgetallGeneric(CommandContext& ctx, int flags) {
  bool wrong;
  Record* r = LookupHashRead(ctx, ctx.arg(1), &wrong);
  if (wrong) return;
  bool both = flags == (kFields | kValues);
  size_t n = r ? HashLength(RefOf(r)) : 0;
  if (both) {
    ctx.reply->MapLen(n);
  } else {
    ctx.reply->ArrayLen(n);
  }
  if (!r) return;
  HashForEach(RefOf(r), [&](std::string_view f, std::string_view v) {
    if (flags & kFields) ctx.reply->Bulk(f);
    if (flags & kValues) ctx.reply->Bulk(v);
  });
}

void HkeysCommand(CommandContext& ctx) { HgetallGeneric(ctx, kFields); }
void HvalsCommand(CommandContext& ctx) { HgetallGeneric(ctx, kValues); }
void HgetallCommand(CommandContext& ctx) { HgetallGeneric(ctx, kFields | kValues); }

// ---- HRANDFIELD ----

void ReplyPair(CommandContext& ctx, const HashRef& h, HashPairHandle p, bool withvalues,
               hpack::Scratch* sf, hpack::Scratch* sv) {
  if (withvalues && ctx.reply->Protocol() == 3) ctx.reply->ArrayLen(2);
  ctx.reply->Bulk(HashPairField(h, p, sf));
  if (withvalues) ctx.reply->Bulk(HashPairValue(h, p, sv));
}

void HrandfieldWithCount(CommandContext& ctx, int64_t l, bool withvalues) {
  bool wrong;
  Record* r = LookupHashRead(ctx, ctx.arg(1), &wrong);
  if (wrong) return;
  if (!r) {
    ctx.reply->ArrayLen(0);
    return;
  }
  HashRef h = RefOf(r);
  size_t size = HashLength(h);
  bool uniq = l >= 0;
  uint64_t count = l >= 0 ? static_cast<uint64_t>(l) : static_cast<uint64_t>(-l);
  if (count == 0) {
    ctx.reply->ArrayLen(0);
    return;
  }
  bool resp2 = ctx.reply->Protocol() == 2;
  hpack::Scratch sf, sv;
  // Case 1: repeats allowed (or a single pick): draw `count` times.
  if (!uniq || count == 1) {
    ctx.reply->ArrayLen(withvalues && resp2 ? count * 2 : count);
    std::vector<HashPairHandle> all;
    if (h.enc == Encoding::kListpack) HashAllPairs(h, &all);
    for (uint64_t i = 0; i < count; i++) {
      HashPairHandle p = h.enc == Encoding::kListpack ? all[lp::RandomU64() % all.size()]
                                                      : HashRandomPair(h);
      ReplyPair(ctx, h, p, withvalues, &sf, &sv);
      if ((i & 1023) == 1023 && ClientClosing(ctx)) break;
    }
    return;
  }
  uint64_t reply_size = count < size ? count : size;
  ctx.reply->ArrayLen(withvalues && resp2 ? reply_size * 2 : reply_size);
  std::vector<HashPairHandle> picks;
  if (count >= size) {
    // Case 2: the whole hash.
    HashAllPairs(h, &picks);
  } else {
    HashRandomDistinctPairs(h, count, &picks);
  }
  for (HashPairHandle p : picks) ReplyPair(ctx, h, p, withvalues, &sf, &sv);
}

void HrandfieldCommand(CommandContext& ctx) {
  if (ctx.argc() >= 3) {
    int64_t l;
    if (!ParseInt64(ctx.arg(2), &l)) {
      ctx.reply->Error(proto::kErrNotInteger);
      return;
    }
    if (l < -LLONG_MAX) {
      ctx.reply->Error(proto::OutOfRangeBetween(-LLONG_MAX, LLONG_MAX));
      return;
    }
    bool withvalues = false;
    if (ctx.argc() > 4 || (ctx.argc() == 4 && !EqualsIgnoreCase(ctx.arg(3), "withvalues"))) {
      ctx.reply->Error(proto::kErrSyntax);
      return;
    }
    if (ctx.argc() == 4) {
      withvalues = true;
      if (l < -LLONG_MAX / 2 || l > LLONG_MAX / 2) {
        ctx.reply->Error(proto::kErrValueOutOfRange);
        return;
      }
    }
    HrandfieldWithCount(ctx, l, withvalues);
    return;
  }
  bool wrong;
  Record* r = LookupHashRead(ctx, ctx.arg(1), &wrong);
  if (wrong) return;
  if (!r) {
    ctx.reply->Null();
    return;
  }
  HashRef h = RefOf(r);
  hpack::Scratch sc;
  ctx.reply->Bulk(HashPairField(h, HashRandomPair(h), &sc));
}

// ---- HSCAN ----

void HscanCommand(CommandContext& ctx) {
  uint64_t cursor;
  if (!keyspace::ParseScanCursor(ctx.arg(2), &cursor)) {
    ctx.reply->Error(proto::kErrInvalidCursor);
    return;
  }
  bool wrong;
  Record* r = LookupHashRead(ctx, ctx.arg(1), &wrong);
  if (wrong) return;
  if (!r) {
    ctx.reply->ArrayLen(2);
    ctx.reply->Bulk("0");
    ctx.reply->ArrayLen(0);
    return;
  }
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;
  for (size_t i = 3; i < ctx.argc();) {
    size_t left = ctx.argc() - i;
    if (EqualsIgnoreCase(ctx.arg(i), "count") && left >= 2) {
      if (!ParseInt64(ctx.arg(i + 1), &count)) {
        ctx.reply->Error(proto::kErrNotInteger);
        return;
      }
      if (count < 1) {
        ctx.reply->Error(proto::kErrSyntax);
        return;
      }
      i += 2;
    } else if (EqualsIgnoreCase(ctx.arg(i), "match") && left >= 2) {
      pattern = ctx.arg(i + 1);
      use_pattern = pattern != "*";
      i += 2;
    } else {
      ctx.reply->Error(proto::kErrSyntax);
      return;
    }
  }
  HashRef h = RefOf(r);
  std::vector<std::pair<std::string_view, std::string_view>> items;
  std::deque<std::string> ints;  // listpack integers formatted as text (stable addresses)
  if (h.enc == Encoding::kListpack) {
    items.reserve(HashLength(h));
    hpack::Scratch sf, sv;
    hpack::ForEachPair(h.packed(), [&](const uint8_t* f, const uint8_t* v) {
      std::string_view fs = hpack::Get(f, &sf), vs = hpack::Get(v, &sv);
      if (use_pattern && !GlobMatch(pattern, fs)) return true;
      if (fs.data() == sf.buf) fs = ints.emplace_back(fs);
      if (vs.data() == sv.buf) vs = ints.emplace_back(vs);
      items.emplace_back(fs, vs);
      return true;
    });
    cursor = 0;
  } else {
    // Redis counts fields and values against COUNT, and stops after COUNT*10 chain visits.
    uint64_t max_iterations = static_cast<uint64_t>(count) * 10;
    size_t collected = 0;
    do {
      cursor = HashScanStep(h, cursor, [&](std::string_view f, std::string_view v) {
        collected += 2;
        if (use_pattern && !GlobMatch(pattern, f)) return;
        items.emplace_back(f, v);
      });
    } while (cursor && max_iterations-- && collected < static_cast<uint64_t>(count));
  }
  ctx.reply->ArrayLen(2);
  char buf[24];
  int n = std::snprintf(buf, sizeof(buf), "%llu", static_cast<unsigned long long>(cursor));
  ctx.reply->Bulk(std::string_view(buf, static_cast<size_t>(n)));
  ctx.reply->ArrayLen(items.size() * 2);
  for (auto& [f, v] : items) {
    ctx.reply->Bulk(f);
    ctx.reply->Bulk(v);
  }
}

}  // namespace

void RegisterHashFamily(CommandTable& t) {
  constexpr uint32_t kW = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr uint32_t kR = kCmdReadonly | kCmdFast;
  const char* g = "hash";
  t.Register({"hset", -4, kW, 1, 1, 1, HsetCommand, g, "@write @hash @fast"});
  t.Register({"hsetnx", 4, kW, 1, 1, 1, HsetnxCommand, g, "@write @hash @fast"});
  t.Register({"hmset", -4, kW, 1, 1, 1, HmsetCommand, g, "@write @hash @fast"});
  t.Register({"hget", 3, kR, 1, 1, 1, HgetCommand, g, "@read @hash @fast"});
  t.Register({"hmget", -3, kR, 1, 1, 1, HmgetCommand, g, "@read @hash @fast"});
  t.Register({"hdel", -3, kCmdWrite | kCmdFast, 1, 1, 1, HdelCommand, g, "@write @hash @fast"});
  t.Register({"hlen", 2, kR, 1, 1, 1, HlenCommand, g, "@read @hash @fast"});
  t.Register({"hstrlen", 3, kR, 1, 1, 1, HstrlenCommand, g, "@read @hash @fast"});
  t.Register({"hexists", 3, kR, 1, 1, 1, HexistsCommand, g, "@read @hash @fast"});
  t.Register({"hkeys", 2, kCmdReadonly, 1, 1, 1, HkeysCommand, g, "@read @hash @slow"});
  t.Register({"hvals", 2, kCmdReadonly, 1, 1, 1, HvalsCommand, g, "@read @hash @slow"});
  t.Register({"hgetall", 2, kCmdReadonly, 1, 1, 1, HgetallCommand, g, "@read @hash @slow"});
  t.Register({"hincrby", 4, kW, 1, 1, 1, HincrbyCommand, g, "@write @hash @fast"});
  t.Register({"hincrbyfloat", 4, kW, 1, 1, 1, HincrbyfloatCommand, g, "@write @hash @fast"});
  t.Register({"hrandfield", -2, kCmdReadonly, 1, 1, 1, HrandfieldCommand, g, "@read @hash @slow"});
  t.Register({"hscan", -3, kCmdReadonly, 1, 1, 1, HscanCommand, g, "@read @hash @slow"});
}

}  // namespace ember
