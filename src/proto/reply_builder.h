// Reply builder: encodes replies in RESP2 or RESP3 into a per-connection output buffer.
//
// Output buffer: a list of chunks (each one allocation through mem::Allocate):
//
//   chunks_:  [ sent | pending ][ pending ][ pending | free ]
//               ^ front chunk     ...        ^ tail: writes go here
//
// The first chunk of an empty builder is small (1 KB) and grows in place (reallocated, doubling)
// up to 16 KB (Redis's PROTO_REPLY_CHUNK_BYTES), so a reply up to 16 KB is one contiguous buffer
// and one write(); past that, new chunks of 16 KB follow, and a single write larger than that gets
// a chunk of its exact size, so a 1 GB bulk costs one allocation and a 1M-key array grows without
// copying more than its first 16 KB. The network layer reads pending bytes with Peek() (an iovec list for writev or
// io_uring) and drops what the socket took with Consume(n). A fully sent chunk is freed at once,
// except that the last one (if small) is kept for the next reply.
//
// Deferred lengths (the count of an aggregate known only at its end, e.g. SCAN with MATCH):
// DeferLen() marks the current end of the output; SetDeferred*Len(handle, n) inserts the header
// there later. The header is inserted in place when the chunk has room (moving the bytes written
// after the mark within that chunk), else the chunk is split at the mark. Bytes after the first
// unset mark are not offered by Peek(). Every handle must be set exactly once.
//
// Wire formats (RESP2 / RESP3):
//   SimpleString +s        Error -s            Integer :n          Bulk $len s
//   Null        $-1 / _    NullArray *-1 / _   ArrayLen *n
//   MapLen      *2n / %n   SetLen *n / ~n      PushLen *n / >n
//   Double      $len text / ,text (text per Redis 7.2 d2string, see FormatDouble)
//   Bool        :1 :0 / #t #f                  Verbatim $len s / =len ext:s
//
// Errors: Error(msg) takes the whole message with its code ("ERR syntax error", "WRONGTYPE ...",
// a leading '-' is tolerated), turns CR and LF into spaces as Redis does, and records the code
// (Redis's afterErrorReply rule: the text before the first space if there is one in the first 31
// bytes, else "ERR") in LastErrorCode() and bumps ErrorCount(), so the server can keep errorstats.
//
// Thread safety: none; one builder per connection. Allocation failure aborts (mem::Allocate).
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace ember::proto {

// Redis 7.2's d2string(): "nan", "inf", "-inf", "0", "-0"; integral values within +-LLONG_MAX/2
// as integers; otherwise the shortest round-trip digits laid out like fpconv_dtoa ("0.0001",
// "1.5e-7", "1e+19"). Writes at most kMaxDoubleChars bytes into buf, returns the length.
inline constexpr size_t kMaxDoubleChars = 32;
size_t FormatDouble(double v, char* buf);
std::string FormatDouble(double v);

class ReplyBuilder {
 public:
  explicit ReplyBuilder(int protocol = 2);
  ~ReplyBuilder();
  ReplyBuilder(const ReplyBuilder&) = delete;
  ReplyBuilder& operator=(const ReplyBuilder&) = delete;

  // 2 or 3 (HELLO). Affects replies written afterwards.
  void SetProtocol(int resp) { resp3_ = resp == 3; }
  int Protocol() const { return resp3_ ? 3 : 2; }

  // ---- Replies ----
  void SimpleString(std::string_view s);  // s must not contain CR or LF
  void Ok();
  void Error(std::string_view msg);
  void Integer(int64_t v);
  void Bulk(std::string_view s);
  void BulkInt(int64_t v);  // an integer as a bulk string (Redis's addReplyBulkLongLong)
  void Null();
  void NullArray();
  void ArrayLen(uint64_t n);
  void MapLen(uint64_t n);
  void SetLen(uint64_t n);
  void PushLen(uint64_t n);
  void Double(double d);
  void Bool(bool b);
  void Verbatim(std::string_view s, std::string_view ext = "txt");  // ext: exactly 3 bytes
  // Bytes already in RESP form (shared replies, replication stream). Not checked.
  void Raw(std::string_view bytes);

  // ---- Deferred aggregate lengths ----
  size_t DeferLen();
  void SetDeferredArrayLen(size_t handle, uint64_t n);
  void SetDeferredMapLen(size_t handle, uint64_t n);
  void SetDeferredSetLen(size_t handle, uint64_t n);

  // ---- Error accounting ----
  std::string_view LastErrorCode() const { return last_error_code_; }
  uint64_t ErrorCount() const { return error_count_; }

  // ---- Output buffer ----
  // Bytes written and not yet consumed (including any held back behind an unset deferred length).
  size_t PendingBytes() const { return pending_; }
  bool Empty() const { return pending_ == 0; }
  // Fills up to `max` iovecs with the pending bytes that may be sent now, in order; returns how
  // many were filled. The views stay valid until the next write or Consume.
  size_t Peek(struct iovec* iov, size_t max) const;
  // Drops the first n bytes Peek() offered (n <= their total).
  void Consume(size_t n);
  // Test/tool helper: every pending byte (all deferred lengths must be set), then Consume()s them.
  std::string TakeAll();
  // Memory held by the output buffer (usable sizes of all chunks).
  size_t AllocatedBytes() const { return allocated_; }
  // Frees the cached chunk when nothing is pending (an idle connection then holds no buffer).
  void ReleaseIdleMemory();
  // Calls fn(const void* allocation) for every chunk buffer (a fork child releases their pages).
  template <typename Fn>
  void ForEachChunkBuffer(Fn&& fn) const {
    for (const Chunk& c : chunks_) fn(static_cast<const void*>(c.data));
  }

 private:
  struct Chunk {
    char* data;
    size_t cap;
    size_t len;   // bytes written
    size_t sent;  // bytes consumed from the front (<= len)
    uint64_t id;
  };
  struct Mark {
    uint64_t chunk_id;
    size_t offset;
    bool pending;
  };

  Chunk& NewChunk(size_t min_cap);
  void FreeChunk(Chunk& c);
  // Returns room for n contiguous bytes at the tail; Commit(k) keeps k <= n of them.
  char* Reserve(size_t n) {
    if (!chunks_.empty()) {
      Chunk& t = chunks_.back();
      if (t.cap - t.len >= n) return t.data + t.len;
    }
    Chunk& c = NewChunk(n);  // a new chunk, or the tail grown in place
    return c.data + c.len;
  }
  void Commit(size_t n) {
    chunks_.back().len += n;
    pending_ += n;
  }
  void Append(const char* p, size_t n, size_t extra_hint = 0);
  void Header(char prefix, uint64_t n);
  // `prefix`, then s, then CRLF: a simple string (+) or error (-) line; s holds no CR or LF.
  void Line(char prefix, std::string_view s);
  // RESP3's null (_), or the 5-byte RESP2 null `resp2` ("$-1\r\n" or "*-1\r\n").
  void NullOr(const char* resp2);
  void SetDeferred(size_t handle, char prefix, uint64_t n);
  size_t ChunkIndex(uint64_t id) const;

  std::deque<Chunk> chunks_;
  std::vector<Mark> marks_;
  size_t pending_marks_ = 0;
  size_t pending_ = 0;
  size_t allocated_ = 0;
  size_t next_cap_ = 0;
  uint64_t next_id_ = 0;
  bool resp3_ = false;
  uint64_t error_count_ = 0;
  std::string last_error_code_;
};

}  // namespace ember::proto
