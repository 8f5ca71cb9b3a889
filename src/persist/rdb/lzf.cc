// Thin wrappers over liblzf (see lzf.h).
#include "persist/rdb/lzf.h"

#include <lzf.h>  // Debian's liblzf (-I/usr/include/liblzf), not this file's header.

#include <cerrno>

namespace ember::rdb {

size_t LzfCompress(const void* in, size_t len, void* out, size_t out_cap) {
  if (len == 0 || len > kLzfMaxInputLen || out_cap == 0) return 0;
  if (out_cap > kLzfMaxInputLen) out_cap = kLzfMaxInputLen;
  return lzf_compress(in, static_cast<unsigned>(len), out, static_cast<unsigned>(out_cap));
}

bool LzfCompressForRdb(const void* in, size_t len, std::string* out) {
  if (len <= kRdbLzfMinSaving) return false;
  size_t limit = len - kRdbLzfMinSaving;
  out->resize(limit);
  size_t n = LzfCompress(in, len, out->data(), limit);
  if (n == 0) return false;
  out->resize(n);
  return true;
}

Status LzfDecompress(const void* in, size_t clen, void* out, size_t expected_len) {
  if (clen > kLzfMaxInputLen || expected_len > kLzfMaxInputLen) {
    return Status::Corruption("LZF block too large");
  }
  if (clen == 0 || expected_len == 0) return Status::Corruption("empty LZF block");
  errno = 0;
  unsigned n = lzf_decompress(in, static_cast<unsigned>(clen), out,
                              static_cast<unsigned>(expected_len));
  if (n != expected_len) {
    if (n == 0 && errno == E2BIG) {
      return Status::Corruption("LZF data decompresses to more than the stored length " +
                                std::to_string(expected_len));
    }
    if (n == 0) return Status::Corruption("invalid LZF data");
    return Status::Corruption("LZF data decompresses to " + std::to_string(n) +
                              " bytes, expected " + std::to_string(expected_len));
  }
  return Status::OK();
}

}  // namespace ember::rdb
