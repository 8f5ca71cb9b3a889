// Writing an AOF base file: the whole dataset either as an RDB preamble (aof-use-rdb-preamble yes,
// `.base.rdb`) or as commands (`.base.aof`), Redis's rewriteAppendOnlyFileRio:
//
//   SELECT <db>                          once per non-empty database
//   SET k v | RPUSH k e1..e64 | SADD | ZADD k s1 m1 .. | HSET k f1 v1 ..   at most 64 items each
//   PEXPIREAT k <unix-ms>                after a key with a TTL
//
// Runs in the AOF rewrite child (fork-safe: reads records only, allocates through the counted
// allocator, never touches the parent's writer) and in the parent at start-up (the first base).
// The file is fsynced every 4 MB when `incremental_fsync` and once at the end; the caller renames it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/database.h"
#include "persist/rdb/rdb_snapshot.h"
#include "persist/rdb/rdb_writer.h"

namespace ember {
class PageDismisser;
}

namespace ember::aof {

inline constexpr int kItemsPerCommand = 64;  // AOF_REWRITE_ITEMS_PER_CMD

struct BaseWriteOptions {
  bool rdb_preamble = true;
  bool incremental_fsync = true;
  rdb::SaveOptions rdb;                        // used for the RDB preamble
  int64_t now_ms = 0;
  std::function<void(uint64_t keys)> progress;  // every 1024 keys
  // Fork child only: release each value's pages once written (persist/dismiss.h); null otherwise.
  PageDismisser* dismiss = nullptr;
};

struct BaseWriteResult {
  uint64_t keys = 0;
  uint64_t bytes = 0;
};

// Writes (creates or truncates) `path`, fsyncs it. On error the file is removed.
Status WriteBaseFile(const std::string& path, std::vector<std::unique_ptr<Database>>& dbs,
                     const BaseWriteOptions& opts, BaseWriteResult* result);

// The commands form only, written to `sink` (not flushed). Keys already expired at `now_ms`
// are skipped, as Redis does.
Status RewriteAsCommands(std::vector<std::unique_ptr<Database>>& dbs, rdb::Sink* sink,
                         int64_t now_ms, const std::function<void(uint64_t)>& progress,
                         uint64_t* keys, PageDismisser* dismiss = nullptr,
                         int key_save_delay = 0);

}  // namespace ember::aof
