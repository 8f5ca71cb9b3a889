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
  ObjType type = ObjType::kString;
  Encoding encoding = Encoding::kEmbstr;
  int64_t i = 0;             // kInt
  std::string_view s;        // kEmbstr
  void* ptr = nullptr;       // everything else (ownership moves into the record)

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
  // value fits in place.
  static Record* ReplaceValue(Record* old, const ValueInit& v);
  // True when ReplaceValue(r, v) would keep `r` in place (same address).
  static bool FitsInPlace(const Record* r, const ValueInit& v);
  // A copy of `r` with the expire added/changed/removed; frees `r`. Same address when possible.
  static Record* WithExpire(Record* r, bool has_expire, int64_t expire_ms);

  ObjType type() const { return static_cast<ObjType>(header() & 0x7); }
  Encoding encoding() const { return static_cast<Encoding>((header() >> 3) & 0xF); }
  uint32_t lru() const { return header() >> 8; }
  void set_lru(uint32_t v) { set_header((header() & 0xFF) | ((v & kLruMax) << 8)); }
  // For in-place encoding conversions of external values (listpack -> hashtable, ...).
  void set_encoding(Encoding e) {
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
  // External values (everything but int and embstr).
  void* ptr() const {
    void* v;
    std::memcpy(&v, ValuePos(), sizeof(v));
    return v;
  }
  void set_ptr(void* v) { std::memcpy(ValuePos(), &v, sizeof(v)); }
  template <typename T>
  T* as() const {
    return static_cast<T*>(ptr());
  }

  // The value as a ValueInit: int by value, embstr as a view into this record, anything else by
  // its pointer (nothing is copied; ownership stays with the record). For RENAME/MOVE/COPY.
  ValueInit Value() const;

  // The string value of a string record. Integers are formatted into `buf` (>= 24 bytes).
  std::string_view StringValue(char* buf) const;

  // Bytes of the record allocation itself.
  size_t AllocSize() const;

 private:
  static constexpr size_t kHeaderSize = 4;
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

  static size_t ValueSize(const ValueInit& v);
  static size_t TotalSize(size_t klen, const ValueInit& v, bool has_expire, int64_t expire_ms) {
    return kHeaderSize + ExpireFieldSize(has_expire, expire_ms) + KeyLenSize(klen) + klen +
           ValueSize(v);
  }
  // Writes a record into `p` (a fresh allocation of at least TotalSize bytes).
  static Record* Build(uint8_t* p, std::string_view key, uint32_t lru, const ValueInit& v,
                       bool has_expire, int64_t expire_ms);
};

// Frees an external value of the given type/encoding (used by Record::Free and by lazy free).
void FreeValue(ObjType type, Encoding enc, void* ptr);
// Redis's lazy-free effort of a value: 1 for strings and compact encodings, the element count (or
// quicklist node count) for big ones. Values with effort > 64 are freed on the lazy-free thread.
size_t FreeEffort(const Record* r);

}  // namespace ember
