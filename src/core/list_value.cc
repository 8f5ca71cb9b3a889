#include "core/list_value.h"

#include "base/assert.h"

namespace ember {

void FreeListValue(Encoding enc, void* ptr) {
  EMBER_PANIC("FreeListValue: encoding %d not built yet", static_cast<int>(enc));
}

size_t ListFreeEffort(Encoding enc, const void* ptr) { return 1; }

void* DupListValue(Encoding enc, const void* ptr) {
  EMBER_PANIC("DupListValue: encoding %d not built yet", static_cast<int>(enc));
}
size_t ListValueMemory(Encoding, const void*, size_t) { return 0; }  // stub

}  // namespace ember
