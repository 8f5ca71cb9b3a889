// Sorted-set range commands: ZRANGE (BYSCORE BYLEX REV LIMIT WITHSCORES), ZRANGESTORE, the legacy
// ZREVRANGE / Z[REV]RANGEBYSCORE / Z[REV]RANGEBYLEX, ZCOUNT, ZLEXCOUNT and ZREMRANGEBY*.
//
// As in Redis's zrangeGenericCommand, one parser serves every ZRANGE variant and the result goes to
// a sink: the client sink writes the reply (array length known up front for rank ranges, deferred
// for score/lex ranges); the store sink builds the destination zset with ordinary adds, starting
// from a listpack sized by the result hint, so the destination's encoding follows the same rules
// as Redis's (zsetTypeCreate + zsetAdd conversions).
#include "base/strutil.h"
#include "commands/zset_internal.h"

namespace ember::zcmd {

namespace {

enum class RangeType { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

class RangeSink {
 public:
  RangeSink(CommandContext& ctx, bool store, std::string_view dstkey)
      : ctx_(ctx), store_(store), dstkey_(dstkey) {}
  ~RangeSink() { dst_.Free(); }

  void EnableScores() {
    withscores_ = true;
    nested_ = ctx_.reply->Protocol() > 2;
  }
  // length -1: unknown.
  void Begin(long length) {
    if (store_) {
      dst_ = Zset::Create(length >= 0 ? static_cast<size_t>(length) : 0, 0, Limits(ctx_));
      lim_ = Limits(ctx_);
      return;
    }
    if (length > 0) {
      ctx_.reply->ArrayLen(withscores_ && !nested_ ? 2 * length : length);
      deferred_ = false;
      return;
    }
    handle_ = ctx_.reply->DeferLen();
    deferred_ = true;
  }
  void Emit(ZsetIter& it, bool need_score) {
    double score = need_score || withscores_ ? it.Score() : 0;
    if (store_) {
      int out;
      dst_.Add(score, it.Member(), kZaddNone, lim_, &out, nullptr);
      return;
    }
    if (nested_ && withscores_) ctx_.reply->ArrayLen(2);
    ReplyMember(ctx_.reply, it);
    if (withscores_) ctx_.reply->Double(score);
  }
  void Finalize(size_t count) {
    if (store_) {
      Server* s = ctx_.server;
      if (count) {
        ctx_.db->Set(dstkey_, dst_.ToValueInit());
        dst_ = Zset();
        s->SignalKeyAsReady(*ctx_.db, dstkey_);
        s->KeyModified(*ctx_.db, dstkey_);
        ctx_.reply->Integer(static_cast<int64_t>(count));
        s->NotifyKeyspaceEvent(notify::kZset, "zrangestore", dstkey_, ctx_.db->id());
      } else {
        ctx_.reply->Integer(0);
        if (ctx_.db->Delete(dstkey_)) {
          s->KeyModified(*ctx_.db, dstkey_);
          s->NotifyKeyspaceEvent(notify::kGeneric, "del", dstkey_, ctx_.db->id());
        }
      }
      return;
    }
    if (deferred_) ctx_.reply->SetDeferredArrayLen(handle_, withscores_ && !nested_ ? 2 * count : count);
  }

 private:
  CommandContext& ctx_;
  bool store_;
  std::string_view dstkey_;
  bool withscores_ = false;
  bool nested_ = false;
  bool deferred_ = false;
  size_t handle_ = 0;
  Zset dst_;
  ZsetLimits lim_;
};

void RangeByRank(RangeSink& sink, const Zset& z, long start, long end, bool reverse) {
  long llen = static_cast<long>(z.Length());
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  if (start > end || start >= llen) {
    sink.Begin(0);
    sink.Finalize(0);
    return;
  }
  if (end >= llen) end = llen - 1;
  long rangelen = end - start + 1;
  sink.Begin(rangelen);
  ZsetIter it = z.AtRank(static_cast<size_t>(reverse ? llen - 1 - start : start));
  for (long i = 0; i < rangelen && it.Valid(); i++) {
    sink.Emit(it, false);
    if (reverse) {
      it.Prev();
    } else {
      it.Next();
    }
  }
  sink.Finalize(static_cast<size_t>(rangelen));
}

// Moves `it` (the first element in range, in walk direction) `offset` steps. Skiplists jump by rank.
void SkipOffset(const Zset& z, ZsetIter* it, long offset, bool reverse) {
  if (offset == 0 || !it->Valid()) return;
  if (offset < 0) {
    *it = ZsetIter();  // Redis walks a negative offset off the end: empty result
    return;
  }
  if (z.encoding() == Encoding::kSkiplist) {
    size_t r0 = z.sl()->zsl.GetRank(it->node()) - 1;
    size_t off = static_cast<size_t>(offset);
    if (reverse) {
      *it = r0 >= off ? z.AtRank(r0 - off) : ZsetIter();
    } else {
      *it = r0 + off < z.Length() ? z.AtRank(r0 + off) : ZsetIter();
    }
    return;
  }
  while (it->Valid() && offset--) {
    if (reverse) {
      it->Prev();
    } else {
      it->Next();
    }
  }
}

void RangeByScore(RangeSink& sink, const Zset& z, const ZRangeSpec& range, long offset, long limit,
                  bool reverse) {
  sink.Begin(-1);
  if (offset > 0 && static_cast<size_t>(offset) >= z.Length()) {
    sink.Finalize(0);
    return;
  }
  ZsetIter it = reverse ? z.LastInRange(range) : z.FirstInRange(range);
  SkipOffset(z, &it, offset, reverse);
  size_t n = 0;
  while (it.Valid() && limit--) {
    double score = it.Score();
    if (reverse ? !ScoreGteMin(score, range) : !ScoreLteMax(score, range)) break;
    sink.Emit(it, true);
    n++;
    if (reverse) {
      it.Prev();
    } else {
      it.Next();
    }
  }
  sink.Finalize(n);
}

void RangeByLex(RangeSink& sink, const Zset& z, const ZLexRangeSpec& range, long offset, long limit,
                bool reverse) {
  sink.Begin(-1);
  ZsetIter it = reverse ? z.LastInLexRange(range) : z.FirstInLexRange(range);
  SkipOffset(z, &it, offset, reverse);
  size_t n = 0;
  while (it.Valid() && limit--) {
    std::string_view m = it.Member();
    if (reverse ? !LexGteMin(m, range) : !LexLteMax(m, range)) break;
    sink.Emit(it, false);
    n++;
    if (reverse) {
      it.Prev();
    } else {
      it.Next();
    }
  }
  sink.Finalize(n);
}

// Redis's zrangeGenericCommand. argc_start is the index of the source key.
void ZrangeGeneric(CommandContext& ctx, size_t argc_start, bool store, RangeType type,
                   Direction dir) {
  proto::ReplyBuilder* rb = ctx.reply;
  std::string_view key = ctx.arg(argc_start);
  size_t minidx = argc_start + 1, maxidx = argc_start + 2;
  bool withscores = false;
  long offset = 0, limit = -1;
  bool has_limit = false;
  for (size_t j = argc_start + 3; j < ctx.argc(); j++) {
    size_t leftargs = ctx.argc() - j - 1;
    std::string_view a = ctx.arg(j);
    if (!store && EqualsIgnoreCase(a, "withscores")) {
      withscores = true;
    } else if (EqualsIgnoreCase(a, "limit") && leftargs >= 2) {
      if (!ParseLongOrReply(ctx, ctx.arg(j + 1), &offset) ||
          !ParseLongOrReply(ctx, ctx.arg(j + 2), &limit)) {
        return;
      }
      has_limit = true;
      j += 2;
    } else if (dir == Direction::kAuto && EqualsIgnoreCase(a, "rev")) {
      dir = Direction::kReverse;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(a, "bylex")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && EqualsIgnoreCase(a, "byscore")) {
      type = RangeType::kScore;
    } else {
      rb->Error(proto::kErrSyntax);
      return;
    }
  }
  if (dir == Direction::kAuto) dir = Direction::kForward;
  if (type == RangeType::kAuto) type = RangeType::kRank;
  // Redis tests `opt_limit != -1`: an explicit LIMIT x -1 passes with a rank range.
  (void)has_limit;
  if (limit != -1 && type == RangeType::kRank) {
    rb->Error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    return;
  }
  if (withscores && type == RangeType::kLex) {
    rb->Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return;
  }
  bool reverse = dir == Direction::kReverse;
  if (reverse && (type == RangeType::kScore || type == RangeType::kLex)) std::swap(minidx, maxidx);
  long start = 0, end = 0;
  ZRangeSpec range;
  ZLexRangeSpec lexrange;
  switch (type) {
    case RangeType::kScore:
      if (!ParseScoreRange(ctx.arg(minidx), ctx.arg(maxidx), &range)) {
        rb->Error(proto::kErrMinMaxNotFloat);
        return;
      }
      break;
    case RangeType::kLex:
      if (!ParseLexRange(ctx.arg(minidx), ctx.arg(maxidx), &lexrange)) {
        rb->Error(proto::kErrMinMaxNotStringRange);
        return;
      }
      break;
    default:
      if (!ParseLongOrReply(ctx, ctx.arg(minidx), &start) ||
          !ParseLongOrReply(ctx, ctx.arg(maxidx), &end)) {
        return;
      }
      break;
  }
  RangeSink sink(ctx, store, store ? ctx.arg(1) : std::string_view());
  if (withscores || store) sink.EnableScores();
  bool wrongtype;
  Record* r = LookupRead(ctx, key, &wrongtype);
  if (wrongtype) return;
  if (!r) {
    if (store) {
      sink.Begin(-1);
      sink.Finalize(0);
    } else {
      rb->ArrayLen(0);
    }
    return;
  }
  Zset z = Zset::Of(r);
  switch (type) {
    case RangeType::kScore: RangeByScore(sink, z, range, offset, limit, reverse); break;
    case RangeType::kLex: RangeByLex(sink, z, lexrange, offset, limit, reverse); break;
    default: RangeByRank(sink, z, start, end, reverse); break;
  }
}

enum class RemType { kRank, kScore, kLex };

void ZremrangeGeneric(CommandContext& ctx, RemType type) {
  proto::ReplyBuilder* rb = ctx.reply;
  std::string_view key = ctx.arg(1);
  long start = 0, end = 0;
  ZRangeSpec range;
  ZLexRangeSpec lexrange;
  const char* event = "";
  if (type == RemType::kRank) {
    event = "zremrangebyrank";
    if (!ParseLongOrReply(ctx, ctx.arg(2), &start) || !ParseLongOrReply(ctx, ctx.arg(3), &end)) return;
  } else if (type == RemType::kScore) {
    event = "zremrangebyscore";
    if (!ParseScoreRange(ctx.arg(2), ctx.arg(3), &range)) {
      rb->Error(proto::kErrMinMaxNotFloat);
      return;
    }
  } else {
    event = "zremrangebylex";
    if (!ParseLexRange(ctx.arg(2), ctx.arg(3), &lexrange)) {
      rb->Error(proto::kErrMinMaxNotStringRange);
      return;
    }
  }
  bool wrongtype;
  Record* r = LookupWrite(ctx, key, &wrongtype);
  if (wrongtype) return;
  if (!r) {
    rb->Integer(0);
    return;
  }
  Zset z = Zset::Of(r);
  size_t deleted = 0;
  if (type == RemType::kRank) {
    long llen = static_cast<long>(z.Length());
    if (start < 0) start = llen + start;
    if (end < 0) end = llen + end;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
      rb->Integer(0);
      return;
    }
    if (end >= llen) end = llen - 1;
  }
  z = OpenForWrite(ctx, &r);
  if (type == RemType::kRank) {
    deleted = z.DeleteRangeByRank(static_cast<size_t>(start), static_cast<size_t>(end));
  } else if (type == RemType::kScore) {
    deleted = z.DeleteRangeByScore(range);
  } else {
    deleted = z.DeleteRangeByLex(lexrange);
  }
  if (deleted) {
    FinishRemoval(ctx, key, r, z, event, deleted);
  } else {
    StoreZset(ctx, &r, z);
  }
  rb->Integer(static_cast<int64_t>(deleted));
}

}  // namespace

void ZrangeCommand(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kAuto, Direction::kAuto);
}
void ZrangestoreCommand(CommandContext& ctx) {
  ZrangeGeneric(ctx, 2, true, RangeType::kAuto, Direction::kAuto);
}
void ZrevrangeCommand(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kRank, Direction::kReverse);
}
void ZrangebyscoreCommand(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kScore, Direction::kForward);
}
void ZrevrangebyscoreCommand(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kScore, Direction::kReverse);
}
void ZrangebylexCommand(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kLex, Direction::kForward);
}
void ZrevrangebylexCommand(CommandContext& ctx) {
  ZrangeGeneric(ctx, 1, false, RangeType::kLex, Direction::kReverse);
}

void ZcountCommand(CommandContext& ctx) {
  ZRangeSpec range;
  if (!ParseScoreRange(ctx.arg(2), ctx.arg(3), &range)) {
    ctx.reply->Error(proto::kErrMinMaxNotFloat);
    return;
  }
  bool wrongtype;
  Record* r = LookupRead(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  ctx.reply->Integer(r ? static_cast<int64_t>(Zset::Of(r).CountInRange(range)) : 0);
}

void ZlexcountCommand(CommandContext& ctx) {
  ZLexRangeSpec range;
  if (!ParseLexRange(ctx.arg(2), ctx.arg(3), &range)) {
    ctx.reply->Error(proto::kErrMinMaxNotStringRange);
    return;
  }
  bool wrongtype;
  Record* r = LookupRead(ctx, ctx.arg(1), &wrongtype);
  if (wrongtype) return;
  ctx.reply->Integer(r ? static_cast<int64_t>(Zset::Of(r).CountInLexRange(range)) : 0);
}

void ZremrangebyrankCommand(CommandContext& ctx) { ZremrangeGeneric(ctx, RemType::kRank); }
void ZremrangebyscoreCommand(CommandContext& ctx) { ZremrangeGeneric(ctx, RemType::kScore); }
void ZremrangebylexCommand(CommandContext& ctx) { ZremrangeGeneric(ctx, RemType::kLex); }

}  // namespace ember::zcmd
