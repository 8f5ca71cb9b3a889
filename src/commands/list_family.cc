// List command family (Redis 7.2): LPUSH RPUSH LPUSHX RPUSHX LINSERT LLEN LINDEX LSET LPOP RPOP
// LRANGE LTRIM LREM LPOS RPOPLPUSH LMOVE LMPOP, and the blocking BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP.
//
// Handlers parse and reply; the data work is in core/list_value.h. Every change writes the value's
// (maybe moved) pointer and encoding back to the record at once, then runs Redis's bookkeeping in
// Redis's order: keyspace event, "del" + key removal when the list became empty (else the shrink
// conversion), modified-key signal (WATCH) and dirty count.
//
// Argument checks follow Redis's order, which decides which error wins: e.g. LINDEX looks the key up
// before parsing the index (a missing key answers nil even for "LINDEX k abc"), LRANGE/LTRIM parse
// first. Blocking commands parse their timeout before looking at keys; when nothing can be popped
// they block through server/blocking.h (re-run on a ready key), or, inside MULTI, reply as on timeout.
#include <climits>
#include <string>
#include <vector>

#include "base/strutil.h"
#include "commands/families.h"
#include "core/list_value.h"
#include "proto/errors.h"
#include "proto/reply_builder.h"
#include "server/blocking.h"
#include "server/command_table.h"
#include "server/server.h"

namespace ember {

namespace {

constexpr std::string_view kErrRankZero =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
constexpr std::string_view kErrCountNegative = "ERR COUNT can't be negative";
constexpr std::string_view kErrMaxlenNegative = "ERR MAXLEN can't be negative";
constexpr std::string_view kErrNumkeys = "ERR numkeys should be greater than 0";
constexpr std::string_view kErrCountGreaterThanZero = "ERR count should be greater than 0";

ListOptions Opts(const CommandContext& ctx) {
  const ServerConfig& c = ctx.server->cfg();
  return {c.list_max_listpack_size, c.list_compress_depth};
}
ListValue ValueOf(const Record* r) { return {r->encoding(), r->ptr()}; }
void Store(Record* r, const ListValue& v) {
  r->set_ptr(v.ptr);
  if (r->encoding() != v.enc) r->set_encoding(v.enc);
}
bool IsList(const Record* r) { return r->type() == ObjType::kList; }

void Notify(CommandContext& ctx, int type, std::string_view event, std::string_view key) {
  ctx.server->NotifyKeyspaceEvent(type, event, key, ctx.db->id());
}

// Redis's getLongFromObjectOrReply (msg empty: the generic text).
bool ParseLongOrReply(CommandContext& ctx, std::string_view s, long* out,
                      std::string_view msg = proto::kErrNotInteger) {
  int64_t v;
  if (!ParseInt64(s, &v)) {
    ctx.reply->Error(msg);
    return false;
  }
  *out = static_cast<long>(v);
  return true;
}
// Redis's getRangeLongFromObjectOrReply.
bool ParseRangeLongOrReply(CommandContext& ctx, std::string_view s, long min, long max, long* out,
                           std::string_view msg = {}) {
  if (!ParseLongOrReply(ctx, s, out, msg.empty() ? proto::kErrNotInteger : msg)) return false;
  if (*out < min || *out > max) {
    if (msg.empty()) {
      ctx.reply->Error(proto::OutOfRangeBetween(min, max));
    } else {
      ctx.reply->Error(msg);
    }
    return false;
  }
  return true;
}
bool ParsePositiveLongOrReply(CommandContext& ctx, std::string_view s, long* out,
                              std::string_view msg = {}) {
  return ParseRangeLongOrReply(ctx, s, 0, LONG_MAX, out,
                               msg.empty() ? proto::kErrOutOfRangePositive : msg);
}
// LEFT / RIGHT.
bool ParseWhereOrReply(CommandContext& ctx, std::string_view s, QlEnd* where) {
  if (EqualsIgnoreCase(s, "left")) {
    *where = QlEnd::kHead;
  } else if (EqualsIgnoreCase(s, "right")) {
    *where = QlEnd::kTail;
  } else {
    ctx.reply->Error(proto::kErrSyntax);
    return false;
  }
  return true;
}

// Redis's lookupKey{Read,Write}OrReply + checkType: the list at `key`, or null after a reply —
// the one `missing()` writes when the key is absent, WRONGTYPE when it holds another type.
template <typename MissingReply>
Record* LookupListOrReply(CommandContext& ctx, std::string_view key, bool write,
                          MissingReply missing) {
  Record* r = write ? ctx.db->LookupWrite(key) : ctx.db->LookupRead(key);
  if (!r) {
    missing();
    return nullptr;
  }
  if (!IsList(r)) {
    ctx.reply->Error(proto::kErrWrongType);
    return nullptr;
  }
  return r;
}

// Redis's LRANGE/LTRIM index rules: negative indexes count from the tail, then the range is
// clamped to [0, llen). Returns false when nothing is left (start past end or past the tail).
bool ClampRange(long llen, long* start, long* end) {
  if (*start < 0) *start = llen + *start;
  if (*end < 0) *end = llen + *end;
  if (*start < 0) *start = 0;
  if (*start > *end || *start >= llen) return false;
  if (*end >= llen) *end = llen - 1;
  return true;
}

// Pushes `items` at `where` onto the list `r` at `key`, first creating the key when r is null
// (Redis's createListListpackObject + dbAdd: "new" event, key signalled as ready). Returns the
// new length.
size_t PushOrCreate(CommandContext& ctx, std::string_view key, Record* r, QlEnd where,
                    std::span<const std::string_view> items) {
  ListValue v = r ? ValueOf(r) : ListValue::NewListpack();
  list::Push(&v, where, items, Opts(ctx));
  if (r) {
    Store(r, v);
  } else {
    r = ctx.db->Add(key, ValueInit::Ptr(ObjType::kList, v.enc, v.ptr));
    Notify(ctx, notify::kNew, "new", key);
    ctx.server->SignalKeyAsReady(*ctx.db, key);
  }
  return list::Length(v);
}

// After elements left the list `r`: deletes the key ("del" event) when it is empty, else converts
// it back to a listpack when it became small enough.
void DeleteIfEmptyOrShrink(CommandContext& ctx, std::string_view key, Record* r) {
  ListValue v = ValueOf(r);
  if (list::Length(v) == 0) {
    ctx.db->Delete(key);
    Notify(ctx, notify::kGeneric, "del", key);
  } else {
    list::TryShrink(&v, Opts(ctx));
    Store(r, v);
  }
}

// Redis's listElementsRemoved: pop event, delete-if-empty or shrink, signal, dirty.
void ElementsRemoved(CommandContext& ctx, std::string_view key, QlEnd where, Record* r,
                     size_t count) {
  Notify(ctx, notify::kList, where == QlEnd::kHead ? "lpop" : "rpop", key);
  DeleteIfEmptyOrShrink(ctx, key, r);
  ctx.server->KeyModified(*ctx.db, key, count);
}

// Array reply of `n` elements from absolute index `from`, head->tail or reversed.
void ReplyRange(CommandContext& ctx, ListValue* v, long from, size_t n, bool reverse) {
  proto::ReplyBuilder* rb = ctx.reply;
  rb->ArrayLen(n);
  list::ForRange(v, from, n, reverse, [rb](std::string_view s) { rb->Bulk(s); });
}

// Pops up to `count` elements of the non-empty list `r`, replying them as an array (LPOP/RPOP
// with a count). Propagated as LPOP/RPOP key n, n the number popped.
void PopRange(CommandContext& ctx, Record* r, std::string_view key, QlEnd where, long count) {
  ListValue v = ValueOf(r);
  size_t llen = list::Length(v);
  size_t n = std::min(static_cast<size_t>(count), llen);
  bool head = where == QlEnd::kHead;
  ReplyRange(ctx, &v, head ? 0 : static_cast<long>(llen - 1), n, !head);
  list::DelRange(&v, head ? 0 : -static_cast<long>(n), n);
  Store(r, v);
  ElementsRemoved(ctx, key, where, r, n);
  if (ctx.server->propagating()) {
    std::string cnt = std::to_string(n);
    ctx.server->PropagateAs({head ? "LPOP" : "RPOP", key, cnt});
  }
}

// PopRange replying [key, [elements]] (LMPOP/BLMPOP, propagated as LPOP/RPOP key n).
void PopRangeWithKey(CommandContext& ctx, Record* r, std::string_view key, QlEnd where,
                     long count) {
  ctx.reply->ArrayLen(2);
  ctx.reply->Bulk(key);
  PopRange(ctx, r, key, where, count);
}

// ---- push -------------------------------------------------------------------------------------

void PushGeneric(CommandContext& ctx, QlEnd where, bool xx) {
  std::string_view key = ctx.arg(1);
  Record* r = ctx.db->LookupWrite(key);
  if (r && !IsList(r)) {
    ctx.reply->Error(proto::kErrWrongType);
    return;
  }
  if (!r && xx) {
    ctx.reply->Integer(0);
    return;
  }
  auto items = ctx.args.subspan(2);
  size_t len = PushOrCreate(ctx, key, r, where, items);
  ctx.reply->Integer(static_cast<int64_t>(len));
  ctx.server->KeyModified(*ctx.db, key, items.size());
  Notify(ctx, notify::kList, where == QlEnd::kHead ? "lpush" : "rpush", key);
}

void LpushCommand(CommandContext& ctx) { PushGeneric(ctx, QlEnd::kHead, false); }
void RpushCommand(CommandContext& ctx) { PushGeneric(ctx, QlEnd::kTail, false); }
void LpushxCommand(CommandContext& ctx) { PushGeneric(ctx, QlEnd::kHead, true); }
void RpushxCommand(CommandContext& ctx) { PushGeneric(ctx, QlEnd::kTail, true); }

void LinsertCommand(CommandContext& ctx) {
  bool after;
  if (EqualsIgnoreCase(ctx.arg(2), "after")) {
    after = true;
  } else if (EqualsIgnoreCase(ctx.arg(2), "before")) {
    after = false;
  } else {
    ctx.reply->Error(proto::kErrSyntax);
    return;
  }
  std::string_view key = ctx.arg(1);
  Record* r = LookupListOrReply(ctx, key, true, [&] { ctx.reply->Integer(0); });
  if (!r) return;
  ListValue v = ValueOf(r);
  bool inserted = list::InsertAtPivot(&v, ctx.arg(3), ctx.arg(4), after, Opts(ctx));
  Store(r, v);
  if (!inserted) {
    ctx.reply->Integer(-1);
    return;
  }
  ctx.server->KeyModified(*ctx.db, key);
  Notify(ctx, notify::kList, "linsert", key);
  ctx.reply->Integer(static_cast<int64_t>(list::Length(v)));
}

// ---- read -------------------------------------------------------------------------------------

void LlenCommand(CommandContext& ctx) {
  Record* r = LookupListOrReply(ctx, ctx.arg(1), false, [&] { ctx.reply->Integer(0); });
  if (!r) return;
  ctx.reply->Integer(static_cast<int64_t>(list::Length(ValueOf(r))));
}

void LindexCommand(CommandContext& ctx) {
  Record* r = LookupListOrReply(ctx, ctx.arg(1), false, [&] { ctx.reply->Null(); });
  if (!r) return;
  long index;
  if (!ParseLongOrReply(ctx, ctx.arg(2), &index)) return;
  ListValue v = ValueOf(r);
  if (v.IsListpack()) {
    const uint8_t* p = lp::Seek(v.lp(), index);
    if (!p) {
      ctx.reply->Null();
      return;
    }
    lp::Scratch sc;
    ctx.reply->Bulk(lp::GetString(p, &sc));
    return;
  }
  std::string out;
  if (list::Index(&v, index, &out)) {
    ctx.reply->Bulk(out);
  } else {
    ctx.reply->Null();
  }
}

void LrangeCommand(CommandContext& ctx) {
  long start, end;
  if (!ParseLongOrReply(ctx, ctx.arg(2), &start) || !ParseLongOrReply(ctx, ctx.arg(3), &end)) {
    return;
  }
  Record* r = LookupListOrReply(ctx, ctx.arg(1), false, [&] { ctx.reply->ArrayLen(0); });
  if (!r) return;
  ListValue v = ValueOf(r);
  if (!ClampRange(static_cast<long>(list::Length(v)), &start, &end)) {
    ctx.reply->ArrayLen(0);
    return;
  }
  ReplyRange(ctx, &v, start, static_cast<size_t>(end - start + 1), false);
}

void LposCommand(CommandContext& ctx) {
  std::string_view ele = ctx.arg(2);
  long rank = 1, count = -1, maxlen = 0;
  for (size_t j = 3; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    bool more = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "rank") && more) {
      j++;
      if (!ParseRangeLongOrReply(ctx, ctx.arg(j), -LONG_MAX, LONG_MAX, &rank)) return;
      if (rank == 0) {
        ctx.reply->Error(kErrRankZero);
        return;
      }
    } else if (EqualsIgnoreCase(opt, "count") && more) {
      j++;
      if (!ParsePositiveLongOrReply(ctx, ctx.arg(j), &count, kErrCountNegative)) return;
    } else if (EqualsIgnoreCase(opt, "maxlen") && more) {
      j++;
      if (!ParsePositiveLongOrReply(ctx, ctx.arg(j), &maxlen, kErrMaxlenNegative)) return;
    } else {
      ctx.reply->Error(proto::kErrSyntax);
      return;
    }
  }
  bool reverse = rank < 0;
  if (reverse) rank = -rank;
  Record* r = LookupListOrReply(ctx, ctx.arg(1), false, [&] {
    if (count != -1) {
      ctx.reply->ArrayLen(0);
    } else {
      ctx.reply->Null();
    }
  });
  if (!r) return;
  ListValue v = ValueOf(r);
  long llen = static_cast<long>(list::Length(v));
  std::vector<long> found;
  long index = 0, matches = 0, matchindex = -1;
  ListCursor cur(&v, reverse ? -1 : 0, reverse);
  while (cur.Next() && (maxlen == 0 || index < maxlen)) {
    if (cur.Equals(ele)) {
      matches++;
      matchindex = reverse ? llen - index - 1 : index;
      if (matches >= rank) {
        if (count == -1) break;
        found.push_back(matchindex);
        if (count && matches - rank + 1 >= count) break;
      }
    }
    index++;
    matchindex = -1;
  }
  if (count != -1) {
    ctx.reply->ArrayLen(found.size());
    for (long i : found) ctx.reply->Integer(i);
  } else if (matchindex != -1) {
    ctx.reply->Integer(matchindex);
  } else {
    ctx.reply->Null();
  }
}

// ---- modify -----------------------------------------------------------------------------------

void LsetCommand(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Record* r = LookupListOrReply(ctx, key, true, [&] { ctx.reply->Error(proto::kErrNoSuchKey); });
  if (!r) return;
  long index;
  if (!ParseLongOrReply(ctx, ctx.arg(2), &index)) return;
  ListValue v = ValueOf(r);
  bool ok = list::Set(&v, index, ctx.arg(3), Opts(ctx));
  Store(r, v);
  if (!ok) {
    ctx.reply->Error(proto::kErrIndexOutOfRange);
    return;
  }
  ctx.reply->Ok();
  ctx.server->KeyModified(*ctx.db, key);
  Notify(ctx, notify::kList, "lset", key);
}

void PopGeneric(CommandContext& ctx, QlEnd where) {
  bool hascount = ctx.argc() == 3;
  long count = 0;
  if (ctx.argc() > 3) {
    ctx.reply->Error(proto::WrongArity(where == QlEnd::kHead ? "lpop" : "rpop"));
    return;
  }
  if (hascount && !ParsePositiveLongOrReply(ctx, ctx.arg(2), &count)) return;
  std::string_view key = ctx.arg(1);
  Record* r = LookupListOrReply(ctx, key, true, [&] {
    if (hascount) {
      ctx.reply->NullArray();
    } else {
      ctx.reply->Null();
    }
  });
  if (!r) return;
  if (hascount && count == 0) {
    ctx.reply->ArrayLen(0);
    return;
  }
  ListValue v = ValueOf(r);
  if (!hascount) {
    // Reply straight from the list, then delete the element.
    if (v.IsListpack()) {
      uint8_t* l = v.lp();
      const uint8_t* p = where == QlEnd::kHead ? lp::First(l) : lp::Last(l);
      lp::Scratch sc;
      ctx.reply->Bulk(lp::GetString(p, &sc));
      v.ptr = lp::Delete(l, p);
    } else {
      std::string out;
      v.ql()->Pop(where, &out);
      ctx.reply->Bulk(out);
    }
    Store(r, v);
    ElementsRemoved(ctx, key, where, r, 1);
    return;
  }
  PopRange(ctx, r, key, where, count);
}

void LpopCommand(CommandContext& ctx) { PopGeneric(ctx, QlEnd::kHead); }
void RpopCommand(CommandContext& ctx) { PopGeneric(ctx, QlEnd::kTail); }

void LtrimCommand(CommandContext& ctx) {
  long start, end;
  if (!ParseLongOrReply(ctx, ctx.arg(2), &start) || !ParseLongOrReply(ctx, ctx.arg(3), &end)) {
    return;
  }
  std::string_view key = ctx.arg(1);
  Record* r = LookupListOrReply(ctx, key, true, [&] { ctx.reply->Ok(); });
  if (!r) return;
  ListValue v = ValueOf(r);
  long llen = static_cast<long>(list::Length(v));
  long ltrim, rtrim;
  if (!ClampRange(llen, &start, &end)) {
    ltrim = llen;
    rtrim = 0;
  } else {
    ltrim = start;
    rtrim = llen - end - 1;
  }
  list::DelRange(&v, 0, static_cast<size_t>(ltrim));
  list::DelRange(&v, -rtrim, static_cast<size_t>(rtrim));
  Store(r, v);
  Notify(ctx, notify::kList, "ltrim", key);
  DeleteIfEmptyOrShrink(ctx, key, r);
  ctx.server->KeyModified(*ctx.db, key, static_cast<uint64_t>(ltrim + rtrim));
  ctx.reply->Ok();
}

void LremCommand(CommandContext& ctx) {
  long count;
  if (!ParseLongOrReply(ctx, ctx.arg(2), &count)) return;
  std::string_view key = ctx.arg(1);
  Record* r = LookupListOrReply(ctx, key, true, [&] { ctx.reply->Integer(0); });
  if (!r) return;
  ListValue v = ValueOf(r);
  size_t removed = list::Remove(&v, count, ctx.arg(3));
  Store(r, v);
  if (removed) {
    Notify(ctx, notify::kList, "lrem", key);
    DeleteIfEmptyOrShrink(ctx, key, r);
    ctx.server->KeyModified(*ctx.db, key, removed);
  }
  ctx.reply->Integer(static_cast<int64_t>(removed));
}

// LMOVE core (Redis's lmoveGenericCommand) for keys args[1] (source) and args[2] (destination).
void LmoveGeneric(CommandContext& ctx, QlEnd wherefrom, QlEnd whereto) {
  std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  Record* sr = LookupListOrReply(ctx, src, true, [&] { ctx.reply->Null(); });
  if (!sr) return;
  ListValue sv = ValueOf(sr);
  if (list::Length(sv) == 0) {
    ctx.reply->Null();
    return;
  }
  Record* dr = ctx.db->LookupWrite(dst);
  if (dr && !IsList(dr)) {
    ctx.reply->Error(proto::kErrWrongType);
    return;
  }
  std::string value;
  list::Pop(&sv, wherefrom, &value);
  Store(sr, sv);
  std::string_view one[1] = {value};
  PushOrCreate(ctx, dst, dr, whereto, one);
  ctx.server->KeyModified(*ctx.db, dst, 0);
  Notify(ctx, notify::kList, whereto == QlEnd::kHead ? "lpush" : "rpush", dst);
  ctx.reply->Bulk(value);
  ElementsRemoved(ctx, src, wherefrom, sr, 1);
}

void RpoplpushCommand(CommandContext& ctx) { LmoveGeneric(ctx, QlEnd::kTail, QlEnd::kHead); }

void LmoveCommand(CommandContext& ctx) {
  QlEnd from, to;
  if (!ParseWhereOrReply(ctx, ctx.arg(3), &from) || !ParseWhereOrReply(ctx, ctx.arg(4), &to)) {
    return;
  }
  LmoveGeneric(ctx, from, to);
}

// ---- LMPOP / blocking -------------------------------------------------------------------------

// Parses "numkeys key... LEFT|RIGHT [COUNT n]" starting at numkeys_idx.
bool ParseMpop(CommandContext& ctx, size_t numkeys_idx, std::span<const std::string_view>* keys,
               QlEnd* where, long* count) {
  long numkeys;
  if (!ParseRangeLongOrReply(ctx, ctx.arg(numkeys_idx), 1, LONG_MAX, &numkeys, kErrNumkeys)) {
    return false;
  }
  if (static_cast<unsigned long>(numkeys) >= ctx.argc() - numkeys_idx - 1) {
    ctx.reply->Error(proto::kErrSyntax);
    return false;
  }
  size_t where_idx = numkeys_idx + static_cast<size_t>(numkeys) + 1;
  if (!ParseWhereOrReply(ctx, ctx.arg(where_idx), where)) return false;
  *count = -1;
  for (size_t j = where_idx + 1; j < ctx.argc(); j++) {
    bool more = j + 1 < ctx.argc();
    if (*count == -1 && EqualsIgnoreCase(ctx.arg(j), "count") && more) {
      j++;
      if (!ParseRangeLongOrReply(ctx, ctx.arg(j), 1, LONG_MAX, count, kErrCountGreaterThanZero)) {
        return false;
      }
    } else {
      ctx.reply->Error(proto::kErrSyntax);
      return false;
    }
  }
  if (*count == -1) *count = 1;
  *keys = ctx.args.subspan(numkeys_idx + 1, static_cast<size_t>(numkeys));
  return true;
}

// Finds the first non-empty list among keys. Returns false after a WRONGTYPE reply; *found is
// null when every key is missing/empty.
bool FirstNonEmpty(CommandContext& ctx, std::span<const std::string_view> keys, Record** found,
                   std::string_view* key) {
  *found = nullptr;
  for (std::string_view k : keys) {
    Record* r = ctx.db->LookupWrite(k);
    if (!r) continue;
    if (!IsList(r)) {
      ctx.reply->Error(proto::kErrWrongType);
      return false;
    }
    if (list::Length(ValueOf(r)) == 0) continue;
    *found = r;
    *key = k;
    return true;
  }
  return true;
}

void LmpopCommand(CommandContext& ctx) {
  std::span<const std::string_view> keys;
  QlEnd where;
  long count;
  if (!ParseMpop(ctx, 1, &keys, &where, &count)) return;
  Record* r;
  std::string_view key;
  if (!FirstNonEmpty(ctx, keys, &r, &key)) return;
  if (!r) {
    ctx.reply->NullArray();
    return;
  }
  PopRangeWithKey(ctx, r, key, where, count);
}

// BLPOP/BRPOP/BLMPOP body after parsing: pop now, or block. count -1 = BLPOP-style reply.
void BlockingPop(CommandContext& ctx, std::span<const std::string_view> keys, QlEnd where,
                 long count, int64_t deadline) {
  Record* r;
  std::string_view key;
  if (!FirstNonEmpty(ctx, keys, &r, &key)) return;
  if (r) {
    if (count != -1) {
      PopRangeWithKey(ctx, r, key, where, count);
      return;
    }
    ListValue v = ValueOf(r);
    std::string out;
    list::Pop(&v, where, &out);
    Store(r, v);
    ctx.reply->ArrayLen(2);
    ctx.reply->Bulk(key);
    ctx.reply->Bulk(out);
    ElementsRemoved(ctx, key, where, r, 1);
    // A blocking pop is propagated as its non-blocking form.
    ctx.server->PropagateAs({where == QlEnd::kHead ? "LPOP" : "RPOP", key});
    return;
  }
  if (!Blocking::CanBlock(ctx.client)) {
    ctx.reply->NullArray();
    return;
  }
  ctx.server->blocking().BlockForKeys(ctx, keys, ObjType::kList, deadline,
                                      BlockTimeoutReply::kNullArray);
}

void BpopGeneric(CommandContext& ctx, QlEnd where) {
  int64_t deadline;
  if (!ParseBlockTimeout(ctx.arg(ctx.argc() - 1), ctx.server->cmd_time_ms, &deadline, ctx.reply)) {
    return;
  }
  BlockingPop(ctx, ctx.args.subspan(1, ctx.argc() - 2), where, -1, deadline);
}
void BlpopCommand(CommandContext& ctx) { BpopGeneric(ctx, QlEnd::kHead); }
void BrpopCommand(CommandContext& ctx) { BpopGeneric(ctx, QlEnd::kTail); }

void BlmpopCommand(CommandContext& ctx) {
  std::span<const std::string_view> keys;
  QlEnd where;
  long count;
  if (!ParseMpop(ctx, 2, &keys, &where, &count)) return;
  int64_t deadline;
  if (!ParseBlockTimeout(ctx.arg(1), ctx.server->cmd_time_ms, &deadline, ctx.reply)) return;
  BlockingPop(ctx, keys, where, count, deadline);
}

void BlmoveGeneric(CommandContext& ctx, QlEnd from, QlEnd to, int64_t deadline) {
  Record* r = ctx.db->LookupWrite(ctx.arg(1));
  if (r && !IsList(r)) {
    ctx.reply->Error(proto::kErrWrongType);
    return;
  }
  if (r) {
    LmoveGeneric(ctx, from, to);
    ctx.server->PropagateAs({"LMOVE", ctx.arg(1), ctx.arg(2), from == QlEnd::kHead ? "LEFT" : "RIGHT",
                             to == QlEnd::kHead ? "LEFT" : "RIGHT"});
    return;
  }
  if (!Blocking::CanBlock(ctx.client)) {
    ctx.reply->Null();
    return;
  }
  // On timeout Redis replies with a null ARRAY here too (replyToBlockedClientTimedOut), unlike the
  // MULTI case above.
  ctx.server->blocking().BlockForKeys(ctx, ctx.args.subspan(1, 1), ObjType::kList, deadline,
                                      BlockTimeoutReply::kNullArray);
}

void BlmoveCommand(CommandContext& ctx) {
  QlEnd from, to;
  if (!ParseWhereOrReply(ctx, ctx.arg(3), &from) || !ParseWhereOrReply(ctx, ctx.arg(4), &to)) {
    return;
  }
  int64_t deadline;
  if (!ParseBlockTimeout(ctx.arg(5), ctx.server->cmd_time_ms, &deadline, ctx.reply)) return;
  BlmoveGeneric(ctx, from, to, deadline);
}

void BrpoplpushCommand(CommandContext& ctx) {
  int64_t deadline;
  if (!ParseBlockTimeout(ctx.arg(3), ctx.server->cmd_time_ms, &deadline, ctx.reply)) return;
  BlmoveGeneric(ctx, QlEnd::kTail, QlEnd::kHead, deadline);
}

}  // namespace

void RegisterListFamily(CommandTable& t) {
  constexpr uint32_t kW = kCmdWrite, kR = kCmdReadonly, kOom = kCmdDenyOom, kF = kCmdFast,
                     kB = kCmdBlocking;
  const char* g = "list";
  t.Register({"lpush", -3, kW | kOom | kF, 1, 1, 1, LpushCommand, g, "@write @list @fast"});
  t.Register({"rpush", -3, kW | kOom | kF, 1, 1, 1, RpushCommand, g, "@write @list @fast"});
  t.Register({"lpushx", -3, kW | kOom | kF, 1, 1, 1, LpushxCommand, g, "@write @list @fast"});
  t.Register({"rpushx", -3, kW | kOom | kF, 1, 1, 1, RpushxCommand, g, "@write @list @fast"});
  t.Register({"linsert", 5, kW | kOom, 1, 1, 1, LinsertCommand, g, "@write @list @slow"});
  t.Register({"llen", 2, kR | kF, 1, 1, 1, LlenCommand, g, "@read @list @fast"});
  t.Register({"lindex", 3, kR, 1, 1, 1, LindexCommand, g, "@read @list @slow"});
  t.Register({"lset", 4, kW | kOom, 1, 1, 1, LsetCommand, g, "@write @list @slow"});
  t.Register({"lpop", -2, kW | kF, 1, 1, 1, LpopCommand, g, "@write @list @fast"});
  t.Register({"rpop", -2, kW | kF, 1, 1, 1, RpopCommand, g, "@write @list @fast"});
  t.Register({"lrange", 4, kR, 1, 1, 1, LrangeCommand, g, "@read @list @slow"});
  t.Register({"ltrim", 4, kW, 1, 1, 1, LtrimCommand, g, "@write @list @slow"});
  t.Register({"lrem", 4, kW, 1, 1, 1, LremCommand, g, "@write @list @slow"});
  t.Register({"lpos", -3, kR, 1, 1, 1, LposCommand, g, "@read @list @slow"});
  t.Register({"rpoplpush", 3, kW | kOom, 1, 2, 1, RpoplpushCommand, g, "@write @list @slow"});
  t.Register({"lmove", 5, kW | kOom, 1, 2, 1, LmoveCommand, g, "@write @list @slow"});
  t.Register({"lmpop", -4, kW, 0, 0, 0, LmpopCommand, g, "@write @list @slow"});
  t.Register({"blpop", -3, kW | kB, 1, -2, 1, BlpopCommand, g, "@write @list @slow @blocking"});
  t.Register({"brpop", -3, kW | kB, 1, -2, 1, BrpopCommand, g, "@write @list @slow @blocking"});
  t.Register({"brpoplpush", 4, kW | kOom | kB, 1, 2, 1, BrpoplpushCommand, g,
              "@write @list @slow @blocking"});
  t.Register({"blmove", 6, kW | kOom | kB, 1, 2, 1, BlmoveCommand, g,
              "@write @list @slow @blocking"});
  t.Register({"blmpop", -5, kW | kB, 0, 0, 0, BlmpopCommand, g, "@write @list @slow @blocking"});
}

}  // namespace ember
