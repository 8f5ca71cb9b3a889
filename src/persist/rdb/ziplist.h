// Read-only decoding of Redis's ziplist, the legacy compact encoding stored inside RDB types 10
// (LIST_ZIPLIST), 12 (ZSET_ZIPLIST), 13 (HASH_ZIPLIST) and the nodes of 14 (LIST_QUICKLIST).
// Redis 7 never writes ziplists; the loader converts them to listpacks or full structures.
//
//   <zlbytes u32 LE> <zltail u32 LE> <zllen u16 LE> <entry> ... <entry> <0xFF>
//    total size       offset of the    entry count;
//                     last entry       65535 = "count them"
//
//   entry = <prevlen> <encoding> [<data>]
//     prevlen:  1 byte 0..253, or 0xFE + u32 LE: the raw size of the previous entry (0 for the first)
//     encoding: 00pppppp                      string, length in 6 bits
//               01pppppp qqqqqqqq             string, length in 14 bits (big-endian)
//               10xxxxxx + u32 BE             string, 32-bit length (low bits of byte 1 ignored)
//               0xC0 int16 | 0xD0 int32 | 0xE0 int64 | 0xF0 int24 | 0xFE int8  (little-endian)
//               0xF1..0xFD                    immediate 0..12 (low nibble - 1), no data
//
// Safety: the iterator checks every entry against the blob's bounds before touching it and
// validates as it goes (prevlen chain, encodings, sizes); at the end it checks the end marker, the
// tail offset and the header count. So a full pass is the deep validation (Redis's
// ziplistValidateIntegrity with deep = 1): any corrupt blob yields a kCorruption Status, never a
// crash or an out-of-bounds read. Entries delivered before an error must be discarded by the caller.
//
// Thread safety: operates on caller-owned immutable bytes; no state. Fork-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ember::rdb {

struct ZiplistEntry {
  bool is_int = false;
  int64_t int_value = 0;
  std::string_view str;  // when !is_int; points into the blob
  // The value as text (integers in decimal), as Redis hands it to converted structures.
  std::string ToString() const;
};

class ZiplistIterator {
 public:
  static constexpr size_t kHeaderSize = 10;
  static constexpr uint8_t kEnd = 0xFF;
  static constexpr uint16_t kUnknownCount = 0xFFFF;

  // blob must stay alive and unchanged while iterating. Header problems surface from Next().
  explicit ZiplistIterator(std::string_view blob);

  // Produces the next entry (*done = false), or finishes the final checks (*done = true).
  // Any problem is a kCorruption Status; after it, the iterator must not be used.
  Status Next(ZiplistEntry* e, bool* done);

  // Entries produced so far.
  size_t count() const { return count_; }

 private:
  Status Fail(std::string_view what) const;

  const uint8_t* p_;
  size_t size_;
  size_t pos_ = kHeaderSize;
  size_t count_ = 0;
  size_t prev_raw_len_ = 0;
  size_t last_entry_ = 0;
  bool header_checked_ = false;
};

// Deep validation of a whole blob; *count (optional) receives the number of entries.
Status ValidateZiplist(std::string_view blob, size_t* count = nullptr);

// Calls fn(const ZiplistEntry&) for every entry; fn returns Status (a non-OK one stops the walk and
// is returned). The final structural checks run after the last entry.
template <typename Fn>
Status ForEachZiplistEntry(std::string_view blob, Fn&& fn) {
  ZiplistIterator it(blob);
  for (;;) {
    ZiplistEntry e;
    bool done = false;
    EMBER_RETURN_IF_ERROR(it.Next(&e, &done));
    if (done) return Status::OK();
    EMBER_RETURN_IF_ERROR(fn(static_cast<const ZiplistEntry&>(e)));
  }
}

}  // namespace ember::rdb
