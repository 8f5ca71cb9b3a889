// Set values: the data part of the set type (encodings, conversions, operations), independent of
// replies and sockets. Being written; see src/commands/set_family.cc for the commands.
#pragma once

#include <cstddef>

#include "core/object.h"

namespace ember {

// Frees a set value of encoding `enc`.
void FreeSetValue(Encoding enc, void* ptr);
// Redis's lazy-free effort for this value (1 for compact encodings).
size_t SetFreeEffort(Encoding enc, const void* ptr);
// A deep copy of a set value (COPY); the copy has the same encoding and is owned by the caller.
void* DupSetValue(Encoding enc, const void* ptr);
// MEMORY USAGE of the value (not the key record): allocations of encoding `enc`, sampled as Redis
// does for big aggregates (`samples` elements; 0 = all). Being written by the set helper.
size_t SetValueMemory(Encoding enc, const void* ptr, size_t samples);

}  // namespace ember
