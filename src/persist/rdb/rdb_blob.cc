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

bool ValidListpack(std::string_view blob, size_t* entries) {
  const auto* lp = reinterpret_cast<const uint8_t*>(blob.data());
  if (!lp::ValidateListpack(lp, blob.size(), /*deep=*/true)) return false;
  *entries = lp::Length(lp);
  return true;
}

bool ListpackHasDuplicates(const uint8_t* lp, unsigned stride) {
  // Keys compare as (integer, value) or (string, bytes): an integer entry and a string that parses
  // as the same integer are equal as text, and parsing is canonical (string2ll), so this is text
  // equality. Each key carries a 64-bit hash; sorting by it leaves equal keys side by side (among
  // equal hashes, which are almost always the same key), so the check is one hash per key and a
  // small sort instead of n^2/2 string compares.
  struct Key {
    uint64_t h;
    bool is_int;
    int64_t v;
    std::string_view s;
    bool SameAs(const Key& o) const {
      return is_int == o.is_int && (is_int ? v == o.v : s == o.s);
    }
  };
  constexpr size_t kOnStack = 32;
  std::array<Key, kOnStack> few;
  std::vector<Key> many;
  Key* keys = few.data();
  size_t n = 0, i = 0;
  for (const uint8_t* p = lp::First(lp); p; p = lp::Next(lp, p), i++) {
    if (i % stride != 0) continue;
    if (n == kOnStack) {
      many.assign(few.begin(), few.end());
      keys = nullptr;
    }
    Key k{0, false, 0, {}};
    if (lp::GetInteger(p, &k.v)) {
      k.is_int = true;
      k.h = HashBytes(&k.v, sizeof k.v) ^ 0x9e3779b97f4a7c15ULL;  // apart from the same 8 bytes as a string
    } else {
      k.s = lp::Get(p).View();
      k.h = HashBytes(k.s);
    }
    if (keys) {
      keys[n] = k;
    } else {
      many.push_back(k);
    }
    n++;
  }
  if (!keys) keys = many.data();
  std::sort(keys, keys + n, [](const Key& a, const Key& b) { return a.h < b.h; });
  for (size_t a = 0; a < n; a++) {
    for (size_t b = a + 1; b < n && keys[b].h == keys[a].h; b++) {
      if (keys[a].SameAs(keys[b])) return true;
    }
  }
  return false;
}

}  // namespace ember::rdb
