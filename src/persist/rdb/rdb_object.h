// Object-level RDB serialization: one value of a key record to/from its RDB type byte and payload.
// Shared by snapshots (SAVE/BGSAVE/loading), DUMP/RESTORE payloads and the offline tools.
//
// Types written (RDB version 10, what Redis 7.0 writes): strings as STRING (int-encoded when they
// are integers), lists as QUICKLIST_2 (a 7.2-style bare listpack list as one packed node), intsets
// as SET_INTSET, other sets as SET (7.2's SET_LISTPACK only for version >= 11), listpack hashes and
// zsets as HASH_LISTPACK / ZSET_LISTPACK, big hashes as HASH, skiplist zsets as ZSET_2.
//
// Reading accepts every type Redis 7.4 and older writes that Ember can represent exactly (zipmap,
// ziplist, intset, listpack, quicklist 1 and 2, plain types); streams, modules and hash-field TTLs
// are refused with a Status naming the type. Encoded payloads are validated (deeply when
// `sanitize`) before use, so a lying payload is an error, never a crash.
//
// Fork-safe: saving only reads the record (no allocation in the keyspace, no LRU updates).
#pragma once

#include <cstdint>

#include "base/status.h"
#include "core/object.h"
#include "persist/rdb/rdb_reader.h"
#include "persist/rdb/rdb_writer.h"

namespace ember::rdb {

// Encoding thresholds applied to loaded values (the server's current config), so a loaded value
// gets the encoding Redis would give it.
struct LoadLimits {
  uint64_t hash_max_listpack_entries = 512;
  uint64_t hash_max_listpack_value = 64;
  uint64_t zset_max_listpack_entries = 128;
  uint64_t zset_max_listpack_value = 64;
  uint64_t set_max_intset_entries = 512;
  uint64_t set_max_listpack_entries = 128;
  uint64_t set_max_listpack_value = 64;
  int list_max_listpack_size = -2;
  int list_compress_depth = 0;
  bool sanitize = false;  // sanitize-dump-payload: deep validation of encoded blobs
};

// The RDB type byte a record's value is written as.
uint8_t TypeByteFor(const Record* r, int rdb_version);
// Writes the value (without the type byte).
Status SaveValue(RdbWriter& w, const Record* r, int rdb_version);
// Writes the type byte then the value.
Status SaveTypedValue(RdbWriter& w, const Record* r, int rdb_version);

// Reads a value of RDB type `type`. On success the returned ValueInit owns its external value (the
// caller builds a record around it or frees it with FreeValue). `key` only names errors.
Expected<ValueInit> LoadValue(RdbReader& r, uint8_t type, const LoadLimits& limits,
                              std::string_view key);

// Builds a record around a loaded value, choosing Redis's string encoding (int, embstr, raw) for
// strings. Takes ownership of the value.
Record* NewRecordFromLoaded(std::string_view key, const ValueInit& v, bool has_expire,
                            int64_t expire_ms);

// Frees a ValueInit returned by LoadValue that was not used.
void DiscardValue(const ValueInit& v);

}  // namespace ember::rdb
