// Per-type RDB layouts (one file per type: rdb_list.cc, rdb_set.cc, rdb_hash.cc, rdb_zset.cc).
// Internal to persist/rdb; use rdb_object.h.
#pragma once

#include "base/status.h"
#include "core/object.h"
#include <functional>
#include <string>

#include "persist/rdb/rdb_object.h"

namespace ember::rdb {

Status SaveListValue(RdbWriter& w, Encoding enc, const void* v);
Status SaveSetValue(RdbWriter& w, Encoding enc, const void* v, int rdb_version);
Status SaveHashValue(RdbWriter& w, Encoding enc, const void* v);
Status SaveZsetValue(RdbWriter& w, Encoding enc, const void* v);

Expected<ValueInit> LoadListValue(RdbReader& r, uint8_t type, const LoadLimits& limits);
Expected<ValueInit> LoadSetValue(RdbReader& r, uint8_t type, const LoadLimits& limits);
Expected<ValueInit> LoadHashValue(RdbReader& r, uint8_t type, const LoadLimits& limits);
Expected<ValueInit> LoadZsetValue(RdbReader& r, uint8_t type, const LoadLimits& limits);

}  // namespace ember::rdb

namespace ember::rdb {

// Reads a string that holds an encoded blob (listpack, intset, ziplist, zipmap). Blobs are always
// validated by their callers before use: structurally always, entry by entry when sanitizing.
Status LoadBlob(RdbReader& r, std::string* out, const char* what);

// Calls fn(std::string_view) for every entry of a listpack blob after validating it deeply (so a
// lying blob is an error, never an over-read). Integers are formatted as decimal text.
Status ForEachListpackEntry(std::string_view blob, const std::function<Status(std::string_view)>& fn);
// The same for a legacy ziplist blob.
Status ForEachZiplistString(std::string_view blob, const std::function<Status(std::string_view)>& fn);

}  // namespace ember::rdb
