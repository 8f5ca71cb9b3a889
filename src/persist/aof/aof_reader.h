// Reading the command stream of an AOF file: RESP arrays of bulk strings, exactly as Redis's
// loader reads them, with the exact file offset of every command.
//
//   *<argc>\r\n  then argc times  $<len>\r\n<len bytes>\r\n          one command
//   #<anything>\r\n                                                  an annotation (#TS:<secs>)
//
// Next() returns one command at a time. The offset after the last complete command (valid_up_to)
// is what a truncated tail is cut back to. Two kinds of failure are told apart, because Redis
// treats them differently:
//   kTruncated  the file ends inside a command (a crash mid-write): tolerated in the last file
//               with aof-load-truncated yes;
//   kBadFormat  bytes that are not RESP (a corrupt middle): always fatal.
//
// Memory: one buffer that grows to the largest command in the file (plus 64 KB of read-ahead).
// Thread safety: one reader per thread; it owns no file descriptor (the caller closes it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ember::aof {

// True if `fd` starts with the RDB magic "REDIS" (an RDB-preamble base or Redis 6 AOF). Reads with
// pread, so the file position is not changed.
bool HasRdbPreamble(int fd);

class CommandReader {
 public:
  enum class Result { kCommand, kEof, kTruncated, kBadFormat, kIoError };

  // Reads `fd` from offset `start` (after an RDB preamble, or 0).
  CommandReader(int fd, uint64_t start);
  CommandReader(const CommandReader&) = delete;
  CommandReader& operator=(const CommandReader&) = delete;

  // The next command into *argv (views valid until the next call). Annotations are skipped; the
  // most recent one is annotation(). kEof only at a command boundary.
  Result Next(std::vector<std::string_view>* argv);

  // Offset just after the last complete command (or annotation): where a truncated tail is cut.
  uint64_t valid_up_to() const { return valid_; }
  // Offset where the command that was returned (or that failed) starts.
  uint64_t command_start() const { return cmd_start_; }
  // Lines consumed up to valid_up_to (redis-check-aof's ok_up_to_line counts from 1).
  uint64_t lines() const { return lines_; }
  // Lines read so far including those of a command that failed half-way.
  uint64_t lines_read() const { return lines_ + cmd_lines_; }
  // What was wrong (kTruncated / kBadFormat / kIoError), with the offset of the bad byte.
  const std::string& error() const { return error_; }
  uint64_t error_offset() const { return error_off_; }
  // The text of the last annotation read, without '#' and CRLF ("TS:1700000000").
  const std::string& annotation() const { return annotation_; }
  uint64_t annotation_offset() const { return annotation_off_; }

 private:
  // Makes at least `n` bytes available from pos_ (reading more). False at EOF or on an error.
  bool Fill(size_t n);
  // Reads a CRLF-terminated line starting at pos_ (at most `max` bytes): *line excludes CRLF.
  Result ReadLine(std::string_view* line, size_t max);

  int fd_;
  uint64_t file_off_;       // file offset of buf_[0]
  std::string buf_;
  size_t pos_ = 0;          // parse position in buf_
  bool eof_ = false;
  int read_errno_ = 0;
  uint64_t valid_;
  uint64_t cmd_start_;
  uint64_t lines_ = 0;
  uint64_t cmd_lines_ = 0;  // lines of the command being read
  std::string error_;
  uint64_t error_off_ = 0;
  std::string annotation_;
  uint64_t annotation_off_ = 0;
};

// Appends a command in RESP (Redis's catAppendOnlyGenericCommand) to *out.
void AppendCommand(std::string* out, const std::string_view* argv, size_t argc);
inline void AppendCommand(std::string* out, const std::vector<std::string_view>& argv) {
  AppendCommand(out, argv.data(), argv.size());
}

}  // namespace ember::aof
