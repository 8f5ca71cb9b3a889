// SORT input: the type dispatch and the set case (see sort_input.h).
#include "core/sort_input.h"

#include "core/set_value.h"

namespace ember {

bool CollectSortInput(const Record* r, std::vector<std::string>* out) {
  switch (r->type()) {
    case ObjType::kSet: return CollectSetSortInput(r, out);
    case ObjType::kList: return CollectListSortInput(r, out);
    case ObjType::kZSet: return CollectZsetSortInput(r, out);
    default: return false;
  }
}

bool CollectSetSortInput(const Record* r, std::vector<std::string>* out) {
  if (r->type() != ObjType::kSet) return false;
  SetValue s = SetValue::Of(r);
  out->reserve(out->size() + s.Size());
  s.ForEach([&](const SetElem& e) {
    out->push_back(e.ToString());
    return true;
  });
  return true;
}

}  // namespace ember
