// Ziplist reader (see ziplist.h for the layout).
//
// The walk keeps `pos_` at the start of the next entry. Before reading any field the code checks
// that the field lies before the final byte (the 0xFF end marker), using 64-bit arithmetic so a
// 32-bit string length cannot wrap. Each entry's prevlen must equal the raw size of the entry
// before it, which catches most shifted or spliced data; at the end, the end marker must be the
// last byte, zltail must point at the last entry (at the header end when empty), and zllen must
// equal the count unless it is 65535.
#include "persist/rdb/ziplist.h"

#include <cstring>

#include "base/strutil.h"

namespace ember::rdb {
namespace {

uint32_t Le32(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

}  // namespace

std::string ZiplistEntry::ToString() const {
  return is_int ? Int64ToString(int_value) : std::string(str);
}

ZiplistIterator::ZiplistIterator(std::string_view blob)
    : p_(reinterpret_cast<const uint8_t*>(blob.data())), size_(blob.size()) {}

Status ZiplistIterator::Fail(std::string_view what) const {
  std::string msg = "Corrupt ziplist: ";
  msg += what;
  msg += " (entry ";
  msg += std::to_string(count_);
  msg += ", byte ";
  msg += std::to_string(pos_);
  msg += ")";
  return Status::Corruption(std::move(msg));
}

Status ZiplistIterator::Next(ZiplistEntry* e, bool* done) {
  *done = false;
  if (!header_checked_) {
    if (size_ < kHeaderSize + 1) return Fail("blob shorter than header and end marker");
    if (Le32(p_) != size_) return Fail("zlbytes does not match the blob size");
    uint32_t tail = Le32(p_ + 4);
    if (tail < kHeaderSize || tail > size_ - 1) return Fail("zltail out of range");
    if (p_[size_ - 1] != kEnd) return Fail("missing end marker");
    header_checked_ = true;
  }
  const size_t limit = size_ - 1;  // entries must end before the end marker
  if (pos_ > limit) return Fail("walked past the end");
  if (p_[pos_] == kEnd) {
    if (pos_ != limit) return Fail("end marker before the end of the blob");
    uint32_t tail = Le32(p_ + 4);
    size_t expect_tail = count_ == 0 ? kHeaderSize : last_entry_;
    if (tail != expect_tail) return Fail("zltail does not point at the last entry");
    uint16_t zllen = static_cast<uint16_t>(p_[8] | (p_[9] << 8));
    if (zllen != kUnknownCount && zllen != count_) return Fail("zllen does not match the entries");
    *done = true;
    return Status::OK();
  }

  // prevlen
  uint64_t at = pos_;
  uint64_t prevlen;
  if (p_[at] < 254) {
    prevlen = p_[at];
    at += 1;
  } else {  // 254: 4-byte form
    if (at + 5 > limit) return Fail("prevlen runs past the end");
    prevlen = Le32(p_ + at + 1);
    at += 5;
  }
  if (prevlen != prev_raw_len_) return Fail("prevlen does not match the previous entry");

  // encoding
  if (at >= limit) return Fail("encoding runs past the end");
  const uint8_t enc = p_[at];
  uint64_t header = 1;
  uint64_t data_len = 0;
  bool is_int = false;
  int64_t v = 0;
  switch (enc >> 6) {
    case 0:
      data_len = enc & 0x3f;
      break;
    case 1:
      if (at + 2 > limit) return Fail("string length runs past the end");
      data_len = (uint64_t{enc & 0x3fu} << 8) | p_[at + 1];
      header = 2;
      break;
    case 2:
      if (at + 5 > limit) return Fail("string length runs past the end");
      data_len = (uint64_t{p_[at + 1]} << 24) | (uint64_t{p_[at + 2]} << 16) |
                 (uint64_t{p_[at + 3]} << 8) | p_[at + 4];
      header = 5;
      break;
    default:
      is_int = true;
      switch (enc) {
        case 0xC0: data_len = 2; break;
        case 0xD0: data_len = 4; break;
        case 0xE0: data_len = 8; break;
        case 0xF0: data_len = 3; break;
        case 0xFE: data_len = 1; break;
        default:
          if (enc >= 0xF1 && enc <= 0xFD) {
            v = (enc & 0x0f) - 1;
            data_len = 0;
          } else {
            return Fail("invalid entry encoding");
          }
      }
  }
  const uint64_t data = at + header;
  if (data + data_len > limit) return Fail("entry runs past the end");
  if (is_int && data_len > 0) {
    const uint8_t* d = p_ + data;
    switch (enc) {
      case 0xC0: v = static_cast<int16_t>(d[0] | (d[1] << 8)); break;
      case 0xD0: v = static_cast<int32_t>(Le32(d)); break;
      case 0xE0: {
        uint64_t u = uint64_t{Le32(d)} | (uint64_t{Le32(d + 4)} << 32);
        v = static_cast<int64_t>(u);
        break;
      }
      case 0xF0: {
        // 24-bit two's complement: shift into the top of an int32, then arithmetic shift back.
        uint32_t u = (uint32_t{d[0]} << 8) | (uint32_t{d[1]} << 16) | (uint32_t{d[2]} << 24);
        v = static_cast<int32_t>(u) >> 8;
        break;
      }
      case 0xFE: v = static_cast<int8_t>(d[0]); break;
    }
  }
  e->is_int = is_int;
  e->int_value = v;
  e->str = is_int ? std::string_view()
                  : std::string_view(reinterpret_cast<const char*>(p_ + data), data_len);
  last_entry_ = pos_;
  prev_raw_len_ = static_cast<size_t>(data + data_len - pos_);
  pos_ = static_cast<size_t>(data + data_len);
  count_++;
  return Status::OK();
}

Status ValidateZiplist(std::string_view blob, size_t* count) {
  size_t n = 0;
  EMBER_RETURN_IF_ERROR(ForEachZiplistEntry(blob, [&](const ZiplistEntry&) {
    n++;
    return Status::OK();
  }));
  if (count) *count = n;
  return Status::OK();
}

}  // namespace ember::rdb
