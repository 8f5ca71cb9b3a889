// Whole-file RDB snapshots: writing every database to a sink, and loading a file into databases.
//
// Saving runs in a fork child (BGSAVE) or in the event loop (SAVE, DEBUG RELOAD): it only reads
// records (no LRU writes, no table rehash: the child sets the hash-table policy to kForbid).
// Loading builds fresh databases and installs them only when the whole file parsed: a file that
// fails half-way (corruption, a type Ember cannot represent) leaves the server's data untouched.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/database.h"
#include "persist/rdb/rdb_object.h"

namespace ember {
class PageDismisser;
}

namespace ember::rdb {

struct SaveOptions {
  int version = 10;
  bool compression = true;   // rdbcompression
  bool checksum = true;      // rdbchecksum
  bool save_idle = false;    // an LRU maxmemory policy: write IDLE opcodes
  bool save_freq = false;    // an LFU policy: write FREQ opcodes
  bool aof_base = false;     // the file is an AOF base (aux aof-base 1)
  int64_t now_ms = 0;
  uint32_t lru_clock = 0;
  int lfu_decay_time = 1;
  // Called every `progress_every` keys with the number of keys written so far.
  std::function<void(uint64_t)> progress;
  uint64_t progress_every = 1024;
  int key_save_delay = 0;  // rdb-key-save-delay: DebugDelay (base/time.h) after each key
  // Fork child only: release each value's pages once it is written (persist/dismiss.h). Null in
  // the parent (SAVE, DEBUG RELOAD, the first AOF base), where it would destroy the data.
  PageDismisser* dismiss = nullptr;
};

struct SaveResult {
  uint64_t keys = 0;
  uint64_t bytes = 0;
};

// Writes a complete RDB file (header, aux fields, databases, EOF, CRC) to `sink`.
Status SaveSnapshot(Sink* sink, std::vector<std::unique_ptr<Database>>& dbs,
                    const SaveOptions& opts, SaveResult* result);

struct LoadOptions {
  LoadLimits limits;
  int64_t now_ms = 0;
  bool drop_expired = true;   // a master drops keys already expired (counted)
  // Compare the CRC64 trailer (rdbchecksum yes and no DEBUG SET-SKIP-CHECKSUM-VALIDATION 1). A
  // zero trailer (saved with rdbchecksum no) is never checked.
  bool verify_checksum = true;
  bool is_aof_preamble = false;
  int64_t progress_every_bytes = 1 << 20;
  int key_load_delay = 0;  // key-load-delay: DebugDelay (base/time.h) after each key
  std::function<void(uint64_t bytes)> progress;
};

struct LoadResult {
  int rdb_version = 0;
  uint64_t keys_loaded = 0;
  uint64_t keys_expired = 0;
  int64_t ctime = 0;
  std::string redis_ver;
  uint64_t used_mem = 0;
  bool aof_base = false;
  bool checksum_skipped = false;
  uint64_t bytes = 0;  // offset just after the trailer (an AOF's command tail starts there)
};

// Parses a whole RDB stream into `dbs` (which must be empty and as many as the server has).
// On error, `dbs` may hold a partial load: the caller discards them (see LoadInto in
// persist/snapshot_io.h for the install-on-success wrapper).
Status LoadSnapshot(Source* source, std::vector<std::unique_ptr<Database>>& dbs,
                    const LoadOptions& opts, LoadResult* result);

}  // namespace ember::rdb
