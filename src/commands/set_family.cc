// Set command family: parsing and replies. The data work is SetValue (core/set_value.h); SORT and
// SORT_RO are in sort_command.cc and registered from here.
//
// Every command follows Redis 7.2's t_set.c in the order of its checks (which error wins), its
// reply shapes (sets are RESP3 '~' aggregates, SRANDMEMBER arrays), its keyspace events, and its
// dirty accounting. A command that fails changes nothing.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/strutil.h"
#include "commands/families.h"
#include "commands/sort_command.h"
#include "commands/keyspace_util.h"
#include "core/database.h"
#include "core/set_value.h"
#include "proto/errors.h"
#include "proto/reply_builder.h"
#include "server/client.h"
#include "server/command_table.h"
#include "server/server.h"

namespace ember {
namespace {

using proto::ReplyBuilder;

constexpr std::string_view kErrOutOfRangePositive = proto::kErrOutOfRangePositive;
constexpr std::string_view kErrNumkeys = "ERR numkeys should be greater than 0";
constexpr std::string_view kErrNumkeysArgs = "ERR Number of keys can't be greater than number of args";
constexpr std::string_view kErrLimitNegative = "ERR LIMIT can't be negative";

SetLimits Limits(const CommandContext& ctx) {
  const ServerConfig& c = ctx.server->cfg();
  return SetLimits{c.set_max_intset_entries, c.set_max_listpack_entries, c.set_max_listpack_value};
}

bool LazyServerDel(const CommandContext& ctx) { return ctx.server->cfg().lazyfree_lazy_server_del; }

void ReplyElem(ReplyBuilder* rb, const SetElem& e) {
  if (e.IsInt()) {
    rb->BulkInt(e.ival);
  } else {
    rb->Bulk({e.str, e.len});
  }
}

// Replies every member of s as a RESP3 set (RESP2 array).
void ReplyWholeSet(ReplyBuilder* rb, const SetValue& s) {
  rb->SetLen(s.Size());
  s.ForEach([&](const SetElem& e) {
    ReplyElem(rb, e);
    return true;
  });
}

bool WrongType(CommandContext& ctx, const Record* r) {
  if (r && r->type() != ObjType::kSet) {
    ctx.reply->Error(proto::kErrWrongType);
    return true;
  }
  return false;
}

// Deletes `key` (now empty) and sends the "del" event.
void DeleteEmpty(CommandContext& ctx, std::string_view key) {
  ctx.db->Delete(key, LazyServerDel(ctx));
  ctx.server->NotifyKeyspaceEvent(notify::kGeneric, "del", key, ctx.db->id());
}

// Redis's dbAdd: a new key, announced with the "new" keyspace event.
Record* AddKey(CommandContext& ctx, std::string_view key, const SetValue& v) {
  Record* r = ctx.db->Add(key, v.ToValueInit());
  ctx.server->NotifyKeyspaceEvent(notify::kNew, "new", key, ctx.db->id());
  return r;
}

// Redis's getPositiveLongFromObjectOrReply with the default message: anything but an integer
// >= 0 gets "value is out of range, must be positive".
bool ParsePositive(std::string_view s, int64_t* out) { return ParseInt64(s, out) && *out >= 0; }

// ---- SADD SREM SMOVE ---------------------------------------------------------------------------

void SaddCommand(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Record* r = ctx.db->LookupWrite(key);
  if (WrongType(ctx, r)) return;
  SetLimits lim = Limits(ctx);
  size_t hint = ctx.argc() - 2;
  SetValue s;
  if (!r) {
    s = SetValue::Create(ctx.arg(2), hint, lim);
    r = AddKey(ctx, key, s);
  } else {
    s = SetValue::Of(r);
    s.MaybeConvert(hint, lim);
  }
  int64_t added = 0;
  for (size_t j = 2; j < ctx.argc(); j++) added += s.Add(ctx.arg(j), lim);
  s.StoreInto(r);
  if (added) {
    ctx.server->KeyModified(*ctx.db, key, added);
    ctx.server->NotifyKeyspaceEvent(notify::kSet, "sadd", key, ctx.db->id());
  }
  ctx.reply->Integer(added);
}

void SremCommand(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Record* r = ctx.db->LookupWrite(key);
  if (!r) return ctx.reply->Integer(0);
  if (WrongType(ctx, r)) return;
  SetValue s = SetValue::Of(r);
  int64_t deleted = 0;
  bool key_removed = false;
  for (size_t j = 2; j < ctx.argc(); j++) {
    if (s.Remove(ctx.arg(j))) {
      deleted++;
      if (s.Empty()) {
        key_removed = true;
        break;
      }
    }
  }
  s.StoreInto(r);
  if (deleted) {
    if (key_removed) ctx.db->Delete(key, LazyServerDel(ctx));
    ctx.server->KeyModified(*ctx.db, key, deleted);
    ctx.server->NotifyKeyspaceEvent(notify::kSet, "srem", key, ctx.db->id());
    if (key_removed) ctx.server->NotifyKeyspaceEvent(notify::kGeneric, "del", key, ctx.db->id());
  }
  ctx.reply->Integer(deleted);
}

void SmoveCommand(CommandContext& ctx) {
  std::string_view src_key = ctx.arg(1), dst_key = ctx.arg(2), member = ctx.arg(3);
  Record* src = ctx.db->LookupWrite(src_key);
  Record* dst = ctx.db->LookupWrite(dst_key);
  if (!src) return ctx.reply->Integer(0);
  if (WrongType(ctx, src) || WrongType(ctx, dst)) return;
  if (src == dst) return ctx.reply->Integer(SetValue::Of(src).Contains(member) ? 1 : 0);

  SetValue s = SetValue::Of(src);
  if (!s.Remove(member)) return ctx.reply->Integer(0);
  s.StoreInto(src);
  ctx.server->NotifyKeyspaceEvent(notify::kSet, "srem", src_key, ctx.db->id());
  if (s.Empty()) DeleteEmpty(ctx, src_key);

  SetLimits lim = Limits(ctx);
  SetValue d;
  if (!dst) {
    d = SetValue::Create(member, 1, lim);
    dst = AddKey(ctx, dst_key, d);
  } else {
    d = SetValue::Of(dst);
  }
  ctx.server->KeyModified(*ctx.db, src_key);
  if (d.Add(member, lim)) {
    d.StoreInto(dst);
    ctx.server->KeyModified(*ctx.db, dst_key);
    ctx.server->NotifyKeyspaceEvent(notify::kSet, "sadd", dst_key, ctx.db->id());
  }
  ctx.reply->Integer(1);
}

// ---- Reads -------------------------------------------------------------------------------------

void SismemberCommand(CommandContext& ctx) {
  Record* r = ctx.db->LookupRead(ctx.arg(1));
  if (!r) return ctx.reply->Integer(0);
  if (WrongType(ctx, r)) return;
  ctx.reply->Integer(SetValue::Of(r).Contains(ctx.arg(2)) ? 1 : 0);
}

void SmismemberCommand(CommandContext& ctx) {
  Record* r = ctx.db->LookupRead(ctx.arg(1));
  if (WrongType(ctx, r)) return;
  ctx.reply->ArrayLen(ctx.argc() - 2);
  for (size_t j = 2; j < ctx.argc(); j++) {
    ctx.reply->Integer(r && SetValue::Of(r).Contains(ctx.arg(j)) ? 1 : 0);
  }
}

void ScardCommand(CommandContext& ctx) {
  Record* r = ctx.db->LookupRead(ctx.arg(1));
  if (!r) return ctx.reply->Integer(0);
  if (WrongType(ctx, r)) return;
  ctx.reply->Integer(static_cast<int64_t>(SetValue::Of(r).Size()));
}

void SmembersCommand(CommandContext& ctx) {
  Record* r = ctx.db->LookupRead(ctx.arg(1));
  if (!r) return ctx.reply->SetLen(0);
  if (WrongType(ctx, r)) return;
  ReplyWholeSet(ctx.reply, SetValue::Of(r));
}

// ---- SPOP SRANDMEMBER --------------------------------------------------------------------------

void SpopWithCount(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  int64_t l;
  if (!ParsePositive(ctx.arg(2), &l)) return ctx.reply->Error(kErrOutOfRangePositive);
  size_t count = static_cast<size_t>(l);
  Record* r = ctx.db->LookupWrite(key);
  if (!r) return ctx.reply->SetLen(0);
  if (WrongType(ctx, r)) return;
  if (count == 0) return ctx.reply->SetLen(0);

  SetValue s = SetValue::Of(r);
  size_t size = s.Size();
  ctx.server->NotifyKeyspaceEvent(notify::kSet, "spop", key, ctx.db->id());
  if (count >= size) {
    ReplyWholeSet(ctx.reply, s);
    DeleteEmpty(ctx, key);
    ctx.server->KeyModified(*ctx.db, key, size);
    // The whole set went: propagated as DEL/UNLINK (Redis's spopWithCountCommand).
    ctx.server->PropagateAs({ctx.server->cfg().lazyfree_lazy_server_del ? "UNLINK" : "DEL", key});
    return;
  }
  std::vector<std::string> popped;
  popped.reserve(count);
  s.PopMany(count, Limits(ctx), &popped);
  s.StoreInto(r);
  ctx.reply->SetLen(popped.size());
  for (const std::string& m : popped) ctx.reply->Bulk(m);
  ctx.server->KeyModified(*ctx.db, key, count);
  // The random choice is propagated by its effect: SREM of the popped members, 1024 per command.
  if (ctx.server->propagating()) {
    constexpr size_t kBatch = 1024;
    std::vector<std::string_view> argv;
    for (size_t i = 0; i < popped.size(); i += kBatch) {
      argv.assign({"SREM", key});
      for (size_t j = i; j < std::min(popped.size(), i + kBatch); j++) argv.push_back(popped[j]);
      if (popped.size() <= kBatch) {
        ctx.server->PropagateAs(std::span<const std::string_view>(argv));
      } else {
        ctx.server->AlsoPropagate(ctx.db->id(), std::span<const std::string_view>(argv));
      }
    }
    if (popped.size() > kBatch) ctx.server->PreventPropagation();
  }
}

void SpopCommand(CommandContext& ctx) {
  if (ctx.argc() == 3) return SpopWithCount(ctx);
  if (ctx.argc() > 3) return ctx.reply->Error(proto::kErrSyntax);
  std::string_view key = ctx.arg(1);
  Record* r = ctx.db->LookupWrite(key);
  if (!r) return ctx.reply->Null();
  if (WrongType(ctx, r)) return;
  SetValue s = SetValue::Of(r);
  std::string m = s.PopRandom();
  s.StoreInto(r);
  ctx.server->NotifyKeyspaceEvent(notify::kSet, "spop", key, ctx.db->id());
  ctx.reply->Bulk(m);
  if (s.Empty()) DeleteEmpty(ctx, key);
  ctx.server->KeyModified(*ctx.db, key);
  ctx.server->PropagateAs({"SREM", key, m});
}

// True when the client's output buffer passed its limit and it is being closed (Redis stops
// producing a runaway reply on CLIENT_CLOSE_ASAP).
bool ClientClosing(CommandContext& ctx) {
  if (!ctx.client) return false;
  ctx.server->CheckOutputBufferLimits(ctx.client);
  return ctx.client->flags & kClientCloseAsap;
}

void SrandmemberWithCount(CommandContext& ctx) {
  int64_t l;
  if (!ParseInt64(ctx.arg(2), &l)) return ctx.reply->Error(proto::kErrNotInteger);
  if (l == INT64_MIN) return ctx.reply->Error(proto::OutOfRangeBetween(-INT64_MAX, INT64_MAX));
  bool uniq = l >= 0;
  uint64_t count = uniq ? static_cast<uint64_t>(l) : static_cast<uint64_t>(-l);
  Record* r = ctx.db->LookupRead(ctx.arg(1));
  if (!r) return ctx.reply->ArrayLen(0);
  if (WrongType(ctx, r)) return;
  if (count == 0) return ctx.reply->ArrayLen(0);
  SetValue s = SetValue::Of(r);
  size_t size = s.Size();

  if (!uniq || count == 1) {
    ctx.reply->ArrayLen(count);
    for (uint64_t i = 0; i < count; i++) {
      ReplyElem(ctx.reply, s.Random());
      if ((i & 1023) == 1023 && ClientClosing(ctx)) break;
    }
    return;
  }
  if (count >= size) {
    ctx.reply->ArrayLen(size);
    s.ForEach([&](const SetElem& e) {
      ReplyElem(ctx.reply, e);
      return true;
    });
    return;
  }
  std::vector<std::string> picked;
  picked.reserve(count);
  s.RandomDistinct(count, &picked);
  ctx.reply->ArrayLen(picked.size());
  for (const std::string& m : picked) ctx.reply->Bulk(m);
}

void SrandmemberCommand(CommandContext& ctx) {
  if (ctx.argc() == 3) return SrandmemberWithCount(ctx);
  if (ctx.argc() > 3) return ctx.reply->Error(proto::kErrSyntax);
  Record* r = ctx.db->LookupRead(ctx.arg(1));
  if (!r) return ctx.reply->Null();
  if (WrongType(ctx, r)) return;
  ReplyElem(ctx.reply, SetValue::Of(r).Random());
}

// ---- SINTER SINTERCARD SINTERSTORE -------------------------------------------------------------

// Stores `value` at dst (or deletes dst when value is empty) and replies the cardinality, as
// Redis's *STORE commands do. Takes ownership of value.
void StoreResult(CommandContext& ctx, std::string_view dst, SetValue value, const char* event) {
  size_t n = value.Size();
  if (n > 0) {
    bool fresh = ctx.db->LookupWrite(dst) == nullptr;  // Redis's setKey: expired keys go first
    ctx.db->Set(dst, value.ToValueInit());
    if (fresh) ctx.server->NotifyKeyspaceEvent(notify::kNew, "new", dst, ctx.db->id());
    ctx.reply->Integer(static_cast<int64_t>(n));
    ctx.server->NotifyKeyspaceEvent(notify::kSet, event, dst, ctx.db->id());
    ctx.server->KeyModified(*ctx.db, dst);
    return;
  }
  value.Free();
  ctx.reply->Integer(0);
  if (ctx.db->Delete(dst, LazyServerDel(ctx))) {
    ctx.server->KeyModified(*ctx.db, dst);
    ctx.server->NotifyKeyspaceEvent(notify::kGeneric, "del", dst, ctx.db->id());
  }
}

// Looks up every key; false (WRONGTYPE replied) if one is not a set. Missing keys are null.
bool LookupSets(CommandContext& ctx, std::span<const std::string_view> keys,
                std::vector<Record*>* sets) {
  sets->reserve(keys.size());
  for (std::string_view k : keys) {
    Record* r = ctx.db->LookupRead(k);
    if (WrongType(ctx, r)) return false;
    sets->push_back(r);
  }
  return true;
}

void SinterGeneric(CommandContext& ctx, std::span<const std::string_view> keys,
                   const std::string_view* dst, bool cardinality_only, uint64_t limit) {
  std::vector<Record*> recs;
  if (!LookupSets(ctx, keys, &recs)) return;
  if (std::find(recs.begin(), recs.end(), nullptr) != recs.end()) {
    if (dst) {
      ctx.reply->Integer(0);
      if (ctx.db->Delete(*dst, LazyServerDel(ctx))) {
        ctx.server->KeyModified(*ctx.db, *dst);
        ctx.server->NotifyKeyspaceEvent(notify::kGeneric, "del", *dst, ctx.db->id());
      }
    } else if (cardinality_only) {
      ctx.reply->Integer(0);
    } else {
      ctx.reply->SetLen(0);
    }
    return;
  }
  std::vector<SetValue> sets;
  for (Record* r : recs) sets.push_back(SetValue::Of(r));
  std::stable_sort(sets.begin(), sets.end(),
                   [](const SetValue& a, const SetValue& b) { return a.Size() < b.Size(); });

  SetLimits lim = Limits(ctx);
  SetValue out;
  size_t deferred = 0;
  if (dst) {
    if (sets[0].encoding() == Encoding::kIntset) {
      out = SetValue::NewIntset();
    } else if (sets[0].encoding() == Encoding::kListpack) {
      out = SetValue::NewListpack(lp::Bytes(sets[0].blob()));
    } else {
      out = SetValue::NewListpack();
    }
  } else if (!cardinality_only) {
    deferred = ctx.reply->DeferLen();
  }

  uint64_t cardinality = 0;
  bool only_integers = true;
  const SetValue& first = sets[0];
  first.ForEach([&](const SetElem& e) {
    for (size_t j = 1; j < sets.size(); j++) {
      if (sets[j].ptr() == first.ptr()) continue;
      if (!sets[j].ContainsElem(e)) return true;
    }
    if (cardinality_only) {
      cardinality++;
      return !(limit && cardinality >= limit);
    }
    if (!dst) {
      ReplyElem(ctx.reply, e);
      cardinality++;
      return true;
    }
    SetElem add = e;
    if (!e.IsInt() && only_integers) {
      int64_t v;
      if (first.encoding() == Encoding::kHashtable && ParseInt64({e.str, e.len}, &v)) {
        if (out.encoding() != Encoding::kHashtable) add = SetElem::Int(v);
      } else {
        only_integers = false;
      }
    }
    out.AddElem(add, lim);
    return true;
  });

  if (cardinality_only) {
    ctx.reply->Integer(static_cast<int64_t>(cardinality));
  } else if (dst) {
    if (out.Size() > 0) {
      if (only_integers) out.MaybeConvertToIntset(lim);
      out.ShrinkToFit();
    }
    StoreResult(ctx, *dst, out, "sinterstore");
  } else {
    ctx.reply->SetDeferredSetLen(deferred, cardinality);
  }
}

void SinterCommand(CommandContext& ctx) { SinterGeneric(ctx, ctx.args.subspan(1), nullptr, false, 0); }

void SinterstoreCommand(CommandContext& ctx) {
  std::string_view dst = ctx.arg(1);
  SinterGeneric(ctx, ctx.args.subspan(2), &dst, false, 0);
}

void SintercardCommand(CommandContext& ctx) {
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(1), &numkeys) || numkeys < 1) return ctx.reply->Error(kErrNumkeys);
  if (numkeys > static_cast<int64_t>(ctx.argc() - 2)) return ctx.reply->Error(kErrNumkeysArgs);
  int64_t limit = 0;
  for (size_t j = 2 + numkeys; j < ctx.argc(); j++) {
    size_t moreargs = ctx.argc() - 1 - j;
    if (EqualsIgnoreCase(ctx.arg(j), "limit") && moreargs) {
      j++;
      if (!ParseInt64(ctx.arg(j), &limit) || limit < 0) return ctx.reply->Error(kErrLimitNegative);
    } else {
      return ctx.reply->Error(proto::kErrSyntax);
    }
  }
  SinterGeneric(ctx, ctx.args.subspan(2, numkeys), nullptr, true, static_cast<uint64_t>(limit));
}

// ---- SUNION SDIFF (+STORE) ---------------------------------------------------------------------

enum class SetOp { kUnion, kDiff };

void SunionDiffGeneric(CommandContext& ctx, std::span<const std::string_view> keys,
                       const std::string_view* dst, SetOp op) {
  std::vector<Record*> recs;
  if (!LookupSets(ctx, keys, &recs)) return;
  std::vector<SetValue> sets(recs.size());
  bool sameset = false;
  for (size_t j = 0; j < recs.size(); j++) {
    if (!recs[j]) continue;
    sets[j] = SetValue::Of(recs[j]);
    if (j > 0 && recs[j] == recs[0]) sameset = true;
  }
  auto size_of = [](const SetValue& s) -> size_t { return s.valid() ? s.Size() : 0; };

  // DIFF algorithm choice as Redis: 1 = check each member of the first set against the others
  // (O(N*M)), 2 = add the first set then remove all the others (O(total)).
  int diff_algo = 1;
  if (op == SetOp::kDiff && sets[0].valid() && !sameset) {
    int64_t one = 0, two = 0;
    for (const SetValue& s : sets) {
      if (!s.valid()) continue;
      one += static_cast<int64_t>(sets[0].Size());
      two += static_cast<int64_t>(s.Size());
    }
    one /= 2;
    diff_algo = one <= two ? 1 : 2;
    if (diff_algo == 1 && sets.size() > 1) {
      std::stable_sort(sets.begin() + 1, sets.end(), [&](const SetValue& a, const SetValue& b) {
        return size_of(a) > size_of(b);
      });
    }
  }

  SetLimits lim = Limits(ctx);
  SetValue out = SetValue::NewIntset();
  int64_t cardinality = 0;
  if (op == SetOp::kUnion) {
    for (const SetValue& s : sets) {
      if (!s.valid()) continue;
      s.ForEach([&](const SetElem& e) {
        cardinality += out.AddElem(e, lim);
        return true;
      });
    }
  } else if (sameset || !sets[0].valid()) {
    // Empty result.
  } else if (diff_algo == 1) {
    sets[0].ForEach([&](const SetElem& e) {
      for (size_t j = 1; j < sets.size(); j++) {
        if (!sets[j].valid()) continue;
        if (sets[j].ptr() == sets[0].ptr() || sets[j].ContainsElem(e)) return true;
      }
      cardinality += out.AddElem(e, lim);
      return true;
    });
  } else {
    for (size_t j = 0; j < sets.size(); j++) {
      if (!sets[j].valid()) continue;
      sets[j].ForEach([&](const SetElem& e) {
        if (j == 0) {
          cardinality += out.AddElem(e, lim);
        } else {
          cardinality -= out.RemoveElem(e);
        }
        return true;
      });
      if (cardinality == 0) break;
    }
  }

  if (!dst) {
    ReplyWholeSet(ctx.reply, out);
    out.Free();
    return;
  }
  StoreResult(ctx, *dst, out, op == SetOp::kUnion ? "sunionstore" : "sdiffstore");
}

void SunionCommand(CommandContext& ctx) {
  SunionDiffGeneric(ctx, ctx.args.subspan(1), nullptr, SetOp::kUnion);
}
void SunionstoreCommand(CommandContext& ctx) {
  std::string_view dst = ctx.arg(1);
  SunionDiffGeneric(ctx, ctx.args.subspan(2), &dst, SetOp::kUnion);
}
void SdiffCommand(CommandContext& ctx) {
  SunionDiffGeneric(ctx, ctx.args.subspan(1), nullptr, SetOp::kDiff);
}
void SdiffstoreCommand(CommandContext& ctx) {
  std::string_view dst = ctx.arg(1);
  SunionDiffGeneric(ctx, ctx.args.subspan(2), &dst, SetOp::kDiff);
}

// ---- SSCAN -------------------------------------------------------------------------------------

void SscanCommand(CommandContext& ctx) {
  uint64_t cursor;
  if (!keyspace::ParseScanCursor(ctx.arg(2), &cursor)) return ctx.reply->Error(proto::kErrInvalidCursor);
  Record* r = ctx.db->LookupRead(ctx.arg(1));
  if (!r) {
    ctx.reply->ArrayLen(2);
    ctx.reply->Bulk("0");
    ctx.reply->ArrayLen(0);
    return;
  }
  if (WrongType(ctx, r)) return;
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;
  for (size_t i = 3; i < ctx.argc();) {
    size_t left = ctx.argc() - i;
    if (EqualsIgnoreCase(ctx.arg(i), "count") && left >= 2) {
      if (!ParseInt64(ctx.arg(i + 1), &count)) return ctx.reply->Error(proto::kErrNotInteger);
      if (count < 1) return ctx.reply->Error(proto::kErrSyntax);
      i += 2;
    } else if (EqualsIgnoreCase(ctx.arg(i), "match") && left >= 2) {
      pattern = ctx.arg(i + 1);
      use_pattern = pattern != "*";
      i += 2;
    } else {
      return ctx.reply->Error(proto::kErrSyntax);
    }
  }

  SetValue s = SetValue::Of(r);
  std::vector<std::string> found;
  if (s.encoding() != Encoding::kHashtable) {
    s.ForEach([&](const SetElem& e) {
      found.push_back(e.ToString());
      return true;
    });
    cursor = 0;
  } else {
    int64_t max_iterations = count * 10;
    do {
      cursor = s.ScanTable(cursor, [&](std::string_view m) { found.emplace_back(m); });
    } while (cursor && max_iterations-- && found.size() < static_cast<uint64_t>(count));
  }
  if (use_pattern) {
    found.erase(std::remove_if(found.begin(), found.end(),
                               [&](const std::string& m) { return !GlobMatch(pattern, m); }),
                found.end());
  }
  ctx.reply->ArrayLen(2);
  ctx.reply->Bulk(std::to_string(cursor));
  ctx.reply->ArrayLen(found.size());
  for (const std::string& m : found) ctx.reply->Bulk(m);
}

}  // namespace

void RegisterSetFamily(CommandTable& t) {
  constexpr uint32_t kW = kCmdWrite, kR = kCmdReadonly, kOom = kCmdDenyOom, kF = kCmdFast;
  const char* g = "set";
  t.Register({"sadd", -3, kW | kOom | kF, 1, 1, 1, SaddCommand, g, "@write @set @fast"});
  t.Register({"srem", -3, kW | kF, 1, 1, 1, SremCommand, g, "@write @set @fast"});
  t.Register({"smove", 4, kW | kF, 1, 2, 1, SmoveCommand, g, "@write @set @fast"});
  t.Register({"sismember", 3, kR | kF, 1, 1, 1, SismemberCommand, g, "@read @set @fast"});
  t.Register({"smismember", -3, kR | kF, 1, 1, 1, SmismemberCommand, g, "@read @set @fast"});
  t.Register({"scard", 2, kR | kF, 1, 1, 1, ScardCommand, g, "@read @set @fast"});
  t.Register({"smembers", 2, kR, 1, 1, 1, SmembersCommand, g, "@read @set @slow"});
  t.Register({"spop", -2, kW | kF, 1, 1, 1, SpopCommand, g, "@write @set @fast"});
  t.Register({"srandmember", -2, kR, 1, 1, 1, SrandmemberCommand, g, "@read @set @slow"});
  t.Register({"sinter", -2, kR, 1, -1, 1, SinterCommand, g, "@read @set @slow"});
  t.Register({"sintercard", -3, kR, 0, 0, 0, SintercardCommand, g, "@read @set @slow"});
  t.Register({"sinterstore", -3, kW | kOom, 1, -1, 1, SinterstoreCommand, g, "@write @set @slow"});
  t.Register({"sunion", -2, kR, 1, -1, 1, SunionCommand, g, "@read @set @slow"});
  t.Register({"sunionstore", -3, kW | kOom, 1, -1, 1, SunionstoreCommand, g, "@write @set @slow"});
  t.Register({"sdiff", -2, kR, 1, -1, 1, SdiffCommand, g, "@read @set @slow"});
  t.Register({"sdiffstore", -3, kW | kOom, 1, -1, 1, SdiffstoreCommand, g, "@write @set @slow"});
  t.Register({"sscan", -3, kR, 1, 1, 1, SscanCommand, g, "@read @set @slow"});
  RegisterSortCommands(t);
}

}  // namespace ember
