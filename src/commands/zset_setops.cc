// Sorted-set algebra: ZUNION ZINTER ZDIFF, their STORE forms, and ZINTERCARD (Redis's
// zunionInterDiffGenericCommand). Inputs may be zsets or plain sets (every set member scores 1).
//
//   inter  walk the smallest input; keep a member found in every other input, aggregating
//          weight * score with SUM / MIN / MAX (SUM of +inf and -inf is 0, as in Redis; a NaN
//          product such as 0 * inf counts as 0 for the first input).
//   union  accumulate member -> aggregated score over all inputs.
//   diff   members of the first input found in no other input (empty if another input is the
//          same key as the first).
// The result is sorted by (score, member). STORE forms write a listpack when the result fits the
// zset-max-listpack-* limits (zsetConvertToListpackIfNeeded), else a skiplist; an empty result
// deletes the destination.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/strutil.h"
#include "commands/zset_internal.h"
#include "core/set_value.h"
#include "types/listpack.h"

namespace ember {
class SetValue;  // complete once the set type's value API (core/set_value.h) is merged
}

namespace ember::zcmd {

namespace {

enum class Op { kUnion, kInter, kDiff };
enum class Aggr { kSum, kMin, kMax };

// Set inputs go through the set family's SetValue (Size / Contains / ForEach over SetElem). The
// template defers the check to instantiation, so this file builds before that API is merged; then
// set inputs are reported as unsupported.
template <typename SV = SetValue>
constexpr bool HaveSetApi() {
  return requires { sizeof(SV); };
}

template <typename SV = SetValue>
size_t SetInputSize(const Record* r) {
  if constexpr (HaveSetApi<SV>()) {
    return SV(r->encoding(), r->ptr()).Size();
  } else {
    return 0;
  }
}
template <typename SV = SetValue>
bool SetInputContains(const Record* r, std::string_view m) {
  if constexpr (HaveSetApi<SV>()) {
    return SV(r->encoding(), r->ptr()).Contains(m);
  } else {
    return false;
  }
}
template <typename SV = SetValue, typename Fn>
void SetInputForEach(const Record* r, Fn&& fn) {
  if constexpr (HaveSetApi<SV>()) {
    SV(r->encoding(), r->ptr()).ForEach([&](const auto& e) {
      char buf[24];
      fn(e.Text(buf), 1.0);
      return true;
    });
  }
}

struct Source {
  const Record* rec = nullptr;  // null: missing key (an empty input)
  bool is_set = false;
  double weight = 1.0;

  size_t Length() const {
    if (!rec) return 0;
    return is_set ? SetInputSize(rec) : Zset::Of(rec).Length();
  }
  // fn(std::string_view member, double score) for every element.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    if (!rec) return;
    if (is_set) {
      SetInputForEach(rec, fn);
      return;
    }
    Zset::Of(rec).ForEach([&](std::string_view m, double s) {
      fn(m, s);
      return true;
    });
  }
  bool Find(std::string_view m, double* score) const {
    if (!rec) return false;
    if (is_set) {
      if (!SetInputContains(rec, m)) return false;
      *score = 1.0;
      return true;
    }
    return Zset::Of(rec).Score(m, score);
  }
};

inline void Aggregate(double* target, double val, Aggr a) {
  switch (a) {
    case Aggr::kSum:
      *target += val;
      if (std::isnan(*target)) *target = 0.0;  // +inf + -inf
      break;
    case Aggr::kMin: *target = val < *target ? val : *target; break;
    case Aggr::kMax: *target = val > *target ? val : *target; break;
  }
}

using Element = std::pair<std::string, double>;

bool ElementLess(const Element& a, const Element& b) {
  if (a.second != b.second) return a.second < b.second;
  size_t n = std::min(a.first.size(), b.first.size());
  int c = n ? std::memcmp(a.first.data(), b.first.data(), n) : 0;
  if (c != 0) return c < 0;
  return a.first.size() < b.first.size();
}

// Builds the stored value for a sorted result (zsetConvertToListpackIfNeeded's outcome).
Zset BuildZset(const std::vector<Element>& sorted, const ZsetLimits& lim) {
  size_t maxlen = 0, total = 0;
  for (const auto& e : sorted) {
    maxlen = std::max(maxlen, e.first.size());
    total += e.first.size();
  }
  if (sorted.size() <= lim.max_listpack_entries && maxlen <= lim.max_listpack_value &&
      lp::SafeToAdd(nullptr, total)) {
    uint8_t* l = lp::New();
    for (const auto& e : sorted) l = zlp::Append(l, e.first, e.second);
    return Zset(Encoding::kListpack, l);
  }
  Zset z = Zset::NewSkiplist(sorted.size());
  ZsetSkiplist* s = z.sl();
  for (auto it = sorted.rbegin(); it != sorted.rend(); ++it) {
    s->dict.Insert(s->zsl.Insert(it->second, it->first));
  }
  return z;
}

void Generic(CommandContext& ctx, bool store, size_t numkeys_idx, Op op, bool cardinality_only,
             const char* fullname) {
  proto::ReplyBuilder* rb = ctx.reply;
  long setnum;
  if (!ParseLongOrReply(ctx, ctx.arg(numkeys_idx), &setnum)) return;
  if (setnum < 1) {
    rb->Error(proto::AtLeastOneInputKey(fullname));
    return;
  }
  size_t argc = ctx.argc();
  if (static_cast<size_t>(setnum) > argc - (numkeys_idx + 1)) {
    rb->Error(proto::kErrSyntax);
    return;
  }
  std::vector<Source> src(static_cast<size_t>(setnum));
  size_t j = numkeys_idx + 1;
  for (size_t i = 0; i < src.size(); i++, j++) {
    Record* r = ctx.db->LookupRead(ctx.arg(j));
    if (r) {
      if (r->type() != ObjType::kZSet && r->type() != ObjType::kSet) {
        rb->Error(proto::kErrWrongType);
        return;
      }
      if (r->type() == ObjType::kSet && !HaveSetApi()) {
        rb->Error("ERR set inputs are not supported by this build");
        return;
      }
      src[i].rec = r;
      src[i].is_set = r->type() == ObjType::kSet;
    }
  }
  Aggr aggregate = Aggr::kSum;
  bool withscores = false;
  long limit = 0;
  while (j < argc) {
    size_t remaining = argc - j;
    std::string_view a = ctx.arg(j);
    if (op != Op::kDiff && !cardinality_only && remaining >= src.size() + 1 &&
        EqualsIgnoreCase(a, "weights")) {
      j++;
      for (auto& s : src) {
        if (!ParseDouble(ctx.arg(j++), &s.weight)) {
          rb->Error("ERR weight value is not a float");
          return;
        }
      }
    } else if (op != Op::kDiff && !cardinality_only && remaining >= 2 &&
               EqualsIgnoreCase(a, "aggregate")) {
      std::string_view v = ctx.arg(j + 1);
      if (EqualsIgnoreCase(v, "sum")) {
        aggregate = Aggr::kSum;
      } else if (EqualsIgnoreCase(v, "min")) {
        aggregate = Aggr::kMin;
      } else if (EqualsIgnoreCase(v, "max")) {
        aggregate = Aggr::kMax;
      } else {
        rb->Error(proto::kErrSyntax);
        return;
      }
      j += 2;
    } else if (!store && !cardinality_only && EqualsIgnoreCase(a, "withscores")) {
      withscores = true;
      j++;
    } else if (cardinality_only && remaining >= 2 && EqualsIgnoreCase(a, "limit")) {
      constexpr std::string_view kErrLimit = "ERR LIMIT can't be negative";
      if (!ParseLongOrReply(ctx, ctx.arg(j + 1), &limit, kErrLimit)) return;
      if (limit < 0) {
        rb->Error(kErrLimit);
        return;
      }
      j += 2;
    } else {
      rb->Error(proto::kErrSyntax);
      return;
    }
  }
  if (op != Op::kDiff) {
    std::stable_sort(src.begin(), src.end(),
                     [](const Source& a, const Source& b) { return a.Length() < b.Length(); });
  }

  std::vector<Element> result;
  size_t cardinality = 0;
  if (op == Op::kInter) {
    if (src[0].Length() > 0) {
      bool stop = false;
      src[0].ForEach([&](std::string_view m, double s0) {
        if (stop) return;
        double score = src[0].weight * s0;
        if (std::isnan(score)) score = 0;
        size_t k = 1;
        for (; k < src.size(); k++) {
          double value;
          if (src[k].rec == src[0].rec) {
            Aggregate(&score, s0 * src[k].weight, aggregate);
          } else if (src[k].Find(m, &value)) {
            Aggregate(&score, value * src[k].weight, aggregate);
          } else {
            break;
          }
        }
        if (k != src.size()) return;
        if (cardinality_only) {
          cardinality++;
          if (limit && cardinality >= static_cast<size_t>(limit)) stop = true;
        } else {
          result.emplace_back(std::string(m), score);
        }
      });
    }
  } else if (op == Op::kUnion) {
    std::unordered_map<std::string, double> acc;
    acc.reserve(src.back().Length());
    for (const Source& s : src) {
      s.ForEach([&](std::string_view m, double sc) {
        double score = s.weight * sc;
        if (std::isnan(score)) score = 0;
        auto [it, fresh] = acc.try_emplace(std::string(m), score);
        if (!fresh) Aggregate(&it->second, score, aggregate);
      });
    }
    result.reserve(acc.size());
    for (auto& [m, sc] : acc) result.emplace_back(m, sc);
  } else {
    bool same = false;
    for (size_t k = 1; k < src.size(); k++) same |= src[k].rec && src[k].rec == src[0].rec;
    if (!same) {
      src[0].ForEach([&](std::string_view m, double s0) {
        double v;
        for (size_t k = 1; k < src.size(); k++) {
          if (src[k].Find(m, &v)) return;
        }
        result.emplace_back(std::string(m), s0);
      });
    }
  }

  if (cardinality_only) {
    rb->Integer(static_cast<int64_t>(cardinality));
    return;
  }
  std::sort(result.begin(), result.end(), ElementLess);
  if (store) {
    std::string_view dst = ctx.arg(1);
    Server* s = ctx.server;
    if (!result.empty()) {
      Zset z = BuildZset(result, Limits(ctx));
      ctx.db->Set(dst, z.ToValueInit());
      s->SignalKeyAsReady(*ctx.db, dst);
      s->KeyModified(*ctx.db, dst);
      rb->Integer(static_cast<int64_t>(result.size()));
      const char* ev = op == Op::kUnion ? "zunionstore" : op == Op::kInter ? "zinterstore" : "zdiffstore";
      s->NotifyKeyspaceEvent(notify::kZset, ev, dst, ctx.db->id());
    } else {
      rb->Integer(0);
      if (ctx.db->Delete(dst)) {
        s->KeyModified(*ctx.db, dst);
        s->NotifyKeyspaceEvent(notify::kGeneric, "del", dst, ctx.db->id());
      }
    }
    return;
  }
  bool nested = rb->Protocol() > 2;
  rb->ArrayLen(withscores && !nested ? result.size() * 2 : result.size());
  for (const auto& [m, sc] : result) {
    if (withscores && nested) rb->ArrayLen(2);
    rb->Bulk(m);
    if (withscores) rb->Double(sc);
  }
}

}  // namespace

void ZunionstoreCommand(CommandContext& ctx) { Generic(ctx, true, 2, Op::kUnion, false, "zunionstore"); }
void ZinterstoreCommand(CommandContext& ctx) { Generic(ctx, true, 2, Op::kInter, false, "zinterstore"); }
void ZdiffstoreCommand(CommandContext& ctx) { Generic(ctx, true, 2, Op::kDiff, false, "zdiffstore"); }
void ZunionCommand(CommandContext& ctx) { Generic(ctx, false, 1, Op::kUnion, false, "zunion"); }
void ZinterCommand(CommandContext& ctx) { Generic(ctx, false, 1, Op::kInter, false, "zinter"); }
void ZdiffCommand(CommandContext& ctx) { Generic(ctx, false, 1, Op::kDiff, false, "zdiff"); }
void ZintercardCommand(CommandContext& ctx) { Generic(ctx, false, 1, Op::kInter, true, "zintercard"); }

}  // namespace ember::zcmd
