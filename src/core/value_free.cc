#include "core/value_free.h"

#include "base/assert.h"

namespace ember {

void FreeValue(ObjType type, Encoding enc, void* ptr) {
  if (!ptr) return;
  switch (enc) {
    case Encoding::kRaw: RawString::Free(static_cast<RawString*>(ptr)); return;
    case Encoding::kInt:
    case Encoding::kEmbstr: return;  // stored inside the record
    default: break;
  }
  EMBER_PANIC("FreeValue: no destructor for type %d encoding %d", static_cast<int>(type),
              static_cast<int>(enc));
}

size_t FreeEffort(const Record* r) {
  switch (r->encoding()) {
    default: return 1;
  }
}

}  // namespace ember
