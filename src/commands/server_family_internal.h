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

// Redis 7 WATCH semantics for a database that is emptied or swapped: every client watching a key
// of db `emptied` that exists there (or, for SWAPDB, in db `replaced_with`, -1 = none) gets its
// transaction failed. Call BEFORE the database changes. O(clients x watched keys).
void TouchWatchedKeysOnFlush(Server& s, int emptied, int replaced_with);

// The help reply Redis builds with addReplyHelp: "<NAME> <subcommand> [<arg> [value] [opt] ...].
// Subcommands are:", the given lines, then "HELP" / "    Prints this help.".
void ReplyHelp(CommandContext& ctx, std::string_view name, std::initializer_list<const char*> lines);

}  // namespace ember
