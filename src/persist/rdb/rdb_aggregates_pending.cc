// Aggregate-type layouts, until the types land: every call is refused with a clear Status.
#include "persist/rdb/rdb_types.h"

namespace ember::rdb {

namespace {
Status Pending(const char* t) {
  return Status::Unsupported(std::string("RDB serialization of ") + t + " values is not built yet");
}
}  // namespace

Status SaveSetValue(RdbWriter&, Encoding, const void*, int) { return Pending("set"); }
Expected<ValueInit> LoadSetValue(RdbReader&, uint8_t, const LoadLimits&) { return Pending("set"); }

}  // namespace ember::rdb
