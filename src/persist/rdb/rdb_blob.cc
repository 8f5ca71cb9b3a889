// Shared helpers for the per-type layouts: reading blobs and walking them safely.
#include "base/strutil.h"
#include "persist/rdb/rdb_types.h"
#include "persist/rdb/ziplist.h"
#include "types/listpack.h"

namespace ember::rdb {

Status LoadBlob(RdbReader& r, std::string* out, const char* what) {
  Status st = r.LoadString(out);
  if (!st.ok()) return st;
  (void)what;
  return Status::OK();
}

Status ForEachListpackEntry(std::string_view blob,
                            const std::function<Status(std::string_view)>& fn) {
  const auto* lp = reinterpret_cast<const uint8_t*>(blob.data());
  if (!lp::ValidateListpack(lp, blob.size(), /*deep=*/true)) {
    return Status::Corruption("listpack integrity check failed");
  }
  lp::Scratch sc;
  for (const uint8_t* p = lp::First(lp); p; p = lp::Next(lp, p)) {
    EMBER_RETURN_IF_ERROR(fn(lp::GetString(p, &sc)));
  }
  return Status::OK();
}

Status ForEachZiplistString(std::string_view blob,
                            const std::function<Status(std::string_view)>& fn) {
  EMBER_RETURN_IF_ERROR(ValidateZiplist(blob));
  char buf[32];
  return ForEachZiplistEntry(blob, [&](const ZiplistEntry& e) -> Status {
    if (e.is_int) return fn(std::string_view(buf, Int64ToChars(e.int_value, buf)));
    return fn(e.str);
  });
}

}  // namespace ember::rdb
