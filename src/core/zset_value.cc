// Zset values; see zset_value.h for the encodings and the conversion rules.
//
// Listpack zsets are walked pair by pair (eptr = member entry, sptr = its score entry). Ordered
// inserts scan from the head for the first pair that sorts after the new one, as Redis's zzlInsert
// does, so the blob is byte-identical with Redis's for the same command sequence. Skiplist zsets
// keep the member -> node table and the skiplist in step: the table is updated before a node is
// freed (its key is the node's embedded member), and score updates keep the node in place.
#include "core/zset_value.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <unordered_set>

#include "base/assert.h"
#include "base/strutil.h"
#include "memory/alloc.h"
#include "proto/reply_builder.h"
#include "types/listpack.h"

namespace ember {

namespace {

// Redis's double2ll: integral doubles within +-LLONG_MAX/2 are stored as listpack integers.
bool ScoreAsInt(double d, int64_t* out) {
  if (!(d >= static_cast<double>(-(LLONG_MAX / 2)) && d <= static_cast<double>(LLONG_MAX / 2))) {
    return false;
  }
  auto ll = static_cast<long long>(d);
  if (static_cast<double>(ll) != d) return false;
  *out = ll;
  return true;
}

uint8_t* InsertScore(uint8_t* lp, const uint8_t* p, lp::Where where, double score) {
  int64_t iv;
  if (ScoreAsInt(score, &iv)) return lp::InsertInteger(lp, p, where, iv);
  char buf[proto::kMaxDoubleChars];
  size_t n = proto::FormatDouble(score, buf);
  return lp::Insert(lp, p, where, std::string_view(buf, n));
}

// Text of a listpack entry (integers formatted into scratch).
inline std::string_view EntryText(const uint8_t* p, lp::Scratch* s) { return lp::GetString(p, s); }

constexpr size_t kSkiplistHeaderNodeBytes = sizeof(ZslNode) + ZSkiplist::kMaxLevel * 12;

}  // namespace

double ListpackScore(const uint8_t* sptr) {
  lp::Value v = lp::Get(sptr);
  if (v.IsInt()) return static_cast<double>(v.ival);
  char buf[128];
  size_t n = std::min<size_t>(v.len, sizeof(buf) - 1);
  std::memcpy(buf, v.str, n);
  buf[n] = '\0';
  return std::strtod(buf, nullptr);
}

// ---- zlp ---------------------------------------------------------------------------------------

namespace zlp {

const uint8_t* Find(const uint8_t* lp, std::string_view member, double* score) {
  for (const uint8_t* e = lp::First(lp); e;) {
    const uint8_t* s = lp::Next(lp, e);
    if (lp::Equals(e, member)) {
      if (score) *score = ListpackScore(s);
      return e;
    }
    e = lp::Next(lp, s);
  }
  return nullptr;
}

uint8_t* Append(uint8_t* lp, std::string_view member, double score) {
  lp = lp::Append(lp, member);
  return InsertScore(lp, lp::End(lp), lp::Where::kBefore, score);
}

uint8_t* Insert(uint8_t* lp, std::string_view member, double score) {
  for (const uint8_t* e = lp::First(lp); e;) {
    const uint8_t* s = lp::Next(lp, e);
    double es = ListpackScore(s);
    if (es > score || (es == score && lp::CompareString(e, member) > 0)) {
      const uint8_t* newp = nullptr;
      lp = lp::Insert(lp, e, lp::Where::kBefore, member, &newp);
      return InsertScore(lp, newp, lp::Where::kAfter, score);
    }
    e = lp::Next(lp, s);
  }
  return Append(lp, member, score);
}

size_t PairBytes(std::string_view member, double score) {
  int64_t iv;
  size_t sb;
  if (ScoreAsInt(score, &iv)) {
    sb = lp::EntrySizeInteger(iv);
  } else {
    char buf[proto::kMaxDoubleChars];
    sb = lp::EntrySizeString(proto::FormatDouble(score, buf));
  }
  return lp::EntrySizeFor(member) + sb;
}

}  // namespace zlp

// ---- ZsetIter ----------------------------------------------------------------------------------

void ZsetIter::Next() {
  if (lp_) {
    eptr_ = lp::Next(lp_, sptr_);
    sptr_ = eptr_ ? lp::Next(lp_, eptr_) : nullptr;
  } else {
    node_ = node_->Next();
  }
}

void ZsetIter::Prev() {
  if (lp_) {
    sptr_ = lp::Prev(lp_, eptr_);
    eptr_ = sptr_ ? lp::Prev(lp_, sptr_) : nullptr;
    if (!eptr_) sptr_ = nullptr;
  } else {
    node_ = node_->Prev();
  }
}

std::string_view ZsetIter::Member() {
  if (!lp_) return node_->member();
  lp::Value v = lp::Get(eptr_);
  if (!v.IsInt()) return v.View();
  return {buf_, Int64ToChars(v.ival, buf_)};
}

bool ZsetIter::MemberInt(int64_t* v) const {
  if (!lp_) return false;
  lp::Value val = lp::Get(eptr_);
  if (!val.IsInt()) return false;
  *v = val.ival;
  return true;
}

// ---- creation, conversion ----------------------------------------------------------------------

Zset Zset::NewListpack() { return Zset(Encoding::kListpack, lp::New()); }

Zset Zset::NewSkiplist(size_t size_hint) {
  auto* s = new ZsetSkiplist();
  if (size_hint) s->dict.Expand(size_hint);
  return Zset(Encoding::kSkiplist, s);
}

Zset Zset::Create(size_t size_hint, size_t val_len_hint, const ZsetLimits& lim) {
  if (size_hint <= lim.max_listpack_entries && val_len_hint <= lim.max_listpack_value) {
    return NewListpack();
  }
  return NewSkiplist(size_hint);
}

void Zset::MaybeConvert(size_t size_hint, const ZsetLimits& lim) {
  if (enc_ == Encoding::kListpack && size_hint > lim.max_listpack_entries) ConvertToSkiplist(size_hint);
}

void Zset::ConvertToSkiplist(size_t cap) {
  if (enc_ != Encoding::kListpack) return;
  uint8_t* l = lp();
  auto* s = new ZsetSkiplist();
  s->dict.Expand(std::max(cap, lp::Length(l) / 2));
  // From the highest element down: each insert then stops at the header (O(1) descent).
  for (const uint8_t* e = lp::Seek(l, -2); e;) {
    const uint8_t* sp = lp::Next(l, e);
    lp::Scratch scratch;
    ZslNode* n = s->zsl.Insert(ListpackScore(sp), EntryText(e, &scratch));
    s->dict.Insert(n);
    const uint8_t* prev_score = lp::Prev(l, e);
    e = prev_score ? lp::Prev(l, prev_score) : nullptr;
  }
  lp::Free(l);
  ptr_ = s;
  enc_ = Encoding::kSkiplist;
}

void Zset::ConvertToListpack() {
  if (enc_ != Encoding::kSkiplist) return;
  ZsetSkiplist* s = sl();
  uint8_t* l = lp::New();
  for (ZslNode* n = s->zsl.First(); n; n = n->Next()) l = zlp::Append(l, n->member(), n->score());
  delete s;
  ptr_ = l;
  enc_ = Encoding::kListpack;
}

void Zset::ConvertToListpackIfNeeded(size_t maxelelen, size_t totelelen, const ZsetLimits& lim) {
  if (enc_ == Encoding::kListpack) return;
  if (sl()->zsl.Size() <= lim.max_listpack_entries && maxelelen <= lim.max_listpack_value &&
      lp::SafeToAdd(nullptr, totelelen)) {
    ConvertToListpack();
  }
}

// ---- point operations --------------------------------------------------------------------------

size_t Zset::Length() const {
  return enc_ == Encoding::kListpack ? lp::Length(static_cast<const uint8_t*>(ptr_)) / 2
                                     : sl()->zsl.Size();
}

bool Zset::Score(std::string_view member, double* score) const {
  if (enc_ == Encoding::kListpack) return zlp::Find(lp(), member, score) != nullptr;
  ZslNode* n = sl()->dict.Get(member);
  if (!n) return false;
  *score = n->score();
  return true;
}

bool Zset::Add(double score, std::string_view member, int in_flags, const ZsetLimits& lim,
               int* out_flags, double* newscore) {
  *out_flags = 0;
  if (std::isnan(score)) {
    *out_flags = kZaddOutNan;
    return false;
  }
  if (enc_ == Encoding::kListpack) {
    // Returns after the work unless the listpack had to become a skiplist first.
    if (AddListpack(score, member, in_flags, lim, out_flags, newscore)) return true;
    if (*out_flags & kZaddOutNan) return false;
  }
  return AddSkiplist(score, member, in_flags, out_flags, newscore);
}

// Returns true when done; false with kZaddOutNan on NaN, or false with no flag after converting to
// a skiplist (the caller continues there).
bool Zset::AddListpack(double score, std::string_view member, int in_flags, const ZsetLimits& lim,
                       int* out_flags, double* newscore) {
  bool incr = in_flags & kZaddIncr, nx = in_flags & kZaddNx, xx = in_flags & kZaddXx;
  bool gt = in_flags & kZaddGt, lt = in_flags & kZaddLt;
  uint8_t* l = lp();
  double cur;
  const uint8_t* e = zlp::Find(l, member, &cur);
  if (e) {
    if (nx) {
      *out_flags |= kZaddOutNop;
      return true;
    }
    if (incr) {
      score += cur;
      if (std::isnan(score)) {
        *out_flags |= kZaddOutNan;
        return false;
      }
    }
    if ((lt && score >= cur) || (gt && score <= cur)) {
      *out_flags |= kZaddOutNop;
      return true;
    }
    if (newscore) *newscore = score;
    if (score != cur) {
      l = lp::DeleteRangeAt(l, &e, 2);
      ptr_ = zlp::Insert(l, member, score);
      *out_flags |= kZaddOutUpdated;
    }
    return true;
  }
  if (xx) {
    *out_flags |= kZaddOutNop;
    return true;
  }
  if (lp::Length(l) / 2 + 1 > lim.max_listpack_entries || member.size() > lim.max_listpack_value ||
      !lp::SafeToAdd(l, member.size())) {
    ConvertToSkiplist(Length() + 1);
    return false;
  }
  ptr_ = zlp::Insert(l, member, score);
  if (newscore) *newscore = score;
  *out_flags |= kZaddOutAdded;
  return true;
}

bool Zset::AddSkiplist(double score, std::string_view member, int in_flags, int* out_flags,
                       double* newscore) {
  bool incr = in_flags & kZaddIncr, nx = in_flags & kZaddNx, xx = in_flags & kZaddXx;
  bool gt = in_flags & kZaddGt, lt = in_flags & kZaddLt;
  ZsetSkiplist* s = sl();
  ZslTable::InsertPosition pos;
  ZslNode** existing = nullptr;
  uint64_t h = ZslTable::HashKey(member);
  if (!s->dict.FindPositionForInsert(member, h, &pos, &existing)) {
    ZslNode* n = *existing;
    if (nx) {
      *out_flags |= kZaddOutNop;
      return true;
    }
    double cur = n->score();
    if (incr) {
      score += cur;
      if (std::isnan(score)) {
        *out_flags |= kZaddOutNan;
        return false;
      }
    }
    if ((lt && score >= cur) || (gt && score <= cur)) {
      *out_flags |= kZaddOutNop;
      return true;
    }
    if (newscore) *newscore = score;
    if (score != cur) {
      s->zsl.UpdateScore(n, score);  // the node keeps its address, so the table entry stays
      *out_flags |= kZaddOutUpdated;
    }
    return true;
  }
  if (xx) {
    *out_flags |= kZaddOutNop;
    return true;
  }
  ZslNode* n = s->zsl.Insert(score, member);
  s->dict.InsertAtPosition(pos, n);
  *out_flags |= kZaddOutAdded;
  if (newscore) *newscore = score;
  return true;
}

bool Zset::Delete(std::string_view member) {
  if (enc_ == Encoding::kListpack) {
    const uint8_t* e = zlp::Find(lp(), member, nullptr);
    if (!e) return false;
    ptr_ = lp::DeleteRangeAt(lp(), &e, 2);
    return true;
  }
  ZsetSkiplist* s = sl();
  ZslTable::Position pos;
  ZslNode** slot = s->dict.FindForDelete(member, &pos);
  if (!slot) return false;
  ZslNode* n = *slot;
  s->dict.DeleteAtPosition(pos);
  ZslNode* u = s->zsl.Unlink(n->score(), n->member());
  EMBER_CHECK(u == n);
  s->zsl.FreeNode(u);
  return true;
}

long Zset::Rank(std::string_view member, bool reverse, double* score) const {
  size_t len = Length();
  if (enc_ == Encoding::kListpack) {
    const uint8_t* l = lp();
    size_t rank = 0;
    for (const uint8_t* e = lp::First(l); e; rank++) {
      const uint8_t* s = lp::Next(l, e);
      if (lp::Equals(e, member)) {
        if (score) *score = ListpackScore(s);
        return static_cast<long>(reverse ? len - 1 - rank : rank);
      }
      e = lp::Next(l, s);
    }
    return -1;
  }
  ZslNode* n = sl()->dict.Get(member);
  if (!n) return -1;
  size_t r = sl()->zsl.GetRank(n);
  EMBER_CHECK(r != 0);
  if (score) *score = n->score();
  return static_cast<long>(reverse ? len - r : r - 1);
}

// ---- ordered access ----------------------------------------------------------------------------

ZsetIter Zset::AtRank(size_t rank) const {
  ZsetIter it;
  if (enc_ == Encoding::kListpack) {
    it.lp_ = lp();
    if (rank < Length()) {
      it.eptr_ = lp::Seek(it.lp_, static_cast<long>(2 * rank));
      it.sptr_ = it.eptr_ ? lp::Next(it.lp_, it.eptr_) : nullptr;
    }
    return it;
  }
  it.node_ = rank == 0 ? sl()->zsl.First() : sl()->zsl.GetByRank(rank + 1);
  return it;
}

template <class Reached, class Inside>
ZsetIter Zset::ListpackRangeEnd(bool forward, bool nonempty, Reached reached, Inside inside) const {
  size_t len = Length();
  ZsetIter it = AtRank(forward || len == 0 ? 0 : len - 1);
  if (nonempty) {
    for (; it.Valid(); forward ? it.Next() : it.Prev()) {
      if (reached(it)) {
        if (inside(it)) return it;
        break;
      }
    }
  }
  it.eptr_ = it.sptr_ = nullptr;  // invalid, still a listpack iterator
  return it;
}

ZsetIter Zset::FirstInRange(const ZRangeSpec& r) const {
  if (enc_ == Encoding::kSkiplist) {
    ZsetIter it;
    it.node_ = sl()->zsl.FirstInRange(r);
    return it;
  }
  return ListpackRangeEnd(
      true, ScoreRangeNonEmpty(r), [&](ZsetIter& i) { return ScoreGteMin(i.Score(), r); },
      [&](ZsetIter& i) { return ScoreLteMax(i.Score(), r); });
}

ZsetIter Zset::LastInRange(const ZRangeSpec& r) const {
  if (enc_ == Encoding::kSkiplist) {
    ZsetIter it;
    it.node_ = sl()->zsl.LastInRange(r);
    return it;
  }
  return ListpackRangeEnd(
      false, ScoreRangeNonEmpty(r), [&](ZsetIter& i) { return ScoreLteMax(i.Score(), r); },
      [&](ZsetIter& i) { return ScoreGteMin(i.Score(), r); });
}

ZsetIter Zset::FirstInLexRange(const ZLexRangeSpec& r) const {
  if (enc_ == Encoding::kSkiplist) {
    ZsetIter it;
    it.node_ = sl()->zsl.FirstInLexRange(r);
    return it;
  }
  return ListpackRangeEnd(
      true, LexRangeNonEmpty(r), [&](ZsetIter& i) { return LexGteMin(i.Member(), r); },
      [&](ZsetIter& i) { return LexLteMax(i.Member(), r); });
}

ZsetIter Zset::LastInLexRange(const ZLexRangeSpec& r) const {
  if (enc_ == Encoding::kSkiplist) {
    ZsetIter it;
    it.node_ = sl()->zsl.LastInLexRange(r);
    return it;
  }
  return ListpackRangeEnd(
      false, LexRangeNonEmpty(r), [&](ZsetIter& i) { return LexLteMax(i.Member(), r); },
      [&](ZsetIter& i) { return LexGteMin(i.Member(), r); });
}

size_t Zset::CountInRange(const ZRangeSpec& r) const {
  if (enc_ == Encoding::kSkiplist) return sl()->zsl.CountInRange(r);
  size_t n = 0;
  for (ZsetIter it = FirstInRange(r); it.Valid() && ScoreLteMax(it.Score(), r); it.Next()) n++;
  return n;
}

size_t Zset::CountInLexRange(const ZLexRangeSpec& r) const {
  if (enc_ == Encoding::kSkiplist) return sl()->zsl.CountInLexRange(r);
  size_t n = 0;
  for (ZsetIter it = FirstInLexRange(r); it.Valid() && LexLteMax(it.Member(), r); it.Next()) n++;
  return n;
}

// ---- range deletes -----------------------------------------------------------------------------

size_t Zset::DeleteRangeByRank(size_t start, size_t end) {
  if (start > end) return 0;
  if (enc_ == Encoding::kListpack) {
    size_t num = end - start + 1;
    ptr_ = lp::DeleteRange(lp(), static_cast<long>(2 * start), 2 * num);
    return num;
  }
  ZsetSkiplist* s = sl();
  return s->zsl.DeleteRangeByRank(start + 1, end + 1,
                                  [s](ZslNode* n) { s->dict.Delete(n->member()); });
}

size_t Zset::DeleteRangeByScore(const ZRangeSpec& r) {
  if (enc_ == Encoding::kSkiplist) {
    ZsetSkiplist* s = sl();
    return s->zsl.DeleteRangeByScore(r, [s](ZslNode* n) { s->dict.Delete(n->member()); });
  }
  ZsetIter it = FirstInRange(r);
  if (!it.Valid()) return 0;
  uint8_t* l = lp();
  const uint8_t* e = it.eptr_;
  size_t n = 0;
  while (e) {
    const uint8_t* sp = lp::Next(l, e);
    if (!ScoreLteMax(ListpackScore(sp), r)) break;
    l = lp::DeleteRangeAt(l, &e, 2);
    n++;
  }
  ptr_ = l;
  return n;
}

size_t Zset::DeleteRangeByLex(const ZLexRangeSpec& r) {
  if (enc_ == Encoding::kSkiplist) {
    ZsetSkiplist* s = sl();
    return s->zsl.DeleteRangeByLex(r, [s](ZslNode* n) { s->dict.Delete(n->member()); });
  }
  ZsetIter it = FirstInLexRange(r);
  if (!it.Valid()) return 0;
  uint8_t* l = lp();
  const uint8_t* e = it.eptr_;
  size_t n = 0;
  while (e) {
    lp::Scratch scratch;
    if (!LexLteMax(EntryText(e, &scratch), r)) break;
    l = lp::DeleteRangeAt(l, &e, 2);
    n++;
  }
  ptr_ = l;
  return n;
}

void Zset::PopEdge(bool max, std::string* member, double* score) {
  if (enc_ == Encoding::kListpack) {
    uint8_t* l = lp();
    const uint8_t* e = lp::Seek(l, max ? -2 : 0);
    EMBER_CHECK(e != nullptr);
    lp::Scratch scratch;
    member->assign(EntryText(e, &scratch));
    *score = ListpackScore(lp::Next(l, e));
    ptr_ = lp::DeleteRange(l, max ? -2 : 0, 2);
    return;
  }
  ZsetSkiplist* s = sl();
  ZslNode* n = max ? s->zsl.Last() : s->zsl.First();
  EMBER_CHECK(n != nullptr);
  member->assign(n->member());
  *score = n->score();
  s->dict.Delete(n->member());
  ZslNode* u = s->zsl.Unlink(n->score(), n->member());
  EMBER_CHECK(u == n);
  s->zsl.FreeNode(u);
}

// ---- random ------------------------------------------------------------------------------------

Zset::Pair Zset::RandomElement(char* buf) const {
  if (enc_ == Encoding::kListpack) {
    lp::Value k, v;
    lp::RandomGroups(lp(), 1, 2, &k, &v);
    double sc = v.IsInt() ? static_cast<double>(v.ival) : 0;
    if (!v.IsInt()) {
      char tmp[128];
      size_t n = std::min<size_t>(v.len, sizeof(tmp) - 1);
      std::memcpy(tmp, v.str, n);
      tmp[n] = '\0';
      sc = std::strtod(tmp, nullptr);
    }
    if (k.IsInt()) return {std::string_view(buf, Int64ToChars(k.ival, buf)), sc};
    return {k.View(), sc};
  }
  ZslNode* n = const_cast<ZslTable&>(sl()->dict).RandomEntry();
  return {n->member(), n->score()};
}

namespace {
double ValueScore(const lp::Value& v) {
  if (v.IsInt()) return static_cast<double>(v.ival);
  char tmp[128];
  size_t n = std::min<size_t>(v.len, sizeof(tmp) - 1);
  std::memcpy(tmp, v.str, n);
  tmp[n] = '\0';
  return std::strtod(tmp, nullptr);
}
std::string ValueText(const lp::Value& v) {
  return v.IsInt() ? Int64ToString(v.ival) : std::string(v.View());
}
}  // namespace

void Zset::RandomWithReplacement(size_t count,
                                 std::vector<std::pair<std::string, double>>* out) const {
  if (enc_ == Encoding::kListpack) {
    std::vector<lp::Value> k(count), v(count);
    lp::RandomGroups(lp(), count, 2, k.data(), v.data());
    for (size_t i = 0; i < count; i++) out->emplace_back(ValueText(k[i]), ValueScore(v[i]));
    return;
  }
  auto& dict = const_cast<ZslTable&>(sl()->dict);
  for (size_t i = 0; i < count; i++) {
    ZslNode* n = dict.RandomEntry();
    out->emplace_back(std::string(n->member()), n->score());
  }
}

void Zset::RandomDistinct(size_t count, std::vector<std::pair<std::string, double>>* out) const {
  size_t size = Length();
  if (enc_ == Encoding::kListpack) {
    std::vector<lp::Value> k(count), v(count);
    size_t got = lp::RandomGroupsUnique(lp(), count, 2, k.data(), v.data());
    for (size_t i = 0; i < got; i++) out->emplace_back(ValueText(k[i]), ValueScore(v[i]));
    return;
  }
  ZsetSkiplist* s = sl();
  if (count * 3 > size) {
    // Close to the whole set: take everything, then drop random elements (Redis's CASE 3).
    std::vector<ZslNode*> all;
    all.reserve(size);
    for (ZslNode* n = s->zsl.Last(); n; n = n->Prev()) all.push_back(n);
    while (all.size() > count) {
      size_t i = lp::RandomU64() % all.size();
      all[i] = all.back();
      all.pop_back();
    }
    for (ZslNode* n : all) out->emplace_back(std::string(n->member()), n->score());
    return;
  }
  // Small share of a big set: sample until enough distinct ones (CASE 4).
  std::unordered_set<const ZslNode*> seen;
  seen.reserve(count * 2);
  while (out->size() < count) {
    ZslNode* n = s->dict.RandomEntry();
    if (!seen.insert(n).second) continue;
    out->emplace_back(std::string(n->member()), n->score());
  }
}

// ---- whole value -------------------------------------------------------------------------------

Zset Zset::Dup() const {
  if (enc_ == Encoding::kListpack) return Zset(enc_, lp::Dup(lp()));
  const ZsetSkiplist* s = sl();
  auto* d = new ZsetSkiplist();
  d->dict.Expand(s->zsl.Size());
  for (ZslNode* n = s->zsl.Last(); n; n = n->Prev()) d->dict.Insert(d->zsl.Insert(n->score(), n->member()));
  return Zset(enc_, d);
}

void Zset::Free() {
  if (!ptr_) return;
  if (enc_ == Encoding::kListpack) {
    lp::Free(lp());
  } else {
    delete sl();
  }
  ptr_ = nullptr;
}

size_t Zset::Memory(size_t samples) const {
  if (enc_ == Encoding::kListpack) return mem::UsableSize(ptr_);
  const ZsetSkiplist* s = sl();
  size_t fixed = mem::UsableSize(s) + s->dict.MemoryUsage();
  size_t n = s->zsl.Size();
  if (samples == 0 || samples >= n) return fixed + s->zsl.MemoryUsage();
  size_t bytes = 0, seen = 0;
  for (ZslNode* x = s->zsl.First(); x && seen < samples; x = x->Next(), seen++) bytes += x->AllocSize();
  fixed += mem::SizeClassOf(kSkiplistHeaderNodeBytes);
  return fixed + static_cast<size_t>(static_cast<double>(bytes) / static_cast<double>(seen) *
                                     static_cast<double>(n));
}

size_t Zset::FreeEffort() const { return enc_ == Encoding::kSkiplist ? sl()->zsl.Size() : 1; }

void Zset::Verify() const {
  if (enc_ == Encoding::kListpack) {
    const uint8_t* l = lp();
    EMBER_CHECK(lp::Length(l) % 2 == 0);
    bool first = true;
    double prev_score = 0;
    std::string prev;
    for (ZsetIter it = AtRank(0); it.Valid(); it.Next()) {
      double sc = it.Score();
      std::string m(it.Member());
      if (!first) {
        EMBER_CHECK(prev_score < sc || (prev_score == sc && prev < m));
      }
      first = false;
      prev_score = sc;
      prev = std::move(m);
    }
    return;
  }
  const ZsetSkiplist* s = sl();
  s->zsl.Verify();
  s->dict.Verify();
  EMBER_CHECK(s->dict.Size() == s->zsl.Size());
  for (ZslNode* n = s->zsl.First(); n; n = n->Next()) EMBER_CHECK(s->dict.Get(n->member()) == n);
}

// ---- dispatch entry points ---------------------------------------------------------------------

void FreeZsetValue(Encoding enc, void* ptr) { Zset(enc, ptr).Free(); }

size_t ZsetFreeEffort(Encoding enc, const void* ptr) {
  return Zset(enc, const_cast<void*>(ptr)).FreeEffort();
}

void* DupZsetValue(Encoding enc, const void* ptr) {
  return Zset(enc, const_cast<void*>(ptr)).Dup().ptr();
}

size_t ZsetValueMemory(Encoding enc, const void* ptr, size_t samples) {
  return Zset(enc, const_cast<void*>(ptr)).Memory(samples);
}


}  // namespace ember
