// SORT's per-type hooks for lists, sorted sets and hashes (the set collector is in
// sort_input.cc), built on each type's value API.
#include "core/hash_value.h"
#include "core/list_value.h"
#include "core/sort_input.h"
#include "core/value_iter.h"
#include "core/zset_value.h"

namespace ember {

bool CollectListSortInput(const Record* r, std::vector<std::string>* out) {
  ForEachListElement(r->encoding(), r->ptr(), [&](std::string_view e) { out->emplace_back(e); });
  return true;
}

// Members by ascending rank. (Redis 7.0/7.2 also converts a listpack zset to a skiplist in place
// here, an OBJECT ENCODING side effect of a read command that Ember does not copy.)
bool CollectZsetSortInput(const Record* r, std::vector<std::string>* out) {
  ForEachZsetMember(r->encoding(), r->ptr(),
                    [&](std::string_view m, double) { out->emplace_back(m); });
  return true;
}

bool SortHashFieldValue(const Record* r, std::string_view field, std::string* out) {
  hpack::Scratch sc;
  std::string_view v;
  if (!HashGet(HashRef{r->encoding(), r->ptr()}, field, &sc, &v)) return false;
  out->assign(v);
  return true;
}

// What Redis 7.2 stores: a listpack when the items fit one node, else a quicklist (the list type's
// own conversion rules decide).
ValueInit NewSortStoreList(const std::vector<std::string>& items, int fill, int compress_depth) {
  ListOptions o;
  o.fill = fill;
  o.compress_depth = compress_depth;
  ListValue lv = ListValue::NewListpack();
  std::vector<std::string_view> views(items.begin(), items.end());
  list::Push(&lv, QlEnd::kTail, views, o);
  return ValueInit::Ptr(ObjType::kList, lv.enc, lv.ptr);
}

}  // namespace ember
