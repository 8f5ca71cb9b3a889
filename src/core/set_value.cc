#include "core/set_value.h"

#include "base/assert.h"

namespace ember {

void FreeSetValue(Encoding enc, void* ptr) {
  EMBER_PANIC("FreeSetValue: encoding %d not built yet", static_cast<int>(enc));
}

size_t SetFreeEffort(Encoding enc, const void* ptr) { return 1; }

void* DupSetValue(Encoding enc, const void* ptr) {
  EMBER_PANIC("DupSetValue: encoding %d not built yet", static_cast<int>(enc));
}
size_t SetValueMemory(Encoding, const void*, size_t) { return 0; }  // stub

}  // namespace ember
