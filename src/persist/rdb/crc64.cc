// CRC-64/Jones, slice-by-16 (see crc64.h).
//
// Reflected CRC: each input byte is xored into the low byte of the register and the register is
// shifted right, so the polynomial is used in its bit-reversed form R = 0x95ac9329ac4bc9b5 (the
// reversal of 0xad93d23594c935a9).
//
//   T[0][b] = register after feeding byte b into a zero register (8 shift/xor steps)
//   T[k][b] = (T[k-1][b] >> 8) ^ T[0][T[k-1][b] & 0xff]     -- byte b followed by k zero bytes
//
// Slice-by-16 xors the next 8 input bytes (little-endian) into the register and then looks up each
// of the 16 block bytes in the table for its distance from the end of the block:
//   crc' = T[15][c0] ^ ... ^ T[8][c7] ^ T[7][d0] ^ ... ^ T[0][d7]
// where c = register ^ first 8 bytes and d = the second 8 bytes. The 16 lookups are independent,
// so they overlap in the pipeline; one 8-byte step and a byte loop finish the tail.
#include "persist/rdb/crc64.h"

#include <array>
#include <cstring>

namespace ember::rdb {
namespace {

constexpr uint64_t kPolyReflected = 0x95ac9329ac4bc9b5ULL;

constexpr int kSlices = 16;
using Tables = std::array<std::array<uint64_t, 256>, kSlices>;

constexpr Tables MakeTables() {
  Tables t{};
  for (uint32_t b = 0; b < 256; b++) {
    uint64_t c = b;
    for (int i = 0; i < 8; i++) c = (c & 1) ? (c >> 1) ^ kPolyReflected : c >> 1;
    t[0][b] = c;
  }
  for (int k = 1; k < kSlices; k++) {
    for (uint32_t b = 0; b < 256; b++) {
      uint64_t prev = t[k - 1][b];
      t[k][b] = (prev >> 8) ^ t[0][prev & 0xff];
    }
  }
  return t;
}

constexpr Tables kTables = MakeTables();

inline uint64_t LoadLe64(const uint8_t* p) {
  uint64_t v;
  memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

}  // namespace

uint64_t Crc64(uint64_t crc, const void* data, size_t len) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  const auto& t = kTables;
  while (len >= 16) {
    uint64_t c = crc ^ LoadLe64(p);
    uint64_t d = LoadLe64(p + 8);
    crc = t[15][c & 0xff] ^ t[14][(c >> 8) & 0xff] ^ t[13][(c >> 16) & 0xff] ^
          t[12][(c >> 24) & 0xff] ^ t[11][(c >> 32) & 0xff] ^ t[10][(c >> 40) & 0xff] ^
          t[9][(c >> 48) & 0xff] ^ t[8][c >> 56] ^ t[7][d & 0xff] ^ t[6][(d >> 8) & 0xff] ^
          t[5][(d >> 16) & 0xff] ^ t[4][(d >> 24) & 0xff] ^ t[3][(d >> 32) & 0xff] ^
          t[2][(d >> 40) & 0xff] ^ t[1][(d >> 48) & 0xff] ^ t[0][d >> 56];
    p += 16;
    len -= 16;
  }
  if (len >= 8) {
    crc ^= LoadLe64(p);
    crc = t[7][crc & 0xff] ^ t[6][(crc >> 8) & 0xff] ^ t[5][(crc >> 16) & 0xff] ^
          t[4][(crc >> 24) & 0xff] ^ t[3][(crc >> 32) & 0xff] ^ t[2][(crc >> 40) & 0xff] ^
          t[1][(crc >> 48) & 0xff] ^ t[0][crc >> 56];
    p += 8;
    len -= 8;
  }
  while (len--) crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return crc;
}

// The textbook definition, independent of the tables: the register runs MSB-first with the
// unreflected polynomial; input bytes and the result are bit-reversed ("reflected in and out").
uint64_t Crc64Bitwise(uint64_t crc, const void* data, size_t len) {
  constexpr uint64_t kPoly = 0xad93d23594c935a9ULL;
  auto reflect = [](uint64_t v, int bits) {
    uint64_t r = 0;
    for (int i = 0; i < bits; i++) r |= ((v >> i) & 1) << (bits - 1 - i);
    return r;
  };
  const uint8_t* p = static_cast<const uint8_t*>(data);
  uint64_t reg = reflect(crc, 64);
  for (size_t i = 0; i < len; i++) {
    reg ^= reflect(p[i], 8) << 56;
    for (int k = 0; k < 8; k++) reg = (reg >> 63) ? (reg << 1) ^ kPoly : reg << 1;
  }
  return reflect(reg, 64);
}

}  // namespace ember::rdb
