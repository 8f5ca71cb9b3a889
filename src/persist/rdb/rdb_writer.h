// RDB writer primitives: the byte-level encodings of rdb.c's rdbSave* functions, over a Sink.
//
//   RdbWriter w(&sink, {.compression = true, .checksum = true});
//   w.SaveHeader();                        "REDIS0010"
//   w.SaveAuxField("redis-ver", "7.0.15");  0xFA <string> <string>
//   w.SaveSelectDb(0); w.SaveResizeDb(n, e);
//   w.SaveExpireMs(ms); w.SaveType(RDB_TYPE_STRING); w.SaveString(key); w.SaveString(value);
//   w.SaveEof();                           0xFF + 8-byte LE CRC64 (0 if checksum is off), then Flush
//
// The writer keeps a running CRC64 of every byte it passes to the sink and counts them. It knows
// nothing of keys or objects: object serialization is built on these primitives elsewhere.
//
// String encoding (SaveString), as Redis's rdbSaveRawString:
//   1. len <= 11 and the bytes are the canonical decimal form of an int32 -> 0xC0 <i8>,
//      0xC1 <i16 LE> or 0xC2 <i32 LE> (smallest that fits);
//   2. else if compression is on and len > 20 and LZF output <= len - 4 ->
//      0xC3 <len clen> <len len> <clen bytes>;
//   3. else <len> <raw bytes>.
//
// Errors: every Save* returns the sink's Status (kIOError from FdSink). After an error the output
// is unusable; the caller abandons it (and unlinks the temp file).
//
// Thread safety: a writer and its sink are used by one thread. Fork-safe: a child process may build
// its own sink and writer (nothing global is touched; CRC tables are constant data).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "persist/rdb/rdb_format.h"

namespace ember::rdb {

// Where an RDB stream goes.
class Sink {
 public:
  virtual ~Sink() = default;
  // Appends len bytes (data may be null when len == 0).
  virtual Status Write(const void* data, size_t len) = 0;
  // Hands buffered bytes to the underlying medium. Implies no durability.
  virtual Status Flush() = 0;
};

// An in-memory sink (DUMP payloads, tests). Never fails. Memory: the bytes written, in a
// std::string (accounted through the global operator new).
class BufferSink final : public Sink {
 public:
  BufferSink() = default;
  Status Write(const void* data, size_t len) override {
    buf_.append(static_cast<const char*>(data), len);
    return Status::OK();
  }
  Status Flush() override { return Status::OK(); }
  const std::string& buffer() const { return buf_; }
  std::string& buffer() { return buf_; }
  std::string Release() { return std::move(buf_); }

 private:
  std::string buf_;
};

struct FdSinkOptions {
  // Bytes buffered before a write(2). Writes at least this large bypass the buffer.
  size_t buffer_size = 128 * 1024;
  // rdb-save-incremental-fsync: fdatasync after every this many bytes written (REDIS_AUTOSYNC_BYTES
  // when the directive is on); 0 = never. Only for regular files: fsync fails on pipes and sockets.
  uint64_t fsync_every = 0;
};

// A buffered sink over a blocking file descriptor that it does not own (the caller opens, fsyncs
// the final file with Sync(), closes and renames). Short writes and EINTR are retried; other errors
// are kIOError naming the syscall. The destructor does not flush: an unfinished stream is dropped.
// Memory: one buffer of buffer_size bytes from mem::Allocate.
class FdSink final : public Sink {
 public:
  explicit FdSink(int fd, FdSinkOptions opts = {});
  ~FdSink() override;
  FdSink(const FdSink&) = delete;
  FdSink& operator=(const FdSink&) = delete;

  Status Write(const void* data, size_t len) override;
  Status Flush() override;
  // Flush, then fsync(2) the file: the end of a SAVE/BGSAVE before the rename.
  Status Sync();
  // Bytes handed to write(2) so far (excludes what is still buffered).
  uint64_t bytes_flushed() const { return flushed_; }
  // Incremental fsyncs performed so far.
  uint64_t incremental_syncs() const { return syncs_; }

 private:
  Status WriteFully(const void* data, size_t len);

  int fd_;
  FdSinkOptions opts_;
  char* buf_ = nullptr;
  size_t used_ = 0;
  uint64_t flushed_ = 0;
  uint64_t unsynced_ = 0;
  uint64_t syncs_ = 0;
};

// ---- Pure encoders (no I/O): the byte forms the writer emits ---------------------------------

// Length encoding into out (room for 9 bytes); returns the number of bytes (1, 2, 5 or 9).
size_t EncodeLen(uint64_t len, uint8_t* out);
// 0xC0/0xC1/0xC2 form of v into out (room for 5 bytes); returns 0 if v does not fit in int32.
size_t EncodeInteger(int64_t v, uint8_t* out);
// The integer form of s if s is the canonical decimal text of an int32 and at most 11 bytes long
// (Redis's rdbTryIntegerEncoding); returns 0 otherwise.
size_t EncodeIntegerString(std::string_view s, uint8_t* out);

struct RdbWriterOptions {
  bool compression = true;  // rdbcompression
  bool checksum = true;     // rdbchecksum: when off, the trailer is written as 0
};

class RdbWriter {
 public:
  // sink must outlive the writer.
  explicit RdbWriter(Sink* sink, RdbWriterOptions opts = {});
  RdbWriter(const RdbWriter&) = delete;
  RdbWriter& operator=(const RdbWriter&) = delete;

  // Bytes as they are; the base of everything else.
  Status SaveRaw(const void* data, size_t len);
  // One type or opcode byte.
  Status SaveType(uint8_t type);
  Status SaveByte(uint8_t b) { return SaveType(b); }
  // Length: 6-bit, 14-bit, 32-bit or 64-bit form, the smallest that fits.
  Status SaveLen(uint64_t len);
  // A string with integer/LZF/raw encoding chosen as described at the top of this file.
  Status SaveString(std::string_view s);
  // A string always written as <len> <raw bytes> (no integer or LZF encoding).
  Status SaveRawString(std::string_view s);
  // An already-compressed LZF blob as 0xC3 <clen> <len> <data> (quicklist's compressed nodes).
  Status SaveLzfBlob(const void* compressed, size_t clen, size_t original_len);
  // rdbSaveLongLongAsStringObject: 0xC0/1/2 if v fits int32, else its decimal text as a raw string.
  Status SaveIntegerAsString(int64_t v);
  // 8-byte little-endian IEEE double (ZSET_2 scores, module doubles).
  Status SaveBinaryDouble(double v);
  // 4-byte little-endian IEEE float (module floats).
  Status SaveBinaryFloat(float v);
  // 8-byte little-endian signed milliseconds.
  Status SaveMillisecondTime(int64_t ms);

  // "REDIS" + 4-digit version (0 <= version <= 9999).
  Status SaveHeader(int version = RDB_VERSION);
  // 0xFA <key> <value>; both strings take SaveString's encodings, so "64" becomes 0xC0 0x40.
  Status SaveAuxField(std::string_view key, std::string_view value);
  // rdbSaveAuxFieldStrInt: the value is the decimal text of v.
  Status SaveAuxFieldInt(std::string_view key, int64_t v);
  Status SaveSelectDb(uint64_t db);
  Status SaveResizeDb(uint64_t db_size, uint64_t expires_size);
  Status SaveExpireMs(int64_t when_ms);
  Status SaveIdle(uint64_t idle_seconds);
  Status SaveFreq(uint8_t freq);
  // 0xFF, then the 8-byte LE CRC64 of everything before the trailer (0 when checksum is off),
  // then Flush of the sink.
  Status SaveEof();

  // CRC64 of every byte written so far (stays 0 when checksum is off: it is not computed).
  uint64_t crc() const { return crc_; }
  // Bytes written so far (rdb's "processed_bytes").
  uint64_t bytes_written() const { return bytes_; }
  const RdbWriterOptions& options() const { return opts_; }

 private:
  Sink* sink_;
  RdbWriterOptions opts_;
  uint64_t crc_ = 0;
  uint64_t bytes_ = 0;
  std::string lzf_buf_;  // reused scratch for compression
};

}  // namespace ember::rdb
