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
  kCmdSkipSlowlog = 1u << 16,
  kCmdNoMandatoryKeys = 1u << 17,
  kCmdNoAsyncLoading = 1u << 18,
  kCmdMovableKeys = 1u << 19,  // keys are not a first/last/step range: set get_keys
};

// Redis's names of the flags COMMAND INFO shows, in Redis's order (may_replicate, protected and
// touches-arbitrary-keys are hidden there too).
struct CommandFlagName {
  uint32_t flag;
  const char* name;
};
inline constexpr CommandFlagName kCommandFlagNames[] = {
    {kCmdWrite, "write"},         {kCmdReadonly, "readonly"},
    {kCmdDenyOom, "denyoom"},     {kCmdAdmin, "admin"},
    {kCmdPubsub, "pubsub"},       {kCmdNoscript, "noscript"},
    {kCmdBlocking, "blocking"},   {kCmdLoading, "loading"},
    {kCmdStale, "stale"},         {kCmdSkipMonitor, "skip_monitor"},
    {kCmdSkipSlowlog, "skip_slowlog"}, {kCmdFast, "fast"},
    {kCmdNoAuth, "no_auth"},      {kCmdNoMandatoryKeys, "no_mandatory_keys"},
    {kCmdNoAsyncLoading, "no_async_loading"}, {kCmdNoMulti, "no_multi"},
    {kCmdMovableKeys, "movablekeys"}, {kCmdAllowBusy, "allow_busy"},
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
// Key positions of an invocation whose keys are not a fixed range (ZUNIONSTORE's numkeys, SORT's
// STORE, ...). Returns argument indexes; an empty vector when there are none.
using GetKeysProc = std::vector<int> (*)(std::span<const std::string_view> args);

struct CommandStats;

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
  // This row's commandstats entry, cached by ServerStats::For (one map lookup per command name for
  // the server's lifetime instead of one per call).
  mutable CommandStats* stats_cache = nullptr;

  // ---- COMMAND DOCS / COMMAND INFO metadata (all optional; empty = not reported) ----
  const char* summary = "";     // "Get the value of a key"
  const char* since = "";       // "1.0.0"
  const char* complexity = "";  // "O(1)"
  // Arguments in a compact form of Redis's usage syntax, parsed by server/command_docs.h:
  //   "key value [NX|XX] [GET] [expiration:EX seconds:integer|PX milliseconds:integer|KEEPTTL]"
  // See ParseDocArgs for the grammar.
  const char* doc_args = "";
  // COMMAND INFO tips, space separated ("nondeterministic_output request_policy:all_shards").
  const char* tips = "";
  // Key-spec flags of the (single) key spec COMMAND INFO reports, space separated ("RW access
  // update"); empty = derived from the command flags (write: "RW update", else "RO access").
  const char* key_spec_flags = "";
  // For kCmdMovableKeys commands: where the keys are (COMMAND GETKEYS, WATCH-free checks).
  GetKeysProc get_keys = nullptr;

  bool IsWrite() const { return flags & kCmdWrite; }
};

// Key positions of a concrete invocation (for WATCH-free checks, COMMAND GETKEYS, propagation).
std::vector<int> CommandKeyPositions(const CommandSpec& spec, size_t argc);
// The same, using spec.get_keys when the command has one.
std::vector<int> CommandKeyPositions(const CommandSpec& spec,
                                     std::span<const std::string_view> args);

}  // namespace ember
