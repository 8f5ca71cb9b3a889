// hpack: see hash_pack.h for the layout. Every mutation is one walk to find the place, one
// Splice (reallocate to the exact new size and move the tail) and the write of the new bytes.
#include "core/hash_pack.h"

#include <cstring>
#include <string>

#include "base/assert.h"
#include "base/strutil.h"
#include "memory/alloc.h"
#include "types/listpack.h"

namespace ember::hpack {
namespace {

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

size_t WriteVarint(uint8_t* dst, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    dst[n++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  dst[n++] = static_cast<uint8_t>(v);
  return n;
}

size_t ReadVarint(const uint8_t* p, uint64_t* v) {
  uint64_t r = 0;
  size_t n = 0;
  int shift = 0;
  for (;;) {
    uint8_t b = p[n++];
    r |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
    shift += 7;
  }
  *v = r;
  return n;
}

// Bytes needed to hold v as a little-endian two's complement integer (1..8).
size_t IntWidth(int64_t v) {
  for (size_t n = 1; n < 8; n++) {
    int64_t lim = int64_t{1} << (8 * n - 1);
    if (v >= -lim && v < lim) return n;
  }
  return 8;
}

int64_t ReadInt(const uint8_t* p, size_t n) {
  uint64_t u = 0;
  std::memcpy(&u, p, n);  // little-endian host
  if (n < 8) {
    int shift = static_cast<int>(64 - 8 * n);
    return static_cast<int64_t>(u << shift) >> shift;
  }
  return static_cast<int64_t>(u);
}

// Resizes the blob of `total` bytes so that the `old_len` bytes at `off` become `new_len` bytes
// (contents of that range undefined afterwards; the tail is preserved).
uint8_t* Splice(uint8_t* hp, size_t total, size_t off, size_t old_len, size_t new_len) {
  size_t tail = total - off - old_len;
  if (new_len > old_len) {
    hp = static_cast<uint8_t*>(mem::Reallocate(hp, total - old_len + new_len));
    std::memmove(hp + off + new_len, hp + off + old_len, tail);
  } else if (new_len < old_len) {
    std::memmove(hp + off + new_len, hp + off + old_len, tail);
    hp = static_cast<uint8_t*>(mem::Reallocate(hp, total - old_len + new_len));
  }
  return hp;
}

// Rewrites the pair count (its varint may change width). `total` is the current byte size.
uint8_t* SetCount(uint8_t* hp, size_t total, uint64_t old_count, uint64_t new_count) {
  size_t a = VarintSize(old_count), b = VarintSize(new_count);
  hp = Splice(hp, total, 0, a, b);
  WriteVarint(hp, new_count);
  return hp;
}

}  // namespace

// ---- Key ----

Key::Key(std::string_view s) : str_(s) {
  int64_t v;
  if (s.size() <= 20 && ParseInt64(s, &v)) {
    size_t w = IntWidth(v);
    if (1 + w < StrHeaderSize(s.size()) + s.size()) {
      hdr_[0] = static_cast<uint8_t>(kTagIntBase + w);
      uint64_t u = static_cast<uint64_t>(v);
      std::memcpy(hdr_ + 1, &u, w);
      hdr_len_ = static_cast<uint8_t>(1 + w);
      return;
    }
  }
  hdr_len_ = static_cast<uint8_t>(WriteStrHeader(hdr_, s.size()));
  data_ = s;
}

void Key::Write(uint8_t* dst) const {
  std::memcpy(dst, hdr_, hdr_len_);
  if (!data_.empty()) std::memcpy(dst + hdr_len_, data_.data(), data_.size());
}

bool Key::Matches(const uint8_t* p) const {
  // Same tag implies the same header layout, so reading hdr_len_ bytes of p stays in its entry.
  if (p[0] != hdr_[0]) return false;
  if (hdr_len_ > 1 && std::memcmp(p + 1, hdr_ + 1, hdr_len_ - 1) != 0) return false;
  return data_.empty() || std::memcmp(p + hdr_len_, data_.data(), data_.size()) == 0;
}

// ---- headers ----

size_t WriteStrHeader(uint8_t* dst, size_t n) {
  if (n < 128) {
    dst[0] = static_cast<uint8_t>(n);
    return 1;
  }
  if (n < 16384) {
    dst[0] = static_cast<uint8_t>(kTagStr14 | (n >> 8));
    dst[1] = static_cast<uint8_t>(n & 0xff);
    return 2;
  }
  EMBER_CHECK(n <= UINT32_MAX);
  dst[0] = kTagStr32;
  uint32_t l = static_cast<uint32_t>(n);
  std::memcpy(dst + 1, &l, 4);
  return 5;
}

// ---- blob ----

uint8_t* New() {
  uint8_t* hp = static_cast<uint8_t*>(mem::Allocate(1));
  hp[0] = 0;
  return hp;
}

void Free(uint8_t* hp) { mem::Free(hp); }

uint8_t* Dup(const uint8_t* hp) {
  size_t n = Bytes(hp);
  uint8_t* d = static_cast<uint8_t*>(mem::Allocate(n));
  std::memcpy(d, hp, n);
  return d;
}

size_t Count(const uint8_t* hp) {
  if (hp[0] < 0x80) return hp[0];
  uint64_t v;
  ReadVarint(hp, &v);
  return v;
}

const uint8_t* First(const uint8_t* hp) {
  uint64_t n;
  size_t cb = ReadVarint(hp, &n);
  return n ? hp + cb : nullptr;
}

size_t Bytes(const uint8_t* hp) {
  uint64_t n;
  const uint8_t* p = hp + ReadVarint(hp, &n);
  for (uint64_t i = 0; i < 2 * n; i++) p = Next(p);
  return static_cast<size_t>(p - hp);
}

size_t ListpackBytesBound(const uint8_t* hp) {
  // A listpack string entry costs at most 5 bytes more than ours (encoding up to 5 + backlen up to
  // 5, against our header of at least 1); integers cost at most 1 more. Plus header/terminator.
  return Bytes(hp) + 9 * 2 * Count(hp) + lp::kEmptyBytes;
}

std::string_view Get(const uint8_t* p, Scratch* scratch) {
  uint8_t t = p[0];
  if (t <= kTagStr32) {
    size_t len;
    size_t h = ReadStrHeader(p, &len);
    return {reinterpret_cast<const char*>(p + h), len};
  }
  int64_t v = ReadInt(p + 1, t - kTagIntBase);
  return {scratch->buf, Int64ToChars(v, scratch->buf)};
}

bool GetInteger(const uint8_t* p, int64_t* v) {
  uint8_t t = p[0];
  if (t > kTagStr32) {
    *v = ReadInt(p + 1, t - kTagIntBase);
    return true;
  }
  size_t len;
  size_t h = ReadStrHeader(p, &len);
  return ParseInt64({reinterpret_cast<const char*>(p + h), len}, v);
}

size_t TextLength(const uint8_t* p) {
  uint8_t t = p[0];
  if (t <= kTagStr32) {
    size_t len;
    ReadStrHeader(p, &len);
    return len;
  }
  char buf[24];
  return Int64ToChars(ReadInt(p + 1, t - kTagIntBase), buf);
}

const uint8_t* Find(const uint8_t* hp, const Key& field) {
  const uint8_t* found = nullptr;
  ForEachPair(hp, [&](const uint8_t* f, const uint8_t*) {
    if (field.Matches(f)) {
      found = f;
      return false;
    }
    return true;
  });
  return found;
}

// ---- writing ----

uint8_t* Set(uint8_t* hp, const Key& field, const Key& value, bool* inserted) {
  uint64_t n;
  const uint8_t* p = hp + ReadVarint(hp, &n);
  const uint8_t* vpos = nullptr;
  for (uint64_t i = 0; i < n; i++) {
    const uint8_t* v = Next(p);
    if (!vpos && field.Matches(p)) vpos = v;
    p = Next(v);
  }
  size_t total = static_cast<size_t>(p - hp);
  if (vpos) {
    *inserted = false;
    size_t off = static_cast<size_t>(vpos - hp);
    hp = Splice(hp, total, off, EntryBytes(vpos), value.EntryBytes());
    value.Write(hp + off);
    return hp;
  }
  *inserted = true;
  size_t add = field.EntryBytes() + value.EntryBytes();
  hp = static_cast<uint8_t*>(mem::Reallocate(hp, total + add));
  field.Write(hp + total);
  value.Write(hp + total + field.EntryBytes());
  return SetCount(hp, total + add, n, n + 1);
}

uint8_t* Append(uint8_t* hp, const Key& field, const Key& value) {
  size_t n = Count(hp);
  size_t total = Bytes(hp);
  size_t add = field.EntryBytes() + value.EntryBytes();
  hp = static_cast<uint8_t*>(mem::Reallocate(hp, total + add));
  field.Write(hp + total);
  value.Write(hp + total + field.EntryBytes());
  return SetCount(hp, total + add, n, n + 1);
}

uint8_t* Delete(uint8_t* hp, const Key& field, bool* deleted) {
  uint64_t n;
  const uint8_t* p = hp + ReadVarint(hp, &n);
  const uint8_t* fpos = nullptr;
  size_t pair_len = 0;
  for (uint64_t i = 0; i < n; i++) {
    const uint8_t* v = Next(p);
    const uint8_t* after = Next(v);
    if (!fpos && field.Matches(p)) {
      fpos = p;
      pair_len = static_cast<size_t>(after - p);
    }
    p = after;
  }
  *deleted = fpos != nullptr;
  if (!fpos) return hp;
  size_t total = static_cast<size_t>(p - hp);
  hp = Splice(hp, total, static_cast<size_t>(fpos - hp), pair_len, 0);
  return SetCount(hp, total - pair_len, n, n - 1);
}

// ---- listpack conversions ----

void ToListpack(const uint8_t* hp, std::string* out) {
  // One pass: each entry gets room for its text plus the largest header and backlen (at most 10
  // bytes), is written in place (integers as integers; strings through lp::WriteEntry, which
  // stores integer-looking text such as "7", kept as a string here, as an integer), and the
  // string is cut back to what was written.
  constexpr size_t kMaxOverhead = 10;
  size_t n = 2 * Count(hp);
  out->resize(lp::kHeaderSize);
  size_t off = lp::kHeaderSize;
  Scratch sc;
  const uint8_t* p = First(hp);
  for (size_t i = 0; i < n; i++, p = Next(p)) {
    if (p[0] > kTagStr32) {
      out->resize(off + kMaxOverhead);
      off += lp::WriteIntegerEntry(reinterpret_cast<uint8_t*>(out->data()) + off,
                                   ReadInt(p + 1, p[0] - kTagIntBase));
    } else {
      std::string_view text = Get(p, &sc);
      out->resize(off + text.size() + kMaxOverhead);
      off += lp::WriteEntry(reinterpret_cast<uint8_t*>(out->data()) + off, text);
    }
  }
  out->resize(off + 1);
  lp::Seal(reinterpret_cast<uint8_t*>(out->data()), out->size(), n);
}

uint8_t* FromListpack(const uint8_t* lp) {
  // One pass into an allocation of the listpack's size, which bounds the blob: an entry here is
  // never longer than the same entry in a listpack (whose header, backlen and integer encodings are
  // no shorter), and the count varint is smaller than the 7-byte listpack header and terminator.
  size_t entries = lp::Length(lp);
  EMBER_CHECK(entries % 2 == 0);
  size_t bound = lp::Bytes(lp);
  auto* hp = static_cast<uint8_t*>(mem::Allocate(bound));
  size_t off = WriteVarint(hp, entries / 2);
  lp::Scratch sc;
  for (const uint8_t* p = lp::First(lp); p; p = lp::Next(lp, p)) {
    Key k(lp::GetString(p, &sc));
    EMBER_CHECK(off + k.EntryBytes() <= bound);
    k.Write(hp + off);
    off += k.EntryBytes();
  }
  return off == bound ? hp : static_cast<uint8_t*>(mem::Reallocate(hp, off));
}

}  // namespace ember::hpack
