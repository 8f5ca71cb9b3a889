// Destruction and lazy-free effort of external values, by type and encoding. One switch, so adding an
// encoding means adding one case here (and the compiler's -Wswitch points at it).
#pragma once

#include "core/object.h"

namespace ember {
void FreeValue(ObjType type, Encoding enc, void* ptr);
size_t FreeEffort(const Record* r);
size_t ValueFreeEffort(ObjType type, Encoding enc, const void* ptr);
// A deep copy of an external value (COPY), same type and encoding, owned by the caller. int and
// embstr values live inside the record and are never passed here.
void* DupValue(ObjType type, Encoding enc, const void* ptr);
}  // namespace ember
