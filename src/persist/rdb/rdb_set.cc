// Set layouts. Written as SET_INTSET (the intset blob as it is), SET_LISTPACK (the listpack blob;
// only for RDB version >= 11, which Redis 7.0 cannot read) or SET (member count, then members; what
// version 10 uses for listpack and hashtable sets). Read: SET, SET_INTSET, SET_LISTPACK; members go
// through the set type so the encoding follows the current limits. Duplicates are a corrupt file.
// An intset within set-max-intset-entries is taken as it is (validated deeply: strictly ascending).
#include "base/strutil.h"
#include "core/set_value.h"
#include "persist/rdb/rdb_format.h"
#include "persist/rdb/rdb_types.h"
#include "types/intset.h"
#include "types/listpack.h"

namespace ember::rdb {

Status SaveSetValue(RdbWriter& w, Encoding enc, const void* v, int rdb_version) {
  SetValue s(enc, const_cast<void*>(v));
  if (enc == Encoding::kIntset) {
    return w.SaveString(
        std::string_view(reinterpret_cast<const char*>(s.blob()), intset::Bytes(s.blob())));
  }
  if (enc == Encoding::kListpack && rdb_version >= 11) {
    return w.SaveString(
        std::string_view(reinterpret_cast<const char*>(s.blob()), lp::Bytes(s.blob())));
  }
  EMBER_RETURN_IF_ERROR(w.SaveLen(s.Size()));
  Status st;
  char buf[32];
  s.ForEach([&](const SetElem& e) {
    st = w.SaveString(e.Text(buf));
    return st.ok();
  });
  return st;
}

Expected<ValueInit> LoadSetValue(RdbReader& r, uint8_t type, const LoadLimits& limits) {
  SetLimits lim;
  lim.max_intset_entries = limits.set_max_intset_entries;
  lim.max_listpack_entries = limits.set_max_listpack_entries;
  lim.max_listpack_value = limits.set_max_listpack_value;
  SetValue s = SetValue::NewIntset();
  auto fail = [&](Status st) -> Expected<ValueInit> {
    s.Free();
    return st;
  };
  auto add = [&](std::string_view m) -> Status {
    if (!s.Add(m, lim)) return Status::Corruption("Duplicate set members detected");
    return Status::OK();
  };
  if (type == RDB_TYPE_SET) {
    auto n = r.LoadLen();
    if (!n.ok()) return fail(n.status());
    s.MaybeConvert(std::min<uint64_t>(*n, 1u << 24), lim);
    std::string m;
    for (uint64_t i = 0; i < *n; i++) {
      Status st = r.LoadString(&m);  // a read error already names its offset
      if (!st.ok()) return fail(st);
      st = add(m);
      if (!st.ok()) return fail(r.Corrupt(st.message()));
    }
  } else {
    std::string blob;
    Status st = LoadBlob(r, &blob, "set blob");
    if (!st.ok()) return fail(st);
    if (type == RDB_TYPE_SET_INTSET) {
      const auto* is = reinterpret_cast<const uint8_t*>(blob.data());
      if (!intset::ValidateIntset(is, blob.size(), /*deep=*/true)) {
        return fail(r.Corrupt("intset integrity check failed"));
      }
      uint32_t n = intset::Length(is);
      if (n <= lim.max_intset_entries) {  // taken as it is (Redis: hashtable above the limit)
        s.Free();
        return SetValue(Encoding::kIntset, intset::FromBlob(blob.data(), blob.size())).ToValueInit();
      }
      char buf[32];
      for (uint32_t i = 0; i < n && st.ok(); i++) {
        st = add(std::string_view(buf, Int64ToChars(intset::GetUnchecked(is, i), buf)));
      }
    } else {
      st = ForEachListpackEntry(blob, add);
    }
    if (!st.ok()) return fail(r.Corrupt("bad set: " + st.message()));
  }
  if (s.Size() == 0) return fail(Status::NotFound("empty set"));
  return s.ToValueInit();
}

}  // namespace ember::rdb
