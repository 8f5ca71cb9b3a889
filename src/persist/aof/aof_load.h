// Loading a multi-part AOF: the files a manifest names, in order (base, then every incr), each
// either an RDB preamble followed by commands or plain commands. Shared by the server (which runs
// the commands) and ember-check-aof (which only checks them).
//
//   for each file f in manifest.LoadOrder():
//     "REDIS" magic -> visitor->LoadRdb(fd) returns where the RDB part ends; commands follow
//     commands      -> visitor->OnCommand(argv), MULTI ... EXEC tracked here
//     end of file   -> inside a command or an unfinished MULTI: a truncated tail
//
// A truncated tail (a crash in the middle of a write) is only acceptable in the LAST file: with
// `load_truncated` the file is cut back to the end of its last complete command (the start of an
// unfinished MULTI) and loading succeeds with a warning; otherwise loading fails. Bytes that are
// not RESP anywhere ("a corrupt middle") always fail, naming the file and the offset.
//
// Thread safety: single-threaded. The visitor's callbacks run on the calling thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "persist/aof/manifest.h"

namespace ember::aof {

class LoadVisitor {
 public:
  virtual ~LoadVisitor() = default;
  // Loads (or checks) the RDB part of a file opened as `fd`, reading from offset 0; stores the
  // offset just after the RDB trailer in *end.
  virtual Status LoadRdb(int fd, const std::string& path, uint64_t* end) = 0;
  // One command. An error stops loading (e.g. an unknown command).
  virtual Status OnCommand(std::span<const std::string_view> argv) = 0;
  // Bytes of all files processed so far (loading progress), every ~1 MB.
  virtual void OnProgress(uint64_t bytes) {}
};

struct LoadOptions {
  bool load_truncated = true;   // aof-load-truncated
  bool truncate_file = true;    // cut a truncated last file on disk (the server); false: only report
};

enum class LoadOutcome { kNotExist, kEmpty, kOk, kTruncated };

struct LoadReport {
  LoadOutcome outcome = LoadOutcome::kNotExist;
  uint64_t total_bytes = 0;     // sum of the files' sizes
  uint64_t commands = 0;
  // For a failure or a truncation: the file and the offsets.
  std::string bad_file;
  uint64_t valid_up_to = 0;     // end of the last complete command in bad_file
  uint64_t bad_offset = 0;      // where the bad bytes start
  uint64_t file_size = 0;
  uint64_t ok_up_to_line = 0;
  std::string detail;           // what was wrong
};

// Sum of the sizes of the files the manifest lists (missing files count 0).
uint64_t ManifestFilesSize(const std::string& dir, const Manifest& m);

// Loads every file of `m` from `dir`. Errors carry Redis-style log text naming file and offset.
Status LoadManifestFiles(const std::string& dir, const Manifest& m, const LoadOptions& opts,
                         LoadVisitor* visitor, LoadReport* report);

// Loads one file (`path`), `last` telling whether a truncated tail is acceptable. Used by the
// above and by ember-check-aof on a single old-style AOF.
Status LoadOneFile(const std::string& path, const std::string& display_name, bool last,
                   const LoadOptions& opts, LoadVisitor* visitor, LoadReport* report,
                   uint64_t progress_base);

}  // namespace ember::aof
