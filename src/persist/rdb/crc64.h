// CRC-64/Jones as Redis computes it (crc64.c): the reflected form of polynomial 0xad93d23594c935a9,
// initial value 0, no final xor. Check value: Crc64(0, "123456789", 9) == 0xe9c6d914c4b8d9ca.
//
// It covers every byte of an RDB file before the 8-byte trailer, and a DUMP payload before its
// 8-byte footer. Because there is no final xor, the function is incremental:
//   Crc64(Crc64(0, a, n), b, m) == Crc64(0, a || b, n + m).
//
// Speed: slice-by-16 (sixteen 256-entry tables, 32 KB, 16 bytes per step; about 6-7x a byte-wise
// table loop).
// The tables are computed at compile time (constexpr) and live in read-only data, so there is no
// initialisation at all: safe from any thread, in a forked child, and before main().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ember::rdb {

inline constexpr uint64_t kCrc64CheckValue = 0xe9c6d914c4b8d9caULL;

// Continues `crc` over len bytes at data (data may be null when len == 0). Start with crc = 0.
uint64_t Crc64(uint64_t crc, const void* data, size_t len);
inline uint64_t Crc64(uint64_t crc, std::string_view s) { return Crc64(crc, s.data(), s.size()); }

// Bit-at-a-time reference implementation, for tests only.
uint64_t Crc64Bitwise(uint64_t crc, const void* data, size_t len);

}  // namespace ember::rdb
