// Destruction and lazy-free effort of external values: one dispatch by type; each type's own file
// (core/<type>_value.cc) knows its encodings.
#include "core/value_free.h"

#include "base/assert.h"
#include "core/hash_value.h"
#include "core/list_value.h"
#include "core/set_value.h"
#include "core/zset_value.h"

namespace ember {

void FreeValue(ObjType type, Encoding enc, void* ptr) {
  if (!ptr) return;
  switch (type) {
    case ObjType::kString:
      if (enc == Encoding::kRaw) RawString::Free(static_cast<RawString*>(ptr));
      return;  // int and embstr live inside the record
    case ObjType::kList: FreeListValue(enc, ptr); return;
    case ObjType::kHash: FreeHashValue(enc, ptr); return;
    case ObjType::kSet: FreeSetValue(enc, ptr); return;
    case ObjType::kZSet: FreeZsetValue(enc, ptr); return;
    case ObjType::kStream: break;
  }
  EMBER_PANIC("FreeValue: no destructor for type %d encoding %d", static_cast<int>(type),
              static_cast<int>(enc));
}

void* DupValue(ObjType type, Encoding enc, const void* ptr) {
  switch (type) {
    case ObjType::kString:
      if (enc == Encoding::kRaw) return RawString::New(static_cast<const RawString*>(ptr)->view());
      break;
    case ObjType::kList: return DupListValue(enc, ptr);
    case ObjType::kHash: return DupHashValue(enc, ptr);
    case ObjType::kSet: return DupSetValue(enc, ptr);
    case ObjType::kZSet: return DupZsetValue(enc, ptr);
    case ObjType::kStream: break;
  }
  EMBER_PANIC("DupValue: no copy for type %d encoding %d", static_cast<int>(type),
              static_cast<int>(enc));
}

size_t ValueFreeEffort(ObjType type, Encoding e, const void* ptr) {
  if (e == Encoding::kInt || e == Encoding::kEmbstr || !ptr) return 1;
  switch (type) {
    case ObjType::kString: return 1;
    case ObjType::kList: return ListFreeEffort(e, ptr);
    case ObjType::kHash: return HashFreeEffort(e, ptr);
    case ObjType::kSet: return SetFreeEffort(e, ptr);
    case ObjType::kZSet: return ZsetFreeEffort(e, ptr);
    case ObjType::kStream: return 1;
  }
  return 1;
}

size_t FreeEffort(const Record* r) {
  Encoding e = r->encoding();
  if (e == Encoding::kInt || e == Encoding::kEmbstr) return 1;
  return ValueFreeEffort(r->type(), e, r->ptr());
}

}  // namespace ember
