// Sorted-set layouts. Written as ZSET_LISTPACK (the listpack blob as it is) or ZSET_2 (count, then
// member + 8-byte binary double per element, from the highest score to the lowest, as Redis writes
// so that loading inserts at the head). Read: ZSET (text scores), ZSET_2, ZSET_ZIPLIST and
// ZSET_LISTPACK. NaN scores and duplicate members are a corrupt file.
//
// A ZSET_LISTPACK blob in order is taken as it is (UsableZsetListpack); Redis does the same, and
// 7.0's %.17g score texts and 7.2's shortest ones both parse to the scores they stand for.
#include <charconv>
#include <cmath>

#include "base/strutil.h"
#include "core/zset_value.h"
#include "persist/rdb/rdb_format.h"
#include "persist/rdb/rdb_types.h"
#include "types/listpack.h"

namespace ember::rdb {

Status SaveZsetValue(RdbWriter& w, Encoding enc, const void* v) {
  Zset z(enc, const_cast<void*>(v));
  if (enc == Encoding::kListpack) {
    return w.SaveString(std::string_view(reinterpret_cast<const char*>(z.lp()), lp::Bytes(z.lp())));
  }
  size_t n = z.Length();
  EMBER_RETURN_IF_ERROR(w.SaveLen(n));
  for (ZsetIter it = z.AtRank(n - 1); n > 0 && it.Valid(); it.Prev()) {
    EMBER_RETURN_IF_ERROR(w.SaveString(it.Member()));
    EMBER_RETURN_IF_ERROR(w.SaveBinaryDouble(it.Score()));
  }
  return Status::OK();
}

namespace {

// The score of a listpack score entry as the slow path would accept it (integers; text that
// ParseDouble takes, not NaN). Text longer than 127 bytes is refused: ListpackScore reads at most
// that much, so such an entry would not mean the same thing in memory (the slow path re-encodes it).
bool ScoreOf(const uint8_t* sp, double* out) {
  lp::Value v = lp::Get(sp);
  if (v.IsInt()) {
    *out = static_cast<double>(v.ival);
    return true;
  }
  if (v.len == 0 || v.len > 127) return false;
  // from_chars is exact (correctly rounded, like strtod) and several times faster; what it does not
  // take whole (a leading '+', hex, out of range) goes to ParseDouble.
  const char* b = reinterpret_cast<const char*>(v.str);
  auto [end, ec] = std::from_chars(b, b + v.len, *out);
  if (ec == std::errc() && end == b + v.len && !std::isnan(*out)) return true;
  return ParseDouble(v.View(), out);
}

// Whether a listpack blob is a zset Ember can keep as it is: valid, member/score pairs, every score
// a number, pairs strictly ascending by (score, member bytes), members distinct. One walk: the
// checks run as the validation reaches each entry. Sets *entries when true.
bool UsableZsetListpack(std::string_view blob, size_t* entries) {
  DuplicateCheck dups;
  const uint8_t* member = nullptr;  // the member of the pair being read
  lp::Scratch scratch[2];
  std::string_view prev_member;
  double prev_score = 0;
  int cur = 0;
  bool first = true;
  auto each = [&](const uint8_t* p) {
    if (!member) {
      member = p;
      dups.Add(p);
      return true;
    }
    double score;
    if (!ScoreOf(p, &score)) return false;
    if (!first && (score < prev_score ||
                   (score == prev_score && lp::CompareString(member, prev_member) <= 0))) {
      return false;
    }
    prev_member = lp::GetString(member, &scratch[cur]);
    cur ^= 1;  // prev_member may point into the other scratch
    prev_score = score;
    first = false;
    member = nullptr;
    return true;
  };
  if (!ValidListpack(blob, entries, each)) return false;
  return *entries > 0 && !member && !dups.Found();
}

}  // namespace

Expected<ValueInit> LoadZsetValue(RdbReader& r, uint8_t type, const LoadLimits& limits) {
  ZsetLimits lim;
  lim.max_listpack_entries = limits.zset_max_listpack_entries;
  lim.max_listpack_value = limits.zset_max_listpack_value;
  Zset z = Zset::NewListpack();
  auto fail = [&](Status st) -> Expected<ValueInit> {
    z.Free();
    return st;
  };
  auto add = [&](std::string_view member, double score) -> Status {
    if (std::isnan(score)) return Status::Corruption("Zset with NAN score detected");
    int out = 0;
    z.Add(score, member, kZaddNx, lim, &out, nullptr);
    if (!(out & kZaddOutAdded)) return Status::Corruption("Duplicate zset fields detected");
    return Status::OK();
  };
  if (type == RDB_TYPE_ZSET || type == RDB_TYPE_ZSET_2) {
    auto n = r.LoadLen();
    if (!n.ok()) return fail(n.status());
    if (*n > lim.max_listpack_entries) z.MaybeConvert(std::min<uint64_t>(*n, 1u << 24), lim);
    std::string m;
    for (uint64_t i = 0; i < *n; i++) {
      Status st = r.LoadString(&m);
      if (!st.ok()) return fail(st);
      auto score = type == RDB_TYPE_ZSET_2 ? r.LoadBinaryDouble() : r.LoadLegacyDouble();
      if (!score.ok()) return fail(score.status());
      st = add(m, *score);
      if (!st.ok()) return fail(r.Corrupt(st.message()));
    }
  } else {
    std::string blob;
    Status st = LoadBlob(r, &blob, "zset blob");
    if (!st.ok()) return fail(st);
    size_t entries = 0;
    if (type == RDB_TYPE_ZSET_LISTPACK && UsableZsetListpack(blob, &entries)) {
      z.Free();
      Zset taken(Encoding::kListpack, lp::FromBlob(blob.data(), blob.size()));
      taken.MaybeConvert(entries / 2, lim);  // Redis: skiplist above zset-max-listpack-entries
      return taken.ToValueInit();
    }
    std::string member;
    bool have_member = false;
    auto pairs = [&](std::string_view e) -> Status {
      if (!have_member) {
        member.assign(e);
        have_member = true;
        return Status::OK();
      }
      have_member = false;
      double score;
      if (!ParseDouble(e, &score)) return Status::Corruption("bad zset score");
      return add(member, score);
    };
    st = type == RDB_TYPE_ZSET_ZIPLIST ? ForEachZiplistString(blob, pairs)
                                       : ForEachListpackEntry(blob, pairs);
    if (st.ok() && have_member) st = Status::Corruption("zset blob with an odd number of entries");
    if (!st.ok()) return fail(r.Corrupt("bad zset: " + st.message()));
  }
  if (z.Length() == 0) return fail(Status::NotFound("empty zset"));
  return z.ToValueInit();
}

}  // namespace ember::rdb
