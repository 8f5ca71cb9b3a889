// The command table's row and the context a command runs in.
//
// Every command is one CommandSpec (name, arity, flags, key positions, handler), registered by its
// family file (src/commands/*_family.cc) through a Register*Family() function. The dispatcher
// (server/dispatch.cc) checks arity, authentication, transaction state, memory and persistence
// errors from the flags before calling the handler, so handlers only deal with their own syntax.
//
// A handler parses its arguments, does the data work on ctx.db, and writes exactly one reply
// (RESP2 or RESP3, chosen by the ReplyBuilder) — or, for blocking commands, parks the client.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

class Client;
class Server;
class Database;
namespace proto {
class ReplyBuilder;
}

// Redis's command flags (the subset Ember uses), reported by COMMAND INFO under their Redis names.
enum CommandFlag : uint32_t {
  kCmdWrite = 1u << 0,
  kCmdReadonly = 1u << 1,
  kCmdDenyOom = 1u << 2,
  kCmdAdmin = 1u << 3,
  kCmdPubsub = 1u << 4,
  kCmdNoscript = 1u << 5,
  kCmdBlocking = 1u << 6,
  kCmdLoading = 1u << 7,    // allowed while loading
  kCmdStale = 1u << 8,
  kCmdSkipMonitor = 1u << 9,
  kCmdFast = 1u << 10,
  kCmdNoAuth = 1u << 11,    // allowed before AUTH
  kCmdMayReplicate = 1u << 12,
  kCmdNoMulti = 1u << 13,   // not allowed inside MULTI
  kCmdAllowBusy = 1u << 14,
  kCmdTouchesArbitraryKeys = 1u << 15,
};

struct CommandContext {
  std::span<const std::string_view> args;  // args[0] is the command name as typed
  Client* client = nullptr;
  Server* server = nullptr;
  Database* db = nullptr;                   // the client's selected database
  proto::ReplyBuilder* reply = nullptr;

  size_t argc() const { return args.size(); }
  std::string_view arg(size_t i) const { return args[i]; }
};

using CommandHandler = void (*)(CommandContext& ctx);

struct CommandSpec {
  const char* name;          // lower case
  int arity;                 // > 0 exact, < 0 at least -arity
  uint32_t flags;
  int first_key;             // 0 = no keys
  int last_key;              // -1 = last argument, -2 = one before, ...
  int key_step;
  CommandHandler handler;
  const char* group = "generic";      // COMMAND DOCS group
  const char* acl_categories = "";    // "@read @string @fast" as COMMAND INFO shows them
  std::vector<CommandSpec> subcommands = {};  // CONFIG GET, CLIENT LIST, ... (name "config|get")

  bool IsWrite() const { return flags & kCmdWrite; }
};

// Key positions of a concrete invocation (for WATCH-free checks, COMMAND GETKEYS, propagation).
std::vector<int> CommandKeyPositions(const CommandSpec& spec, size_t argc);

}  // namespace ember
