#include "base/status.h"

#include <cstring>

namespace ember {

namespace {
const std::string kEmpty;
}

Status Status::FromErrno(std::string_view what, int err) {
  std::string m(what);
  m += ": ";
  m += std::strerror(err);
  return Status(StatusCode::kIOError, std::move(m));
}

const std::string& Status::message() const { return state_ ? state_->msg : kEmpty; }

std::string Status::ToString() const {
  if (ok()) return "OK";
  static const char* const kNames[] = {"OK",          "Invalid argument", "Not found",
                                       "Corruption",  "IO error",         "Out of range",
                                       "Unsupported", "Busy"};
  return std::string(kNames[static_cast<int>(state_->code)]) + ": " + state_->msg;
}

}  // namespace ember
