// Shared helpers for the per-type layouts: reading blobs and walking them safely.
#include <algorithm>
#include <array>
#include <vector>

#include "base/hash.h"
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

bool ValidListpack(std::string_view blob, size_t* entries,
                   const std::function<bool(const uint8_t* entry)>& each) {
  const auto* lp = reinterpret_cast<const uint8_t*>(blob.data());
  if (!lp::ValidateListpack(lp, blob.size(), /*deep=*/true, each)) return false;
  *entries = lp::Length(lp);
  return true;
}

void DuplicateCheck::Add(const uint8_t* entry) {
  Key k{0, false, 0, {}};
  if (lp::GetInteger(entry, &k.v)) {
    k.is_int = true;
    k.h = HashBytes(&k.v, sizeof k.v) ^ 0x9e3779b97f4a7c15ULL;  // apart from the same 8 bytes as text
  } else {
    k.s = lp::Get(entry).View();
    k.h = HashBytes(k.s);
  }
  if (n_ < kOnStack) {
    few_[n_++] = k;
    return;
  }
  if (many_.empty()) many_.assign(few_.begin(), few_.end());
  many_.push_back(k);
  n_++;
}

bool DuplicateCheck::Found() {
  Key* keys = n_ <= kOnStack ? few_.data() : many_.data();
  std::sort(keys, keys + n_, [](const Key& a, const Key& b) { return a.h < b.h; });
  for (size_t a = 0; a < n_; a++) {
    for (size_t b = a + 1; b < n_ && keys[b].h == keys[a].h; b++) {
      if (keys[a].SameAs(keys[b])) return true;
    }
  }
  return false;
}

}  // namespace ember::rdb
