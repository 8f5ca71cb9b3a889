// Zset values: the data part of the sorted-set type (encodings, conversions, operations), independent
// of replies and sockets. The commands live in src/commands/zset_*.cc.
//
// Two encodings, chosen and converted as Redis 7.2 does (t_zset.c):
//
//   listpack   ptr = the listpack blob itself (types/listpack.h), Redis's exact bytes:
//                [member][score][member][score]...   ordered by score, then member (memcmp)
//              A score is stored as an integer entry when it is integral within +-2^62 (Redis's
//              double2ll), else as the text of proto::FormatDouble (7.2's d2string). Members that
//              parse as int64 are integer entries (listpack rule), read back as their decimal text.
//   skiplist   ptr = ZsetSkiplist*: a ZSkiplist (nodes embed member and score) plus a
//              HashTable<ZslNodeTraits> member -> node (the node pointer is the table entry).
//
// Conversions (one way, small -> big, except the store commands):
//   Create(hint, len)          listpack if hint <= zset-max-listpack-entries and len <= value,
//                              else skiplist pre-sized for `hint` (zsetTypeCreate).
//   MaybeConvert(hint)         a listpack -> skiplist when hint > entries (ZADD with many pairs).
//   Add of a new member        listpack -> skiplist when count+1 > entries, member length > value,
//                              or the listpack would pass 1 GB (lpSafeToAdd).
//   ConvertToListpackIfNeeded  skiplist -> listpack for store results that fit (count <= entries,
//                              longest member <= value, total under the 1 GB cap).
//
// Cost of one member (jemalloc classes; `len` = member bytes, 10-byte members as an example):
//   listpack  member len+2 (strings <= 63 B) or 2..10 (integers) + score 2..10 (integers) or
//             len(text)+2: "member:J" + 1.5 = 10 + 5 = 15 bytes, exactly as in Redis.
//   skiplist  node 24 + 12*L + len rounded to a class (avg ~53 B for 10-byte members) + ~16-21 B
//             of table slot = ~74 B measured (100k members, unit test); Redis 7.0.15 measured on
//             the same shape: 111.8 B (node 24+16L + sds 16 + dictEntry 32 + bucket ~10).
//             The value header (ZsetSkiplist) is 112 B + the 408 B skiplist header node.
//   keyspace  a listpack of at most kMaxInlineValue (512) bytes lives inside the key's record
//             (core/object.h, "Inline listpacks"): 4 + 1 + key + listpack in one jemalloc class,
//             + a table slot. The bench shape (100k keys x 10 members, 144-byte listpacks, keys
//             zset:N) measures 181.2 B/key (160 B record + ~21 B slot) against Redis's 236.7
//             (dictEntry 24 + sds key 16 + robj 16 + listpack 160 + bucket ~10); with the
//             listpack in its own allocation it was 213.2 (32 B record + 160 B listpack + slot).
//             Bigger listpacks stay external (record 4 + 1 + key + 8).
//
// Zset is a non-owning handle over (encoding, pointer): mutators may reallocate or convert, and the
// caller stores the result back (StoreInto(record) for an external value: the record never moves
// for that). An inline listpack must not be mutated through Zset::Of(record): the commands move
// it out first and store it back with Database::ReplaceValue (commands/zset_internal.h
// OpenForWrite / StoreZset). Iterators and
// member views are invalidated by any mutation. Not thread-safe; the const methods never rehash, so
// they may run on an unchanging value in a fork child.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/object.h"
#include "types/hashtable.h"
#include "types/skiplist.h"

namespace ember {

// zset-max-listpack-entries / zset-max-listpack-value, copied from ServerConfig by the caller.
struct ZsetLimits {
  size_t max_listpack_entries = 128;
  size_t max_listpack_value = 64;
};

using ZslTable = HashTable<ZslNodeTraits>;

// The skiplist encoding's value.
struct ZsetSkiplist {
  ZSkiplist zsl;
  ZslTable dict;
};

// ZADD input flags and result flags (Redis's ZADD_IN_* / ZADD_OUT_*).
enum ZaddIn : int { kZaddNone = 0, kZaddIncr = 1, kZaddNx = 2, kZaddXx = 4, kZaddGt = 8, kZaddLt = 16 };
enum ZaddOut : int { kZaddOutNop = 1, kZaddOutNan = 2, kZaddOutAdded = 4, kZaddOutUpdated = 8 };

// Score of a listpack score entry (zzlGetScore: integers convert, text goes through strtod of at
// most 127 bytes).
double ListpackScore(const uint8_t* sptr);

// A position in a zset, in score order. Invalidated by any change to the zset.
class ZsetIter {
 public:
  bool Valid() const { return lp_ ? eptr_ != nullptr : node_ != nullptr; }
  void Next();
  void Prev();
  double Score() const { return lp_ ? ListpackScore(sptr_) : node_->score(); }
  // The member's text; a listpack integer member is formatted into this iterator's buffer (the view
  // stays valid until the iterator moves).
  std::string_view Member();
  // True (and *v set) when the member is a listpack integer entry (replies use BulkInt for it).
  bool MemberInt(int64_t* v) const;
  const ZslNode* node() const { return node_; }

 private:
  friend class Zset;
  const uint8_t* lp_ = nullptr;
  const uint8_t* eptr_ = nullptr;
  const uint8_t* sptr_ = nullptr;
  ZslNode* node_ = nullptr;
  char buf_[24];
};

class Zset {
 public:
  Zset() = default;
  Zset(Encoding enc, void* ptr) : enc_(enc), ptr_(ptr) {}
  static Zset Of(const Record* r) { return Zset(r->encoding(), r->ptr()); }

  // zsetTypeCreate: an empty zset for about `size_hint` members of about `val_len_hint` bytes.
  static Zset Create(size_t size_hint, size_t val_len_hint, const ZsetLimits& lim);
  static Zset NewListpack();
  static Zset NewSkiplist(size_t size_hint = 0);

  Encoding encoding() const { return enc_; }
  void* ptr() const { return ptr_; }
  void StoreInto(Record* r) const {
    r->set_ptr(ptr_);
    r->set_encoding(enc_);
  }
  ValueInit ToValueInit() const { return ValueInit::Ptr(ObjType::kZSet, enc_, ptr_); }
  uint8_t* lp() const { return static_cast<uint8_t*>(ptr_); }
  ZsetSkiplist* sl() const { return static_cast<ZsetSkiplist*>(ptr_); }

  size_t Length() const;
  // Score of `member`; false if absent.
  bool Score(std::string_view member, double* score) const;
  // zsetAdd: adds or updates per `in_flags` (ZaddIn). Returns false only for a NaN result
  // (out_flags has kZaddOutNan); else out_flags says added / updated / nop, and *newscore (if
  // given) receives the resulting score when the member was added or updated (or incremented).
  bool Add(double score, std::string_view member, int in_flags, const ZsetLimits& lim,
           int* out_flags, double* newscore);
  // Removes `member`; false if absent. Never converts.
  bool Delete(std::string_view member);
  // 0-based rank (from the highest score when reverse), -1 if absent; *score set if given.
  long Rank(std::string_view member, bool reverse, double* score) const;

  // zsetTypeMaybeConvert / zsetConvertAndExpand / zsetConvertToListpackIfNeeded.
  void MaybeConvert(size_t size_hint, const ZsetLimits& lim);
  void ConvertToSkiplist(size_t cap);
  void ConvertToListpack();
  void ConvertToListpackIfNeeded(size_t maxelelen, size_t totelelen, const ZsetLimits& lim);

  // ---- ordered access ----
  // Iterator at the 0-based rank in ascending order (invalid if out of range).
  ZsetIter AtRank(size_t rank) const;
  ZsetIter FirstInRange(const ZRangeSpec& r) const;
  ZsetIter LastInRange(const ZRangeSpec& r) const;
  ZsetIter FirstInLexRange(const ZLexRangeSpec& r) const;
  ZsetIter LastInLexRange(const ZLexRangeSpec& r) const;
  size_t CountInRange(const ZRangeSpec& r) const;
  size_t CountInLexRange(const ZLexRangeSpec& r) const;

  // ---- range deletes (return the number removed; the zset may become empty) ----
  // Ranks start..end, 0-based inclusive, already clamped to [0, Length()).
  size_t DeleteRangeByRank(size_t start, size_t end);
  size_t DeleteRangeByScore(const ZRangeSpec& r);
  size_t DeleteRangeByLex(const ZLexRangeSpec& r);

  // Removes the lowest (max = false) or highest element and returns it. Not empty.
  void PopEdge(bool max, std::string* member, double* score);

  // ---- random access ----
  struct Pair {
    std::string_view member;  // into the zset or into the owner's buffer (see Random*)
    double score;
  };
  // One random element (zsetTypeRandomElement). `buf` (>= 24 bytes) holds integer members' text.
  Pair RandomElement(char* buf) const;
  // `count` random elements with replacement, appended as owned strings (ZRANDMEMBER -count).
  void RandomWithReplacement(size_t count, std::vector<std::pair<std::string, double>>* out) const;
  // `count` distinct random elements, 0 < count < Length() (ZRANDMEMBER count), appended.
  void RandomDistinct(size_t count, std::vector<std::pair<std::string, double>>* out) const;

  // Calls fn(std::string_view member, double score) for every element in ascending order (fn
  // returns false to stop).
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (ZsetIter it = AtRank(0); it.Valid(); it.Next()) {
      if (!fn(it.Member(), it.Score())) return;
    }
  }

  Zset Dup() const;
  void Free();
  // MEMORY USAGE of the value: exact for a listpack; for a skiplist the fixed parts plus the
  // average of the first `samples` nodes (0 = all) times the count, as Redis's objectComputeSize.
  size_t Memory(size_t samples) const;
  // Redis's lazy-free effort: the element count for a skiplist, 1 for a listpack.
  size_t FreeEffort() const;
  // Checks the encoding's invariants (order, table <-> skiplist agreement); panics. For tests.
  void Verify() const;

 private:
  bool AddListpack(double score, std::string_view member, int in_flags, const ZsetLimits& lim,
                   int* out_flags, double* newscore);
  bool AddSkiplist(double score, std::string_view member, int in_flags, int* out_flags,
                   double* newscore);
  // The listpack half of First/Last-In(Lex)Range: walks from the first element (forward) or the
  // last one, stops at the first element `reached` accepts (it has passed the range's near end)
  // and returns it if `inside` accepts it too (it is within the far end); invalid otherwise or
  // when the range is empty. Redis's zzlFirstInRange/zzlLastInRange and the lex variants.
  template <class Reached, class Inside>
  ZsetIter ListpackRangeEnd(bool forward, bool nonempty, Reached reached, Inside inside) const;

  Encoding enc_ = Encoding::kListpack;
  void* ptr_ = nullptr;
};

// Listpack helpers exposed for the commands and tests.
namespace zlp {
// Finds `member`; returns its member entry (and *score) or null.
const uint8_t* Find(const uint8_t* lp, std::string_view member, double* score);
// Inserts (member, score) at its ordered place; the member must be absent.
[[nodiscard]] uint8_t* Insert(uint8_t* lp, std::string_view member, double score);
// Appends (member, score) at the end (caller keeps the order).
[[nodiscard]] uint8_t* Append(uint8_t* lp, std::string_view member, double score);
// Bytes a (member, score) pair adds.
size_t PairBytes(std::string_view member, double score);
}  // namespace zlp

// ---- Dispatch entry points (core/value_free.cc and friends) --------------------------------
void FreeZsetValue(Encoding enc, void* ptr);
size_t ZsetFreeEffort(Encoding enc, const void* ptr);
// Deep copy with the same encoding (COPY).
void* DupZsetValue(Encoding enc, const void* ptr);
// MEMORY USAGE of the value (samples 0 = all).
size_t ZsetValueMemory(Encoding enc, const void* ptr, size_t samples);

}  // namespace ember
