// Read-only decoding of Redis's zipmap, the pre-2.6 small-hash encoding stored in RDB type 9
// (HASH_ZIPMAP). The loader converts it to a listpack or hash table.
//
//   <zmlen 1 byte> { <len> <field> <len> <free 1 byte> <value> <free bytes> } <0xFF>
//
//   zmlen: the pair count if < 254; 254 means "unknown, count them".
//   len:   1 byte 0..253, or 254 followed by a u32 LE length. A 0xFF where a field length would
//          start is the end marker (a 0xFF value length is rejected as corrupt).
//   free:  unused bytes after the value (left by in-place updates); skipped.
//
// Safety: every field is bounds-checked before it is read; the walk validates the whole blob:
// the end marker must be the last byte, and a known zmlen must equal the pair count. As Redis's
// zipmapValidateIntegrity, an empty zipmap is rejected (an RDB never stores an empty hash).
// Corrupt input yields kCorruption, never a crash. Pairs delivered before an error must be
// discarded by the caller.
//
// Thread safety: operates on caller-owned immutable bytes; no state. Fork-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/status.h"

namespace ember::rdb {

class ZipmapIterator {
 public:
  static constexpr uint8_t kBigLen = 254;
  static constexpr uint8_t kEnd = 0xFF;

  // blob must stay alive and unchanged while iterating.
  explicit ZipmapIterator(std::string_view blob);

  // The next pair (views into the blob, *done = false), or the final checks (*done = true).
  Status Next(std::string_view* field, std::string_view* value, bool* done);
  size_t count() const { return count_; }

 private:
  Status Fail(std::string_view what) const;
  // Reads a length at pos_; fails if it does not fit before the end marker.
  Status ReadLen(uint64_t* len, const char* what);

  const uint8_t* p_;
  size_t size_;
  size_t pos_ = 1;
  size_t count_ = 0;
};

// Deep validation; *count (optional) receives the number of pairs. Empty zipmaps are rejected.
Status ValidateZipmap(std::string_view blob, size_t* count = nullptr);

// Calls fn(std::string_view field, std::string_view value) -> Status for every pair.
template <typename Fn>
Status ForEachZipmapPair(std::string_view blob, Fn&& fn) {
  ZipmapIterator it(blob);
  for (;;) {
    std::string_view f, v;
    bool done = false;
    EMBER_RETURN_IF_ERROR(it.Next(&f, &v, &done));
    if (done) return Status::OK();
    EMBER_RETURN_IF_ERROR(fn(f, v));
  }
}

}  // namespace ember::rdb
