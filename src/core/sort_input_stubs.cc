// TODO(lead): stand-ins for the SORT hooks of lists, sorted sets and hashes (declared in
// core/sort_input.h), written on the `sets` branch while those types were being built in
// parallel. When merging, implement each in its type's value file (list_value.cc, zset_value.cc,
// hash_value.cc) and delete it here; delete this file once it is empty.
#include "core/sort_input.h"

#include "types/listpack.h"
#include "types/quicklist.h"

namespace ember {

// TODO(lead): lists — push every element head to tail (list_value.cc).
bool CollectListSortInput(const Record* r, std::vector<std::string>* out) {
  (void)r;
  (void)out;
  return false;
}

// TODO(lead): sorted sets — members by ascending rank (zset_value.cc). Note Redis 7.0/7.2 SORT
// converts a listpack zset to skiplist in place ("Destructively convert encoded sorted sets for
// SORT"); decide whether to mirror that OBJECT ENCODING side effect.
bool CollectZsetSortInput(const Record* r, std::vector<std::string>* out) {
  (void)r;
  (void)out;
  return false;
}

// TODO(lead): hashes — field lookup (hash_value.cc).
bool SortHashFieldValue(const Record* r, std::string_view field, std::string* out) {
  (void)r;
  (void)field;
  (void)out;
  return false;
}

// TODO(lead): lists — replace with the list helper's constructor. This builds what Redis 7.2
// stores (sort.c: quicklist, then listTypeTryConversion): a plain listpack blob when the items fit
// one node of `fill`, else a Quicklist* of listpack nodes.
ValueInit NewSortStoreList(const std::vector<std::string>& items, int fill, int compress_depth) {
  size_t bytes = lp::kEmptyBytes;
  bool large = false;
  for (const std::string& s : items) {
    bytes += lp::EntrySizeFor(s);
    if (ql::IsLargeElement(s.size())) large = true;
  }
  if (!large && ql::ListpackFitsNode(bytes, items.size(), fill)) {
    uint8_t* l = lp::New(bytes);
    for (const std::string& s : items) l = lp::Append(l, s);
    return ValueInit::Ptr(ObjType::kList, Encoding::kListpack, l);
  }
  auto* q = new Quicklist(fill, compress_depth);
  for (const std::string& s : items) q->PushTail(s);
  return ValueInit::Ptr(ObjType::kList, Encoding::kQuicklist, q);
}

}  // namespace ember
