// LZF glue over Debian's liblzf (the same algorithm Redis bundles), with the limits Redis applies.
//
// RDB strings: compression is tried only when rdbcompression is on and the string is longer than
// 20 bytes (kRdbLzfMinLen), and the result is kept only if it saves at least 4 bytes
// (compressed <= len - 4). liblzf's lzf_compress returns 0 when the output does not fit its limit,
// which is how "not worth it" is detected without a second pass.
//
// Decompression is exact: the caller states the expected decompressed length (stored in the RDB),
// and any other outcome (corrupt back-reference, input overrun, output too small or too large) is
// a kCorruption Status. liblzf checks bounds on both input and output, so corrupt input cannot make
// it read or write outside the given buffers.
//
// Thread safety: stateless; lzf_compress keeps its hash table on the stack (~128 KB with HLOG 16,
// 64 KB in Debian's build), so callers need that much stack. Fork-safe.
#pragma once

#include <cstddef>
#include <string>

#include "base/status.h"

namespace ember::rdb {

// Strings of at most this many bytes are never compressed in an RDB.
inline constexpr size_t kRdbLzfMinLen = 20;
// The smallest saving that makes a compressed string worth storing.
inline constexpr size_t kRdbLzfMinSaving = 4;

// liblzf's limit is unsigned int; longer inputs are never compressed.
inline constexpr size_t kLzfMaxInputLen = 0xffffffffu;

// Raw compression of len bytes into out[0..out_cap). Returns the compressed size, or 0 if the output
// would not fit in out_cap (or len is 0 or above kLzfMaxInputLen).
size_t LzfCompress(const void* in, size_t len, void* out, size_t out_cap);

// Redis's rdbSaveLzfStringObject rule, without the length-threshold check: compresses into *out
// (resized to the compressed size) only if the result is at most len - 4 bytes. Returns false, with
// *out unspecified, when compression does not save enough (or len <= 4).
bool LzfCompressForRdb(const void* in, size_t len, std::string* out);

// Decompresses clen bytes into out[0..expected_len). Fails with kCorruption unless the data
// decompresses to exactly expected_len bytes.
Status LzfDecompress(const void* in, size_t clen, void* out, size_t expected_len);

// An upper bound on how far LZF can expand: a 3-byte back-reference yields at most 264 bytes.
// A stored length above this for the given compressed size is corrupt (checked before allocating).
inline constexpr size_t kLzfMaxExpansion = 88;
inline bool LzfLengthsPlausible(size_t clen, size_t len) {
  return len > 0 && clen > 0 && len / kLzfMaxExpansion <= clen;
}

}  // namespace ember::rdb
