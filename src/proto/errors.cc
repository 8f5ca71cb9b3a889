// Parametrized error texts. Each helper reproduces one Redis printf format; see errors.h for the
// exact shape. `CString` mimics passing a binary-safe string to "%s": the text ends at its first NUL.
#include "proto/errors.h"

#include <cstring>

#include "base/strutil.h"

namespace ember::proto {
namespace {

// The prefix a C "%.<max>s" conversion would print: up to the first NUL, at most `max` bytes.
std::string_view CString(std::string_view s, size_t max = std::string_view::npos) {
  size_t nul = s.find('\0');
  if (nul != std::string_view::npos) s = s.substr(0, nul);
  return s.substr(0, max);
}

std::string Concat(std::initializer_list<std::string_view> parts) {
  size_t n = 0;
  for (auto p : parts) n += p.size();
  std::string out;
  out.reserve(n);
  for (auto p : parts) out.append(p);
  return out;
}

}  // namespace

std::string WrongArity(std::string_view name) {
  return Concat({"ERR wrong number of arguments for '", CString(name), "' command"});
}

std::string UnknownCommand(std::span<const std::string_view> argv) {
  std::string args;
  for (size_t i = 1; i < argv.size() && args.size() < 128; i++) {
    args += '\'';
    args += CString(argv[i], 128 - args.size() + 1);  // +1: the quote was appended first
    args += "' ";
  }
  std::string_view name = argv.empty() ? std::string_view() : CString(argv[0], 128);
  return Concat({"ERR unknown command '", name, "', with args beginning with: ", args});
}

std::string UnknownSubcommand(std::string_view container, std::string_view sub) {
  std::string upper(CString(container));
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return Concat({"ERR unknown subcommand '", CString(sub, 128), "'. Try ", upper, " HELP."});
}

std::string InvalidExpireTime(std::string_view name) {
  return Concat({"ERR invalid expire time in '", CString(name), "' command"});
}

std::string UnsupportedOption(std::string_view opt) {
  return Concat({"ERR Unsupported option ", CString(opt)});
}

std::string ProtoExpectedDollar(char got) {
  std::string out = "ERR Protocol error: expected '$', got '";
  if (got == '\0') return out;  // printf's %c wrote a NUL into a C string: the text ends there
  out += got;
  out += '\'';
  return out;
}

std::string MisconfAof(int err) {
  return Concat({"MISCONF Errors writing to the AOF file: ", std::strerror(err)});
}

std::string NotAllowedInSubscribeContext(std::string_view name) {
  return Concat({"ERR Can't execute '", CString(name),
                 "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
                 "this context"});
}

std::string ExecAbortBecause(std::string_view reason) {
  if (reason.substr(0, 4) == "ERR ") reason.remove_prefix(4);
  return Concat({"EXECABORT Transaction discarded because of: ", CString(reason)});
}

std::string OutOfRangeBetween(int64_t min, int64_t max) {
  return Concat({"ERR value is out of range, value must between ", Int64ToString(min), " and ",
                 Int64ToString(max)});
}

std::string AtLeastOneInputKey(std::string_view name) {
  return Concat({"ERR at least 1 input key is needed for '", CString(name), "' command"});
}

std::string ConfigSetFailed(std::string_view name, std::string_view reason) {
  return Concat({"ERR CONFIG SET failed (possibly related to argument '", CString(name), "') - ",
                 reason});
}

}  // namespace ember::proto
