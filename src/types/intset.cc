// intset implementation (layout in intset.h).
//
// Add: if v needs a wider encoding than the set has, v is either smaller or larger than every member,
// so the upgrade rewrites the values from the last to the first at the new width (no overlap problems
// when walking backwards) shifted by one slot if v is negative, then puts v at the front or the back.
// Otherwise a binary search finds the slot, the tail moves up one slot, and v is written.
#include "types/intset.h"

#include <cstring>

#include "base/assert.h"
#include "memory/alloc.h"
#include "types/listpack.h"

namespace ember::intset {
namespace {

inline uint32_t ReadU32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
inline void WriteU32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (v >> (8 * i)) & 0xff;
}

inline int64_t ReadAt(const uint8_t* is, uint32_t enc, uint32_t pos) {
  const uint8_t* p = is + kHeaderSize + size_t{pos} * enc;
  uint64_t u = 0;
  for (uint32_t i = 0; i < enc; i++) u |= uint64_t{p[i]} << (8 * i);
  if (enc < 8 && (u >> (enc * 8 - 1)) & 1) u |= ~uint64_t{0} << (enc * 8);  // sign-extend
  return static_cast<int64_t>(u);
}
inline void WriteAt(uint8_t* is, uint32_t enc, uint32_t pos, int64_t v) {
  uint8_t* p = is + kHeaderSize + size_t{pos} * enc;
  uint64_t u = static_cast<uint64_t>(v);
  for (uint32_t i = 0; i < enc; i++) p[i] = (u >> (8 * i)) & 0xff;
}

uint8_t* Resize(uint8_t* is, uint32_t len, uint32_t enc) {
  return static_cast<uint8_t*>(mem::Reallocate(is, kHeaderSize + size_t{len} * enc));
}

}  // namespace

uint8_t* New() {
  auto* is = static_cast<uint8_t*>(mem::Allocate(kHeaderSize));
  WriteU32(is, kEncInt16);
  WriteU32(is + 4, 0);
  return is;
}

void Free(uint8_t* is) { mem::Free(is); }

uint8_t* FromBlob(const void* data, size_t size) {
  auto* is = static_cast<uint8_t*>(mem::Allocate(size));
  std::memcpy(is, data, size);
  return is;
}

uint8_t* Dup(const uint8_t* is) { return FromBlob(is, Bytes(is)); }

uint32_t ValueEncoding(int64_t v) {
  if (v < INT32_MIN || v > INT32_MAX) return kEncInt64;
  if (v < INT16_MIN || v > INT16_MAX) return kEncInt32;
  return kEncInt16;
}

uint32_t Length(const uint8_t* is) { return ReadU32(is + 4); }
uint32_t Encoding(const uint8_t* is) { return ReadU32(is); }
size_t Bytes(const uint8_t* is) { return kHeaderSize + size_t{Length(is)} * Encoding(is); }

int64_t GetUnchecked(const uint8_t* is, uint32_t pos) { return ReadAt(is, Encoding(is), pos); }

bool Get(const uint8_t* is, uint32_t pos, int64_t* v) {
  if (pos >= Length(is)) return false;
  *v = GetUnchecked(is, pos);
  return true;
}

bool Search(const uint8_t* is, int64_t v, uint32_t* pos) {
  uint32_t len = Length(is), enc = Encoding(is);
  if (len == 0) {
    *pos = 0;
    return false;
  }
  // Fast paths for values outside the range (common when appending ascending ids).
  if (v > ReadAt(is, enc, len - 1)) {
    *pos = len;
    return false;
  }
  if (v < ReadAt(is, enc, 0)) {
    *pos = 0;
    return false;
  }
  uint32_t lo = 0, hi = len;  // search in [lo, hi)
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    int64_t cur = ReadAt(is, enc, mid);
    if (cur == v) {
      *pos = mid;
      return true;
    }
    if (cur < v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  *pos = lo;
  return false;
}

bool Find(const uint8_t* is, int64_t v) {
  uint32_t pos;
  return ValueEncoding(v) <= Encoding(is) && Search(is, v, &pos);
}

uint8_t* Add(uint8_t* is, int64_t v, bool* added) {
  uint32_t enc = Encoding(is), len = Length(is);
  uint32_t venc = ValueEncoding(v);
  if (added) *added = true;
  if (venc > enc) {
    // Upgrade: v lies outside the current range.
    EMBER_CHECK(len < UINT32_MAX);
    is = Resize(is, len + 1, venc);
    bool prepend = v < 0;
    for (uint32_t i = len; i-- > 0;) WriteAt(is, venc, i + (prepend ? 1 : 0), ReadAt(is, enc, i));
    WriteAt(is, venc, prepend ? 0 : len, v);
    WriteU32(is, venc);
    WriteU32(is + 4, len + 1);
    return is;
  }
  uint32_t pos;
  if (Search(is, v, &pos)) {
    if (added) *added = false;
    return is;
  }
  EMBER_CHECK(len < UINT32_MAX);
  is = Resize(is, len + 1, enc);
  uint8_t* base = is + kHeaderSize;
  std::memmove(base + size_t{pos + 1} * enc, base + size_t{pos} * enc, size_t{len - pos} * enc);
  WriteAt(is, enc, pos, v);
  WriteU32(is + 4, len + 1);
  return is;
}

uint8_t* Remove(uint8_t* is, int64_t v, bool* removed) {
  uint32_t enc = Encoding(is), len = Length(is);
  uint32_t pos;
  if (removed) *removed = false;
  if (ValueEncoding(v) > enc || !Search(is, v, &pos)) return is;
  uint8_t* base = is + kHeaderSize;
  std::memmove(base + size_t{pos} * enc, base + size_t{pos + 1} * enc, size_t{len - pos - 1} * enc);
  WriteU32(is + 4, len - 1);
  is = Resize(is, len - 1, enc);
  if (removed) *removed = true;
  return is;
}

int64_t Random(const uint8_t* is) {
  uint32_t len = Length(is);
  EMBER_CHECK(len > 0);
  return GetUnchecked(is, static_cast<uint32_t>(lp::RandomU64() % len));
}

int64_t Min(const uint8_t* is) {
  EMBER_CHECK(Length(is) > 0);
  return GetUnchecked(is, 0);
}

int64_t Max(const uint8_t* is) {
  EMBER_CHECK(Length(is) > 0);
  return GetUnchecked(is, Length(is) - 1);
}

bool ValidateIntset(const uint8_t* blob, size_t size, bool deep) {
  if (!blob || size < kHeaderSize) return false;
  uint32_t enc = ReadU32(blob);
  if (enc != kEncInt16 && enc != kEncInt32 && enc != kEncInt64) return false;
  uint64_t count = ReadU32(blob + 4);
  if (count == 0) return false;
  if (kHeaderSize + count * enc != size) return false;
  if (!deep) return true;
  int64_t prev = ReadAt(blob, enc, 0);
  for (uint32_t i = 1; i < count; i++) {
    int64_t cur = ReadAt(blob, enc, i);
    if (cur <= prev) return false;
    prev = cur;
  }
  return true;
}

}  // namespace ember::intset
