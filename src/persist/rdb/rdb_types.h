// Per-type RDB layouts (one file per type: rdb_list.cc, rdb_set.cc, rdb_hash.cc, rdb_zset.cc).
// Internal to persist/rdb; use rdb_object.h.
#pragma once

#include "base/status.h"
#include "core/object.h"
#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

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

// ---- fast paths: using a blob as it is ----
// A listpack, ZSET_LISTPACK or HASH_LISTPACK blob from Redis is what Ember keeps in memory, so the
// loaders take the blob whole after checking it, instead of re-inserting element by element (which
// re-encodes every entry and reallocates per insert: 2-6x Redis's load time on small aggregates).
// Anything the check does not accept goes down the element-by-element path, whose errors name the
// problem; so the fast path never changes which files load and which fail. The encoding a value
// gets follows Redis's load rule for its type (stated in each rdb_<type>.cc).

// Deep validation of a listpack blob (every entry inside the blob, count as the header says); sets
// *entries. The deep walk is what ForEachListpackEntry does before reading, so the fast path is as
// strict as the slow one. `each` (optional) sees every entry once it is known to be whole, during
// the same walk; returning false stops it and makes the result false.
bool ValidListpack(std::string_view blob, size_t* entries,
                   const std::function<bool(const uint8_t* entry)>& each = {});

// Finds equal entries among those Add()ed (listpack entry pointers, which must stay valid until
// Found): equal as text, an integer entry being equal to the string of its digits. One 64-bit hash
// per key and a sort by hash, instead of n^2/2 string compares; up to 32 keys without allocating.
class DuplicateCheck {
 public:
  void Add(const uint8_t* entry);
  bool Found();

 private:
  // (integer, value) or (string, bytes): parsing is canonical (string2ll), so this is text equality.
  struct Key {
    uint64_t h;
    bool is_int;
    int64_t v;
    std::string_view s;
    bool SameAs(const Key& o) const { return is_int == o.is_int && (is_int ? v == o.v : s == o.s); }
  };
  static constexpr size_t kOnStack = 32;
  std::array<Key, kOnStack> few_;
  std::vector<Key> many_;
  size_t n_ = 0;
};

}  // namespace ember::rdb
