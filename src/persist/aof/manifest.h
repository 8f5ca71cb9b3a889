// The multi-part AOF manifest (Redis 7): which files make up the append-only file, in order.
//
//   appendonlydir/
//     appendonly.aof.3.base.rdb     the snapshot the AOF starts from (RDB preamble) or .base.aof
//     appendonly.aof.3.incr.aof     commands written since that base (several during a rewrite)
//     appendonly.aof.manifest       one line per file:  file <name> seq <n> type <b|h|i>
//
// Lines are split with Redis's sdssplitargs rules; key names are case-insensitive; extra unknown
// key/value pairs are allowed; `#` starts a comment; a line may not exceed 1024 bytes. Written in
// the order base, history, incr. The manifest is replaced atomically: written to
// temp-<appendfilename>.manifest, fsynced, renamed, and the directory fsynced.
//
// Error texts (a corrupt manifest stops start-up) are Redis's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ember::aof {

enum class FileType : char { kBase = 'b', kHistory = 'h', kIncr = 'i' };

struct FileInfo {
  std::string name;
  int64_t seq = 0;
  FileType type = FileType::kIncr;
};

struct Manifest {
  std::optional<FileInfo> base;
  std::vector<FileInfo> history;
  std::vector<FileInfo> incrs;  // strictly increasing seq
  int64_t curr_base_seq = 0;
  int64_t curr_incr_seq = 0;

  static Expected<Manifest> Parse(std::string_view content);
  std::string Serialize() const;

  // `appendonly.aof.<seq>.base.rdb` (or .base.aof) for the next base; bumps curr_base_seq.
  std::string NewBaseName(const std::string& appendfilename, bool rdb_preamble);
  // `appendonly.aof.<seq>.incr.aof` for the next incr file, appended to incrs; bumps curr_incr_seq.
  std::string NewIncrName(const std::string& appendfilename);
  // After a successful rewrite: the old base and every incr but the last become history, and
  // `new_base` becomes the base.
  void InstallRewrite(FileInfo new_base);
  // Every file the manifest names (base first, then incrs), for loading.
  std::vector<FileInfo> LoadOrder() const;
};

// Reads dir/name. kNotFound when the file does not exist.
Expected<Manifest> ReadManifest(const std::string& dir, const std::string& manifest_name);
// Writes atomically (temp file, fsync, rename, directory fsync).
Status WriteManifest(const std::string& dir, const std::string& manifest_name, const Manifest& m);

}  // namespace ember::aof
