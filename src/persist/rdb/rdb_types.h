// Per-type RDB layouts (one file per type: rdb_list.cc, rdb_set.cc, rdb_hash.cc, rdb_zset.cc).
// Internal to persist/rdb; use rdb_object.h.
#pragma once

#include "base/status.h"
#include "core/object.h"
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
