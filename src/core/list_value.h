// List values: the data part of the list type (encodings, conversions, operations), independent of
// replies and sockets. Being written; see src/commands/list_family.cc for the commands.
#pragma once

#include <cstddef>

#include "core/object.h"

namespace ember {

// Frees a list value of encoding `enc`.
void FreeListValue(Encoding enc, void* ptr);
// Redis's lazy-free effort for this value (1 for compact encodings).
size_t ListFreeEffort(Encoding enc, const void* ptr);
// A deep copy of a list value (COPY); the copy has the same encoding and is owned by the caller.
void* DupListValue(Encoding enc, const void* ptr);
// MEMORY USAGE of the value (not the key record): allocations of encoding `enc`, sampled as Redis
// does for big aggregates (`samples` elements; 0 = all). Being written by the list helper.
size_t ListValueMemory(Encoding enc, const void* ptr, size_t samples);

}  // namespace ember
