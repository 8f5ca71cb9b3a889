// Zset values: the data part of the zset type (encodings, conversions, operations), independent of
// replies and sockets. Being written; see src/commands/zset_family.cc for the commands.
#pragma once

#include <cstddef>

#include "core/object.h"

namespace ember {

// Frees a zset value of encoding `enc`.
void FreeZsetValue(Encoding enc, void* ptr);
// Redis's lazy-free effort for this value (1 for compact encodings).
size_t ZsetFreeEffort(Encoding enc, const void* ptr);
// MEMORY USAGE of the value (not the key record): allocations of encoding `enc`, sampled as Redis
// does for big aggregates (`samples` elements; 0 = all). Being written by the zset helper.
size_t ZsetValueMemory(Encoding enc, const void* ptr, size_t samples);

}  // namespace ember
