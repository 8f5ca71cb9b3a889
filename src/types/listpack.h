// listpack: Redis 7's compact sequence of strings and integers, byte-for-byte in Redis's layout so an
// RDB file or a DUMP payload can carry the blob as it is in memory.
//
//   <total-bytes:u32le> <num-elements:u16le> <entry> <entry> ... <0xFF>
//
//   num-elements is 65535 ("unknown") once the count reaches 65535; Length() then walks the entries.
//   Each entry is <encoding+data> <backlen>, backlen being the size of <encoding+data> written as
//   1..5 bytes of 7 bits, most significant group first; every byte but the first has bit 7 set, so
//   a reader walking backwards from the entry's last byte knows where backlen starts.
//
//   first byte   meaning                                   encoding+data size
//   0xxxxxxx     7-bit unsigned int 0..127                 1
//   10LLLLLL     string of len < 64                        1 + len
//   110xxxxx     13-bit signed int (next byte low bits)    2
//   1110LLLL     string of len < 4096 (next byte low bits) 2 + len
//   11110000     string, u32le length follows              5 + len
//   11110001/2/3/4   16/24/32/64-bit signed int, LE        3 / 4 / 5 / 9
//   11111111     end of listpack
//   (0xF5..0xFE are invalid.)  backlen: 1 byte for size <= 127, 2 below 16383, 3 below 2097151,
//   4 below 268435455, else 5 (Redis's exact thresholds, so blobs are identical).
//
// A string that parses as an int64 by Redis's string2ll rules (ember::ParseInt64) is stored as an integer,
// so "1000" and 1000 produce the same entry; reads give the integer back.
//
// Cost of one element (encoding + data + backlen), see EntrySizeInteger/EntrySizeString:
//   integer 0..127: 2 B; -4096..4095: 3 B; int16: 4 B; int24: 5 B; int32: 6 B; int64: 10 B.
//   string of len n: n+2 (n <= 63), n+3 (64 <= n <= 125), n+4 (126 <= n <= 4095),
//   n+7 (4096 <= n <= 16377), then n+8 / n+9 / n+10.
//   The listpack itself costs 7 bytes (header + terminator) plus allocator rounding.
//
// Ownership: a listpack is a plain byte buffer from ember::mem::Allocate; the caller owns it and frees
// it with lp::Free. Every mutating function may move the buffer and returns the new pointer (the old
// one is dead); entry pointers ("positions", pointing at an entry's first byte) are invalidated by any
// mutation unless a function hands back a fresh one. Not thread-safe; read-only functions may run
// concurrently on an unchanging listpack (e.g. in a fork child). Mutations abort (EMBER_CHECK) if the
// result would exceed UINT32_MAX bytes; callers keep listpacks under kMaxSafetySize via SafeToAdd.
//
// Complexity: append/prepend/insert/delete are O(bytes) (one memmove, amortized realloc); Next/Prev
// O(1); Seek O(n) from the nearer end; Find O(n).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace ember::lp {

inline constexpr size_t kHeaderSize = 6;             // LP_HDR_SIZE
inline constexpr uint8_t kEof = 0xFF;                // LP_EOF
inline constexpr uint16_t kNumElementsUnknown = 65535;  // LP_HDR_NUMELE_UNKNOWN
inline constexpr size_t kEmptyBytes = kHeaderSize + 1;
inline constexpr size_t kMaxSafetySize = size_t{1} << 30;  // LISTPACK_MAX_SAFETY_SIZE
// Size of the buffer GetString needs for the text of an int64 ("-9223372036854775808" + NUL).
inline constexpr size_t kIntStrBufSize = 21;

// The value of one entry: either a string (pointing into the listpack) or an integer.
struct Value {
  const uint8_t* str = nullptr;  // null for an integer
  uint32_t len = 0;              // string length
  int64_t ival = 0;              // integer value when str == nullptr
  bool IsInt() const { return str == nullptr; }
  std::string_view View() const {  // only for strings
    return {reinterpret_cast<const char*>(str), len};
  }
  std::string ToString() const;  // integers formatted as Redis does
};

// Scratch space for GetString's integer formatting.
struct Scratch {
  char buf[kIntStrBufSize];
};

enum class Where { kBefore, kAfter, kReplace };

// ---- creation, size ----
uint8_t* New(size_t capacity = 0);  // empty listpack; capacity is a pre-allocation hint in bytes
void Free(uint8_t* lp);             // lp may be null
uint8_t* Dup(const uint8_t* lp);
// Copies a blob (e.g. from RDB). The caller validates it first (ValidateListpack).
uint8_t* FromBlob(const void* data, size_t size);
// Shrinks the allocation to exactly Bytes(lp).
[[nodiscard]] uint8_t* Shrink(uint8_t* lp);
size_t Bytes(const uint8_t* lp);            // total bytes from the header
uint16_t HeaderCount(const uint8_t* lp);    // raw num-elements field (may be kNumElementsUnknown)
// Number of entries. When the header says unknown it walks, and stores the count if it fits (as
// Redis's lpLength does, so the header stays identical).
size_t Length(uint8_t* lp);
size_t Length(const uint8_t* lp);  // same without caching
bool SafeToAdd(const uint8_t* lp, size_t bytes_to_add);  // lp may be null (= 0 bytes)

// ---- navigation (positions are entry starts; null means none) ----
const uint8_t* First(const uint8_t* lp);
const uint8_t* Last(const uint8_t* lp);
const uint8_t* Next(const uint8_t* lp, const uint8_t* p);
const uint8_t* Prev(const uint8_t* lp, const uint8_t* p);  // p may be the terminator: gives Last
// Entry at index; negative counts from the tail (-1 = last). Null when out of range.
const uint8_t* Seek(const uint8_t* lp, long index);
const uint8_t* End(const uint8_t* lp);  // the terminator byte (insert kBefore it = append)
// Bytes the entry at p occupies including its backlen.
size_t EntryBytes(const uint8_t* p);

// ---- reading ----
Value Get(const uint8_t* p);
// The entry as text: strings point into the listpack, integers are written into scratch.
std::string_view GetString(const uint8_t* p, Scratch* scratch);
// True and *v set when the entry is an integer, or a string that parses as one.
bool GetInteger(const uint8_t* p, int64_t* v);

// ---- comparing ----
bool Equals(const uint8_t* p, std::string_view s);       // lpCompare: same bytes as text
bool EntriesEqual(const uint8_t* a, const uint8_t* b);  // same value (int vs int, else text)
// Lexicographic (memcmp, then length) comparison of the entry's text with s: <0, 0, >0.
int CompareString(const uint8_t* p, std::string_view s);
// From p on, returns the first entry equal to s, comparing one entry then skipping `skip` entries
// (skip 1 searches the fields of field/value pairs). Null if none.
const uint8_t* Find(const uint8_t* lp, const uint8_t* p, std::string_view s, unsigned skip);

// ---- writing (each returns the possibly moved listpack) ----
// Inserts s before/after the entry at p, or replaces it. p may be End(lp) with kBefore (append).
// If newp is given it receives the position of the new entry.
[[nodiscard]] uint8_t* Insert(uint8_t* lp, const uint8_t* p, Where where, std::string_view s,
                              const uint8_t** newp = nullptr);
[[nodiscard]] uint8_t* InsertInteger(uint8_t* lp, const uint8_t* p, Where where, int64_t v,
                                     const uint8_t** newp = nullptr);
[[nodiscard]] uint8_t* Append(uint8_t* lp, std::string_view s);
[[nodiscard]] uint8_t* Prepend(uint8_t* lp, std::string_view s);
[[nodiscard]] uint8_t* AppendInteger(uint8_t* lp, int64_t v);
[[nodiscard]] uint8_t* PrependInteger(uint8_t* lp, int64_t v);
// Replaces the entry at *p; *p is updated to the new entry.
[[nodiscard]] uint8_t* Replace(uint8_t* lp, const uint8_t** p, std::string_view s);
[[nodiscard]] uint8_t* ReplaceInteger(uint8_t* lp, const uint8_t** p, int64_t v);
// Deletes the entry at p. If next is given it receives the entry that followed (null at the end).
[[nodiscard]] uint8_t* Delete(uint8_t* lp, const uint8_t* p, const uint8_t** next = nullptr);
// Deletes up to num entries starting at index (negative from the tail).
[[nodiscard]] uint8_t* DeleteRange(uint8_t* lp, long index, size_t num);
// Deletes up to num entries starting at *p; *p receives the following entry (or null).
[[nodiscard]] uint8_t* DeleteRangeAt(uint8_t* lp, const uint8_t** p, size_t num);
// Appends all strings with a single reallocation.
[[nodiscard]] uint8_t* BatchAppend(uint8_t* lp, std::span<const std::string_view> items);
// Appends the entries of `second` to `first` and frees `second`. Returns the merged listpack.
[[nodiscard]] uint8_t* Merge(uint8_t* first, uint8_t* second);

// ---- validation ----
// Checks a blob from an untrusted source (RDB, RESTORE). Shallow: size >= 7, header bytes == size,
// last byte 0xFF. Deep additionally walks every entry checking encodings, lengths and backlens stay
// inside the blob and that the entry count matches the header. Never reads outside [blob, blob+size).
// entry_cb (optional, deep only) is called for every entry; returning false fails validation.
bool ValidateListpack(const uint8_t* blob, size_t size, bool deep,
                      const std::function<bool(const uint8_t* p)>& entry_cb = {});

// ---- randomness (a thread-local PRNG; SeedRandom makes it repeatable in tests) ----
void SeedRandom(uint64_t seed);
uint64_t RandomU64();
const uint8_t* RandomEntry(const uint8_t* lp);  // null when empty
// Picks `count` random groups of `stride` entries (stride 2 = field/value pairs; the group start is
// at an index multiple of stride), with replacement. firsts receives the group's first entry, seconds
// (may be null; only for stride 2) its second. The listpack must hold whole groups.
void RandomGroups(const uint8_t* lp, size_t count, unsigned stride, Value* firsts, Value* seconds);
// Same without replacement; returns how many were picked (min(count, groups)), in listpack order.
size_t RandomGroupsUnique(const uint8_t* lp, size_t count, unsigned stride, Value* firsts,
                          Value* seconds);

// ---- building a whole listpack in one allocation: size it, write the entries, seal it ----
// (No reallocation per entry: used to turn a small hash into the listpack RDB and DUMP carry.)
// Writes at dst the entry Append(s) / AppendInteger(v) would add (EntrySizeFor(s) /
// EntrySizeInteger(v) bytes); returns its size.
size_t WriteEntry(uint8_t* dst, std::string_view s);
size_t WriteIntegerEntry(uint8_t* dst, int64_t v);
// Writes the header and the terminator of a listpack of `bytes` bytes in all whose `count` entries
// are already written at lp + kHeaderSize (bytes = kHeaderSize + entry bytes + 1).
void Seal(uint8_t* lp, size_t bytes, size_t count);

// ---- size estimates (for encoding-conversion decisions) ----
size_t EntrySizeInteger(int64_t v);   // encoding + data + backlen
size_t EntrySizeString(size_t len);   // as a string (no integer detection)
size_t EntrySizeFor(std::string_view s);  // what Append(s) adds
size_t EstimateBytesRepeatedInteger(int64_t v, size_t rep);  // a whole listpack of rep copies of v

}  // namespace ember::lp
