// RDB reader primitives (see rdb_reader.h for the contract).
//
// The window:
//
//     win_            crc_from_        cur_          end_            win_end_
//      |-- in crc_ ------|--- consumed, --|-- unread --|-- unread, past --|
//                          CRC pending                  progress point
//
// Every read takes bytes from [cur_, end_). end_ is win_end_ unless a progress point (a multiple of
// the progress interval) falls inside the chunk, in which case reaching it drops into Refill(), which
// fires the callback and moves end_ on. When the chunk is used up, Refill() folds the pending CRC,
// advances base_ and asks the source for the next chunk. The fast paths (one byte, a few bytes that
// are all in the window) never leave the inline check `cur_ < end_`.
#include "persist/rdb/rdb_reader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/strutil.h"
#include "memory/alloc.h"
#include "persist/rdb/crc64.h"
#include "persist/rdb/lzf.h"

namespace ember::rdb {
namespace {

// Strings from sources of unknown size are read in steps of this many bytes.
constexpr size_t kStreamStep = 1 << 20;

template <typename T>
T LoadLe(const uint8_t* p) {
  T v;
  memcpy(&v, p, sizeof(T));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  uint8_t* b = reinterpret_cast<uint8_t*>(&v);
  std::reverse(b, b + sizeof(T));
#endif
  return v;
}

std::string Fmt(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string Fmt(const char* fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  return buf;
}

}  // namespace

// ---- Sources ------------------------------------------------------------------------------------

Status MemorySource::Next(const uint8_t** data, size_t* len) {
  *data = data_ + given_;
  *len = len_ - given_;
  given_ = len_;
  return Status::OK();
}

FdSource::FdSource(int fd, size_t buffer_size)
    : fd_(fd), cap_(buffer_size ? buffer_size : 1),
      buf_(static_cast<uint8_t*>(mem::Allocate(cap_))) {
  struct stat st;
  if (fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) {
    off_t pos = lseek(fd_, 0, SEEK_CUR);
    if (pos >= 0) {
      uint64_t size = static_cast<uint64_t>(st.st_size);
      remaining_ = size > static_cast<uint64_t>(pos) ? size - static_cast<uint64_t>(pos) : 0;
    }
  }
}

FdSource::~FdSource() { mem::Free(buf_); }

std::optional<uint64_t> FdSource::Remaining() const { return remaining_; }

Status FdSource::Next(const uint8_t** data, size_t* len) {
  *data = buf_;
  *len = 0;
  for (;;) {
    ssize_t n = ::read(fd_, buf_, cap_);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("read", errno);
    }
    *len = static_cast<size_t>(n);
    if (remaining_) {
      // A regular file that grew past its fstat size: stop trusting the size.
      if (*len > *remaining_) remaining_.reset();
      else *remaining_ -= *len;
    }
    return Status::OK();
  }
}

// ---- RdbReader: window management ---------------------------------------------------------------

RdbReader::RdbReader(Source* source) : src_(source) {}

void RdbReader::SetProgressCallback(std::function<void(uint64_t)> cb, uint64_t every_bytes) {
  progress_cb_ = std::move(cb);
  progress_every_ = progress_cb_ ? every_bytes : 0;
  if (progress_every_ == 0) {
    progress_cb_ = nullptr;
    next_progress_ = UINT64_MAX;
    end_ = win_end_;
    return;
  }
  next_progress_ = (offset() / progress_every_ + 1) * progress_every_;
  uint64_t win_len = static_cast<uint64_t>(win_end_ - win_);
  end_ = (next_progress_ - base_ < win_len) ? win_ + (next_progress_ - base_) : win_end_;
}

std::optional<uint64_t> RdbReader::Remaining() const {
  std::optional<uint64_t> rest = src_->Remaining();
  if (!rest) return std::nullopt;
  return *rest + static_cast<uint64_t>(win_end_ - cur_);
}

void RdbReader::FoldCrc() {
  if (cur_ > crc_from_) crc_ = Crc64(crc_, crc_from_, static_cast<size_t>(cur_ - crc_from_));
  crc_from_ = cur_;
}

uint64_t RdbReader::crc() {
  FoldCrc();
  return crc_;
}

// Returns OK with cur_ < end_, or an error: kIOError from the source, or kNotFound at end of input
// (callers turn that into a corruption message naming what they were reading).
Status RdbReader::Refill(size_t /*need*/, const char* /*what*/) {
  while (cur_ == end_) {
    if (end_ < win_end_) {
      // A progress point inside the chunk.
      uint64_t at = offset();
      while (next_progress_ <= at) next_progress_ += progress_every_;
      uint64_t win_len = static_cast<uint64_t>(win_end_ - win_);
      end_ = (next_progress_ - base_ < win_len) ? win_ + (next_progress_ - base_) : win_end_;
      progress_cb_(at);
      continue;
    }
    FoldCrc();
    base_ += static_cast<uint64_t>(win_end_ - win_);
    const uint8_t* data = nullptr;
    size_t len = 0;
    Status st = src_->Next(&data, &len);
    win_ = cur_ = end_ = win_end_ = crc_from_ = data;
    if (!st.ok()) {
      win_ = cur_ = end_ = win_end_ = crc_from_ = nullptr;
      return st;
    }
    if (len == 0) {
      win_ = cur_ = end_ = win_end_ = crc_from_ = nullptr;
      return Status::NotFound("end of input");
    }
    win_end_ = data + len;
    end_ = win_end_;
    if (progress_cb_ && next_progress_ >= base_ && next_progress_ - base_ < len) {
      end_ = win_ + (next_progress_ - base_);
    }
  }
  return Status::OK();
}

Status RdbReader::CorruptAt(std::string_view what, uint64_t at) const {
  std::string msg(what);
  msg += " at offset ";
  msg += std::to_string(at);
  return Status::Corruption(std::move(msg));
}

Status RdbReader::Corrupt(std::string_view what) const { return CorruptAt(what, offset()); }

Status RdbReader::ReadRaw(void* dst, size_t n, const char* what) {
  uint8_t* out = static_cast<uint8_t*>(dst);
  const uint64_t start = offset();
  size_t done = 0;
  while (done < n) {
    if (cur_ == end_) {
      Status st = Refill(n - done, what);
      if (!st.ok()) {
        if (st.code() == StatusCode::kNotFound) {
          return CorruptAt(Fmt("Unexpected end of input reading %s (%zu of %zu bytes present)",
                               what, done, n),
                           start);
        }
        return Status(st.code(),
                      st.message() + Fmt(" reading %s at offset %llu", what,
                                         static_cast<unsigned long long>(offset())));
      }
    }
    size_t k = std::min(n - done, static_cast<size_t>(end_ - cur_));
    memcpy(out + done, cur_, k);
    cur_ += k;
    done += k;
  }
  return Status::OK();
}

Status RdbReader::Skip(uint64_t n, const char* what) {
  const uint64_t start = offset();
  std::optional<uint64_t> rem = Remaining();
  if (rem && n > *rem) {
    return CorruptAt(Fmt("Unexpected end of input skipping %s (%llu bytes, %llu left)", what,
                         static_cast<unsigned long long>(n), static_cast<unsigned long long>(*rem)),
                     start);
  }
  uint64_t done = 0;
  while (done < n) {
    if (cur_ == end_) {
      Status st = Refill(1, what);
      if (!st.ok()) {
        if (st.code() == StatusCode::kNotFound) {
          return CorruptAt(Fmt("Unexpected end of input skipping %s", what), start);
        }
        return st;
      }
    }
    uint64_t k = std::min<uint64_t>(n - done, static_cast<uint64_t>(end_ - cur_));
    cur_ += k;
    done += k;
  }
  return Status::OK();
}

// ---- Fixed-size items ---------------------------------------------------------------------------

Expected<uint8_t> RdbReader::LoadByte(const char* what) {
  if (cur_ < end_) return *cur_++;
  uint8_t b;
  EMBER_RETURN_IF_ERROR(ReadRaw(&b, 1, what));
  return b;
}

Expected<uint8_t> RdbReader::LoadType() { return LoadByte("type"); }

Expected<double> RdbReader::LoadBinaryDouble() {
  uint8_t b[8];
  EMBER_RETURN_IF_ERROR(ReadRaw(b, 8, "binary double"));
  return LoadLe<double>(b);
}

Expected<float> RdbReader::LoadBinaryFloat() {
  uint8_t b[4];
  EMBER_RETURN_IF_ERROR(ReadRaw(b, 4, "binary float"));
  return LoadLe<float>(b);
}

Expected<int64_t> RdbReader::LoadMillisecondTime() {
  uint8_t b[8];
  EMBER_RETURN_IF_ERROR(ReadRaw(b, 8, "millisecond time"));
  return LoadLe<int64_t>(b);
}

Expected<int64_t> RdbReader::LoadSecondTime() {
  uint8_t b[4];
  EMBER_RETURN_IF_ERROR(ReadRaw(b, 4, "second time"));
  return static_cast<int64_t>(LoadLe<int32_t>(b));
}

Expected<double> RdbReader::LoadLegacyDouble() {
  const uint64_t start = offset();
  auto len = LoadByte("legacy double length");
  if (!len.ok()) return len.status();
  switch (*len) {
    case RDB_LEGACY_DOUBLE_NAN: return std::nan("");
    case RDB_LEGACY_DOUBLE_POS_INF: return HUGE_VAL;
    case RDB_LEGACY_DOUBLE_NEG_INF: return -HUGE_VAL;
    default: break;
  }
  char buf[256];
  EMBER_RETURN_IF_ERROR(ReadRaw(buf, *len, "legacy double"));
  buf[*len] = '\0';
  char* endp = nullptr;
  double v = strtod(buf, &endp);
  if (endp == buf) return CorruptAt("Invalid legacy double text", start);
  return v;
}

// ---- Lengths and strings ------------------------------------------------------------------------

Status RdbReader::LoadLen(uint64_t* len, bool* encoded) {
  const uint64_t start = offset();
  *encoded = false;
  auto first = LoadByte("length");
  if (!first.ok()) return first.status();
  uint8_t b = *first;
  switch (b >> 6) {
    case RDB_ENCVAL:
      *encoded = true;
      *len = b & 0x3f;
      return Status::OK();
    case RDB_6BITLEN:
      *len = b & 0x3f;
      return Status::OK();
    case RDB_14BITLEN: {
      auto second = LoadByte("14-bit length");
      if (!second.ok()) return second.status();
      *len = (static_cast<uint64_t>(b & 0x3f) << 8) | *second;
      return Status::OK();
    }
    default: break;
  }
  uint8_t buf[8];
  if (b == RDB_32BITLEN) {
    EMBER_RETURN_IF_ERROR(ReadRaw(buf, 4, "32-bit length"));
    *len = (uint64_t{buf[0]} << 24) | (uint64_t{buf[1]} << 16) | (uint64_t{buf[2]} << 8) | buf[3];
    return Status::OK();
  }
  if (b == RDB_64BITLEN) {
    EMBER_RETURN_IF_ERROR(ReadRaw(buf, 8, "64-bit length"));
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | buf[i];
    *len = v;
    return Status::OK();
  }
  return CorruptAt(Fmt("Unknown length encoding 0x%02x", b), start);
}

Expected<uint64_t> RdbReader::LoadLen() {
  const uint64_t start = offset();
  uint64_t len;
  bool encoded;
  EMBER_RETURN_IF_ERROR(LoadLen(&len, &encoded));
  if (encoded) return CorruptAt("Encoded string found where a length was expected", start);
  return len;
}

Status RdbReader::ReadLong(std::string* out, uint64_t len, const char* what) {
  std::optional<uint64_t> rem = Remaining();
  if (rem && len > *rem) {
    return Corrupt(Fmt("Unexpected end of input reading %s (length %llu exceeds the remaining "
                       "input of %llu bytes)",
                       what, static_cast<unsigned long long>(len),
                       static_cast<unsigned long long>(*rem)));
  }
  if (len > out->max_size()) return Corrupt(Fmt("Length of %s too large", what));
  if (rem || len <= kStreamStep) {
    out->resize(static_cast<size_t>(len));
    return ReadRaw(out->data(), static_cast<size_t>(len), what);
  }
  // Unknown input size: grow with the bytes that actually arrive.
  out->clear();
  while (out->size() < len) {
    size_t old = out->size();
    size_t step = static_cast<size_t>(std::min<uint64_t>(len - old, kStreamStep));
    out->resize(old + step);
    EMBER_RETURN_IF_ERROR(ReadRaw(out->data() + old, step, what));
  }
  return Status::OK();
}

Status RdbReader::ReadLzf(std::string* out, uint64_t start) {
  auto clen = LoadLen();
  if (!clen.ok()) return clen.status();
  auto len = LoadLen();
  if (!len.ok()) return len.status();
  if (!LzfLengthsPlausible(*clen, *len)) {
    return CorruptAt(Fmt("Invalid LZF string lengths (compressed %llu, uncompressed %llu)",
                         static_cast<unsigned long long>(*clen),
                         static_cast<unsigned long long>(*len)),
                     start);
  }
  const uint8_t* comp;
  if (static_cast<uint64_t>(end_ - cur_) >= *clen) {
    comp = cur_;  // zero-copy: the whole block is in the window
    cur_ += *clen;
  } else {
    EMBER_RETURN_IF_ERROR(ReadLong(&scratch_, *clen, "LZF compressed string"));
    comp = reinterpret_cast<const uint8_t*>(scratch_.data());
  }
  if (*len > out->max_size()) return CorruptAt("LZF string too large", start);
  out->resize(static_cast<size_t>(*len));
  Status st = LzfDecompress(comp, static_cast<size_t>(*clen), out->data(),
                            static_cast<size_t>(*len));
  if (scratch_.capacity() > kStreamStep) std::string().swap(scratch_);
  if (!st.ok()) return CorruptAt("Invalid LZF compressed string: " + st.message(), start);
  return Status::OK();
}

Status RdbReader::LoadString(std::string* out, bool* was_int) {
  const uint64_t start = offset();
  if (was_int) *was_int = false;
  uint64_t len;
  bool encoded;
  EMBER_RETURN_IF_ERROR(LoadLen(&len, &encoded));
  if (!encoded) return ReadLong(out, len, "string");
  int64_t v;
  uint8_t b[4];
  switch (len) {
    case RDB_ENC_INT8:
      EMBER_RETURN_IF_ERROR(ReadRaw(b, 1, "8-bit integer string"));
      v = static_cast<int8_t>(b[0]);
      break;
    case RDB_ENC_INT16:
      EMBER_RETURN_IF_ERROR(ReadRaw(b, 2, "16-bit integer string"));
      v = LoadLe<int16_t>(b);
      break;
    case RDB_ENC_INT32:
      EMBER_RETURN_IF_ERROR(ReadRaw(b, 4, "32-bit integer string"));
      v = LoadLe<int32_t>(b);
      break;
    case RDB_ENC_LZF:
      return ReadLzf(out, start);
    default:
      return CorruptAt(Fmt("Unknown RDB string encoding type %llu",
                           static_cast<unsigned long long>(len)),
                       start);
  }
  if (was_int) *was_int = true;
  char text[24];
  size_t n = Int64ToChars(v, text);
  out->assign(text, n);
  return Status::OK();
}

Expected<std::string> RdbReader::LoadString() {
  std::string s;
  EMBER_RETURN_IF_ERROR(LoadString(&s));
  return s;
}

// ---- Header and trailer -------------------------------------------------------------------------

Expected<int> RdbReader::LoadHeader(int max_version) {
  char buf[10];
  EMBER_RETURN_IF_ERROR(ReadRaw(buf, 9, "RDB header"));
  buf[9] = '\0';
  if (memcmp(buf, "REDIS", 5) != 0) {
    return Status::Corruption("Wrong signature trying to load DB from file");
  }
  // atoi() of the 4 version characters, as Redis does.
  const char* p = buf + 5;
  while (*p == ' ' || (*p >= '\t' && *p <= '\r')) p++;
  bool neg = false;
  if (*p == '+' || *p == '-') neg = (*p++ == '-');
  int version = 0;
  while (*p >= '0' && *p <= '9') version = version * 10 + (*p++ - '0');
  if (neg) version = -version;
  if (version < 1 || version > max_version) {
    return Status::Corruption(Fmt("Can't handle RDB format version %d", version));
  }
  return version;
}

Status RdbReader::VerifyTrailer(int version, bool verify, bool* checksum_skipped) {
  if (checksum_skipped) *checksum_skipped = false;
  if (version < RDB_FIRST_VERSION_WITH_CHECKSUM) return Status::OK();
  const uint64_t start = offset();
  const uint64_t expected = crc();
  uint8_t b[8];
  EMBER_RETURN_IF_ERROR(ReadRaw(b, 8, "RDB checksum"));
  uint64_t stored = LoadLe<uint64_t>(b);
  if (!verify) return Status::OK();
  if (stored == 0) {
    if (checksum_skipped) *checksum_skipped = true;
    return Status::OK();
  }
  if (stored != expected) {
    return CorruptAt(Fmt("Wrong RDB checksum expected: (%llx) got (%llx)",
                         static_cast<unsigned long long>(expected),
                         static_cast<unsigned long long>(stored)),
                     start);
  }
  return Status::OK();
}

}  // namespace ember::rdb
