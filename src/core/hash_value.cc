#include "core/hash_value.h"

#include "base/assert.h"

namespace ember {

void FreeHashValue(Encoding enc, void* ptr) {
  EMBER_PANIC("FreeHashValue: encoding %d not built yet", static_cast<int>(enc));
}

size_t HashFreeEffort(Encoding enc, const void* ptr) { return 1; }

void* DupHashValue(Encoding enc, const void* ptr) {
  EMBER_PANIC("DupHashValue: encoding %d not built yet", static_cast<int>(enc));
}
size_t HashValueMemory(Encoding, const void*, size_t) { return 0; }  // stub

}  // namespace ember
