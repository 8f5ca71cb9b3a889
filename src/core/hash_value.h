// Hash values: the data part of the hash type (encodings, conversions, operations), independent of
// replies and sockets. Being written; see src/commands/hash_family.cc for the commands.
#pragma once

#include <cstddef>

#include "core/object.h"

namespace ember {

// Frees a hash value of encoding `enc`.
void FreeHashValue(Encoding enc, void* ptr);
// Redis's lazy-free effort for this value (1 for compact encodings).
size_t HashFreeEffort(Encoding enc, const void* ptr);
// A deep copy of a hash value (COPY); the copy has the same encoding and is owned by the caller.
void* DupHashValue(Encoding enc, const void* ptr);
// MEMORY USAGE of the value (not the key record): allocations of encoding `enc`, sampled as Redis
// does for big aggregates (`samples` elements; 0 = all). Being written by the hash helper.
size_t HashValueMemory(Encoding enc, const void* ptr, size_t samples);

}  // namespace ember
