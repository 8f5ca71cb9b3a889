// ZSkiplist: the ordered half of a sorted set in "skiplist" encoding (Redis's zskiplist semantics).
//
// Elements are (member bytes, double score), ordered by score, then by member bytes (memcmp, the
// shorter string first on a common prefix). Scores are never NaN. Each node draws a level L with
// P(L > k) = 0.25^k, capped at 32; level i links to the next node having a level > i, and records the
// span (how many level-0 steps the link skips), so ranks are computed on the way down:
//
//   header                                                            (level 32, no member)
//   L2 [*]------------------------------ 3 ----------------------------->[*]------ 2 ----->NULL
//   L1 [*]------------ 2 ------------->[*]------------ 1 ------------->[*]-- 1 -->[*]-1->NULL
//   L0 [*]-1->[a 1.0]-1->[b 1.0]-1->[c 2.5]-1->[d 3.0]-1->[e 4.0]-1->[f 9.0]-1->NULL
//                <-backward-   <-backward-  ...                         (tail = f)
//
// Node: one allocation holding the member ("nodes embed the member"):
//
//   +--------+----------+------------+-------+-----+-----------------+--------------+-----------+
//   | score  | backward | member_len | level | pad | forward[level]  | span[level]  | member    |
//   | 8 B    | 8 B      | 4 B        | 1 B   | 3 B | 8 B each        | 4 B each     | len bytes |
//   +--------+----------+------------+-------+-----+-----------------+--------------+-----------+
//
// Per-element cost: 24 + 12*L + len bytes, rounded up to the allocator's size class. L = 1 for 75%
// of nodes and averages 4/3, so e.g. a 10-byte member costs 48 bytes (jemalloc class) at L = 1,
// 64 at L = 2, 80 at L = 3: 53 bytes on average (measured by the unit test). (Redis 7.0: 24 + 16*L bytes plus a separate sds for the member.) Spans
// are 32-bit, so a skiplist holds at most 2^32 - 2 elements (checked). The header node costs 408 B.
//
// A zset pairs this with a member -> node HashTable<ZslNodeTraits> (the node pointer is the entry;
// KeyOf is the embedded member). UpdateScore keeps the node (and so the table entry) in place.
//
// Thread safety: none (one owner). A fork child may read. Complexity: O(log n) expected for
// insert, delete, update, rank, by-rank and range boundary lookups; range deletes O(log n + m).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/assert.h"

namespace ember {

class ZSkiplist;

class ZslNode {
 public:
  double score() const { return score_; }
  std::string_view member() const { return {MemberPtr(), member_len_}; }
  int level() const { return level_; }
  ZslNode* Next() const { return Forward()[0]; }  // null at the tail
  ZslNode* Prev() const { return backward_; }     // null at the first element
  // Allocated bytes of this node (the allocator's usable size).
  size_t AllocSize() const;

 private:
  friend class ZSkiplist;
  ZslNode** Forward() { return reinterpret_cast<ZslNode**>(this + 1); }
  ZslNode* const* Forward() const { return reinterpret_cast<ZslNode* const*>(this + 1); }
  uint32_t* Span() { return reinterpret_cast<uint32_t*>(Forward() + level_); }
  const uint32_t* Span() const { return reinterpret_cast<const uint32_t*>(Forward() + level_); }
  char* MemberPtr() { return reinterpret_cast<char*>(Span() + level_); }
  const char* MemberPtr() const { return reinterpret_cast<const char*>(Span() + level_); }

  double score_;
  ZslNode* backward_;
  uint32_t member_len_;
  uint8_t level_;
};
static_assert(sizeof(ZslNode) == 24, "node header is 24 bytes");

// For HashTable<ZslNodeTraits>: member -> node.
struct ZslNodeTraits {
  using Entry = ZslNode*;
  static std::string_view KeyOf(Entry e) { return e->member(); }
};

// A score interval (Redis's zrangespec): min/max, each inclusive unless *_ex.
struct ZRangeSpec {
  double min = 0, max = 0;
  bool minex = false, maxex = false;
};

// One end of a lex interval (Redis's zlexrangespec item): "[v" inclusive, "(v" exclusive, "-" the
// smallest string, "+" the largest ("-" and "+" count as exclusive, as in Redis).
struct ZLexBound {
  enum class Kind : uint8_t { kValue, kMinusInf, kPlusInf };
  Kind kind = Kind::kValue;
  bool exclusive = false;
  std::string_view value;  // points into the caller's argument (kValue only)
};
struct ZLexRangeSpec {
  ZLexBound min, max;
};

// Redis's zslParseRange: "(" prefix = exclusive; the rest goes through strtod and must be consumed
// whole (up to a NUL) and not NaN. "inf", "-inf", "1e400" (= inf) and even "" (= 0) are accepted,
// as in Redis. Returns false on a malformed bound ("min or max is not a float").
bool ParseScoreRange(std::string_view min, std::string_view max, ZRangeSpec* out);
// Redis's zslParseLexRangeItem / zslParseLexRange. Returns false for anything not starting with
// '[', '(' or being exactly "-" or "+" ("min or max not valid string range item"). The spec keeps
// views into min/max.
bool ParseLexBound(std::string_view item, ZLexBound* out);
bool ParseLexRange(std::string_view min, std::string_view max, ZLexRangeSpec* out);

// Membership tests used by both encodings (listpack zsets use them too).
bool ScoreGteMin(double v, const ZRangeSpec& r);
bool ScoreLteMax(double v, const ZRangeSpec& r);
bool LexGteMin(std::string_view v, const ZLexRangeSpec& r);
bool LexLteMax(std::string_view v, const ZLexRangeSpec& r);
// False when the interval is empty by construction (min > max, or min == max with an open end).
bool ScoreRangeNonEmpty(const ZRangeSpec& r);
bool LexRangeNonEmpty(const ZLexRangeSpec& r);

class ZSkiplist {
 public:
  static constexpr int kMaxLevel = 32;
  static constexpr double kP = 0.25;

  ZSkiplist();
  ~ZSkiplist();
  ZSkiplist(const ZSkiplist&) = delete;
  ZSkiplist& operator=(const ZSkiplist&) = delete;

  size_t Size() const { return length_; }
  // Bytes allocated for the header and all nodes.
  size_t MemoryUsage() const { return bytes_; }
  ZslNode* First() const { return header_->Forward()[0]; }
  ZslNode* Last() const { return tail_; }

  // Inserts a new element. Precondition: `member` is not present (the zset's table says so) and
  // score is not NaN. Returns the node (stable until deleted).
  ZslNode* Insert(double score, std::string_view member);
  // Deletes the element (score, member) and frees it. False if absent.
  bool Delete(double score, std::string_view member);
  // Unlinks the element without freeing it; the caller must FreeNode() it. Null if absent.
  ZslNode* Unlink(double score, std::string_view member);
  void FreeNode(ZslNode* node);
  // Changes the score of the element (curscore, member), which must exist. The node is kept (its
  // address does not change): updated in place if the order is unchanged, else relinked.
  ZslNode* UpdateScore(double curscore, std::string_view member, double newscore);
  // The same for a node the caller holds: an in-place update then costs no walk at all.
  ZslNode* UpdateScore(ZslNode* node, double newscore);

  // 1-based rank of (score, member), 0 if absent.
  size_t GetRank(double score, std::string_view member) const;
  size_t GetRank(const ZslNode* node) const { return GetRank(node->score(), node->member()); }
  // Element at 1-based rank, null if out of range.
  ZslNode* GetByRank(size_t rank) const;

  // Score ranges (zrangespec).
  bool IsInRange(const ZRangeSpec& r) const;
  ZslNode* FirstInRange(const ZRangeSpec& r) const;
  ZslNode* LastInRange(const ZRangeSpec& r) const;
  size_t CountInRange(const ZRangeSpec& r) const;
  // Lex ranges (zlexrangespec); meaningful when all scores are equal, as in Redis.
  bool IsInLexRange(const ZLexRangeSpec& r) const;
  ZslNode* FirstInLexRange(const ZLexRangeSpec& r) const;
  ZslNode* LastInLexRange(const ZLexRangeSpec& r) const;
  size_t CountInLexRange(const ZLexRangeSpec& r) const;

  // Range deletes. on_remove(node) is called for each element after it is unlinked and before it
  // is freed (the zset removes it from its member table there). Return the number removed.
  template <typename Fn>
  size_t DeleteRangeByScore(const ZRangeSpec& r, Fn&& on_remove) {
    ZslNode* update[kMaxLevel];
    ZslNode* x = header_;
    for (int i = level_ - 1; i >= 0; i--) {
      while (x->Forward()[i] && !ScoreGteMin(x->Forward()[i]->score_, r)) x = x->Forward()[i];
      update[i] = x;
    }
    x = x->Forward()[0];
    size_t removed = 0;
    while (x && ScoreLteMax(x->score_, r)) {
      ZslNode* next = x->Forward()[0];
      RemoveNode(x, update);
      on_remove(x);
      FreeNode(x);
      removed++;
      x = next;
    }
    return removed;
  }
  template <typename Fn>
  size_t DeleteRangeByLex(const ZLexRangeSpec& r, Fn&& on_remove) {
    ZslNode* update[kMaxLevel];
    ZslNode* x = header_;
    for (int i = level_ - 1; i >= 0; i--) {
      while (x->Forward()[i] && !LexGteMin(x->Forward()[i]->member(), r)) x = x->Forward()[i];
      update[i] = x;
    }
    x = x->Forward()[0];
    size_t removed = 0;
    while (x && LexLteMax(x->member(), r)) {
      ZslNode* next = x->Forward()[0];
      RemoveNode(x, update);
      on_remove(x);
      FreeNode(x);
      removed++;
      x = next;
    }
    return removed;
  }
  // Deletes ranks start..end (1-based, inclusive).
  template <typename Fn>
  size_t DeleteRangeByRank(size_t start, size_t end, Fn&& on_remove) {
    ZslNode* update[kMaxLevel];
    ZslNode* x = header_;
    size_t traversed = 0;
    for (int i = level_ - 1; i >= 0; i--) {
      while (x->Forward()[i] && traversed + x->Span()[i] < start) {
        traversed += x->Span()[i];
        x = x->Forward()[i];
      }
      update[i] = x;
    }
    traversed++;
    x = x->Forward()[0];
    size_t removed = 0;
    while (x && traversed <= end) {
      ZslNode* next = x->Forward()[0];
      RemoveNode(x, update);
      on_remove(x);
      FreeNode(x);
      removed++;
      traversed++;
      x = next;
    }
    return removed;
  }

  // Checks ordering, back links, spans, tail and length; panics on a violation. O(n); for tests.
  void Verify() const;

 private:
  static int RandomLevel();
  ZslNode* NewNode(int level, double score, std::string_view member);
  // Finds the predecessors of (score, member) at every level; fills rank[] if given.
  ZslNode* FindPredecessors(double score, std::string_view member, ZslNode** update,
                            size_t* rank) const;
  // Two FindPredecessors walks (with ranks) taken in lockstep, so that their cache misses overlap.
  void FindPredecessorsPair(double score_a, std::string_view member_a, ZslNode** update_a,
                            size_t* rank_a, double score_b, std::string_view member_b,
                            ZslNode** update_b, size_t* rank_b) const;
  void LinkNode(ZslNode* x, ZslNode** update, size_t* rank);
  // True when x may take `newscore` without moving (strictly between its neighbours' scores).
  static bool StaysInPlace(const ZslNode* x, double newscore);
  void RemoveNode(ZslNode* x, ZslNode** update);

  ZslNode* header_;
  ZslNode* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
  size_t bytes_ = 0;
};

}  // namespace ember
