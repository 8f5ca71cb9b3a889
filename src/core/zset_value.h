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
// A deep copy of a zset value (COPY); the copy has the same encoding and is owned by the caller.
void* DupZsetValue(Encoding enc, const void* ptr);

}  // namespace ember
