// Server commands: INFO, CONFIG, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, SHUTDOWN.
// DEBUG, MEMORY and COMMAND live in their own files (server_family_internal.h).
//
// INFO's text is built by server/info.cc; CONFIG is a thin layer over server/config.h, whose
// Status messages are already the exact Redis reply texts.
//
// FLUSHALL stops a BGSAVE in progress and, with save points configured, saves the empty dataset.
// SHUTDOWN saves a final snapshot when save points are configured (or with SAVE; NOSAVE skips it)
// and is refused when that snapshot fails, unless FORCE (Server::PrepareForShutdown).
#include <sys/time.h>

#include <string>
#include <vector>

#include "base/log.h"
#include "base/strutil.h"
#include "commands/families.h"
#include "commands/server_family_internal.h"
#include "memory/alloc.h"
#include "proto/errors.h"
#include "server/command_table.h"
#include "server/info.h"
#include "server/server.h"

namespace ember {

// ---- shared helpers ---------------------------------------------------------------------------

bool IsLocalClient(const Client& c) {
  if (c.flags & kClientUnixSocket) return true;
  return c.addr.rfind("127.0.0.1:", 0) == 0 || c.addr.rfind("::1:", 0) == 0 ||
         c.addr.rfind("[::1]:", 0) == 0;
}

void ReplyHelp(CommandContext& ctx, std::string_view name, std::initializer_list<const char*> lines) {
  ctx.reply->ArrayLen(lines.size() + 3);
  std::string head(name);
  head += " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:";
  ctx.reply->SimpleString(head);
  for (const char* l : lines) ctx.reply->SimpleString(l);
  ctx.reply->SimpleString("HELP");
  ctx.reply->SimpleString("    Prints this help.");
}

namespace {

// ---- INFO -------------------------------------------------------------------------------------

void InfoCommand(CommandContext& ctx) {
  std::string text = GenInfoString(*ctx.server, ctx.args.subspan(1));
  ctx.reply->Verbatim(text);
}

// ---- CONFIG -----------------------------------------------------------------------------------

void ConfigGetCommand(CommandContext& ctx) {
  std::vector<std::string> patterns;
  for (size_t i = 2; i < ctx.argc(); i++) patterns.emplace_back(ctx.arg(i));
  auto entries = ctx.server->config().Get(patterns);
  ctx.reply->MapLen(entries.size());
  for (const auto& e : entries) {
    ctx.reply->Bulk(e.name);
    ctx.reply->Bulk(e.value);
  }
}

void ConfigSetCommand(CommandContext& ctx) {
  std::vector<std::string> args;
  for (size_t i = 2; i < ctx.argc(); i++) args.emplace_back(ctx.arg(i));
  Status st = ctx.server->config().Set(args, IsLocalClient(*ctx.client));
  if (!st.ok()) {
    ctx.reply->Error(st.message());
    return;
  }
  ctx.reply->Ok();
}

void ConfigResetstatCommand(CommandContext& ctx) {
  Server& s = *ctx.server;
  s.stats.ResetCounters();
  s.env().stats = KeyspaceStats{};
  s.ResetMemoryStats();
  s.loop().ResetPollStats();
  mem::ResetPeak();
  ctx.reply->Ok();
}

void ConfigRewriteCommand(CommandContext& ctx) {
  Status st = ctx.server->config().Rewrite();
  if (!st.ok()) {
    if (st.message().rfind("Rewriting config file", 0) == 0) {
      LOG_WARNING("CONFIG REWRITE failed: %s", st.message().c_str());
    }
    ctx.reply->Error("ERR " + st.message());
    return;
  }
  LOG_NOTICE("CONFIG REWRITE executed with success.");
  ctx.reply->Ok();
}

void ConfigHelpCommand(CommandContext& ctx) {
  ReplyHelp(ctx, "CONFIG",
            {"GET <pattern>",
             "    Return parameters matching the glob-like <pattern> and their values.",
             "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
             "RESETSTAT", "    Reset statistics reported by the INFO command.", "REWRITE",
             "    Rewrite the configuration file."});
}

// ---- keyspace-wide commands -------------------------------------------------------------------

void DbsizeCommand(CommandContext& ctx) {
  ctx.reply->Integer(static_cast<int64_t>(ctx.db->Size()));
}

// [ASYNC|SYNC]; returns false after replying with a syntax error.
bool ParseFlushMode(CommandContext& ctx, bool* lazy) {
  *lazy = ctx.server->cfg().lazyfree_lazy_user_flush;
  if (ctx.argc() == 1) return true;
  if (ctx.argc() == 2) {
    if (EqualsIgnoreCase(ctx.arg(1), "sync")) {
      *lazy = false;
      return true;
    }
    if (EqualsIgnoreCase(ctx.arg(1), "async")) {
      *lazy = true;
      return true;
    }
  }
  ctx.reply->Error(proto::kErrSyntax);
  return false;
}

// Empties one database as Redis's emptyData does for it; returns the number of keys removed.
uint64_t EmptyDb(Server& s, int id, bool lazy) {
  s.TouchAllWatchedKeysInDb(id);  // before the keys are gone
  Database& db = s.db(id);
  uint64_t n = db.Size();
  db.Clear(lazy);
  return n;
}

void FlushdbCommand(CommandContext& ctx) {
  bool lazy;
  if (!ParseFlushMode(ctx, &lazy)) return;
  ctx.server->dirty += EmptyDb(*ctx.server, ctx.db->id(), lazy);
  ctx.server->ForcePropagation();  // into the AOF even when the database was already empty
  ctx.reply->Ok();
}

void FlushallCommand(CommandContext& ctx) {
  bool lazy;
  if (!ParseFlushMode(ctx, &lazy)) return;
  Server& s = *ctx.server;
  uint64_t removed = 0;
  for (int i = 0; i < s.DatabaseCount(); i++) removed += EmptyDb(s, i, lazy);
  s.dirty += removed;
  // As Redis: a snapshot in progress would write the old data, so it is stopped; with save points
  // configured the (empty) dataset is saved at once, so a restart cannot bring the old dump back.
  s.rdb().KillChild();  // no-op unless an RDB child is running
  // (The save resets the dirty counter, as in Redis 7: rdb_changes_since_last_save reads 0.)
  if (!s.cfg().save.empty()) (void)s.rdb().Save();
  s.ForcePropagation();  // into the AOF even when the databases were already empty
  ctx.reply->Ok();
}

void SwapdbCommand(CommandContext& ctx) {
  int64_t a, b;
  if (!ParseInt64(ctx.arg(1), &a) || a < INT32_MIN || a > INT32_MAX) {
    ctx.reply->Error("ERR invalid first DB index");
    return;
  }
  if (!ParseInt64(ctx.arg(2), &b) || b < INT32_MIN || b > INT32_MAX) {
    ctx.reply->Error("ERR invalid second DB index");
    return;
  }
  Server& s = *ctx.server;
  if (a < 0 || a >= s.DatabaseCount() || b < 0 || b >= s.DatabaseCount()) {
    ctx.reply->Error(proto::kErrDbIndexOutOfRange);
    return;
  }
  if (a != b) {
    int ia = static_cast<int>(a), ib = static_cast<int>(b);
    // Redis also dirties watchers of a key that exists only in the other database (it appears
    // after the swap); TouchAllWatchedKeysInDb covers the keys present in each database now.
    s.TouchAllWatchedKeysInDb(ia);
    s.TouchAllWatchedKeysInDb(ib);
    s.db(ia).SwapWith(s.db(ib));
  }
  s.dirty++;
  ctx.reply->Ok();
}

void TimeCommand(CommandContext& ctx) {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  ctx.reply->ArrayLen(2);
  ctx.reply->BulkInt(tv.tv_sec);
  ctx.reply->BulkInt(tv.tv_usec);
}


// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]
void ShutdownCommand(CommandContext& ctx) {
  bool nosave = false, save = false, now = false, force = false, abort = false;
  for (size_t i = 1; i < ctx.argc(); i++) {
    std::string_view a = ctx.arg(i);
    if (EqualsIgnoreCase(a, "nosave")) {
      nosave = true;
    } else if (EqualsIgnoreCase(a, "save")) {
      save = true;
    } else if (EqualsIgnoreCase(a, "now")) {
      now = true;
    } else if (EqualsIgnoreCase(a, "force")) {
      force = true;
    } else if (EqualsIgnoreCase(a, "abort")) {
      abort = true;
    } else {
      ctx.reply->Error(proto::kErrSyntax);
      return;
    }
  }
  if ((abort && (nosave || save || now || force)) || (nosave && save)) {
    ctx.reply->Error(proto::kErrSyntax);
    return;
  }
  if (abort) {
    // Ember shuts down synchronously: there is never a shutdown in progress to abort.
    ctx.reply->Error("ERR No shutdown in progress.");
    return;
  }
  (void)now;  // no replicas to wait for: NOW changes nothing
  if (!ctx.server->PrepareForShutdown(save, nosave, force)) {
    ctx.reply->Error("ERR Errors trying to SHUTDOWN. Check logs.");
    return;
  }
  // Success: no reply; the connection closes and the process exits 0 when the loop stops.
  ctx.server->shutdown_exit_code = 0;
  ctx.server->CloseClientAsync(ctx.client);
  ctx.server->loop().Stop();
}

constexpr uint32_t kAdminLs = kCmdAdmin | kCmdNoscript | kCmdLoading | kCmdStale;

}  // namespace

void RegisterServerFamily(CommandTable& t) {
  t.Register(WithDocs({"info", -1, kCmdLoading | kCmdStale, 0, 0, 0, InfoCommand, "server",
                       "@slow @dangerous"},
                      "Returns information and statistics about the server.", "1.0.0", "O(1)",
                      "[section...]",
                      "nondeterministic_output request_policy:all_shards response_policy:special"));

  constexpr const char* kAllNodes = "request_policy:all_nodes response_policy:all_succeeded";
  constexpr const char* kAdminCats = "@admin @slow @dangerous";
  CommandSpec config = WithDocs({"config", -2, 0, 0, 0, 0, nullptr, "server", "@slow"},
                                "A container for server configuration commands.", "2.0.0",
                                "Depends on subcommand.");
  config.subcommands = {
      WithDocs({"config|get", -3, kAdminLs, 0, 0, 0, ConfigGetCommand, "server", kAdminCats},
               "Returns the effective values of configuration parameters.", "2.0.0",
               "O(N) when N is the number of configuration parameters provided", "parameter..."),
      WithDocs({"config|set", -4, kAdminLs, 0, 0, 0, ConfigSetCommand, "server", kAdminCats},
               "Sets configuration parameters in-flight.", "2.0.0",
               "O(N) when N is the number of configuration parameters provided",
               "data=(parameter value)...", kAllNodes),
      WithDocs({"config|resetstat", 2, kAdminLs, 0, 0, 0, ConfigResetstatCommand, "server",
                kAdminCats},
               "Resets the server's statistics.", "2.0.0", "O(1)", "", kAllNodes),
      WithDocs({"config|rewrite", 2, kAdminLs, 0, 0, 0, ConfigRewriteCommand, "server",
                kAdminCats},
               "Persists the effective configuration to file.", "2.8.0", "O(1)", "", kAllNodes),
      WithDocs({"config|help", 2, kCmdLoading | kCmdStale, 0, 0, 0, ConfigHelpCommand, "server",
                "@slow"},
               "Returns helpful text about the different subcommands.", "5.0.0", "O(1)"),
  };
  t.Register(std::move(config));

  t.Register(WithDocs({"dbsize", 1, kCmdReadonly | kCmdFast, 0, 0, 0, DbsizeCommand, "server",
                       "@keyspace @read @fast"},
                      "Returns the number of keys in the database.", "1.0.0", "O(1)", "",
                      "request_policy:all_shards response_policy:agg_sum"));
  constexpr const char* kAllShards = "request_policy:all_shards response_policy:all_succeeded";
  t.Register(WithDocs({"flushdb", -1, kCmdWrite, 0, 0, 0, FlushdbCommand, "server",
                       "@keyspace @write @slow @dangerous"},
                      "Remove all keys from the current database.", "1.0.0",
                      "O(N) where N is the number of keys in the selected database",
                      "[flush-type=ASYNC|SYNC]", kAllShards));
  t.Register(WithDocs({"flushall", -1, kCmdWrite, 0, 0, 0, FlushallCommand, "server",
                       "@keyspace @write @slow @dangerous"},
                      "Removes all keys from all databases.", "1.0.0",
                      "O(N) where N is the total number of keys in all databases",
                      "[flush-type=ASYNC|SYNC]", kAllShards));
  t.Register(WithDocs({"swapdb", 3, kCmdWrite | kCmdFast, 0, 0, 0, SwapdbCommand, "server",
                       "@keyspace @write @fast @dangerous"},
                      "Swaps two Redis databases.", "4.0.0",
                      "O(N) where N is the count of clients watching or blocking on keys from "
                      "both databases.",
                      "index1:integer index2:integer"));
  t.Register(WithDocs({"time", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, TimeCommand,
                       "server", "@fast"},
                      "Returns the server time.", "2.6.0", "O(1)", "", "nondeterministic_output"));

  // LASTSAVE belongs to the persistence family (persistence_family.cc).

  t.Register(WithDocs({"shutdown", -1, kAdminLs | kCmdNoMulti | kCmdAllowBusy, 0, 0, 0,
                       ShutdownCommand, "server", kAdminCats},
                      "Synchronously saves the database(s) to disk and shuts down the Redis "
                      "server.",
                      "1.0.0",
                      "O(N) when saving, where N is the total number of keys in all databases "
                      "when saving data, otherwise O(1)",
                      "[save-selector=NOSAVE|SAVE] [NOW] [FORCE] [ABORT]"));

  RegisterDebugCommand(t);
  RegisterMemoryCommand(t);
  RegisterCommandCommand(t);
}

}  // namespace ember
