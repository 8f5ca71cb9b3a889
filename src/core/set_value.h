// Set values: the data part of the set type (encodings, conversions, operations), independent of
// replies and sockets. The commands live in src/commands/set_family.cc.
//
// Three encodings, chosen and converted exactly as Redis 7.2 does (t_set.c):
//
//   intset     every member is an int64 and count <= set-max-intset-entries (capped at 2^30).
//              ptr = the intset blob (types/intset.h), Redis's RDB layout.
//   listpack   small sets: count <= set-max-listpack-entries and every member <= set-max-listpack-value
//              bytes. ptr = the listpack blob itself (types/listpack.h), members in insertion order.
//   hashtable  everything else. ptr = SetTable*, a HashTable<SetMemberTraits> whose entries are one
//              allocation per member: [length prefix][bytes] (SetMember below).
//
// Conversion rules (one way, small -> big; nothing converts back except the STORE results below):
//   create(first, hint)  intset if `first` is an integer and hint <= intset limit, else listpack if
//                        hint <= listpack-entries, else hashtable (pre-sized for hint).
//   SADD on an existing  MaybeConvert(hint = number of members given): listpack with hint > entries
//                        or intset with hint > intset limit -> hashtable at once.
//   intset + integer     stays intset; past the intset limit -> hashtable.
//   intset + string      -> listpack when intset length < listpack-entries, the string and the
//                        longest integer's digits fit listpack-value and the estimated listpack is
//                        under the 1 GB cap; otherwise -> hashtable.
//   listpack + new       -> hashtable when the listpack already holds listpack-entries members, the
//                        member is longer than listpack-value, or the listpack would pass 1 GB.
//   SINTERSTORE result   MaybeConvertToIntset when every member is an integer.
//
// Cost of one member (jemalloc size classes; `len` = member bytes):
//   intset    2, 4 or 8 bytes (the set's integer width).
//   listpack  lp::EntrySizeFor: len+2 for strings up to 63 bytes, 2..10 bytes for integers.
//   hashtable the member allocation (1 + len rounded to a size class; 9 + len from 255 bytes on)
//             + 11-21 bytes of table (64-byte 7-slot buckets at 43-86% fill; more while a resize
//             is in progress). Redis 7.0: 24 (dictEntry) + 8 (bucket) + sds (len + 2..3, rounded)
//             = ~47 for a 10-byte member; Ember ~28 (unit test: < 32 at 150K members).
//
// SetValue is a non-owning handle over (encoding, pointer): mutators may reallocate or convert, and
// the caller stores the result back (StoreInto(record)). Not thread-safe; read-only methods may run
// on an unchanging value from a fork child (they never rehash: Contains uses HashTable::Get).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/object.h"
#include "types/hashtable.h"

namespace ember {

// The three thresholds, copied from ServerConfig by the caller (set-max-intset-entries,
// set-max-listpack-entries, set-max-listpack-value).
struct SetLimits {
  size_t max_intset_entries = 512;
  size_t max_listpack_entries = 128;
  size_t max_listpack_value = 64;
  // Redis caps the intset at 2^30 members whatever the config says.
  size_t IntsetMax() const { return max_intset_entries >= (1u << 30) ? (1u << 30) : max_intset_entries; }
};

// One member as produced by iteration or sampling: text (str != null) or an integer.
struct SetElem {
  const char* str = nullptr;
  size_t len = 0;
  int64_t ival = 0;
  bool IsInt() const { return str == nullptr; }
  // The member's text; integers are formatted into buf (>= 21 bytes).
  std::string_view Text(char* buf) const;
  std::string ToString() const;
  static SetElem Int(int64_t v) { return SetElem{nullptr, 0, v}; }
  static SetElem Str(std::string_view s) { return SetElem{s.data(), s.size(), 0}; }
};

// A hashtable member: [len:1 byte if < 255, else 0xFF + 8-byte length][bytes]. Opaque.
struct SetMember;
namespace setmember {
SetMember* New(std::string_view s);
void Free(SetMember* m);
std::string_view View(const SetMember* m);
}  // namespace setmember

struct SetMemberTraits {
  using Entry = SetMember*;
  static std::string_view KeyOf(const SetMember* m) { return setmember::View(m); }
};
using SetTable = HashTable<SetMemberTraits>;

class SetValue {
 public:
  SetValue() = default;
  SetValue(Encoding enc, void* ptr) : enc_(enc), ptr_(ptr) {}
  static SetValue Of(const Record* r) { return SetValue(r->encoding(), r->ptr()); }

  // Redis's setTypeCreate: an empty set able to hold `first`, sized for `size_hint` members.
  static SetValue Create(std::string_view first, size_t size_hint, const SetLimits& lim);
  static SetValue NewIntset();
  static SetValue NewListpack(size_t capacity_bytes = 0);
  static SetValue NewHashtable(size_t size_hint = 0);

  Encoding encoding() const { return enc_; }
  void* ptr() const { return ptr_; }
  bool valid() const { return ptr_ != nullptr; }
  // Writes pointer and encoding back into the record (the record does not move).
  void StoreInto(Record* r) const {
    r->set_ptr(ptr_);
    r->set_encoding(enc_);
  }
  ValueInit ToValueInit() const { return ValueInit::Ptr(ObjType::kSet, enc_, ptr_); }

  size_t Size() const;
  bool Empty() const { return Size() == 0; }

  // setTypeMaybeConvert: SADD with `size_hint` members on an existing set.
  void MaybeConvert(size_t size_hint, const SetLimits& lim);
  // Adds a member; false if it was already there. Converts per the rules above.
  bool Add(std::string_view member, const SetLimits& lim) { return AddElem(SetElem::Str(member), lim); }
  bool AddElem(const SetElem& e, const SetLimits& lim);
  // Removes a member; false if it was not there. Never converts.
  bool Remove(std::string_view member) { return RemoveElem(SetElem::Str(member)); }
  bool RemoveElem(const SetElem& e);
  bool Contains(std::string_view member) const { return ContainsElem(SetElem::Str(member)); }
  bool ContainsElem(const SetElem& e) const;

  // Calls fn(const SetElem&) for every member (intset ascending, listpack insertion order,
  // hashtable table order); fn returns false to stop. The set must not change meanwhile.
  template <typename Fn>
  void ForEach(Fn&& fn) const;

  // A uniformly random member (the set must not be empty). The element points into the set.
  SetElem Random() const;
  // Removes and returns a random member (set not empty).
  std::string PopRandom();
  // SPOP key count with 0 < count < Size(): removes `count` random members and appends them to
  // *out in the order Redis replies them. Uses Redis's two strategies (pop one by one, or keep
  // the survivors in a new set when count is close to the size; the value may change encoding).
  void PopMany(size_t count, const SetLimits& lim, std::vector<std::string>* out);
  // SRANDMEMBER key count with 0 < count < Size(), distinct members: appends `count` of them.
  void RandomDistinct(size_t count, std::vector<std::string>* out) const;

  // setTypeConvertAndExpand to kListpack or kHashtable, pre-sized for `cap` members.
  void ConvertTo(Encoding enc, size_t cap);
  // SINTERSTORE: back to an intset when the caller knows every member is an integer and the
  // count fits the intset limit.
  void MaybeConvertToIntset(const SetLimits& lim);
  // Releases listpack slack (lpShrinkToFit).
  void ShrinkToFit();

  // SSCAN over a hashtable set: fn(std::string_view) for one bucket chain; returns the next
  // cursor (0 = done). Only for kHashtable.
  template <typename Fn>
  size_t ScanTable(size_t cursor, Fn&& fn) const {
    return table()->Scan(cursor, [&](SetMember*& m) { fn(setmember::View(m)); });
  }

  SetValue Dup() const;
  void Free();
  // MEMORY USAGE of the value: exact for intset/listpack, sampled (`samples` members, 0 = all)
  // for a hashtable.
  size_t Memory(size_t samples) const;
  // Redis's lazy-free effort: the member count for a hashtable, else 1.
  size_t FreeEffort() const { return enc_ == Encoding::kHashtable ? table()->Size() : 1; }

  // Raw access for RDB and tests.
  uint8_t* blob() const { return static_cast<uint8_t*>(ptr_); }
  SetTable* table() const { return static_cast<SetTable*>(ptr_); }

 private:
  bool AddToIntsetString(const SetElem& e, int64_t v, bool is_int, const SetLimits& lim);
  bool AddToListpack(const SetElem& e, const SetLimits& lim);
  bool AddToTable(std::string_view s);

  Encoding enc_ = Encoding::kIntset;
  void* ptr_ = nullptr;
};

// ---- Dispatch entry points (core/value_free.cc and friends) --------------------------------
void FreeSetValue(Encoding enc, void* ptr);
size_t SetFreeEffort(Encoding enc, const void* ptr);
// Deep copy with the same encoding (COPY).
void* DupSetValue(Encoding enc, const void* ptr);
// MEMORY USAGE of the value (samples 0 = all).
size_t SetValueMemory(Encoding enc, const void* ptr, size_t samples);

// ---- Inline template ---------------------------------------------------------------------------
}  // namespace ember

#include "types/intset.h"
#include "types/listpack.h"

namespace ember {

template <typename Fn>
void SetValue::ForEach(Fn&& fn) const {
  switch (enc_) {
    case Encoding::kIntset: {
      const uint8_t* is = blob();
      uint32_t n = intset::Length(is);
      for (uint32_t i = 0; i < n; i++) {
        if (!fn(SetElem::Int(intset::GetUnchecked(is, i)))) return;
      }
      return;
    }
    case Encoding::kListpack: {
      const uint8_t* lp = blob();
      for (const uint8_t* p = lp::First(lp); p; p = lp::Next(lp, p)) {
        lp::Value v = lp::Get(p);
        SetElem e = v.IsInt() ? SetElem::Int(v.ival)
                              : SetElem{reinterpret_cast<const char*>(v.str), v.len, 0};
        if (!fn(e)) return;
      }
      return;
    }
    default: {
      auto it = table()->MakeIterator();
      SetMember* m;
      while (it.Next(&m)) {
        if (!fn(SetElem::Str(setmember::View(m)))) return;
      }
      return;
    }
  }
}

}  // namespace ember
