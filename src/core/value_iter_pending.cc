// Element iteration for aggregate types, until the types land.
#include "base/assert.h"
#include "core/value_iter.h"

namespace ember {

void ForEachListElement(Encoding, const void*, const std::function<void(std::string_view)>&) {
  EMBER_PANIC("list iteration not built yet");
}
void ForEachSetMember(Encoding, const void*, const std::function<void(std::string_view)>&) {
  EMBER_PANIC("set iteration not built yet");
}
void ForEachHashField(Encoding, const void*,
                      const std::function<void(std::string_view, std::string_view)>&) {
  EMBER_PANIC("hash iteration not built yet");
}
void ForEachZsetMember(Encoding, const void*, const std::function<void(std::string_view, double)>&) {
  EMBER_PANIC("zset iteration not built yet");
}
size_t AggregateLength(ObjType, Encoding, const void*) { return 0; }

}  // namespace ember
