// Hash layouts. Written as HASH_LISTPACK (a small hash, converted to Redis's listpack bytes) or
// HASH (field count, then field/value strings). Read: HASH, HASH_ZIPMAP, HASH_ZIPLIST and
// HASH_LISTPACK; fields go through the hash type so the encoding follows the current limits.
// Duplicate fields are a corrupt file (Redis: "Duplicate hash fields detected").
//
// A HASH_LISTPACK blob with distinct fields is converted whole (HashFromListpack: one pass, one
// allocation) with Redis's load rule, hashtable only above hash-max-listpack-entries.
#include "core/hash_value.h"
#include "persist/rdb/rdb_format.h"
#include "persist/rdb/rdb_types.h"
#include "persist/rdb/zipmap.h"
#include "types/listpack.h"

namespace ember::rdb {

Status SaveHashValue(RdbWriter& w, Encoding enc, const void* v) {
  HashRef h{enc, const_cast<void*>(v)};
  if (enc == Encoding::kListpack) {
    // One buffer per thread, reused from hash to hash (a fork child, SAVE, DUMP); one that grew
    // past 64 KB for a big hash is given back.
    thread_local std::string buf;
    HashToListpack(h, &buf);
    Status st = w.SaveString(buf);
    if (buf.capacity() > (64u << 10)) std::string().swap(buf);
    return st;
  }
  EMBER_RETURN_IF_ERROR(w.SaveLen(HashLength(h)));
  Status st;
  HashForEach(h, [&](std::string_view f, std::string_view val) {
    if (!st.ok()) return;
    st = w.SaveString(f);
    if (st.ok()) st = w.SaveString(val);
  });
  return st;
}

Expected<ValueInit> LoadHashValue(RdbReader& r, uint8_t type, const LoadLimits& limits) {
  HashLimits lim;
  lim.max_listpack_entries = limits.hash_max_listpack_entries;
  lim.max_listpack_value = limits.hash_max_listpack_value;
  HashRef h = NewHash();
  auto fail = [&](Status st) -> Expected<ValueInit> {
    FreeHashValue(h.enc, h.ptr);
    return st;
  };
  auto set = [&](std::string_view f, std::string_view v) -> Status {
    if (!HashSet(&h, f, v, lim)) return Status::Corruption("Duplicate hash fields detected");
    return Status::OK();
  };
  if (type == RDB_TYPE_HASH) {
    auto n = r.LoadLen();
    if (!n.ok()) return fail(n.status());
    if (*n > lim.max_listpack_entries) HashConvertToDict(&h, std::min<uint64_t>(*n, 1u << 24));
    std::string f, v;
    for (uint64_t i = 0; i < *n; i++) {
      Status st = r.LoadString(&f);  // read errors already name their offset
      if (st.ok()) st = r.LoadString(&v);
      if (!st.ok()) return fail(st);
      st = set(f, v);
      if (!st.ok()) return fail(r.Corrupt(st.message()));
    }
  } else {
    std::string blob;
    Status st = LoadBlob(r, &blob, "hash blob");
    if (!st.ok()) return fail(st);
    size_t entries = 0;
    DuplicateCheck fields;
    bool is_field = true;
    auto each = [&](const uint8_t* p) {
      if (is_field) fields.Add(p);
      is_field = !is_field;
      return true;
    };
    if (type == RDB_TYPE_HASH_LISTPACK && ValidListpack(blob, &entries, each) && entries > 0 &&
        entries % 2 == 0 && !fields.Found()) {
      FreeHashValue(h.enc, h.ptr);
      h = HashFromListpack(reinterpret_cast<const uint8_t*>(blob.data()), lim);
      return ValueInit::Ptr(ObjType::kHash, h.enc, h.ptr);
    }
    if (type == RDB_TYPE_HASH_ZIPMAP) {
      st = ValidateZipmap(blob);
      if (st.ok()) st = ForEachZipmapPair(blob, set);
    } else {
      // Ziplist and listpack hold field, value, field, value ...
      std::string field;
      bool have_field = false;
      auto pairs = [&](std::string_view e) -> Status {
        if (!have_field) {
          field.assign(e);
          have_field = true;
          return Status::OK();
        }
        have_field = false;
        return set(field, e);
      };
      st = type == RDB_TYPE_HASH_ZIPLIST ? ForEachZiplistString(blob, pairs)
                                         : ForEachListpackEntry(blob, pairs);
      if (st.ok() && have_field) st = Status::Corruption("hash blob with an odd number of entries");
    }
    if (!st.ok()) return fail(r.Corrupt("bad hash: " + st.message()));
  }
  if (HashLength(h) == 0) return fail(Status::NotFound("empty hash"));
  return ValueInit::Ptr(ObjType::kHash, h.enc, h.ptr);
}

}  // namespace ember::rdb
