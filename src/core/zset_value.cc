#include "core/zset_value.h"

#include "base/assert.h"

namespace ember {

void FreeZsetValue(Encoding enc, void* ptr) {
  EMBER_PANIC("FreeZsetValue: encoding %d not built yet", static_cast<int>(enc));
}

size_t ZsetFreeEffort(Encoding enc, const void* ptr) { return 1; }

size_t ZsetValueMemory(Encoding, const void*, size_t) { return 0; }  // stub

}  // namespace ember
