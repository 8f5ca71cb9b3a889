// Element iteration over aggregate values (see value_iter.h).
#include "core/value_iter.h"

#include "base/assert.h"
#include "core/hash_value.h"
#include "core/list_value.h"
#include "core/set_value.h"
#include "core/zset_value.h"

namespace ember {

void ForEachListElement(Encoding enc, const void* v,
                        const std::function<void(std::string_view)>& fn) {
  ListValue lv{enc, const_cast<void*>(v)};
  size_t n = list::Length(lv);
  if (n) list::ForRange(&lv, 0, n, false, fn);
}

void ForEachHashField(Encoding enc, const void* v,
                      const std::function<void(std::string_view, std::string_view)>& fn) {
  HashForEach(HashRef{enc, const_cast<void*>(v)}, fn);
}

void ForEachZsetMember(Encoding enc, const void* v,
                       const std::function<void(std::string_view, double)>& fn) {
  Zset(enc, const_cast<void*>(v)).ForEach([&](std::string_view m, double s) {
    fn(m, s);
    return true;
  });
}

void ForEachSetMember(Encoding enc, const void* v,
                      const std::function<void(std::string_view)>& fn) {
  char buf[32];
  SetValue(enc, const_cast<void*>(v)).ForEach([&](const SetElem& e) {
    fn(e.Text(buf));
    return true;
  });
}

size_t AggregateLength(ObjType type, Encoding enc, const void* v) {
  switch (type) {
    case ObjType::kList: return list::Length(ListValue{enc, const_cast<void*>(v)});
    case ObjType::kHash: return HashLength(HashRef{enc, const_cast<void*>(v)});
    case ObjType::kZSet: return Zset(enc, const_cast<void*>(v)).Length();
    case ObjType::kSet: return SetValue(enc, const_cast<void*>(v)).Size();
    default: return 0;
  }
}

}  // namespace ember
