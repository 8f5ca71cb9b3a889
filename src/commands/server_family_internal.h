// Shared pieces of the server command family, which is split by concern:
//   server_family.cc  INFO CONFIG DBSIZE FLUSHDB FLUSHALL SWAPDB TIME SHUTDOWN
//   debug_cmd.cc      DEBUG
//   memory_cmd.cc     MEMORY
//   command_cmd.cc    COMMAND
// Each file contributes rows to RegisterServerFamily (server_family.cc).
#pragma once

#include <string_view>

#include "server/command.h"

namespace ember {

class Client;
class CommandTable;
class Server;

void RegisterDebugCommand(CommandTable& t);
void RegisterMemoryCommand(CommandTable& t);
void RegisterCommandCommand(CommandTable& t);

// A loopback TCP or unix-socket client (Redis's islocalClient).
bool IsLocalClient(const Client& c);

// The help reply Redis builds with addReplyHelp: "<NAME> <subcommand> [<arg> [value] [opt] ...].
// Subcommands are:", the given lines, then "HELP" / "    Prints this help.".
void ReplyHelp(CommandContext& ctx, std::string_view name, std::initializer_list<const char*> lines);

// `spec` with its COMMAND DOCS / COMMAND INFO fields set, so one row of the table is one expression:
//   t.Register(WithDocs({"time", 1, kCmdFast, 0, 0, 0, TimeCommand, "server", "@fast"},
//                       "Returns the server time.", "2.6.0", "O(1)", "", "nondeterministic_output"));
// The strings are not copied: pass literals.
inline CommandSpec WithDocs(CommandSpec spec, const char* summary, const char* since,
                            const char* complexity, const char* doc_args = "",
                            const char* tips = "") {
  spec.summary = summary;
  spec.since = since;
  spec.complexity = complexity;
  spec.doc_args = doc_args;
  spec.tips = tips;
  return spec;
}

}  // namespace ember
