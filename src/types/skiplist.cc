// ZSkiplist implementation; see skiplist.h for the structure and the node layout.
//
// Every operation starts with the same descent: from the header's highest level down to level 0,
// move right while the next node sorts before the target, and remember the last node visited at
// each level (update[i]) and the rank reached there (rank[i]). Linking and unlinking a node then
// touch only update[0..level), fixing spans so that span(a -> b) = rank(b) - rank(a); a link to the
// end (null) carries the number of nodes after a. Levels are drawn from 2-bit chunks of one 64-bit
// random number: each extra level has probability 1/4 (ZSKIPLIST_P), capped at 32.
#include "types/skiplist.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

#include "memory/alloc.h"
#include "types/hashtable.h"

namespace ember {

namespace {

// Redis's sdscmp: memcmp over the common prefix, then the shorter string first.
inline int CompareBytes(std::string_view a, std::string_view b) {
  size_t n = a.size() < b.size() ? a.size() : b.size();
  int c = n ? std::memcmp(a.data(), b.data(), n) : 0;
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

// True when node `f` sorts before (score, member).
inline bool Before(double fscore, std::string_view fmember, double score, std::string_view member) {
  return fscore < score || (fscore == score && CompareBytes(fmember, member) < 0);
}

// value vs a lex bound: "-" is below every string, "+" above.
inline int CompareLex(std::string_view v, const ZLexBound& b) {
  switch (b.kind) {
    case ZLexBound::Kind::kMinusInf:
      return 1;
    case ZLexBound::Kind::kPlusInf:
      return -1;
    default:
      return CompareBytes(v, b.value);
  }
}

inline int CompareBounds(const ZLexBound& a, const ZLexBound& b) {
  using K = ZLexBound::Kind;
  if (a.kind != K::kValue || b.kind != K::kValue) {
    if (a.kind == b.kind) return 0;
    if (a.kind == K::kMinusInf || b.kind == K::kPlusInf) return -1;
    return 1;
  }
  return CompareBytes(a.value, b.value);
}

bool ParseScoreBound(std::string_view s, double* v, bool* ex) {
  *ex = false;
  if (!s.empty() && s[0] == '(') {
    *ex = true;
    s.remove_prefix(1);
  }
  std::string buf(s);  // strtod needs a terminator; like Redis, parsing stops at an embedded NUL
  char* end = nullptr;
  *v = std::strtod(buf.c_str(), &end);
  return end[0] == '\0' && !std::isnan(*v);
}

}  // namespace

// ---- Ranges ------------------------------------------------------------------------------------

bool ParseScoreRange(std::string_view min, std::string_view max, ZRangeSpec* out) {
  return ParseScoreBound(min, &out->min, &out->minex) && ParseScoreBound(max, &out->max, &out->maxex);
}

bool ParseLexBound(std::string_view item, ZLexBound* out) {
  if (item.empty()) return false;
  out->value = {};
  switch (item[0]) {
    case '+':
      if (item.size() != 1) return false;
      *out = ZLexBound{ZLexBound::Kind::kPlusInf, true, {}};
      return true;
    case '-':
      if (item.size() != 1) return false;
      *out = ZLexBound{ZLexBound::Kind::kMinusInf, true, {}};
      return true;
    case '(':
      *out = ZLexBound{ZLexBound::Kind::kValue, true, item.substr(1)};
      return true;
    case '[':
      *out = ZLexBound{ZLexBound::Kind::kValue, false, item.substr(1)};
      return true;
    default:
      return false;
  }
}

bool ParseLexRange(std::string_view min, std::string_view max, ZLexRangeSpec* out) {
  return ParseLexBound(min, &out->min) && ParseLexBound(max, &out->max);
}

bool ScoreGteMin(double v, const ZRangeSpec& r) { return r.minex ? v > r.min : v >= r.min; }
bool ScoreLteMax(double v, const ZRangeSpec& r) { return r.maxex ? v < r.max : v <= r.max; }

bool LexGteMin(std::string_view v, const ZLexRangeSpec& r) {
  if (r.min.kind == ZLexBound::Kind::kPlusInf) return false;
  int c = CompareLex(v, r.min);
  return r.min.exclusive ? c > 0 : c >= 0;
}
bool LexLteMax(std::string_view v, const ZLexRangeSpec& r) {
  if (r.max.kind == ZLexBound::Kind::kMinusInf) return false;
  int c = CompareLex(v, r.max);
  return r.max.exclusive ? c < 0 : c <= 0;
}

bool ScoreRangeNonEmpty(const ZRangeSpec& r) {
  return !(r.min > r.max || (r.min == r.max && (r.minex || r.maxex)));
}
bool LexRangeNonEmpty(const ZLexRangeSpec& r) {
  int c = CompareBounds(r.min, r.max);
  return !(c > 0 || (c == 0 && (r.min.exclusive || r.max.exclusive)));
}

// ---- Nodes -------------------------------------------------------------------------------------

size_t ZslNode::AllocSize() const { return mem::UsableSize(this); }

int ZSkiplist::RandomLevel() {
  uint64_t r = hashtable_internal::Random64();
  int level = 1;
  while ((r & 3) == 0 && level < kMaxLevel) {
    level++;
    r >>= 2;
  }
  return level;
}

ZslNode* ZSkiplist::NewNode(int level, double score, std::string_view member) {
  size_t size = sizeof(ZslNode) + static_cast<size_t>(level) * (sizeof(ZslNode*) + sizeof(uint32_t)) +
                member.size();
  auto* n = static_cast<ZslNode*>(mem::Allocate(size));
  n->score_ = score;
  n->backward_ = nullptr;
  n->member_len_ = static_cast<uint32_t>(member.size());
  n->level_ = static_cast<uint8_t>(level);
  for (int i = 0; i < level; i++) {
    n->Forward()[i] = nullptr;
    n->Span()[i] = 0;
  }
  if (!member.empty()) std::memcpy(n->MemberPtr(), member.data(), member.size());
  bytes_ += mem::UsableSize(n);
  return n;
}

void ZSkiplist::FreeNode(ZslNode* node) {
  bytes_ -= mem::UsableSize(node);
  mem::Free(node);
}

ZSkiplist::ZSkiplist() { header_ = NewNode(kMaxLevel, 0, {}); }

ZSkiplist::~ZSkiplist() {
  ZslNode* x = header_->Forward()[0];
  while (x) {
    ZslNode* next = x->Forward()[0];
    FreeNode(x);
    x = next;
  }
  FreeNode(header_);
}

// ---- Core --------------------------------------------------------------------------------------

ZslNode* ZSkiplist::FindPredecessors(double score, std::string_view member, ZslNode** update,
                                     size_t* rank) const {
  // The walk is a chain of cache misses: each step reads the next node at this level. Whichever way
  // it goes, the step after dropping a level reads x->Forward()[i - 1]; prefetching that node while
  // this level's candidate is being fetched overlaps the two misses.
  ZslNode* x = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    if (rank) rank[i] = (i == level_ - 1) ? 0 : rank[i + 1];
    if (i > 0) __builtin_prefetch(x->Forward()[i - 1]);
    for (ZslNode* f = x->Forward()[i]; f && Before(f->score_, f->member(), score, member);
         f = x->Forward()[i]) {
      if (rank) rank[i] += x->Span()[i];
      x = f;
      if (i > 0) __builtin_prefetch(x->Forward()[i - 1]);
    }
    update[i] = x;
  }
  return x;
}

void ZSkiplist::LinkNode(ZslNode* x, ZslNode** update, size_t* rank) {
  int level = x->level_;
  if (level > level_) {
    for (int i = level_; i < level; i++) {
      rank[i] = 0;
      update[i] = header_;
      header_->Span()[i] = static_cast<uint32_t>(length_);
    }
    level_ = level;
  }
  for (int i = 0; i < level; i++) {
    x->Forward()[i] = update[i]->Forward()[i];
    update[i]->Forward()[i] = x;
    uint32_t skipped = static_cast<uint32_t>(rank[0] - rank[i]);
    x->Span()[i] = update[i]->Span()[i] - skipped;
    update[i]->Span()[i] = skipped + 1;
  }
  for (int i = level; i < level_; i++) update[i]->Span()[i]++;
  x->backward_ = (update[0] == header_) ? nullptr : update[0];
  if (x->Forward()[0]) {
    x->Forward()[0]->backward_ = x;
  } else {
    tail_ = x;
  }
  length_++;
}

void ZSkiplist::RemoveNode(ZslNode* x, ZslNode** update) {
  for (int i = 0; i < level_; i++) {
    if (update[i]->Forward()[i] == x) {
      update[i]->Span()[i] += x->Span()[i] - 1;
      update[i]->Forward()[i] = x->Forward()[i];
    } else {
      update[i]->Span()[i] -= 1;
    }
  }
  if (x->Forward()[0]) {
    x->Forward()[0]->backward_ = x->backward_;
  } else {
    tail_ = x->backward_;
  }
  while (level_ > 1 && header_->Forward()[level_ - 1] == nullptr) level_--;
  length_--;
}

ZslNode* ZSkiplist::Insert(double score, std::string_view member) {
  EMBER_CHECK(!std::isnan(score));
  EMBER_CHECK(length_ < UINT32_MAX - 1);
  ZslNode* update[kMaxLevel];
  size_t rank[kMaxLevel];
  FindPredecessors(score, member, update, rank);
  ZslNode* x = NewNode(RandomLevel(), score, member);
  LinkNode(x, update, rank);
  return x;
}

ZslNode* ZSkiplist::Unlink(double score, std::string_view member) {
  ZslNode* update[kMaxLevel];
  ZslNode* x = FindPredecessors(score, member, update, nullptr)->Forward()[0];
  if (x && x->score_ == score && x->member() == member) {
    RemoveNode(x, update);
    return x;
  }
  return nullptr;
}

bool ZSkiplist::Delete(double score, std::string_view member) {
  ZslNode* x = Unlink(score, member);
  if (!x) return false;
  FreeNode(x);
  return true;
}

void ZSkiplist::FindPredecessorsPair(double score_a, std::string_view member_a, ZslNode** update_a,
                                     size_t* rank_a, double score_b, std::string_view member_b,
                                     ZslNode** update_b, size_t* rank_b) const {
  struct Walk {
    ZslNode* x;
    int i;
    double score;
    std::string_view member;
    ZslNode** update;
    size_t* rank;
  };
  Walk w[2] = {{header_, level_ - 1, score_a, member_a, update_a, rank_a},
               {header_, level_ - 1, score_b, member_b, update_b, rank_b}};
  w[0].rank[level_ - 1] = w[1].rank[level_ - 1] = 0;
  if (level_ > 1) __builtin_prefetch(header_->Forward()[level_ - 2]);
  bool done[2] = {false, false};
  // One step of each walk per round: a step either advances along level i or drops a level (the
  // same moves as FindPredecessors, with its drop-target prefetch).
  while (!(done[0] && done[1])) {
    for (int k = 0; k < 2; k++) {
      if (done[k]) continue;
      Walk& c = w[k];
      ZslNode* f = c.x->Forward()[c.i];
      if (f && Before(f->score_, f->member(), c.score, c.member)) {
        c.rank[c.i] += c.x->Span()[c.i];
        c.x = f;
        if (c.i > 0) __builtin_prefetch(f->Forward()[c.i - 1]);
      } else {
        c.update[c.i] = c.x;
        if (c.i == 0) {
          done[k] = true;
        } else {
          c.i--;
          c.rank[c.i] = c.rank[c.i + 1];
        }
      }
    }
  }
}

bool ZSkiplist::StaysInPlace(const ZslNode* x, double newscore) {
  return (x->backward_ == nullptr || x->backward_->score_ < newscore) &&
         (x->Forward()[0] == nullptr || x->Forward()[0]->score_ > newscore);
}

ZslNode* ZSkiplist::UpdateScore(ZslNode* node, double newscore) {
  EMBER_CHECK(!std::isnan(newscore));
  if (StaysInPlace(node, newscore)) {
    node->score_ = newscore;
    return node;
  }
  return UpdateScore(node->score_, node->member(), newscore);
}

ZslNode* ZSkiplist::UpdateScore(double curscore, std::string_view member, double newscore) {
  EMBER_CHECK(!std::isnan(newscore));
  // Both walks at once, on the list as it is: to the node (its predecessors, for the unlink) and to
  // its new position. The second walk's result is then corrected for the node's removal.
  ZslNode* update[kMaxLevel];
  ZslNode* update_new[kMaxLevel];
  size_t rank[kMaxLevel], rank_new[kMaxLevel];
  FindPredecessorsPair(curscore, member, update, rank, newscore, member, update_new, rank_new);
  ZslNode* x = update[0]->Forward()[0];
  EMBER_CHECK(x && x->score_ == curscore && x->member() == member);
  // Still between its neighbours: change the score in place.
  if (StaysInPlace(x, newscore)) {
    x->score_ = newscore;
    return x;
  }
  // Otherwise relink the same node (same level) at its new position. Where the new position's
  // predecessor is the node itself, it becomes the node's old predecessor; predecessors after the
  // node lose one rank. (Levels the removal drops are reset by LinkNode.)
  const size_t x_rank = rank[0] + 1;
  const int levels = level_;
  RemoveNode(x, update);
  for (int i = 0; i < levels; i++) {
    if (update_new[i] == x) {
      update_new[i] = update[i];
      rank_new[i] = rank[i];
    } else if (rank_new[i] > x_rank) {
      rank_new[i]--;
    }
  }
  x->score_ = newscore;
  LinkNode(x, update_new, rank_new);
  return x;
}

// ---- Ranks -------------------------------------------------------------------------------------

size_t ZSkiplist::GetRank(double score, std::string_view member) const {
  ZslNode* x = header_;
  size_t rank = 0;
  for (int i = level_ - 1; i >= 0; i--) {
    for (ZslNode* f = x->Forward()[i];
         f && (f->score_ < score || (f->score_ == score && CompareBytes(f->member(), member) <= 0));
         f = x->Forward()[i]) {
      rank += x->Span()[i];
      x = f;
    }
    if (x != header_ && x->score_ == score && x->member() == member) return rank;
  }
  return 0;
}

ZslNode* ZSkiplist::GetByRank(size_t rank) const {
  if (rank == 0 || rank > length_) return nullptr;
  ZslNode* x = header_;
  size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; i--) {
    while (x->Forward()[i] && traversed + x->Span()[i] <= rank) {
      traversed += x->Span()[i];
      x = x->Forward()[i];
    }
    if (traversed == rank) return x;
  }
  return nullptr;
}

// ---- Score ranges ------------------------------------------------------------------------------

bool ZSkiplist::IsInRange(const ZRangeSpec& r) const {
  if (!ScoreRangeNonEmpty(r)) return false;
  if (!tail_ || !ScoreGteMin(tail_->score_, r)) return false;
  ZslNode* first = First();
  return first && ScoreLteMax(first->score_, r);
}

ZslNode* ZSkiplist::FirstInRange(const ZRangeSpec& r) const {
  if (!IsInRange(r)) return nullptr;
  ZslNode* x = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    while (x->Forward()[i] && !ScoreGteMin(x->Forward()[i]->score_, r)) x = x->Forward()[i];
  }
  x = x->Forward()[0];  // non-null: the range overlaps the list
  return ScoreLteMax(x->score_, r) ? x : nullptr;
}

ZslNode* ZSkiplist::LastInRange(const ZRangeSpec& r) const {
  if (!IsInRange(r)) return nullptr;
  ZslNode* x = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    while (x->Forward()[i] && ScoreLteMax(x->Forward()[i]->score_, r)) x = x->Forward()[i];
  }
  return ScoreGteMin(x->score_, r) ? x : nullptr;
}

size_t ZSkiplist::CountInRange(const ZRangeSpec& r) const {
  ZslNode* first = FirstInRange(r);
  if (!first) return 0;
  ZslNode* last = LastInRange(r);
  return GetRank(last) - GetRank(first) + 1;
}

// ---- Lex ranges --------------------------------------------------------------------------------

bool ZSkiplist::IsInLexRange(const ZLexRangeSpec& r) const {
  if (!LexRangeNonEmpty(r)) return false;
  if (!tail_ || !LexGteMin(tail_->member(), r)) return false;
  ZslNode* first = First();
  return first && LexLteMax(first->member(), r);
}

ZslNode* ZSkiplist::FirstInLexRange(const ZLexRangeSpec& r) const {
  if (!IsInLexRange(r)) return nullptr;
  ZslNode* x = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    while (x->Forward()[i] && !LexGteMin(x->Forward()[i]->member(), r)) x = x->Forward()[i];
  }
  x = x->Forward()[0];
  return LexLteMax(x->member(), r) ? x : nullptr;
}

ZslNode* ZSkiplist::LastInLexRange(const ZLexRangeSpec& r) const {
  if (!IsInLexRange(r)) return nullptr;
  ZslNode* x = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    while (x->Forward()[i] && LexLteMax(x->Forward()[i]->member(), r)) x = x->Forward()[i];
  }
  return LexGteMin(x->member(), r) ? x : nullptr;
}

size_t ZSkiplist::CountInLexRange(const ZLexRangeSpec& r) const {
  ZslNode* first = FirstInLexRange(r);
  if (!first) return 0;
  ZslNode* last = LastInLexRange(r);
  return GetRank(last) - GetRank(first) + 1;
}

// ---- Verification ------------------------------------------------------------------------------

void ZSkiplist::Verify() const {
  std::unordered_map<const ZslNode*, size_t> pos;  // 1-based rank
  pos[header_] = 0;
  size_t n = 0;
  const ZslNode* prev = nullptr;
  size_t at_level[kMaxLevel] = {};
  for (const ZslNode* x = header_->Forward()[0]; x; x = x->Forward()[0]) {
    n++;
    pos[x] = n;
    EMBER_CHECK(x->backward_ == prev);
    EMBER_CHECK(x->level_ >= 1 && x->level_ <= level_);
    if (prev) EMBER_CHECK(Before(prev->score_, prev->member(), x->score_, x->member()));
    for (int i = 0; i < x->level_; i++) at_level[i]++;
    prev = x;
  }
  EMBER_CHECK(n == length_);
  EMBER_CHECK(tail_ == prev);
  EMBER_CHECK(level_ == 1 || header_->Forward()[level_ - 1] != nullptr);
  for (int i = 0; i < kMaxLevel; i++) {
    if (i >= level_) {
      EMBER_CHECK(header_->Forward()[i] == nullptr);
      continue;
    }
    size_t count = 0;
    const ZslNode* x = header_;
    while (true) {
      const ZslNode* f = x->Forward()[i];
      size_t next_pos = f ? pos.at(f) : length_;
      EMBER_CHECK(x->Span()[i] == next_pos - pos.at(x));
      if (!f) break;
      EMBER_CHECK(f->level_ > i);
      count++;
      x = f;
    }
    EMBER_CHECK(count == at_level[i]);
  }
}

}  // namespace ember
