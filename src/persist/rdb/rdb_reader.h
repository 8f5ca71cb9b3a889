// RDB reader primitives: the byte-level decodings of rdb.c's rdbLoad* functions, over a Source.
//
//   MemorySource src(payload);   or   FdSource src(fd);
//   RdbReader r(&src);
//   auto ver = r.LoadHeader();               "REDIS0010" -> 10
//   auto type = r.LoadType();                opcode or object type byte
//   std::string s; r.LoadString(&s);         int / LZF / raw encodings
//   ...; r.VerifyTrailer(*ver);              after the EOF opcode: the 8-byte CRC64
//
// Input is consumed through a window: the source hands out chunks (the whole span for memory, a
// buffer of read(2) data for a file descriptor) and the reader walks a pointer through them, so a
// one-byte LoadType is a compare and an increment. The running CRC64 is computed over each chunk in
// bulk as it is left behind (and on demand by crc()), not byte by byte.
//
// Robustness contract: on any input, valid or not, every Load* either succeeds or returns a
// kCorruption Status (kIOError for read(2) failures) whose message says what was being decoded and
// the byte offset ("... at offset 1234"). Nothing reads outside the input. Allocations are bounded
// by the input: a string length larger than the remaining input (when the source knows its size)
// fails before allocating; when the size is unknown (a pipe or socket) long strings are read in
// 1 MB steps, so memory grows only with bytes actually received; an LZF string's stored length must
// be within LZF's maximum expansion (88x) of its compressed length.
// Exceptions: the header's two errors carry Redis's exact log texts ("Wrong signature trying to load
// DB from file", "Can't handle RDB format version N"); their offset is always 0.
//
// Thread safety: a reader and its source are used by one thread. Fork-safe (no global state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "persist/rdb/rdb_format.h"

namespace ember::rdb {

// Where an RDB stream comes from.
class Source {
 public:
  virtual ~Source() = default;
  // The next chunk of input; it stays valid until the next call. *len == 0 means end of input.
  virtual Status Next(const uint8_t** data, size_t* len) = 0;
  // Bytes not yet handed out by Next(), if known (memory, regular files); nullopt for streams.
  virtual std::optional<uint64_t> Remaining() const = 0;
};

// A span of memory the caller keeps alive for the reader's lifetime. Zero-copy.
class MemorySource final : public Source {
 public:
  explicit MemorySource(std::string_view data)
      : data_(reinterpret_cast<const uint8_t*>(data.data())), len_(data.size()) {}
  MemorySource(const void* data, size_t len)
      : data_(static_cast<const uint8_t*>(data)), len_(len) {}
  Status Next(const uint8_t** data, size_t* len) override;
  std::optional<uint64_t> Remaining() const override { return len_ - given_; }

 private:
  const uint8_t* data_;
  size_t len_;
  size_t given_ = 0;
};

// A blocking file descriptor the caller owns, read from its current position through a buffer of
// buffer_size bytes (mem::Allocate). For a regular file the remaining size comes from fstat, which
// assumes the file does not grow while it is read; pipes and sockets report an unknown size.
class FdSource final : public Source {
 public:
  explicit FdSource(int fd, size_t buffer_size = 1 << 20);
  ~FdSource() override;
  FdSource(const FdSource&) = delete;
  FdSource& operator=(const FdSource&) = delete;
  Status Next(const uint8_t** data, size_t* len) override;
  std::optional<uint64_t> Remaining() const override;

 private:
  int fd_;
  size_t cap_;
  uint8_t* buf_;
  std::optional<uint64_t> remaining_;  // known for regular files
};

class RdbReader {
 public:
  // source must outlive the reader.
  explicit RdbReader(Source* source);
  RdbReader(const RdbReader&) = delete;
  RdbReader& operator=(const RdbReader&) = delete;

  // Calls cb(offset) each time another `every_bytes` bytes have been consumed (loading progress,
  // event processing while loading). every_bytes == 0 or an empty cb turns it off.
  void SetProgressCallback(std::function<void(uint64_t)> cb, uint64_t every_bytes);

  // Bytes consumed so far: the offset of the next byte in the stream.
  uint64_t offset() const { return base_ + static_cast<uint64_t>(cur_ - win_); }
  // Bytes left in the input, if the source knows its size.
  std::optional<uint64_t> Remaining() const;
  // CRC64 of every byte consumed so far.
  uint64_t crc();

  // Exactly n bytes into dst; `what` names the item for the error message.
  Status ReadRaw(void* dst, size_t n, const char* what = "raw bytes");
  // Skips n bytes (failing if the input is shorter).
  Status Skip(uint64_t n, const char* what = "skipped bytes");

  // One opcode or object-type byte (no validation of its value).
  Expected<uint8_t> LoadType();
  Expected<uint8_t> LoadByte(const char* what = "byte");

  // A length, or with *encoded set, the special-encoding id (RDB_ENC_*) of a string.
  Status LoadLen(uint64_t* len, bool* encoded);
  // A plain length; an encoded-string byte here is corruption.
  Expected<uint64_t> LoadLen();

  // A string in any encoding: integer (as its decimal text), LZF, or raw.
  // *was_int (optional) tells whether it was stored as an integer.
  Status LoadString(std::string* out, bool* was_int = nullptr);
  Expected<std::string> LoadString();

  Expected<double> LoadBinaryDouble();  // 8-byte LE IEEE
  Expected<float> LoadBinaryFloat();    // 4-byte LE IEEE
  // RDB_TYPE_ZSET scores: 1-byte length (253 NaN, 254 +inf, 255 -inf) then that many text bytes.
  Expected<double> LoadLegacyDouble();
  Expected<int64_t> LoadMillisecondTime();  // 8-byte LE
  Expected<int64_t> LoadSecondTime();       // 4-byte LE signed (RDB_OPCODE_EXPIRETIME)

  // "REDIS" + 4 digits. Returns the version, 1..max_version.
  Expected<int> LoadHeader(int max_version = RDB_MAX_READABLE_VERSION);
  // Call right after reading RDB_OPCODE_EOF. For version >= 5 reads the 8-byte LE trailer and, if
  // verify is set and the stored value is not 0, compares it with the CRC of everything before it.
  // *checksum_skipped (optional) is set when the stored value was 0 (saved with rdbchecksum no).
  Status VerifyTrailer(int version, bool verify = true, bool* checksum_skipped = nullptr);

  // A kCorruption Status "<what> at offset <offset()>", for object-level loaders built on this.
  Status Corrupt(std::string_view what) const;
  Status CorruptAt(std::string_view what, uint64_t at) const;

 private:
  // Makes at least one byte available at cur_ (cur_ < end_), fetching the next chunk or firing the
  // progress callback as needed. Fails at end of input.
  Status Refill(size_t need, const char* what);
  void FoldCrc();  // CRC over [crc_from_, cur_)
  Status ReadLzf(std::string* out, uint64_t start);
  Status ReadLong(std::string* out, uint64_t len, const char* what);

  Source* src_;
  const uint8_t* win_ = nullptr;      // current chunk
  const uint8_t* win_end_ = nullptr;  // its end
  const uint8_t* cur_ = nullptr;      // next byte
  const uint8_t* end_ = nullptr;      // min(win_end_, next progress point): the fast-path limit
  const uint8_t* crc_from_ = nullptr; // bytes in [crc_from_, cur_) are not yet in crc_
  uint64_t base_ = 0;                 // stream offset of win_
  uint64_t crc_ = 0;
  std::function<void(uint64_t)> progress_cb_;
  uint64_t progress_every_ = 0;
  uint64_t next_progress_ = UINT64_MAX;
  std::string scratch_;  // compressed bytes that straddle chunks
};

}  // namespace ember::rdb
