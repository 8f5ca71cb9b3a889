// Key records: one allocation per key that holds the key, its optional expire time, the value header
// (type, encoding, LRU/LFU bits) and, for small values, the value itself.
//
// Redis spends, per small string key, a 24-byte dictEntry, an 8-byte bucket slot, a key sds and a
// 16-byte robj (+ value): ~88 bytes of used_memory for `key:N -> 10-byte value`. Ember keeps one
// record per key, pointed at from a cache-line bucketed table (types/hashtable.h):
//
//   byte 0         4            4+E        4+E+L          4+E+L+K
//        +---------+------------+----------+--------------+---------------------------------+
//        | header  | expire?    | keylen   | key bytes    | value                           |
//        +---------+------------+----------+--------------+---------------------------------+
//   header: uint32 = type:3 | encoding:4 | has-expire:1 | lru:24 (LRU clock, or LFU
//           minutes:16|counter:8)
//   expire: unix ms in 6 bytes (E = 6) when below 2^48-1 (year 10889); otherwise the 6 bytes hold
//           2^48-1 and the real 8-byte value follows (E = 14). Absent without has-expire (E = 0).
//   keylen: L = 1 byte for keys < 128 bytes, else 0x80 followed by a 4-byte length (L = 5)
//   value:  encoding int    -> 8-byte int64
//           encoding embstr -> 1-byte length + bytes (<= 44 bytes, Redis's embstr limit)
//           any other       -> 8-byte pointer to the external value (RawString, listpack blob,
//                              quicklist, hash table, intset, zset)
//           inline listpack -> the listpack blob itself (its own header gives its length); the
//                              header's encoding field holds the private tag 15, which encoding()
//                              reports as listpack and ptr() as the address of the inline bytes
//
// Inline listpacks. A small sorted set in listpack form is stored inside its record when the blob
// is at most kMaxInlineValue bytes: one allocation instead of two, no 8-byte pointer, and one
// jemalloc class rounding instead of two. For `ZADD zset:N` with 10 members (a 144-byte listpack):
// 32 (record) + 160 (listpack) = 192 bytes become a single 160-byte record. Readers see no
// difference: encoding() says listpack and ptr() points at the blob. Writers must not change the
// blob in place (it cannot be reallocated): a write first moves it out with ReplaceValue and a
// ValueInit whose inline_mode is kNever (the record keeps its size, so it does not move), changes the
// external copy, and stores the result back with ReplaceValue (kAuto), which copies it inline again
// and frees the external copy. set_ptr() on an inline record panics, which catches a missed step.
// Which values go inline is decided here (InlinesValue): today sorted-set listpacks only.
//
// `SET key:123456 0123456789` costs 4+1+10+1+10 = 26 bytes and with a TTL 32: one 32-byte jemalloc
// class either way, plus the table slot (~13-22 bytes) and, with a TTL, one slot in the expire
// index. Redis needs ~88 bytes for the same key, and another ~32 for its TTL.
//
// Fields are read with memcpy (the record is byte-packed). A record's address changes when it grows
// (adding an expire, a longer embedded value): callers replace the table slot(s) that point to it,
// which is why Database hides records behind its own API.
//
// Ownership: a record owns its external value. Record::Free frees both.
// Thread safety: none; records belong to the event-loop thread (or to the lazy-free thread once
// unlinked from every table). Fork child: read-only access is safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "base/assert.h"

namespace ember {

// Redis's type and encoding ids (they appear in RDB files and OBJECT ENCODING).
enum class ObjType : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4, kStream = 6 };
enum class Encoding : uint8_t {
  kRaw = 0,
  kInt = 1,
  kHashtable = 2,
  kIntset = 6,
  kSkiplist = 7,
  kEmbstr = 8,
  kQuicklist = 9,
  kListpack = 11,
};

const char* TypeName(ObjType t);          // "string", "list", ... (TYPE command)
const char* EncodingName(Encoding e);     // "raw", "int", "embstr", "listpack", ...

constexpr size_t kEmbstrSizeLimit = 44;   // OBJ_ENCODING_EMBSTR_SIZE_LIMIT
constexpr int64_t kSharedIntegers = 10000;
constexpr uint32_t kLruMax = (1u << 24) - 1;
// Largest listpack stored inside its record (bigger ones stay external: the write path copies an
// inline blob out and back in, which should stay cheap next to the listpack insert itself).
constexpr size_t kMaxInlineValue = 512;

// A heap string for values longer than 44 bytes or modified in place (APPEND, SETRANGE, SETBIT):
// an 8-byte length, then the bytes. Capacity is the allocator's usable size minus the header, so
// growth follows Redis's sdsMakeRoomFor policy without storing a capacity field.
struct RawString {
  size_t len;
  char* data() { return reinterpret_cast<char*>(this + 1); }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  std::string_view view() const { return {data(), len}; }
  size_t capacity() const;

  static RawString* New(std::string_view s, size_t reserve = 0);
  // Grows to hold at least `need` bytes with Redis's preallocation (double below 1 MB, else +1 MB).
  static RawString* Reserve(RawString* s, size_t need);
  static void Free(RawString* s);
};

// What a record's value is made of when it is created or replaced.
struct ValueInit {
  // Whether a listpack value may be stored inside the record (see "Inline listpacks" above).
  enum class Inline : uint8_t {
    kAuto,      // inline when the type allows it and the blob is small; the record then copies
                // the bytes and frees `ptr` (ownership moved in either way)
    kNever,     // keep `ptr` external (a write moving an inline blob out), no size trimming
    kBorrowed,  // `ptr` is another record's inline blob (Record::Value): copy, never free
  };
  ObjType type = ObjType::kString;
  Encoding encoding = Encoding::kEmbstr;
  int64_t i = 0;             // kInt
  std::string_view s;        // kEmbstr
  void* ptr = nullptr;       // everything else (ownership moves into the record, see Inline)
  Inline inline_mode = Inline::kAuto;

  static ValueInit Int(int64_t v) { return {ObjType::kString, Encoding::kInt, v, {}, nullptr}; }
  static ValueInit Embstr(std::string_view v) {
    return {ObjType::kString, Encoding::kEmbstr, 0, v, nullptr};
  }
  static ValueInit Ptr(ObjType t, Encoding e, void* p) { return {t, e, 0, {}, p}; }
  // The string encoding Redis would choose for `v` (int when it parses as a long of <= 20 chars,
  // embstr up to 44 bytes, raw above; the raw string is allocated here).
  static ValueInit FromString(std::string_view v);
};

class Record {
 public:
  static Record* New(std::string_view key, const ValueInit& v, bool has_expire = false,
                     int64_t expire_ms = 0);
  // Frees the record and its external value.
  static void Free(Record* r);
  // Frees the record but not its external value (the caller took it).
  static void FreeShell(Record* r);
  // A new record with the same key, expire and LRU bits and a new value; frees `old` (not its
  // old external value, which the caller released or moved). May return `old` itself when the new
  // value fits in place. With free_old = false a moved-from `old` is left allocated (its key still
  // readable) for the caller to FreeShell once no table points to it: a table lookup may allocate
  // (a rehash step adds a bucket) and reuse a freed record's memory before the slot is fixed.
  static Record* ReplaceValue(Record* old, const ValueInit& v, bool free_old = true);
  // A copy of `r` with the expire added/changed/removed; frees `r` (unless free_old is false, as
  // above). Same address when possible.
  static Record* WithExpire(Record* r, bool has_expire, int64_t expire_ms, bool free_old = true);

  ObjType type() const { return static_cast<ObjType>(header() & 0x7); }
  // The Redis encoding (an inline listpack reports kListpack).
  Encoding encoding() const {
    uint32_t e = (header() >> 3) & 0xF;
    return static_cast<Encoding>(e == kInlineTag ? static_cast<uint32_t>(Encoding::kListpack) : e);
  }
  // True when the value's bytes (a listpack) live inside this record.
  bool value_inline() const { return ((header() >> 3) & 0xF) == kInlineTag; }
  // True when ptr() is a separate allocation the record owns (not int, embstr or inline).
  bool has_external_value() const {
    uint32_t e = (header() >> 3) & 0xF;
    return e != static_cast<uint32_t>(Encoding::kInt) &&
           e != static_cast<uint32_t>(Encoding::kEmbstr) && e != kInlineTag;
  }
  uint32_t lru() const { return header() >> 8; }
  void set_lru(uint32_t v) { set_header((header() & 0xFF) | ((v & kLruMax) << 8)); }
  // For in-place encoding conversions of external values (listpack -> hashtable, ...). Not for
  // inline values (see set_ptr).
  void set_encoding(Encoding e) {
    EMBER_CHECK(!value_inline());
    set_header((header() & ~0x78u) | (static_cast<uint32_t>(e) << 3));
  }

  bool has_expire() const { return header() & kHeaderExpireBit; }
  int64_t expire_ms() const {
    uint64_t v = Load48(bytes() + kHeaderSize);
    if (v != kWideExpire) return static_cast<int64_t>(v);
    int64_t w;
    std::memcpy(&w, bytes() + kHeaderSize + 6, 8);
    return w;
  }
  // Only for records that have an expire; returns false (and changes nothing) when the new value
  // needs the other width (WithExpire then reallocates).
  bool set_expire_ms(int64_t v) {
    bool wide = Load48(bytes() + kHeaderSize) == kWideExpire;
    if (NeedsWideExpire(v) != wide) return false;
    if (wide) {
      std::memcpy(bytes() + kHeaderSize + 6, &v, 8);
    } else {
      Store48(bytes() + kHeaderSize, static_cast<uint64_t>(v));
    }
    return true;
  }

  std::string_view key() const {
    const uint8_t* p = bytes() + KeyLenOffset();
    if (p[0] < 0x80) return {reinterpret_cast<const char*>(p + 1), p[0]};
    uint32_t n;
    std::memcpy(&n, p + 1, 4);
    return {reinterpret_cast<const char*>(p + 5), n};
  }

  // kInt values.
  int64_t int_value() const {
    int64_t v;
    std::memcpy(&v, ValuePos(), 8);
    return v;
  }
  void set_int_value(int64_t v) { std::memcpy(ValuePos(), &v, 8); }
  // kEmbstr values.
  std::string_view embstr() const {
    const uint8_t* p = ValuePos();
    return {reinterpret_cast<const char*>(p + 1), p[0]};
  }
  // External values (everything but int and embstr); for an inline value, the inline bytes (valid
  // until the record is replaced or freed; never to be reallocated or freed by the caller).
  void* ptr() const {
    if (value_inline()) return const_cast<uint8_t*>(ValuePos());
    void* v;
    std::memcpy(&v, ValuePos(), sizeof(v));
    return v;
  }
  // Only for external values: an inline value must first be moved out (ReplaceValue, kNever).
  void set_ptr(void* v) {
    EMBER_CHECK(!value_inline());
    std::memcpy(ValuePos(), &v, sizeof(v));
  }
  template <typename T>
  T* as() const {
    return static_cast<T*>(ptr());
  }

  // The value as a ValueInit: int by value, embstr as a view into this record, anything else by
  // its pointer (nothing is copied; ownership stays with the record); an inline value comes as
  // kBorrowed, so a record built from it copies the bytes. For RENAME/MOVE/COPY.
  ValueInit Value() const;

  // The string value of a string record. Integers are formatted into `buf` (>= 24 bytes).
  std::string_view StringValue(char* buf) const;

  // Bytes of the record allocation itself.
  size_t AllocSize() const;

 private:
  static constexpr size_t kHeaderSize = 4;
  static constexpr uint32_t kInlineTag = 15;  // encoding field of an inline listpack
  static constexpr uint32_t kHeaderExpireBit = 0x80;
  static constexpr uint64_t kWideExpire = (1ull << 48) - 1;

  static bool NeedsWideExpire(int64_t v) {
    return v < 0 || static_cast<uint64_t>(v) >= kWideExpire;
  }
  static size_t ExpireFieldSize(bool has_expire, int64_t v) {
    return has_expire ? (NeedsWideExpire(v) ? 14 : 6) : 0;
  }
  static size_t KeyLenSize(size_t klen) { return klen < 0x80 ? 1 : 5; }
  static uint64_t Load48(const uint8_t* p) {
    uint64_t v = 0;
    std::memcpy(&v, p, 6);  // little-endian host
    return v;
  }
  static void Store48(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 6); }

  const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(this); }
  uint8_t* bytes() { return reinterpret_cast<uint8_t*>(this); }
  uint32_t header() const {
    uint32_t h;
    std::memcpy(&h, bytes(), 4);
    return h;
  }
  void set_header(uint32_t h) { std::memcpy(bytes(), &h, 4); }
  size_t KeyLenOffset() const {
    if (!has_expire()) return kHeaderSize;
    return kHeaderSize + (Load48(bytes() + kHeaderSize) == kWideExpire ? 14 : 6);
  }
  const uint8_t* ValuePos() const {
    std::string_view k = key();
    return reinterpret_cast<const uint8_t*>(k.data()) + k.size();
  }
  uint8_t* ValuePos() { return const_cast<uint8_t*>(static_cast<const Record*>(this)->ValuePos()); }

  // Bytes of the value part; `inl` = InlinesValue(v).
  static size_t ValueSize(const ValueInit& v, bool inl);
  static size_t TotalSize(size_t klen, const ValueInit& v, bool inl, bool has_expire,
                          int64_t expire_ms) {
    return kHeaderSize + ExpireFieldSize(has_expire, expire_ms) + KeyLenSize(klen) + klen +
           ValueSize(v, inl);
  }
  // Writes a record into `p` (a fresh allocation of at least TotalSize bytes).
  static Record* Build(uint8_t* p, std::string_view key, uint32_t lru, const ValueInit& v,
                       bool inl, bool has_expire, int64_t expire_ms);
};

// Whether `v` is stored inside a record (kBorrowed, or kAuto for a sorted-set listpack of at most
// kMaxInlineValue bytes).
bool InlinesValue(const ValueInit& v);

// Frees an external value of the given type/encoding (used by Record::Free and by lazy free).
void FreeValue(ObjType type, Encoding enc, void* ptr);
// Redis's lazy-free effort of a value: 1 for strings and compact encodings, the element count (or
// quicklist node count) for big ones. Values with effort > 64 are freed on the lazy-free thread.
size_t FreeEffort(const Record* r);

}  // namespace ember
