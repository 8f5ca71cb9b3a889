// Sorted-set command family: registration and the point commands (ZADD ZINCRBY ZREM ZCARD ZSCORE
// ZMSCORE ZRANK ZREVRANK ZPOPMIN ZPOPMAX ZMPOP ZRANDMEMBER ZSCAN). Ranges live in zset_range.cc,
// the multi-key algebra in zset_setops.cc, the data work in core/zset_value.cc.
//
// Every handler follows Redis 7.2's t_zset.c order of checks (syntax before the key lookup where
// Redis does so, WRONGTYPE from the lookup, then the work), writes the value back into the record
// (OpenForWrite before a change, StoreZset after it: small listpacks live inside the record),
// deletes a key that became empty, and signals the change (KeyModified + keyspace events with
// Redis's event names).
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/strutil.h"
#include "commands/families.h"
#include "commands/zset_internal.h"
#include "commands/keyspace_util.h"
#include "server/command_table.h"
#include "types/listpack.h"

namespace ember {
namespace zcmd {

namespace {

constexpr std::string_view kErrNanScore = "ERR resulting score is not a number (NaN)";

void ZaddGeneric(CommandContext& ctx, int flags) {
  auto args = ctx.args;
  size_t argc = args.size();
  std::string_view key = args[1];
  size_t scoreidx = 2;
  bool ch = false;
  while (scoreidx < argc) {
    std::string_view opt = args[scoreidx];
    if (EqualsIgnoreCase(opt, "nx")) {
      flags |= kZaddNx;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      flags |= kZaddXx;
    } else if (EqualsIgnoreCase(opt, "ch")) {
      ch = true;
    } else if (EqualsIgnoreCase(opt, "incr")) {
      flags |= kZaddIncr;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      flags |= kZaddGt;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      flags |= kZaddLt;
    } else {
      break;
    }
    scoreidx++;
  }
  bool incr = flags & kZaddIncr, nx = flags & kZaddNx, xx = flags & kZaddXx;
  bool gt = flags & kZaddGt, lt = flags & kZaddLt;
  size_t elements = argc - scoreidx;
  if (elements % 2 || elements == 0) {
    ctx.reply->Error(proto::kErrSyntax);
    return;
  }
  elements /= 2;
  if (nx && xx) {
    ctx.reply->Error(proto::kErrXxAndNx);
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    ctx.reply->Error(proto::kErrGtLtNx);
    return;
  }
  if (incr && elements > 1) {
    ctx.reply->Error(proto::kErrZaddIncrPairs);
    return;
  }
  // All scores first: the command either runs fully or not at all.
  double stack_scores[16];
  std::vector<double> heap_scores;
  double* scores = stack_scores;
  if (elements > 16) {
    heap_scores.resize(elements);
    scores = heap_scores.data();
  }
  for (size_t j = 0; j < elements; j++) {
    if (!ParseDouble(args[scoreidx + j * 2], &scores[j])) {
      ctx.reply->Error(proto::kErrNotFloat);
      return;
    }
  }
  bool wrongtype;
  Record* r = LookupWrite(ctx, key, &wrongtype);
  if (wrongtype) return;
  size_t added = 0, updated = 0, processed = 0;
  double score = 0;
  if (!r && xx) {
    // No key + XX: nothing to do.
  } else {
    ZsetLimits lim = Limits(ctx);
    Zset z;
    bool created = !r;
    if (created) {
      // The key is added once filled (Database::Add may copy a small listpack into the record).
      z = Zset::Create(elements, args[scoreidx + 1].size(), lim);
    } else {
      z = OpenForWrite(ctx, &r);
      z.MaybeConvert(elements, lim);
    }
    bool nan = false;
    for (size_t j = 0; j < elements; j++) {
      int out = 0;
      double newscore = 0;
      if (!z.Add(scores[j], args[scoreidx + 1 + j * 2], flags, lim, &out, &newscore)) {
        nan = true;
        break;
      }
      if (out & kZaddOutAdded) added++;
      if (out & kZaddOutUpdated) updated++;
      if (!(out & kZaddOutNop)) processed++;
      score = newscore;
    }
    if (!created) {
      StoreZset(ctx, &r, z);
    } else if (z.Length() == 0) {
      z.Free();  // not reachable today: a new key cannot get a NaN score
    } else {
      r = ctx.db->Add(key, z.ToValueInit());
      ctx.server->SignalKeyAsReady(*ctx.db, key);
    }
    if (added || updated) {
      ctx.server->KeyModified(*ctx.db, key, nan ? 0 : added + updated);
      ctx.server->NotifyKeyspaceEvent(notify::kZset, incr ? "zincr" : "zadd", key, ctx.db->id());
    }
    if (nan) {
      ctx.reply->Error(kErrNanScore);
      return;
    }
  }
  if (incr) {
    if (processed) {
      ctx.reply->Double(score);
    } else {
      ctx.reply->Null();
    }
  } else {
    ctx.reply->Integer(static_cast<int64_t>(ch ? added + updated : added));
  }
}

}  // namespace

bool ParseLongOrReply(CommandContext& ctx, std::string_view s, long* out, std::string_view err) {
  int64_t v;
  if (!ParseInt64(s, &v)) {
    ctx.reply->Error(err);
    return false;
  }
  *out = static_cast<long>(v);
  return true;
}

void FinishRemoval(CommandContext& ctx, std::string_view key, Record* r, Zset z,
                   std::string_view event, size_t dirty) {
  bool removed = z.Length() == 0;
  if (removed) {
    z.StoreInto(r);  // the record holds the (empty, external) value Delete frees
    ctx.db->Delete(key);
  } else {
    StoreZset(ctx, &r, z);
  }
  ctx.server->KeyModified(*ctx.db, key, dirty);
  ctx.server->NotifyKeyspaceEvent(notify::kZset, event, key, ctx.db->id());
  if (removed) ctx.server->NotifyKeyspaceEvent(notify::kGeneric, "del", key, ctx.db->id());
}

void ZaddCommand(CommandContext& ctx) { ZaddGeneric(ctx, kZaddNone); }
void ZincrbyCommand(CommandContext& ctx) { ZaddGeneric(ctx, kZaddIncr); }

void ZremCommand(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  bool wrongtype;
  Record* r = LookupWrite(ctx, key, &wrongtype);
  if (wrongtype) return;
  if (!r) {
    ctx.reply->Integer(0);
    return;
  }
  Zset z = OpenForWrite(ctx, &r);
  size_t deleted = 0;
  for (size_t j = 2; j < ctx.argc(); j++) {
    if (z.Delete(ctx.arg(j))) deleted++;
    if (z.Length() == 0) break;
  }
  if (deleted) {
    FinishRemoval(ctx, key, r, z, "zrem", deleted);
  } else {
    StoreZset(ctx, &r, z);
  }
  ctx.reply->Integer(static_cast<int64_t>(deleted));
}

void ZcardCommand(CommandContext& ctx) {
  bool wrongtype;
  Record* r = LookupRead(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  ctx.reply->Integer(r ? static_cast<int64_t>(Zset::Of(r).Length()) : 0);
}

void ZscoreCommand(CommandContext& ctx) {
  bool wrongtype;
  Record* r = LookupRead(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  double score;
  if (!r || !Zset::Of(r).Score(ctx.arg(2), &score)) {
    ctx.reply->Null();
  } else {
    ctx.reply->Double(score);
  }
}

void ZmscoreCommand(CommandContext& ctx) {
  bool wrongtype;
  Record* r = LookupRead(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  ctx.reply->ArrayLen(ctx.argc() - 2);
  for (size_t j = 2; j < ctx.argc(); j++) {
    double score;
    if (!r || !Zset::Of(r).Score(ctx.arg(j), &score)) {
      ctx.reply->Null();
    } else {
      ctx.reply->Double(score);
    }
  }
}

namespace {
void ZrankGeneric(CommandContext& ctx, bool reverse) {
  if (ctx.argc() > 4) {
    ctx.reply->Error(proto::WrongArity(reverse ? "zrevrank" : "zrank"));
    return;
  }
  bool withscore = false;
  if (ctx.argc() > 3) {
    if (!EqualsIgnoreCase(ctx.arg(3), "withscore")) {
      ctx.reply->Error(proto::kErrSyntax);
      return;
    }
    withscore = true;
  }
  bool wrongtype;
  Record* r = LookupRead(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  double score = 0;
  long rank = r ? Zset::Of(r).Rank(ctx.arg(2), reverse, &score) : -1;
  if (rank < 0) {
    if (withscore) {
      ctx.reply->NullArray();
    } else {
      ctx.reply->Null();
    }
    return;
  }
  if (withscore) ctx.reply->ArrayLen(2);
  ctx.reply->Integer(rank);
  if (withscore) ctx.reply->Double(score);
}
}  // namespace

void ZrankCommand(CommandContext& ctx) { ZrankGeneric(ctx, false); }
void ZrevrankCommand(CommandContext& ctx) { ZrankGeneric(ctx, true); }

// ---- pops --------------------------------------------------------------------------------------

void GenericZpop(CommandContext& ctx, std::span<const std::string_view> keys, bool max, bool emitkey,
                 long count, bool use_nested_array, bool reply_nil_when_empty) {
  Record* r = nullptr;
  std::string_view key;
  for (std::string_view k : keys) {
    bool wrongtype;
    r = LookupWrite(ctx, k, &wrongtype);
    if (wrongtype) return;
    if (r) {
      key = k;
      break;
    }
  }
  proto::ReplyBuilder* rb = ctx.reply;
  if (!r) {
    if (reply_nil_when_empty) {
      rb->NullArray();
    } else {
      rb->ArrayLen(0);
    }
    return;
  }
  if (count == 0) {
    rb->ArrayLen(0);
    return;
  }
  if (count == -1) count = 1;
  Zset z = OpenForWrite(ctx, &r);
  size_t llen = z.Length();
  size_t rangelen = static_cast<size_t>(count) > llen ? llen : static_cast<size_t>(count);
  if (!use_nested_array && !emitkey) {
    rb->ArrayLen(rangelen * 2);
  } else if (use_nested_array && !emitkey) {
    rb->ArrayLen(rangelen);
  } else if (!use_nested_array && emitkey) {
    rb->ArrayLen(rangelen * 2 + 1);
    rb->Bulk(key);
  } else {
    rb->ArrayLen(2);
    rb->Bulk(key);
    rb->ArrayLen(rangelen);
  }
  std::string member;
  for (size_t i = 0; i < rangelen; i++) {
    double score;
    z.PopEdge(max, &member, &score);
    if (use_nested_array) rb->ArrayLen(2);
    rb->Bulk(member);
    rb->Double(score);
  }
  FinishRemoval(ctx, key, r, z, max ? "zpopmax" : "zpopmin", rangelen);
  // Every pop (ZMPOP, BZPOPMIN served later, ...) is propagated as the plain ZPOPMIN/ZPOPMAX.
  if (ctx.server->propagating()) {
    std::string n = std::to_string(rangelen);
    ctx.server->PropagateAs({max ? "ZPOPMAX" : "ZPOPMIN", key, n});
  }
}

namespace {
void ZpopMinMax(CommandContext& ctx, bool max) {
  if (ctx.argc() > 3) {
    ctx.reply->Error(proto::kErrSyntax);
    return;
  }
  long count = -1;
  if (ctx.argc() == 3) {
    // getPositiveLongFromObjectOrReply: one message for non-integers and negatives.
    if (!ParseLongOrReply(ctx, ctx.arg(2), &count, proto::kErrOutOfRangePositive)) return;
    if (count < 0) {
      ctx.reply->Error(proto::kErrOutOfRangePositive);
      return;
    }
  }
  bool nested = ctx.reply->Protocol() > 2 && count != -1;
  GenericZpop(ctx, ctx.args.subspan(1, 1), max, false, count, nested, false);
}
}  // namespace

void ZpopminCommand(CommandContext& ctx) { ZpopMinMax(ctx, false); }
void ZpopmaxCommand(CommandContext& ctx) { ZpopMinMax(ctx, true); }

// ---- blocking pops ------------------------------------------------------------------------------

namespace {
// Redis's blockingGenericZpopCommand: pops from the first non-empty zset among `keys`, else blocks
// (or replies a null array when the client may not block). Served clients re-run this handler.
void BlockingZpop(CommandContext& ctx, std::span<const std::string_view> keys, bool max,
                  std::string_view timeout_arg, long count, bool use_nested_array,
                  bool reply_nil_when_empty) {
  int64_t deadline;
  if (!ParseBlockTimeout(timeout_arg, ctx.server->env().now_ms, &deadline, ctx.reply)) return;
  for (size_t i = 0; i < keys.size(); i++) {
    bool wrongtype;
    Record* r = LookupWrite(ctx, keys[i], &wrongtype);
    if (wrongtype) return;
    if (!r || Zset::Of(r).Length() == 0) continue;
    GenericZpop(ctx, keys.subspan(i, 1), max, true, count, use_nested_array, reply_nil_when_empty);
    return;
  }
  if (!Blocking::CanBlock(ctx.client)) {
    ctx.reply->NullArray();
    return;
  }
  ctx.server->blocking().BlockForKeys(ctx, keys, ObjType::kZSet, deadline,
                                      BlockTimeoutReply::kNullArray);
}

// ZMPOP / BZMPOP argument parsing (numkeys at numkeys_idx, then keys, MIN|MAX, [COUNT n]).
bool ParseMpop(CommandContext& ctx, size_t numkeys_idx, long* numkeys, bool* max, long* count) {
  constexpr std::string_view kErrNumkeys = "ERR numkeys should be greater than 0";
  constexpr std::string_view kErrCount = "ERR count should be greater than 0";
  if (!ParseLongOrReply(ctx, ctx.arg(numkeys_idx), numkeys, kErrNumkeys)) return false;
  if (*numkeys < 1) {
    ctx.reply->Error(kErrNumkeys);
    return false;
  }
  size_t argc = ctx.argc();
  if (static_cast<size_t>(*numkeys) >= argc - numkeys_idx - 1) {
    ctx.reply->Error(proto::kErrSyntax);
    return false;
  }
  size_t where_idx = numkeys_idx + 1 + static_cast<size_t>(*numkeys);
  if (EqualsIgnoreCase(ctx.arg(where_idx), "min")) {
    *max = false;
  } else if (EqualsIgnoreCase(ctx.arg(where_idx), "max")) {
    *max = true;
  } else {
    ctx.reply->Error(proto::kErrSyntax);
    return false;
  }
  *count = -1;
  for (size_t j = where_idx + 1; j < argc; j++) {
    if (*count == -1 && EqualsIgnoreCase(ctx.arg(j), "count") && j + 1 < argc) {
      j++;
      if (!ParseLongOrReply(ctx, ctx.arg(j), count, kErrCount)) return false;
      if (*count < 1) {
        ctx.reply->Error(kErrCount);
        return false;
      }
    } else {
      ctx.reply->Error(proto::kErrSyntax);
      return false;
    }
  }
  if (*count == -1) *count = 1;
  return true;
}
}  // namespace

void BzpopminCommand(CommandContext& ctx) {
  BlockingZpop(ctx, ctx.args.subspan(1, ctx.argc() - 2), false, ctx.arg(ctx.argc() - 1), -1, false,
               false);
}
void BzpopmaxCommand(CommandContext& ctx) {
  BlockingZpop(ctx, ctx.args.subspan(1, ctx.argc() - 2), true, ctx.arg(ctx.argc() - 1), -1, false,
               false);
}
void ZmpopCommand(CommandContext& ctx) {
  long numkeys, count;
  bool max;
  if (!ParseMpop(ctx, 1, &numkeys, &max, &count)) return;
  GenericZpop(ctx, ctx.args.subspan(2, static_cast<size_t>(numkeys)), max, true, count, true, true);
}

void BzmpopCommand(CommandContext& ctx) {
  long numkeys, count;
  bool max;
  if (!ParseMpop(ctx, 2, &numkeys, &max, &count)) return;
  BlockingZpop(ctx, ctx.args.subspan(3, static_cast<size_t>(numkeys)), max, ctx.arg(1), count, true,
               true);
}

// ---- ZRANDMEMBER -------------------------------------------------------------------------------

namespace {
void ReplyPairs(proto::ReplyBuilder* rb, const std::vector<std::pair<std::string, double>>& v,
                bool withscores) {
  for (const auto& [m, s] : v) {
    if (withscores && rb->Protocol() > 2) rb->ArrayLen(2);
    rb->Bulk(m);
    if (withscores) rb->Double(s);
  }
}
}  // namespace

void ZrandmemberCommand(CommandContext& ctx) {
  proto::ReplyBuilder* rb = ctx.reply;
  if (ctx.argc() >= 3) {
    long l;
    if (!ParseLongOrReply(ctx, ctx.arg(2), &l)) return;
    if (l < -LONG_MAX) {
      rb->Error(proto::OutOfRangeBetween(-LONG_MAX, LONG_MAX));
      return;
    }
    bool withscores = false;
    if (ctx.argc() > 4 || (ctx.argc() == 4 && !EqualsIgnoreCase(ctx.arg(3), "withscores"))) {
      rb->Error(proto::kErrSyntax);
      return;
    }
    if (ctx.argc() == 4) {
      withscores = true;
      if (l < -LONG_MAX / 2 || l > LONG_MAX / 2) {
        rb->Error("ERR value is out of range");
        return;
      }
    }
    bool wrongtype;
    Record* r = LookupRead(ctx, ctx.arg(1), &wrongtype);
    if (wrongtype) return;
    if (!r || l == 0) {
      rb->ArrayLen(0);
      return;
    }
    Zset z = Zset::Of(r);
    size_t size = z.Length();
    bool uniq = l >= 0;
    size_t count = uniq ? static_cast<size_t>(l) : static_cast<size_t>(-l);
    bool resp2 = rb->Protocol() == 2;
    std::vector<std::pair<std::string, double>> batch;
    if (!uniq || count == 1) {
      rb->ArrayLen(withscores && resp2 ? count * 2 : count);
      while (count > 0) {
        size_t n = count > 1000 ? 1000 : count;
        count -= n;
        batch.clear();
        z.RandomWithReplacement(n, &batch);
        ReplyPairs(rb, batch, withscores);
      }
      return;
    }
    size_t reply_size = count < size ? count : size;
    rb->ArrayLen(withscores && resp2 ? reply_size * 2 : reply_size);
    if (count >= size) {
      // The whole zset, walked from the highest element down as Redis's zuiNext does.
      for (ZsetIter it = z.AtRank(size - 1); it.Valid(); it.Prev()) {
        if (withscores && !resp2) rb->ArrayLen(2);
        ReplyMember(rb, it);
        if (withscores) rb->Double(it.Score());
      }
      return;
    }
    z.RandomDistinct(count, &batch);
    ReplyPairs(rb, batch, withscores);
    return;
  }
  bool wrongtype;
  Record* r = LookupRead(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  if (!r) {
    rb->Null();
    return;
  }
  char buf[24];
  Zset::Pair p = Zset::Of(r).RandomElement(buf);
  rb->Bulk(p.member);
}

// ---- ZSCAN -------------------------------------------------------------------------------------


void ZscanCommand(CommandContext& ctx) {
  proto::ReplyBuilder* rb = ctx.reply;
  uint64_t cursor;
  if (!keyspace::ParseScanCursor(ctx.arg(2), &cursor)) {
    rb->Error(proto::kErrInvalidCursor);
    return;
  }
  bool wrongtype;
  Record* r = LookupRead(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  if (!r) {
    rb->ArrayLen(2);
    rb->Bulk("0");
    rb->ArrayLen(0);
    return;
  }
  long count = 10;
  std::string_view pattern;
  bool use_pattern = false;
  for (size_t i = 3; i < ctx.argc();) {
    size_t left = ctx.argc() - i;
    if (EqualsIgnoreCase(ctx.arg(i), "count") && left >= 2) {
      if (!ParseLongOrReply(ctx, ctx.arg(i + 1), &count)) return;
      if (count < 1) {
        rb->Error(proto::kErrSyntax);
        return;
      }
      i += 2;
    } else if (EqualsIgnoreCase(ctx.arg(i), "match") && left >= 2) {
      pattern = ctx.arg(i + 1);
      use_pattern = !(pattern.size() == 1 && pattern[0] == '*');
      i += 2;
    } else {
      rb->Error(proto::kErrSyntax);
      return;
    }
  }
  Zset z = Zset::Of(r);
  std::vector<std::pair<std::string, std::string>> items;
  auto keep = [&](std::string_view m) { return !use_pattern || GlobMatch(pattern, m); };
  if (z.encoding() == Encoding::kListpack) {
    // Small encodings are returned whole in one call; scores as the stored text.
    const uint8_t* l = z.lp();
    for (const uint8_t* e = lp::First(l); e;) {
      const uint8_t* s = lp::Next(l, e);
      lp::Scratch a, b;
      std::string_view m = lp::GetString(e, &a);
      if (keep(m)) items.emplace_back(std::string(m), std::string(lp::GetString(s, &b)));
      e = lp::Next(l, s);
    }
    cursor = 0;
  } else {
    ZslTable& dict = z.sl()->dict;
    long maxiterations = count * 10;
    do {
      cursor = dict.Scan(cursor, [&](ZslNode*& n) {
        if (!keep(n->member())) return;
        // Redis formats hashtable scores with ld2string(LD_STR_AUTO): "%.17Lg".
        char buf[64];
        int len = std::isinf(n->score())
                      ? std::snprintf(buf, sizeof(buf), "%s", n->score() > 0 ? "inf" : "-inf")
                      : std::snprintf(buf, sizeof(buf), "%.17Lg",
                                      static_cast<long double>(n->score()));
        items.emplace_back(std::string(n->member()), std::string(buf, static_cast<size_t>(len)));
      });
    } while (cursor && maxiterations-- && items.size() < static_cast<size_t>(count));
  }
  rb->ArrayLen(2);
  rb->BulkInt(static_cast<int64_t>(cursor));
  rb->ArrayLen(items.size() * 2);
  for (const auto& [m, s] : items) {
    rb->Bulk(m);
    rb->Bulk(s);
  }
}

}  // namespace zcmd

void RegisterZsetFamily(CommandTable& t) {
  using namespace zcmd;
  const char* g = "sorted_set";
  auto row = [&](const char* name, int arity, uint32_t flags, int first, int last, int step,
                 CommandHandler h, const char* acl) {
    t.Register(CommandSpec{name, arity, flags, first, last, step, h, g, acl});
  };
  constexpr uint32_t kW = kCmdWrite, kR = kCmdReadonly, kOom = kCmdDenyOom, kF = kCmdFast;
  row("zadd", -4, kW | kOom | kF, 1, 1, 1, ZaddCommand, "@write @sortedset @fast");
  row("zincrby", 4, kW | kOom | kF, 1, 1, 1, ZincrbyCommand, "@write @sortedset @fast");
  row("zrem", -3, kW | kF, 1, 1, 1, ZremCommand, "@write @sortedset @fast");
  row("zremrangebyscore", 4, kW, 1, 1, 1, ZremrangebyscoreCommand, "@write @sortedset @slow");
  row("zremrangebyrank", 4, kW, 1, 1, 1, ZremrangebyrankCommand, "@write @sortedset @slow");
  row("zremrangebylex", 4, kW, 1, 1, 1, ZremrangebylexCommand, "@write @sortedset @slow");
  row("zunionstore", -4, kW | kOom, 1, 1, 1, ZunionstoreCommand, "@write @sortedset @slow");
  row("zinterstore", -4, kW | kOom, 1, 1, 1, ZinterstoreCommand, "@write @sortedset @slow");
  row("zdiffstore", -4, kW | kOom, 1, 1, 1, ZdiffstoreCommand, "@write @sortedset @slow");
  row("zunion", -3, kR, 0, 0, 0, ZunionCommand, "@read @sortedset @slow");
  row("zinter", -3, kR, 0, 0, 0, ZinterCommand, "@read @sortedset @slow");
  row("zintercard", -3, kR, 0, 0, 0, ZintercardCommand, "@read @sortedset @slow");
  row("zdiff", -3, kR, 0, 0, 0, ZdiffCommand, "@read @sortedset @slow");
  row("zrange", -4, kR, 1, 1, 1, ZrangeCommand, "@read @sortedset @slow");
  row("zrangestore", -5, kW | kOom, 1, 2, 1, ZrangestoreCommand, "@write @sortedset @slow");
  row("zrangebyscore", -4, kR, 1, 1, 1, ZrangebyscoreCommand, "@read @sortedset @slow");
  row("zrevrangebyscore", -4, kR, 1, 1, 1, ZrevrangebyscoreCommand, "@read @sortedset @slow");
  row("zrangebylex", -4, kR, 1, 1, 1, ZrangebylexCommand, "@read @sortedset @slow");
  row("zrevrangebylex", -4, kR, 1, 1, 1, ZrevrangebylexCommand, "@read @sortedset @slow");
  row("zcount", 4, kR | kF, 1, 1, 1, ZcountCommand, "@read @sortedset @fast");
  row("zlexcount", 4, kR | kF, 1, 1, 1, ZlexcountCommand, "@read @sortedset @fast");
  row("zrevrange", -4, kR, 1, 1, 1, ZrevrangeCommand, "@read @sortedset @slow");
  row("zcard", 2, kR | kF, 1, 1, 1, ZcardCommand, "@read @sortedset @fast");
  row("zscore", 3, kR | kF, 1, 1, 1, ZscoreCommand, "@read @sortedset @fast");
  row("zmscore", -3, kR | kF, 1, 1, 1, ZmscoreCommand, "@read @sortedset @fast");
  row("zrank", -3, kR | kF, 1, 1, 1, ZrankCommand, "@read @sortedset @fast");
  row("zrevrank", -3, kR | kF, 1, 1, 1, ZrevrankCommand, "@read @sortedset @fast");
  row("zscan", -3, kR, 1, 1, 1, ZscanCommand, "@read @sortedset @slow");
  row("zpopmin", -2, kW | kF, 1, 1, 1, ZpopminCommand, "@write @sortedset @fast");
  row("zpopmax", -2, kW | kF, 1, 1, 1, ZpopmaxCommand, "@write @sortedset @fast");
  row("zmpop", -4, kW, 0, 0, 0, ZmpopCommand, "@write @sortedset @slow");
  row("zrandmember", -2, kR, 1, 1, 1, ZrandmemberCommand, "@read @sortedset @slow");
  constexpr uint32_t kBlock = kCmdWrite | kCmdNoscript | kCmdBlocking;
  row("bzpopmin", -3, kBlock | kF, 1, -2, 1, BzpopminCommand,
      "@write @sortedset @fast @blocking");
  row("bzpopmax", -3, kBlock | kF, 1, -2, 1, BzpopmaxCommand,
      "@write @sortedset @fast @blocking");
  row("bzmpop", -5, kBlock, 0, 0, 0, BzmpopCommand, "@write @sortedset @slow @blocking");
}

}  // namespace ember
