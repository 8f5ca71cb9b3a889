// Incremental RESP request parser: turns the bytes a client sent into commands (argument vectors),
// with Redis 7.2's exact acceptance rules, limits and protocol-error texts.
//
// Two request forms, chosen by the first byte of a request (as Redis's processInputBuffer does):
//   '*'  multibulk:  *<count>\r\n then <count> times $<len>\r\n<len bytes>\r\n
//   else inline:     one line ending in \n (a \r before it is dropped), split like sdssplitargs:
//                    blanks separate words; "double quotes" know \n \r \t \b \a \xHH and \<any>;
//                    'single quotes' know only \'; a closing quote must be followed by a blank or
//                    the end of the line, else "unbalanced quotes".
// Empty requests (blank inline lines, *0, *-N) are skipped.
//
// Redis quirks reproduced on purpose (each pinned by a test):
//   * the byte after a header's '\r' and the two bytes after a bulk payload are skipped unchecked;
//   * header and inline lines are found with strchr(), so a NUL byte before the line end hides the
//     end: the request waits until more than 64 KB are buffered, then fails "too big ...";
//   * a line of any length is accepted if its end is already buffered; only a buffered tail of more
//     than 64 KB without a line end is an error (so the error depends on what has been buffered,
//     exactly as in Redis). To behave like Redis byte for byte, the network layer reads at most
//     16 KB (PROTO_IOBUF_LEN) at a time, except into a big bulk, and parses after each read.
//
// Usage (the caller owns the query buffer; the parser only keeps offsets into it):
//
//   RequestParser p;
//   loop: r = p.Parse(unconsumed_bytes, limits);
//         kCommand  -> run p.Args(); then drop r.consumed bytes from the front of the buffer
//         kNeedMore -> drop r.consumed bytes (skipped empty requests), keep the rest, read more,
//                      call Parse again with the kept bytes first (the buffer may move/grow)
//         kError    -> reply p.ErrorText(), then close the connection after the reply
//
// Incremental cost: a call resumes where the previous one stopped (a bulk in progress or a line
// scan is not rescanned), so a request arriving in many small reads costs O(total bytes).
// BytesNeeded() tells the caller how big the buffer must get for a bulk in progress, so a large
// argument can be read into an exactly sized buffer (what Redis does for bulks >= 32 KB).
//
// Memory: the parser holds one 16-byte span per argument of the command in progress and, for inline
// requests, a copy of the unescaped words. Thread safety: none; one parser per connection.
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ember::proto {

// Redis's PROTO_INLINE_MAX_SIZE: the longest buffered tail without a line end.
inline constexpr size_t kInlineMaxSize = 64 * 1024;
// Redis's PROTO_MBULK_BIG_ARG: bulks this big are worth reading into an exactly sized buffer.
inline constexpr int64_t kBigArgSize = 32 * 1024;
// Limits for a connection that still has to authenticate (Redis 7.2 authRequired()).
inline constexpr int64_t kUnauthMaxMultibulk = 10;
inline constexpr int64_t kUnauthMaxBulk = 16384;

struct ParseLimits {
  // proto-max-bulk-len; a primary's replication link passes INT64_MAX (Redis skips the check).
  int64_t max_bulk_len = 512LL * 1024 * 1024;
  // Redis 7.x accepts up to INT_MAX arguments.
  int64_t max_multibulk_len = INT_MAX;
  // True while the connection must still AUTH: at most 10 arguments and 16384-byte bulks.
  bool auth_required = false;
};

class RequestParser {
 public:
  enum class State { kCommand, kNeedMore, kError };
  struct Result {
    State state;
    // Bytes at the front of the buffer the caller must drop: the command (kCommand) and any empty
    // requests skipped before it. 0 after kError.
    size_t consumed;
  };

  RequestParser();

  // Parses at most one command from `buf`, the not-yet-consumed bytes of the query buffer. After
  // kNeedMore the next call must pass the same bytes (minus `consumed`) followed by new ones.
  // Never reads outside `buf`. After kError the parser stays in error until Reset().
  Result Parse(std::string_view buf, const ParseLimits& limits);

  // The arguments of the command just returned (kCommand). Views point into the buffer passed to
  // Parse (multibulk) or into the parser (inline); valid until the next Parse/Reset or until the
  // caller changes or drops those buffer bytes.
  std::span<const std::string_view> Args() const { return {args_.data(), args_.size()}; }
  // Whether the command just returned was an inline request.
  bool LastWasInline() const { return last_inline_; }

  // After kError: the full error text (no '-' and no CRLF), e.g. "ERR Protocol error: ...".
  std::string_view ErrorText() const { return error_; }

  // After kNeedMore: the buffer size (counted from the bytes kept, i.e. after dropping `consumed`)
  // at which the parser can make progress, when known (a bulk payload in progress); else 0.
  size_t BytesNeeded() const { return needed_; }
  // True when a request has started but is not complete.
  bool InProgress() const { return mode_ != Mode::kIdle; }

  // Forgets any partial request and error.
  void Reset();

  // Bytes examined while looking for line ends, over the parser's life (tests check that a
  // request arriving in small pieces is scanned once, not once per piece).
  uint64_t BytesScanned() const { return scanned_; }

 private:
  enum class Mode : uint8_t { kIdle, kInline, kMultibulk };
  struct Span {
    size_t off;
    size_t len;
  };
  enum class LineScan { kFound, kNotFound, kHidden };

  // Continues the multibulk request at the start of `buf`. kCommand: complete (or, with *skipped,
  // an empty request) ending at *end; kNeedMore; kError (already recorded by Fail).
  State ParseMultibulk(std::string_view buf, const ParseLimits& limits, bool* skipped, size_t* end);
  // Finds `delim` at or after the resume point in buf[from, end); a NUL before it hides it.
  LineScan FindLineEnd(std::string_view buf, size_t from, char delim, size_t* at);
  bool SplitInline(std::string_view line);
  Result Fail(std::string_view text);
  Result Fail(std::string text);

  Mode mode_ = Mode::kIdle;
  bool failed_ = false;
  bool last_inline_ = false;
  bool nul_hidden_ = false;    // a NUL byte hides the current line end (strchr quirk)
  size_t scan_ = 0;            // line-end search resumes here (offset from the request start)
  size_t pos_ = 0;             // multibulk: next unparsed byte (offset from the request start)
  int64_t remaining_ = 0;      // multibulk: arguments still to read
  int64_t bulk_len_ = -1;      // multibulk: length of the bulk being read, -1 before its header
  size_t needed_ = 0;
  uint64_t scanned_ = 0;
  std::vector<Span> spans_;
  std::vector<std::string_view> args_;
  std::string inline_words_;   // unescaped inline words, back to back
  std::string error_;
};

}  // namespace ember::proto
