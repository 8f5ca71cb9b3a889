// AOF command stream reader. See aof_reader.h.
//
// The buffer holds the bytes from the start of the command being parsed; arguments are recorded
// as (offset, length) pairs while parsing, because reading more may move the buffer, and turned
// into views once the whole command is in memory. The buffer is compacted at the start of each
// Next(), so it never holds more than one command plus the read-ahead.
#include "persist/aof/aof_reader.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ember::aof {

namespace {
constexpr size_t kReadAhead = 64 * 1024;
constexpr size_t kMaxHeaderLine = 64;      // "*<argc>" / "$<len>": digits only
constexpr size_t kMaxAnnotation = 1024;    // AOF_ANNOTATION_LINE_MAX_LEN

// Strict base-10 non-negative integer.
bool ParseCount(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}
}  // namespace

bool HasRdbPreamble(int fd) {
  char magic[5];
  ssize_t n = pread(fd, magic, sizeof(magic), 0);
  return n == 5 && std::memcmp(magic, "REDIS", 5) == 0;
}

CommandReader::CommandReader(int fd, uint64_t start)
    : fd_(fd), file_off_(start), valid_(start), cmd_start_(start) {}

bool CommandReader::Fill(size_t n) {
  while (buf_.size() - pos_ < n) {
    if (eof_ || read_errno_) return false;
    size_t want = std::max(kReadAhead, n - (buf_.size() - pos_));
    size_t old = buf_.size();
    buf_.resize(old + want);
    ssize_t r = pread(fd_, buf_.data() + old, want, static_cast<off_t>(file_off_ + old));
    if (r < 0) {
      buf_.resize(old);
      if (errno == EINTR) continue;
      read_errno_ = errno;
      return false;
    }
    buf_.resize(old + static_cast<size_t>(r));
    if (r == 0) eof_ = true;
  }
  return true;
}

CommandReader::Result CommandReader::ReadLine(std::string_view* line, size_t max) {
  size_t scanned = 0;
  for (;;) {
    const char* start = buf_.data() + pos_;
    size_t avail = buf_.size() - pos_;
    const void* nl = avail > scanned ? std::memchr(start + scanned, '\n', avail - scanned) : nullptr;
    if (nl) {
      size_t len = static_cast<size_t>(static_cast<const char*>(nl) - start);
      if (len == 0 || start[len - 1] != '\r') {
        error_ = "Expected \\r\\n at the end of a line";
        error_off_ = file_off_ + pos_ + len;
        return Result::kBadFormat;
      }
      *line = std::string_view(start, len - 1);
      pos_ += len + 1;
      cmd_lines_++;
      return Result::kCommand;
    }
    scanned = avail;
    if (avail > max) {
      error_ = "Line too long";
      error_off_ = file_off_ + pos_;
      return Result::kBadFormat;
    }
    if (!Fill(avail + 1)) {
      if (read_errno_) {
        error_ = std::string("Read error: ") + std::strerror(read_errno_);
        error_off_ = file_off_ + buf_.size();
        return Result::kIoError;
      }
      error_ = "Unexpected end of file in a line";
      error_off_ = file_off_ + buf_.size();
      return Result::kTruncated;
    }
  }
}

CommandReader::Result CommandReader::Next(std::vector<std::string_view>* argv) {
  argv->clear();
  for (;;) {
    // Compact: everything before pos_ is consumed.
    if (pos_ > 0) {
      buf_.erase(0, pos_);
      file_off_ += pos_;
      pos_ = 0;
    }
    cmd_start_ = file_off_;
    cmd_lines_ = 0;
    if (!Fill(1)) {
      if (read_errno_) {
        error_ = std::string("Read error: ") + std::strerror(read_errno_);
        error_off_ = file_off_;
        return Result::kIoError;
      }
      return Result::kEof;
    }
    char first = buf_[0];
    std::string_view line;
    if (first == '#') {
      Result r = ReadLine(&line, kMaxAnnotation);
      if (r != Result::kCommand) return r;
      annotation_.assign(line.substr(1));
      annotation_off_ = cmd_start_;
      valid_ = file_off_ + pos_;
      lines_ += cmd_lines_;
      continue;
    }
    if (first != '*') {
      error_ = std::string("Expected '*', got '") + (first >= 32 && first < 127 ? first : '?') + "'";
      error_off_ = file_off_;
      return Result::kBadFormat;
    }
    Result r = ReadLine(&line, kMaxHeaderLine);
    if (r != Result::kCommand) return r;
    int64_t argc;
    if (!ParseCount(line.substr(1), &argc) || argc < 1) {
      error_ = "Invalid argument count";
      error_off_ = cmd_start_;
      return Result::kBadFormat;
    }
    std::vector<std::pair<size_t, size_t>> spans;
    spans.reserve(static_cast<size_t>(std::min<int64_t>(argc, 1024)));
    for (int64_t i = 0; i < argc; i++) {
      size_t line_at = pos_;
      r = ReadLine(&line, kMaxHeaderLine);
      if (r != Result::kCommand) return r;
      int64_t len;
      if (line.empty() || line[0] != '$' || !ParseCount(line.substr(1), &len)) {
        error_ = line.empty() || line[0] != '$' ? "Expected '$'" : "Invalid bulk length";
        error_off_ = file_off_ + line_at;
        return Result::kBadFormat;
      }
      size_t need = static_cast<size_t>(len) + 2;
      if (!Fill(need)) {
        if (read_errno_) {
          error_ = std::string("Read error: ") + std::strerror(read_errno_);
          error_off_ = file_off_ + buf_.size();
          return Result::kIoError;
        }
        error_ = "Expected to read " + std::to_string(need) + " bytes, got " +
                 std::to_string(buf_.size() - pos_) + " bytes";
        error_off_ = file_off_ + pos_;
        return Result::kTruncated;
      }
      if (buf_[pos_ + need - 2] != '\r' || buf_[pos_ + need - 1] != '\n') {
        error_ = "Expected \\r\\n after a bulk string";
        error_off_ = file_off_ + pos_ + need - 2;
        return Result::kBadFormat;
      }
      spans.emplace_back(pos_, static_cast<size_t>(len));
      pos_ += need;
      cmd_lines_++;
    }
    argv->reserve(spans.size());
    for (auto [off, len] : spans) argv->emplace_back(buf_.data() + off, len);
    valid_ = file_off_ + pos_;
    lines_ += cmd_lines_;
    return Result::kCommand;
  }
}

void AppendCommand(std::string* out, const std::string_view* argv, size_t argc) {
  char num[24];
  auto header = [&](char c, size_t n) {
    char* p = num + sizeof(num);
    *--p = '\n';
    *--p = '\r';
    do {
      *--p = static_cast<char>('0' + n % 10);
      n /= 10;
    } while (n);
    *--p = c;
    out->append(p, static_cast<size_t>(num + sizeof(num) - p));
  };
  size_t total = 16;
  for (size_t i = 0; i < argc; i++) total += argv[i].size() + 16;
  out->reserve(out->size() + total);
  header('*', argc);
  for (size_t i = 0; i < argc; i++) {
    header('$', argv[i].size());
    out->append(argv[i].data(), argv[i].size());
    out->append("\r\n", 2);
  }
}

}  // namespace ember::aof
