// listpack implementation. The layout is described in listpack.h.
//
// Every write funnels into Splice(): replace the byte range [off, off+old_len) of the blob with
// new_len bytes, growing the allocation first (only past its usable size, so a run of appends
// reallocates rarely) or shrinking it after the memmove. The caller then writes the new entry bytes
// and fixes the element count. An entry is encoded into a small stack buffer for its header (at most
// 9 bytes for integers, 5 for a string length), followed by the string bytes and the backlen.
//
// Deep validation uses only bounds-checked readers (EntryHeaderSafe), never the fast walkers, so a
// corrupt blob cannot make it read past its end.
#include "types/listpack.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#include "base/assert.h"
#include "base/strutil.h"
#include "memory/alloc.h"

namespace ember::lp {
namespace {

constexpr uint8_t kEnc32BitStr = 0xF0;
constexpr uint8_t kEnc16BitInt = 0xF1;
constexpr uint8_t kEnc24BitInt = 0xF2;
constexpr uint8_t kEnc32BitInt = 0xF3;
constexpr uint8_t kEnc64BitInt = 0xF4;

inline uint32_t ReadU32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
inline void WriteU32(uint8_t* p, uint32_t v) {
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = v >> 24;
}
inline void SetBytes(uint8_t* lp, size_t n) { WriteU32(lp, static_cast<uint32_t>(n)); }
inline void SetCount(uint8_t* lp, uint16_t n) {
  lp[4] = n & 0xff;
  lp[5] = n >> 8;
}

// Bytes needed for a backlen of value l (Redis's thresholds).
inline size_t BacklenSize(uint64_t l) {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}
inline size_t WriteBacklen(uint8_t* buf, uint64_t l) {
  size_t n = BacklenSize(l);
  // Most significant group first; all but the first byte carry bit 7.
  for (size_t i = 0; i < n; i++) {
    uint8_t group = (l >> (7 * (n - 1 - i))) & 127;
    buf[i] = i == 0 ? group : (group | 128);
  }
  return n;
}
// p points at the LAST byte of a backlen.
inline uint64_t ReadBacklen(const uint8_t* p) {
  uint64_t v = 0;
  unsigned shift = 0;
  for (;;) {
    v |= uint64_t{*p & 127u} << shift;
    if (!(*p & 128)) break;
    shift += 7;
    p--;
    if (shift > 28) return UINT64_MAX;
  }
  return v;
}

// Encoded header of an integer; returns its size (1..9).
size_t EncodeInt(int64_t v, uint8_t* buf) {
  if (v >= 0 && v <= 127) {
    buf[0] = static_cast<uint8_t>(v);
    return 1;
  }
  uint64_t u = static_cast<uint64_t>(v);
  if (v >= -4096 && v <= 4095) {
    uint64_t w = v < 0 ? (uint64_t{1} << 13) + v : u;
    buf[0] = static_cast<uint8_t>(0xC0 | (w >> 8));
    buf[1] = w & 0xff;
    return 2;
  }
  size_t width;
  if (v >= -32768 && v <= 32767) {
    buf[0] = kEnc16BitInt;
    width = 2;
  } else if (v >= -8388608 && v <= 8388607) {
    buf[0] = kEnc24BitInt;
    width = 3;
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    buf[0] = kEnc32BitInt;
    width = 4;
  } else {
    buf[0] = kEnc64BitInt;
    width = 8;
  }
  for (size_t i = 0; i < width; i++) buf[1 + i] = (u >> (8 * i)) & 0xff;
  return 1 + width;
}

// Header (encoding byte(s)) of a string of length len; returns its size (1, 2 or 5).
size_t EncodeStrHeader(size_t len, uint8_t* buf) {
  if (len < 64) {
    buf[0] = static_cast<uint8_t>(0x80 | len);
    return 1;
  }
  if (len < 4096) {
    buf[0] = static_cast<uint8_t>(0xE0 | (len >> 8));
    buf[1] = len & 0xff;
    return 2;
  }
  buf[0] = kEnc32BitStr;
  WriteU32(buf + 1, static_cast<uint32_t>(len));
  return 5;
}

// What one new entry looks like before it is written.
struct Encoded {
  uint8_t hdr[9];
  size_t hdr_len = 0;
  const char* data = nullptr;  // string bytes, or null for an integer
  size_t data_len = 0;
  size_t backlen_len = 0;
  size_t Total() const { return hdr_len + data_len + backlen_len; }
  void WriteTo(uint8_t* dst) const {
    std::memcpy(dst, hdr, hdr_len);
    if (data_len) std::memcpy(dst + hdr_len, data, data_len);
    WriteBacklen(dst + hdr_len + data_len, hdr_len + data_len);
  }
};

Encoded EncodeIntEntry(int64_t v) {
  Encoded e;
  e.hdr_len = EncodeInt(v, e.hdr);
  e.backlen_len = BacklenSize(e.hdr_len);
  return e;
}
Encoded EncodeStringEntry(std::string_view s) {
  int64_t v;
  if (ParseInt64(s, &v)) return EncodeIntEntry(v);
  EMBER_CHECK(s.size() <= UINT32_MAX);
  Encoded e;
  e.hdr_len = EncodeStrHeader(s.size(), e.hdr);
  e.data = s.data();
  e.data_len = s.size();
  e.backlen_len = BacklenSize(e.hdr_len + e.data_len);
  return e;
}

// Size of encoding+data of the entry at p (trusted input).
inline size_t EncodedSize(const uint8_t* p) {
  uint8_t b = p[0];
  if (b < 0x80) return 1;
  if ((b & 0xC0) == 0x80) return 1 + (b & 0x3F);
  if ((b & 0xE0) == 0xC0) return 2;
  if ((b & 0xF0) == 0xE0) return 2 + ((size_t{b} & 0x0F) << 8 | p[1]);
  switch (b) {
    case kEnc32BitStr: return 5 + size_t{ReadU32(p + 1)};
    case kEnc16BitInt: return 3;
    case kEnc24BitInt: return 4;
    case kEnc32BitInt: return 5;
    case kEnc64BitInt: return 9;
    default: EMBER_PANIC("listpack: invalid entry encoding byte 0x%02x", b);
  }
}

// Bounds-checked header decode for validation: sets *enc_size to encoding+data size. Returns false
// if the encoding byte is invalid or its length bytes lie past `limit` (exclusive).
bool EntryHeaderSafe(const uint8_t* p, const uint8_t* limit, uint64_t* enc_size) {
  uint8_t b = p[0];
  size_t need;  // bytes to read the encoding itself
  if (b < 0x80 || (b & 0xC0) == 0x80 || (b >= kEnc16BitInt && b <= kEnc64BitInt)) {
    need = 1;
  } else if ((b & 0xE0) == 0xC0 || (b & 0xF0) == 0xE0) {
    need = 2;
  } else if (b == kEnc32BitStr) {
    need = 5;
  } else {
    return false;  // 0xF5..0xFF
  }
  if (static_cast<size_t>(limit - p) < need) return false;
  *enc_size = EncodedSize(p);
  return true;
}

thread_local uint64_t rng_state = 0;

}  // namespace

std::string Value::ToString() const {
  if (IsInt()) return Int64ToString(ival);
  return std::string(View());
}

// ---------------------------------------------------------------------------------------------
// Creation and size

uint8_t* New(size_t capacity) {
  auto* lp = static_cast<uint8_t*>(mem::Allocate(std::max(capacity, kEmptyBytes)));
  SetBytes(lp, kEmptyBytes);
  SetCount(lp, 0);
  lp[kHeaderSize] = kEof;
  return lp;
}

void Free(uint8_t* lp) { mem::Free(lp); }

uint8_t* FromBlob(const void* data, size_t size) {
  auto* lp = static_cast<uint8_t*>(mem::Allocate(size));
  std::memcpy(lp, data, size);
  return lp;
}

uint8_t* Dup(const uint8_t* lp) { return FromBlob(lp, Bytes(lp)); }

uint8_t* Shrink(uint8_t* lp) {
  size_t n = Bytes(lp);
  if (mem::UsableSize(lp) == mem::SizeClassOf(n)) return lp;
  return static_cast<uint8_t*>(mem::Reallocate(lp, n));
}

size_t Bytes(const uint8_t* lp) { return ReadU32(lp); }
uint16_t HeaderCount(const uint8_t* lp) { return static_cast<uint16_t>(lp[4] | lp[5] << 8); }

size_t Length(const uint8_t* lp) {
  uint16_t n = HeaderCount(lp);
  if (n != kNumElementsUnknown) return n;
  size_t count = 0;
  for (const uint8_t* p = First(lp); p; p = Next(lp, p)) count++;
  return count;
}

size_t Length(uint8_t* lp) {
  size_t n = Length(static_cast<const uint8_t*>(lp));
  if (n < kNumElementsUnknown) SetCount(lp, static_cast<uint16_t>(n));
  return n;
}

bool SafeToAdd(const uint8_t* lp, size_t bytes_to_add) {
  size_t len = lp ? Bytes(lp) : 0;
  return len + bytes_to_add <= kMaxSafetySize;
}

// ---------------------------------------------------------------------------------------------
// Navigation

size_t EntryBytes(const uint8_t* p) {
  size_t l = EncodedSize(p);
  return l + BacklenSize(l);
}

const uint8_t* First(const uint8_t* lp) {
  const uint8_t* p = lp + kHeaderSize;
  return *p == kEof ? nullptr : p;
}

const uint8_t* End(const uint8_t* lp) { return lp + Bytes(lp) - 1; }

const uint8_t* Next(const uint8_t* lp, const uint8_t* p) {
  EMBER_DCHECK(p >= lp + kHeaderSize && p < End(lp));
  p += EntryBytes(p);
  return *p == kEof ? nullptr : p;
}

const uint8_t* Prev(const uint8_t* lp, const uint8_t* p) {
  if (p == lp + kHeaderSize) return nullptr;
  uint64_t l = ReadBacklen(p - 1);
  EMBER_DCHECK(l != UINT64_MAX);
  return p - l - BacklenSize(l);
}

const uint8_t* Last(const uint8_t* lp) { return Prev(lp, End(lp)); }

const uint8_t* Seek(const uint8_t* lp, long index) {
  size_t n = Length(lp);
  long idx = index;
  if (idx < 0) idx += static_cast<long>(n);
  if (idx < 0 || static_cast<size_t>(idx) >= n) return nullptr;
  size_t i = static_cast<size_t>(idx);
  if (i <= n / 2) {
    const uint8_t* p = First(lp);
    while (i--) p = Next(lp, p);
    return p;
  }
  const uint8_t* p = Last(lp);
  for (size_t back = n - 1 - i; back > 0; back--) p = Prev(lp, p);
  return p;
}

// ---------------------------------------------------------------------------------------------
// Reading

Value Get(const uint8_t* p) {
  Value v;
  uint8_t b = p[0];
  uint64_t uv;
  unsigned bits;
  if (b < 0x80) {
    v.ival = b;
    return v;
  } else if ((b & 0xC0) == 0x80) {
    v.str = p + 1;
    v.len = b & 0x3F;
    return v;
  } else if ((b & 0xE0) == 0xC0) {
    uv = (uint64_t{b} & 0x1F) << 8 | p[1];
    bits = 13;
  } else if ((b & 0xF0) == 0xE0) {
    v.str = p + 2;
    v.len = (uint32_t{b} & 0x0F) << 8 | p[1];
    return v;
  } else if (b == kEnc32BitStr) {
    v.str = p + 5;
    v.len = ReadU32(p + 1);
    return v;
  } else if (b >= kEnc16BitInt && b <= kEnc64BitInt) {
    size_t width = b == kEnc64BitInt ? 8 : (b - kEnc16BitInt) + 2;
    uv = 0;
    for (size_t i = 0; i < width; i++) uv |= uint64_t{p[1 + i]} << (8 * i);
    bits = static_cast<unsigned>(width * 8);
  } else {
    EMBER_PANIC("listpack: invalid entry encoding byte 0x%02x", b);
  }
  if (bits < 64 && uv >= (uint64_t{1} << (bits - 1))) {
    v.ival = static_cast<int64_t>(uv) - (int64_t{1} << bits);
  } else {
    v.ival = static_cast<int64_t>(uv);
  }
  return v;
}

std::string_view GetString(const uint8_t* p, Scratch* scratch) {
  Value v = Get(p);
  if (!v.IsInt()) return v.View();
  size_t n = Int64ToChars(v.ival, scratch->buf);
  return {scratch->buf, n};
}

bool GetInteger(const uint8_t* p, int64_t* out) {
  Value v = Get(p);
  if (v.IsInt()) {
    *out = v.ival;
    return true;
  }
  return ParseInt64(v.View(), out);
}

// ---------------------------------------------------------------------------------------------
// Comparing

bool Equals(const uint8_t* p, std::string_view s) {
  Scratch sc;
  return GetString(p, &sc) == s;
}

bool EntriesEqual(const uint8_t* a, const uint8_t* b) {
  Value va = Get(a), vb = Get(b);
  if (va.IsInt() && vb.IsInt()) return va.ival == vb.ival;
  Scratch sa, sb;
  return GetString(a, &sa) == GetString(b, &sb);
}

int CompareString(const uint8_t* p, std::string_view s) {
  Scratch sc;
  std::string_view e = GetString(p, &sc);
  int c = e.compare(s);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

const uint8_t* Find(const uint8_t* lp, const uint8_t* p, std::string_view s, unsigned skip) {
  // Parse s as an integer at most once, so integer entries compare without formatting.
  int64_t sval = 0;
  int s_is_int = -1;  // unknown yet
  unsigned skipcnt = 0;
  while (p) {
    if (skipcnt == 0) {
      Value v = Get(p);
      if (v.IsInt()) {
        if (s_is_int < 0) s_is_int = ParseInt64(s, &sval) ? 1 : 0;
        if (s_is_int && sval == v.ival) return p;
      } else if (v.View() == s) {
        return p;
      }
      skipcnt = skip;
    } else {
      skipcnt--;
    }
    p = Next(lp, p);
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Writing

namespace {

// Replaces [off, off+old_len) with new_len (uninitialized) bytes. Returns the new buffer.
uint8_t* Splice(uint8_t* lp, size_t off, size_t old_len, size_t new_len) {
  size_t bytes = Bytes(lp);
  size_t new_bytes = bytes - old_len + new_len;
  EMBER_CHECK(new_bytes <= UINT32_MAX);
  size_t tail = bytes - off - old_len;
  if (new_bytes > bytes) {
    if (new_bytes > mem::UsableSize(lp)) lp = static_cast<uint8_t*>(mem::Reallocate(lp, new_bytes));
    std::memmove(lp + off + new_len, lp + off + old_len, tail);
  } else if (new_bytes < bytes) {
    std::memmove(lp + off + new_len, lp + off + old_len, tail);
    if (mem::SizeClassOf(new_bytes) < mem::UsableSize(lp))
      lp = static_cast<uint8_t*>(mem::Reallocate(lp, new_bytes));
  }
  SetBytes(lp, new_bytes);
  return lp;
}

void AdjustCount(uint8_t* lp, long delta) {
  uint16_t n = HeaderCount(lp);
  if (n == kNumElementsUnknown) return;
  long m = static_cast<long>(n) + delta;
  EMBER_DCHECK(m >= 0);
  SetCount(lp, static_cast<uint16_t>(std::min<long>(m, kNumElementsUnknown)));
}

uint8_t* InsertEncoded(uint8_t* lp, const uint8_t* p, Where where, const Encoded& e,
                       const uint8_t** newp) {
  size_t off = static_cast<size_t>(p - lp);
  size_t old_len = 0;
  if (where == Where::kAfter) {
    off += EntryBytes(p);
  } else if (where == Where::kReplace) {
    old_len = EntryBytes(p);
  }
  // A string being inserted may point into lp itself (e.g. copying an entry); copy it first.
  std::string holder;
  Encoded enc = e;
  if (enc.data && reinterpret_cast<const uint8_t*>(enc.data) >= lp &&
      reinterpret_cast<const uint8_t*>(enc.data) < lp + Bytes(lp)) {
    holder.assign(enc.data, enc.data_len);
    enc.data = holder.data();
  }
  lp = Splice(lp, off, old_len, enc.Total());
  enc.WriteTo(lp + off);
  if (where != Where::kReplace) AdjustCount(lp, 1);
  if (newp) *newp = lp + off;
  return lp;
}

}  // namespace

uint8_t* Insert(uint8_t* lp, const uint8_t* p, Where where, std::string_view s,
                const uint8_t** newp) {
  return InsertEncoded(lp, p, where, EncodeStringEntry(s), newp);
}

uint8_t* InsertInteger(uint8_t* lp, const uint8_t* p, Where where, int64_t v,
                       const uint8_t** newp) {
  return InsertEncoded(lp, p, where, EncodeIntEntry(v), newp);
}

uint8_t* Append(uint8_t* lp, std::string_view s) {
  return Insert(lp, End(lp), Where::kBefore, s);
}
uint8_t* Prepend(uint8_t* lp, std::string_view s) {
  return Insert(lp, lp + kHeaderSize, Where::kBefore, s);
}
uint8_t* AppendInteger(uint8_t* lp, int64_t v) {
  return InsertInteger(lp, End(lp), Where::kBefore, v);
}
uint8_t* PrependInteger(uint8_t* lp, int64_t v) {
  return InsertInteger(lp, lp + kHeaderSize, Where::kBefore, v);
}
uint8_t* Replace(uint8_t* lp, const uint8_t** p, std::string_view s) {
  return Insert(lp, *p, Where::kReplace, s, p);
}
uint8_t* ReplaceInteger(uint8_t* lp, const uint8_t** p, int64_t v) {
  return InsertInteger(lp, *p, Where::kReplace, v, p);
}

uint8_t* Delete(uint8_t* lp, const uint8_t* p, const uint8_t** next) {
  size_t off = static_cast<size_t>(p - lp);
  lp = Splice(lp, off, EntryBytes(p), 0);
  AdjustCount(lp, -1);
  if (next) *next = lp[off] == kEof ? nullptr : lp + off;
  return lp;
}

uint8_t* DeleteRangeAt(uint8_t* lp, const uint8_t** p, size_t num) {
  const uint8_t* start = *p;
  const uint8_t* q = start;
  size_t deleted = 0;
  while (q && deleted < num) {
    q += EntryBytes(q);
    deleted++;
    if (*q == kEof) q = nullptr;
  }
  size_t off = static_cast<size_t>(start - lp);
  size_t len = (q ? q : End(lp)) - start;
  lp = Splice(lp, off, len, 0);
  AdjustCount(lp, -static_cast<long>(deleted));
  *p = lp[off] == kEof ? nullptr : lp + off;
  return lp;
}

uint8_t* DeleteRange(uint8_t* lp, long index, size_t num) {
  const uint8_t* p = Seek(lp, index);
  if (!p || num == 0) return lp;
  return DeleteRangeAt(lp, &p, num);
}

uint8_t* BatchAppend(uint8_t* lp, std::span<const std::string_view> items) {
  std::vector<Encoded> encs;
  encs.reserve(items.size());
  size_t add = 0;
  for (std::string_view s : items) {
    encs.push_back(EncodeStringEntry(s));
    add += encs.back().Total();
  }
  // Copy sources that live inside lp (they would move with the realloc).
  std::vector<std::string> holders;
  for (auto& e : encs) {
    if (e.data && reinterpret_cast<const uint8_t*>(e.data) >= lp &&
        reinterpret_cast<const uint8_t*>(e.data) < lp + Bytes(lp)) {
      holders.emplace_back(e.data, e.data_len);
      e.data = holders.back().data();
    }
  }
  size_t off = Bytes(lp) - 1;
  lp = Splice(lp, off, 0, add);
  for (const auto& e : encs) {
    e.WriteTo(lp + off);
    off += e.Total();
  }
  AdjustCount(lp, static_cast<long>(items.size()));
  return lp;
}

uint8_t* Merge(uint8_t* first, uint8_t* second) {
  size_t n1 = Length(static_cast<const uint8_t*>(first));
  size_t n2 = Length(static_cast<const uint8_t*>(second));
  size_t body2 = Bytes(second) - kEmptyBytes;
  size_t off = Bytes(first) - 1;
  first = Splice(first, off, 0, body2);
  std::memcpy(first + off, second + kHeaderSize, body2);
  size_t n = n1 + n2;
  SetCount(first, static_cast<uint16_t>(std::min<size_t>(n, kNumElementsUnknown)));
  Free(second);
  return first;
}

// ---------------------------------------------------------------------------------------------
// Validation

bool ValidateListpack(const uint8_t* blob, size_t size, bool deep,
                      const std::function<bool(const uint8_t* p)>& entry_cb) {
  if (!blob || size < kEmptyBytes) return false;
  if (ReadU32(blob) != size) return false;
  if (blob[size - 1] != kEof) return false;
  if (!deep) return true;

  const uint8_t* eof = blob + size - 1;
  const uint8_t* p = blob + kHeaderSize;
  size_t count = 0;
  while (p != eof) {
    // p < eof here; every entry must end at or before eof.
    if (*p == kEof) return false;  // a terminator before the end
    uint64_t enc_size;
    if (!EntryHeaderSafe(p, eof, &enc_size)) return false;
    uint64_t avail = static_cast<uint64_t>(eof - p);
    uint64_t bl = BacklenSize(enc_size);
    if (enc_size > avail || bl > avail - enc_size) return false;
    uint8_t expect[5];
    WriteBacklen(expect, enc_size);
    for (uint64_t i = 0; i < bl; i++) {  // 1 byte for entries under 128 bytes: no memcmp call
      if (p[enc_size + i] != expect[i]) return false;
    }
    if (entry_cb && !entry_cb(p)) return false;
    p += enc_size + bl;
    count++;
  }
  uint16_t hdr = HeaderCount(blob);
  // An "unknown" header count is accepted over any number of entries, as Redis does.
  return hdr == kNumElementsUnknown || hdr == count;
}

// ---------------------------------------------------------------------------------------------
// Randomness

void SeedRandom(uint64_t seed) { rng_state = seed ? seed : 0x9E3779B97F4A7C15ull; }

uint64_t RandomU64() {
  if (rng_state == 0) {
    SeedRandom(static_cast<uint64_t>(
                   std::chrono::steady_clock::now().time_since_epoch().count()) ^
               reinterpret_cast<uintptr_t>(&rng_state));
  }
  // xorshift64*
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Dull;
}

const uint8_t* RandomEntry(const uint8_t* lp) {
  size_t n = Length(lp);
  if (n == 0) return nullptr;
  return Seek(lp, static_cast<long>(RandomU64() % n));
}

void RandomGroups(const uint8_t* lp, size_t count, unsigned stride, Value* firsts,
                  Value* seconds) {
  size_t groups = Length(lp) / stride;
  if (groups == 0 || count == 0) return;
  // Pick the indices, then serve them in listpack order with one walk.
  std::vector<std::pair<size_t, size_t>> picks(count);  // (group index, output slot)
  for (size_t i = 0; i < count; i++) picks[i] = {RandomU64() % groups, i};
  std::sort(picks.begin(), picks.end());
  const uint8_t* p = First(lp);
  size_t cur = 0;
  for (const auto& [g, slot] : picks) {
    while (cur < g) {
      for (unsigned k = 0; k < stride; k++) p = Next(lp, p);
      cur++;
    }
    firsts[slot] = Get(p);
    if (seconds && stride >= 2) seconds[slot] = Get(Next(lp, p));
  }
}

size_t RandomGroupsUnique(const uint8_t* lp, size_t count, unsigned stride, Value* firsts,
                          Value* seconds) {
  size_t groups = Length(lp) / stride;
  count = std::min(count, groups);
  // Selection sampling (Knuth's algorithm S): group i is taken with probability
  // needed / remaining, giving a uniform subset in order with one pass.
  size_t picked = 0;
  const uint8_t* p = First(lp);
  for (size_t i = 0; i < groups && picked < count; i++) {
    size_t remaining = groups - i;
    size_t needed = count - picked;
    if (RandomU64() % remaining < needed) {
      firsts[picked] = Get(p);
      if (seconds && stride >= 2) seconds[picked] = Get(Next(lp, p));
      picked++;
    }
    for (unsigned k = 0; k < stride && p; k++) p = Next(lp, p);
  }
  return picked;
}

// ---------------------------------------------------------------------------------------------
// Size estimates

size_t EntrySizeInteger(int64_t v) {
  uint8_t buf[9];
  size_t l = EncodeInt(v, buf);
  return l + BacklenSize(l);
}

size_t EntrySizeString(size_t len) {
  uint8_t buf[5];
  size_t l = EncodeStrHeader(len, buf) + len;
  return l + BacklenSize(l);
}

size_t EntrySizeFor(std::string_view s) {
  int64_t v;
  if (ParseInt64(s, &v)) return EntrySizeInteger(v);
  return EntrySizeString(s.size());
}

size_t WriteEntry(uint8_t* dst, std::string_view s) {
  Encoded e = EncodeStringEntry(s);
  e.WriteTo(dst);
  return e.Total();
}

size_t WriteIntegerEntry(uint8_t* dst, int64_t v) {
  Encoded e = EncodeIntEntry(v);
  e.WriteTo(dst);
  return e.Total();
}

void Seal(uint8_t* lp, size_t bytes, size_t count) {
  EMBER_CHECK(bytes >= kEmptyBytes && bytes <= UINT32_MAX);
  SetBytes(lp, bytes);
  SetCount(lp, static_cast<uint16_t>(std::min<size_t>(count, kNumElementsUnknown)));
  lp[bytes - 1] = kEof;
}

size_t EstimateBytesRepeatedInteger(int64_t v, size_t rep) {
  return kEmptyBytes + EntrySizeInteger(v) * rep;
}

}  // namespace ember::lp
