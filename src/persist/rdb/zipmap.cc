// Zipmap reader (see zipmap.h for the layout). All positions are checked against `limit`, the
// index of the final byte, which must hold the end marker; arithmetic is 64-bit so a 32-bit
// length near 4 GB cannot wrap.
#include "persist/rdb/zipmap.h"

#include <string>

namespace ember::rdb {

ZipmapIterator::ZipmapIterator(std::string_view blob)
    : p_(reinterpret_cast<const uint8_t*>(blob.data())), size_(blob.size()) {}

Status ZipmapIterator::Fail(std::string_view what) const {
  std::string msg = "Corrupt zipmap: ";
  msg += what;
  msg += " (pair ";
  msg += std::to_string(count_);
  msg += ", byte ";
  msg += std::to_string(pos_);
  msg += ")";
  return Status::Corruption(std::move(msg));
}

Status ZipmapIterator::ReadLen(uint64_t* len, const char* what) {
  const size_t limit = size_ - 1;
  if (pos_ >= limit) return Fail(std::string(what) + " length runs past the end");
  uint8_t b = p_[pos_];
  if (b < kBigLen) {
    *len = b;
    pos_ += 1;
    return Status::OK();
  }
  if (b == kEnd) return Fail(std::string("end marker where a ") + what + " length was expected");
  if (pos_ + 5 > limit) return Fail(std::string(what) + " length runs past the end");
  const uint8_t* q = p_ + pos_ + 1;
  *len = uint64_t{q[0]} | (uint64_t{q[1]} << 8) | (uint64_t{q[2]} << 16) | (uint64_t{q[3]} << 24);
  pos_ += 5;
  return Status::OK();
}

Status ZipmapIterator::Next(std::string_view* field, std::string_view* value, bool* done) {
  *done = false;
  if (size_ < 2) return Fail("blob shorter than count and end marker");
  if (p_[size_ - 1] != kEnd) return Fail("missing end marker");
  const size_t limit = size_ - 1;
  if (pos_ > limit) return Fail("walked past the end");
  if (p_[pos_] == kEnd) {
    if (pos_ != limit) return Fail("end marker before the end of the blob");
    if (count_ == 0) return Fail("empty zipmap");
    if (p_[0] < kBigLen && p_[0] != count_) return Fail("zmlen does not match the pairs");
    *done = true;
    return Status::OK();
  }
  uint64_t flen;
  EMBER_RETURN_IF_ERROR(ReadLen(&flen, "field"));
  if (pos_ + flen > limit) return Fail("field runs past the end");
  *field = std::string_view(reinterpret_cast<const char*>(p_ + pos_), flen);
  pos_ += flen;
  uint64_t vlen;
  EMBER_RETURN_IF_ERROR(ReadLen(&vlen, "value"));
  if (pos_ >= limit) return Fail("free byte runs past the end");
  uint64_t free_bytes = p_[pos_];
  pos_ += 1;
  if (pos_ + vlen + free_bytes > limit) return Fail("value runs past the end");
  *value = std::string_view(reinterpret_cast<const char*>(p_ + pos_), vlen);
  pos_ += vlen + free_bytes;
  count_++;
  return Status::OK();
}

Status ValidateZipmap(std::string_view blob, size_t* count) {
  size_t n = 0;
  EMBER_RETURN_IF_ERROR(ForEachZipmapPair(blob, [&](std::string_view, std::string_view) {
    n++;
    return Status::OK();
  }));
  if (count) *count = n;
  return Status::OK();
}

}  // namespace ember::rdb
