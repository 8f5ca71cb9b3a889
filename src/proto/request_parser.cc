// RESP request parser. See request_parser.h for the contract and the Redis quirks kept.
//
// State machine (offsets are relative to the first byte of the request in progress, so the caller
// may move or grow its buffer between calls):
//
//   kIdle --first byte '*'--> kMultibulk: header "*N\r?" -> N x ( "$L\r?" , L bytes , 2 bytes )
//        \--other byte-----> kInline:    scan for '\n' -> split the line
//
//   pos_       next byte of a multibulk request not yet parsed (0: the "*N" header is pending)
//   bulk_len_  length of the bulk whose header has been read, -1 when its header is pending
//   scan_      where the search for the current line end resumes (bytes before it hold neither
//              the delimiter nor a NUL), so a line arriving byte by byte is scanned once
//
// A header line is "found" when its '\r' and one more byte are buffered. The integer in it must
// satisfy Redis's string2ll (ParseInt64): no sign '+', no leading zeros, no spaces, < 21 bytes.
#include "proto/request_parser.h"

#include <algorithm>
#include <cstring>

#include "base/assert.h"
#include "base/strutil.h"
#include "proto/errors.h"

namespace ember::proto {
namespace {

// isspace() in the C locale, which is what sdssplitargs skips between words.
inline bool IsSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

inline bool IsHex(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

inline int HexValue(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Argument vectors of a huge command are not kept around for the next, usually small, one.
constexpr size_t kKeepSpans = 4096;
constexpr size_t kKeepInlineBytes = 64 * 1024;

}  // namespace

RequestParser::RequestParser() {
  spans_.reserve(16);
  args_.reserve(16);
}

void RequestParser::Reset() {
  mode_ = Mode::kIdle;
  failed_ = false;
  last_inline_ = false;
  nul_hidden_ = false;
  scan_ = pos_ = 0;
  remaining_ = 0;
  bulk_len_ = -1;
  needed_ = 0;
  spans_.clear();
  args_.clear();
  error_.clear();
}

RequestParser::Result RequestParser::Fail(std::string_view text) {
  return Fail(std::string(text));
}

RequestParser::Result RequestParser::Fail(std::string text) {
  failed_ = true;
  error_ = std::move(text);
  mode_ = Mode::kIdle;
  spans_.clear();
  args_.clear();
  return {State::kError, 0};
}

RequestParser::LineScan RequestParser::FindLineEnd(std::string_view buf, size_t from, char delim,
                                                   size_t* at) {
  if (nul_hidden_) return LineScan::kHidden;
  size_t s = std::max(scan_, from);
  if (s >= buf.size()) return LineScan::kNotFound;
  const char* base = buf.data();
  // Headers are a few bytes long: a plain loop beats two library calls there. Longer lines (inline
  // requests) continue with memchr.
  size_t short_end = std::min(buf.size(), s + 32);
  for (size_t i = s; i < short_end; i++) {
    char c = base[i];
    if (c == delim) {
      scanned_ += i - s;
      scan_ = i;
      *at = i;
      return LineScan::kFound;
    }
    if (c == '\0') {
      nul_hidden_ = true;  // strchr() would stop at the NUL: this line end is never seen
      return LineScan::kHidden;
    }
  }
  scanned_ += short_end - s;
  s = short_end;
  if (s >= buf.size()) {
    scan_ = s;
    return LineScan::kNotFound;
  }
  const void* d = std::memchr(base + s, delim, buf.size() - s);
  size_t limit = d ? static_cast<size_t>(static_cast<const char*>(d) - base) : buf.size();
  scanned_ += limit - s;
  if (limit > s && std::memchr(base + s, '\0', limit - s) != nullptr) {
    nul_hidden_ = true;
    return LineScan::kHidden;
  }
  scan_ = limit;
  if (d == nullptr) return LineScan::kNotFound;
  *at = limit;
  return LineScan::kFound;
}

RequestParser::Result RequestParser::Parse(std::string_view buf, const ParseLimits& limits) {
  if (failed_) return {State::kError, 0};
  needed_ = 0;
  last_inline_ = false;
  if (args_.capacity() > kKeepSpans) std::vector<std::string_view>().swap(args_);
  args_.clear();

  size_t start = 0;  // first byte of the request in progress; bytes before it were empty requests
  while (true) {
    std::string_view rest = buf.substr(start);
    if (mode_ == Mode::kIdle) {
      if (rest.empty()) return {State::kNeedMore, start};
      mode_ = rest[0] == '*' ? Mode::kMultibulk : Mode::kInline;
      scan_ = pos_ = 0;
      remaining_ = 0;
      bulk_len_ = -1;
      nul_hidden_ = false;
      if (spans_.capacity() > kKeepSpans) std::vector<Span>().swap(spans_);
      spans_.clear();
    }

    if (mode_ == Mode::kInline) {
      size_t nl = 0;
      if (FindLineEnd(rest, 0, '\n', &nl) != LineScan::kFound) {
        if (rest.size() > kInlineMaxSize) return Fail(kErrProtoTooBigInline);
        return {State::kNeedMore, start};
      }
      std::string_view line = rest.substr(0, nl);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!SplitInline(line)) return Fail(kErrProtoUnbalancedQuotes);
      mode_ = Mode::kIdle;
      start += nl + 1;
      if (spans_.empty()) continue;  // blank line
      args_.resize(spans_.size());
      for (size_t i = 0; i < spans_.size(); i++) {
        args_[i] = std::string_view(inline_words_.data() + spans_[i].off, spans_[i].len);
      }
      last_inline_ = true;
      return {State::kCommand, start};
    }

    // The caller must hand back every byte it kept; a shorter buffer is a bug on its side.
    EMBER_CHECK(rest.size() >= pos_);
    bool skipped = false;
    size_t end = 0;
    State st = ParseMultibulk(rest, limits, &skipped, &end);
    if (st == State::kError) return {State::kError, 0};
    if (st == State::kNeedMore) return {State::kNeedMore, start};
    mode_ = Mode::kIdle;
    start += end;
    if (skipped) continue;  // *0 or *-N
    args_.resize(spans_.size());
    for (size_t i = 0; i < spans_.size(); i++) {
      args_[i] = std::string_view(rest.data() + spans_[i].off, spans_[i].len);
    }
    return {State::kCommand, start};
  }
}

RequestParser::State RequestParser::ParseMultibulk(std::string_view buf, const ParseLimits& limits,
                                                   bool* skipped, size_t* end) {
  size_t cr = 0;
  int64_t ll = 0;
  if (pos_ == 0) {  // the "*N" header
    if (FindLineEnd(buf, 0, '\r', &cr) != LineScan::kFound) {
      if (buf.size() > kInlineMaxSize) {
        Fail(kErrProtoTooBigMbulkCount);
        return State::kError;
      }
      return State::kNeedMore;
    }
    if (cr + 1 >= buf.size()) return State::kNeedMore;  // the byte after '\r' is not here yet
    if (!ParseInt64(buf.substr(1, cr - 1), &ll) || ll > limits.max_multibulk_len) {
      Fail(kErrProtoInvalidMultibulkLength);
      return State::kError;
    }
    if (ll > kUnauthMaxMultibulk && limits.auth_required) {
      Fail(kErrProtoUnauthMultibulkLength);
      return State::kError;
    }
    pos_ = cr + 2;
    if (ll <= 0) {
      *skipped = true;
      *end = pos_;
      return State::kCommand;
    }
    remaining_ = ll;
    bulk_len_ = -1;
    scan_ = pos_;
    // A claimed count costs nothing up front beyond a bounded reservation.
    spans_.reserve(static_cast<size_t>(std::min<int64_t>(ll, 1024)));
  }

  while (remaining_ > 0) {
    if (bulk_len_ < 0) {  // a "$L" header
      if (FindLineEnd(buf, pos_, '\r', &cr) != LineScan::kFound) {
        if (buf.size() - pos_ > kInlineMaxSize) {
          Fail(kErrProtoTooBigBulkCount);
          return State::kError;
        }
        return State::kNeedMore;
      }
      if (cr + 1 >= buf.size()) return State::kNeedMore;
      if (buf[pos_] != '$') {
        Fail(ProtoExpectedDollar(buf[pos_]));
        return State::kError;
      }
      if (!ParseInt64(buf.substr(pos_ + 1, cr - pos_ - 1), &ll) || ll < 0 ||
          ll > limits.max_bulk_len) {
        Fail(kErrProtoInvalidBulkLength);
        return State::kError;
      }
      if (ll > kUnauthMaxBulk && limits.auth_required) {
        Fail(kErrProtoUnauthBulkLength);
        return State::kError;
      }
      pos_ = cr + 2;
      bulk_len_ = ll;
    }
    // The payload and the two bytes after it (not checked to be CRLF, as in Redis).
    uint64_t want = static_cast<uint64_t>(bulk_len_) + 2;
    if (buf.size() - pos_ < want) {
      needed_ = pos_ + want;
      return State::kNeedMore;
    }
    spans_.push_back({pos_, static_cast<size_t>(bulk_len_)});
    pos_ += want;
    bulk_len_ = -1;
    remaining_--;
    scan_ = pos_;
  }
  *end = pos_;
  return State::kCommand;
}

bool RequestParser::SplitInline(std::string_view line) {
  if (inline_words_.capacity() > kKeepInlineBytes) std::string().swap(inline_words_);
  inline_words_.clear();
  spans_.clear();
  const char* p = line.data();
  const char* const e = p + line.size();
  // The line as the C string sdssplitargs sees: reading at or past the end gives the terminator.
  auto at = [e](const char* q) -> unsigned char {
    return q < e ? static_cast<unsigned char>(*q) : 0;
  };
  while (true) {
    while (at(p) && IsSpace(at(p))) p++;
    if (!at(p)) return true;
    size_t word = inline_words_.size();
    bool in_dq = false, in_sq = false, done = false;
    while (!done) {
      unsigned char c = at(p);
      if (in_dq) {
        if (c == '\\' && at(p + 1) == 'x' && IsHex(at(p + 2)) && IsHex(at(p + 3))) {
          inline_words_ += static_cast<char>(HexValue(at(p + 2)) * 16 + HexValue(at(p + 3)));
          p += 3;
        } else if (c == '\\' && at(p + 1)) {
          p++;
          char out;
          switch (at(p)) {
            case 'n': out = '\n'; break;
            case 'r': out = '\r'; break;
            case 't': out = '\t'; break;
            case 'b': out = '\b'; break;
            case 'a': out = '\a'; break;
            default: out = static_cast<char>(at(p)); break;
          }
          inline_words_ += out;
        } else if (c == '"') {
          if (at(p + 1) && !IsSpace(at(p + 1))) return false;  // closing quote glued to a byte
          done = true;
        } else if (!c) {
          return false;  // unterminated quotes
        } else {
          inline_words_ += static_cast<char>(c);
        }
      } else if (in_sq) {
        if (c == '\\' && at(p + 1) == '\'') {
          p++;
          inline_words_ += '\'';
        } else if (c == '\'') {
          if (at(p + 1) && !IsSpace(at(p + 1))) return false;
          done = true;
        } else if (!c) {
          return false;
        } else {
          inline_words_ += static_cast<char>(c);
        }
      } else {
        switch (c) {
          case ' ': case '\n': case '\r': case '\t': case '\0':
            done = true;
            break;
          case '"':
            in_dq = true;
            break;
          case '\'':
            in_sq = true;
            break;
          default:
            inline_words_ += static_cast<char>(c);
            break;
        }
      }
      if (at(p)) p++;
    }
    spans_.push_back({word, inline_words_.size() - word});
  }
}

}  // namespace ember::proto
