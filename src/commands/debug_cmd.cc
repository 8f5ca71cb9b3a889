// DEBUG: the subset of Redis's debugging subcommands Ember implements, with Redis's replies.
//
// Gated by enable-debug-command: `no` refuses with Redis's text, `local` allows loopback and
// unix-socket clients only, `yes` allows everyone. (Redis refuses in processCommand, counting a
// rejected call; Ember refuses in the handler, counting a failed call.)
//
// Implemented: CHANGE-REPL-ID, DIGEST, DIGEST-VALUE, ERROR, LOG, OBJECT, POPULATE, RELOAD,
// SET-ACTIVE-EXPIRE, QUICKLIST-PACKED-THRESHOLD, SET-SKIP-CHECKSUM-VALIDATION, SLEEP, HELP.
// Anything else gets Redis's "unknown subcommand or wrong number of arguments" error, as does a
// known subcommand with the wrong number of arguments.
//
// DIGEST / DIGEST-VALUE are computed as Redis computes them (core/digest.h), so equal datasets
// give equal digests on both servers. RELOAD saves and loads through RdbControl; unlike Redis, a
// load that fails leaves the dataset as it was, and NOFLUSH without MERGE refuses a duplicate key
// with an error instead of killing the server.
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/log.h"
#include "base/strutil.h"
#include "commands/server_family_internal.h"
#include "core/digest.h"
#include "core/lru.h"
#include "persist/rdb/rdb_object.h"
#include "persist/rdb/rdb_writer.h"
#include "proto/errors.h"
#include "server/command_table.h"
#include "server/rdb_control.h"
#include "server/server.h"
#include "types/quicklist.h"

namespace ember {

namespace {

void SubcommandSyntaxError(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  if (sub.size() > 128) sub = sub.substr(0, 128);
  std::string msg = "ERR unknown subcommand or wrong number of arguments for '";
  msg.append(sub);
  msg += "'. Try DEBUG HELP.";
  ctx.reply->Error(msg);
}

// The length RDB writes for the value (Redis's rdbSavedObjectLen: the value without type byte
// and key), from the real serializer. A type whose layout is not built yet reports 0.
size_t SerializedLength(Server& s, const Record* r) {
  rdb::BufferSink sink;
  rdb::RdbWriterOptions opts;
  opts.compression = s.cfg().rdbcompression;
  rdb::RdbWriter w(&sink, opts);
  if (!rdb::SaveValue(w, r, rdb::RDB_VERSION).ok()) return 0;
  return sink.buffer().size();
}

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]
void DebugReload(CommandContext& ctx) {
  bool flush = true, save = true, merge = false;
  for (size_t j = 2; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    if (EqualsIgnoreCase(opt, "merge")) {
      merge = true;
    } else if (EqualsIgnoreCase(opt, "noflush")) {
      flush = false;
    } else if (EqualsIgnoreCase(opt, "nosave")) {
      save = false;
    } else {
      ctx.reply->Error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
      return;
    }
  }
  const char* stage = "";
  Status st = ctx.server->rdb().Reload(save, flush, merge, &stage);
  if (!st.ok()) {
    // Redis replies its shared "-ERR" when the save fails.
    ctx.reply->Error(std::string_view(stage) == "save" ? "ERR"
                                                       : "ERR Error trying to load the RDB dump");
    return;
  }
  ctx.reply->Ok();
}

// DEBUG DIGEST-VALUE key [key ...]: one digest per key (40 zeros for a missing or expired key).
void DebugDigestValue(CommandContext& ctx) {
  ctx.reply->ArrayLen(ctx.argc() - 2);
  for (size_t j = 2; j < ctx.argc(); j++) {
    Record* r = ctx.db->Lookup(ctx.arg(j), kLookupNoTouch | kLookupNoStats | kLookupNoExpire);
    ctx.reply->SimpleString(ValueDigest(r));  // status replies, as Redis
  }
}

void DebugObject(CommandContext& ctx) {
  Record* r = ctx.db->Find(ctx.arg(2));
  if (!r) {
    ctx.reply->Error(proto::kErrNoSuchKey);
    return;
  }
  Server& s = *ctx.server;
  // Small integers are shared objects in Redis (refcount INT_MAX) unless the policy needs
  // per-object LRU/LFU bits.
  int refcount = 1;
  if (r->type() == ObjType::kString && r->encoding() == Encoding::kInt && r->int_value() >= 0 &&
      r->int_value() < kSharedIntegers) {
    MaxmemoryPolicy p = s.cfg().maxmemory_policy;
    bool no_shared = p == MaxmemoryPolicy::kAllkeysLru || p == MaxmemoryPolicy::kVolatileLru ||
                     p == MaxmemoryPolicy::kAllkeysLfu || p == MaxmemoryPolicy::kVolatileLfu;
    if (s.cfg().maxmemory == 0 || !no_shared) refcount = 2147483647;
  }
  uint32_t lru = r->lru();
  uint64_t idle = LruIdleMs(LruClockFromMs(s.cmd_time_ms), lru) / 1000;
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "Value at:%p refcount:%d encoding:%s serializedlength:%zu lru:%u "
                "lru_seconds_idle:%llu",
                static_cast<const void*>(r), refcount, EncodingName(r->encoding()),
                SerializedLength(s, r), lru, static_cast<unsigned long long>(idle));
  ctx.reply->SimpleString(buf);
}

// DEBUG POPULATE <count> [<prefix>] [<size>]
void DebugPopulate(CommandContext& ctx) {
  int64_t keys, valsize = 0;
  if (!ParseInt64(ctx.arg(2), &keys) || keys < 0) {
    ctx.reply->Error(proto::kErrOutOfRangePositive);
    return;
  }
  if (ctx.argc() == 5 && (!ParseInt64(ctx.arg(4), &valsize) || valsize < 0)) {
    ctx.reply->Error(proto::kErrOutOfRangePositive);
    return;
  }
  std::string prefix = ctx.argc() >= 4 ? std::string(ctx.arg(3)) : std::string("key");
  Database& db = *ctx.db;
  Server& s = *ctx.server;
  char buf[128];
  for (int64_t j = 0; j < keys; j++) {
    // Redis formats into a 128-byte buffer: long prefixes are cut the same way.
    std::snprintf(buf, sizeof(buf), "%s:%llu", prefix.c_str(), static_cast<unsigned long long>(j));
    std::string key(buf);
    if (db.LookupWrite(key)) continue;
    std::snprintf(buf, sizeof(buf), "value:%llu", static_cast<unsigned long long>(j));
    std::string val(buf);
    if (valsize > 0) val.resize(static_cast<size_t>(valsize), '\0');
    db.Add(key, ValueInit::FromString(val));
    s.TouchWatchedKey(db.id(), key);
  }
  ctx.reply->Ok();
}

std::string RandomHex40() {
  static const char kHex[] = "0123456789abcdef";
  unsigned char raw[20] = {};
  FILE* f = std::fopen("/dev/urandom", "r");
  size_t got = f ? std::fread(raw, 1, sizeof(raw), f) : 0;
  if (f) std::fclose(f);
  for (size_t i = got; i < sizeof(raw); i++) raw[i] = static_cast<unsigned char>(std::rand());
  std::string out(40, '0');
  for (size_t i = 0; i < 20; i++) {
    out[2 * i] = kHex[raw[i] >> 4];
    out[2 * i + 1] = kHex[raw[i] & 15];
  }
  return out;
}

void DebugHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "DEBUG",
            {"CHANGE-REPL-ID",
             "    Change the replication IDs of the instance.",
             "    Dangerous: should be used only for testing the replication subsystem.",
             "DIGEST",
             "    Output a hex signature representing the current DB content.",
             "DIGEST-VALUE <key> [<key> ...]",
             "    Output a hex signature of the values of all the specified keys.",
             "ERROR <string>",
             "    Return a Redis protocol error with <string> as message. Useful for clients",
             "    unit tests to simulate Redis errors.",
             "LOG <message>",
             "    Write <message> to the server log.",
             "OBJECT <key>",
             "    Show low level info about `key` and associated value.",
             "POPULATE <count> [<prefix>] [<size>]",
             "    Create <count> string keys named key:<num>. If <prefix> is specified then",
             "    it is used instead of the 'key' prefix. These are not propagated to",
             "    replicas. Cluster slots are not respected so keys not belonging to the",
             "    current node can be created in cluster mode.",
             "RELOAD [option ...]",
             "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
             "    * MERGE: conflicting keys will be loaded from RDB.",
             "    * NOFLUSH: the existing database will not be removed before load, but",
             "      conflicting keys will generate an exception and kill the server.",
             "    * NOSAVE: the database will be loaded from an existing RDB file.",
             "    Examples:",
             "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
             "      the database.",
             "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
             "      existing RDB file.",
             "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
             "      file to the database.",
             "SET-ACTIVE-EXPIRE <0|1>",
             "    Setting it to 0 disables expiring keys in background when they are not",
             "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
             "    default.",
             "QUICKLIST-PACKED-THRESHOLD <size>",
             "    Sets the threshold for elements to be inserted as plain vs packed nodes",
             "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
             "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
             "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
             "SLEEP <seconds>",
             "    Stop the server for <seconds>. Decimals allowed."});
}

void DebugCommand(CommandContext& ctx) {
  const ServerConfig& cfg = ctx.server->cfg();
  if (cfg.enable_debug_command == ProtectedAction::kNo ||
      (cfg.enable_debug_command == ProtectedAction::kLocal && !IsLocalClient(*ctx.client))) {
    ctx.reply->Error(proto::kErrDebugDisabled);
    return;
  }
  std::string_view sub = ctx.arg(1);
  size_t argc = ctx.argc();
  auto is = [&](const char* name) { return EqualsIgnoreCase(sub, name); };
  if (is("help") && argc == 2) {
    DebugHelp(ctx);
  } else if (is("sleep") && argc == 3) {
    // strtod semantics: garbage sleeps 0 seconds; a negative time does not sleep.
    std::string arg(ctx.arg(2));
    double secs = std::strtod(arg.c_str(), nullptr);
    long long us = static_cast<long long>(secs * 1000000);
    if (us > 0) {
      struct timespec ts;
      ts.tv_sec = static_cast<time_t>(us / 1000000);
      ts.tv_nsec = static_cast<long>((us % 1000000) * 1000);
      nanosleep(&ts, nullptr);
    }
    ctx.reply->Ok();
  } else if (is("digest") && argc == 2) {
    ctx.reply->SimpleString(DatasetDigest(ctx.server->databases()));
  } else if (is("digest-value") && argc >= 2) {
    DebugDigestValue(ctx);
  } else if (is("reload")) {
    DebugReload(ctx);
  } else if (is("set-skip-checksum-validation") && argc == 3) {
    std::string arg(ctx.arg(2));
    ctx.server->rdb().set_skip_checksum(std::atoi(arg.c_str()) != 0);
    ctx.reply->Ok();
  } else if (is("object") && argc == 3) {
    DebugObject(ctx);
  } else if (is("populate") && argc >= 3 && argc <= 5) {
    DebugPopulate(ctx);
  } else if (is("set-active-expire") && argc == 3) {
    std::string arg(ctx.arg(2));
    ctx.server->active_expire_enabled = std::atoi(arg.c_str()) != 0;
    ctx.reply->Ok();
  } else if (is("quicklist-packed-threshold") && argc == 3) {
    uint64_t sz;
    if (!ParseMemory(ctx.arg(2), &sz) || !ql::SetPackedThreshold(sz)) {
      ctx.reply->Error("ERR argument must be a memory value bigger than 1 and smaller than 4gb");
      return;
    }
    ctx.reply->Ok();
  } else if (is("log") && argc == 3) {
    std::string msg(ctx.arg(2));
    LOG_WARNING("DEBUG LOG: %s", msg.c_str());
    ctx.reply->Ok();
  } else if (is("error") && argc == 3) {
    // Redis sends '-' followed by the argument verbatim ("-WRONG x" becomes "--WRONG x"); Error()
    // drops one leading '-', the one added here.
    ctx.reply->Error("-" + std::string(ctx.arg(2)));
  } else if (is("change-repl-id") && argc == 2) {
    Server& s = *ctx.server;
    LOG_NOTICE("Changing replication IDs after receiving DEBUG change-repl-id");
    s.replid = RandomHex40();
    s.replid2 = std::string(40, '0');
    s.second_repl_offset = -1;
    ctx.reply->Ok();
  } else {
    SubcommandSyntaxError(ctx);
  }
}

}  // namespace

void RegisterDebugCommand(CommandTable& t) {
  t.Register(WithDocs({"debug", -2, kCmdAdmin | kCmdNoscript | kCmdLoading | kCmdStale, 0, 0, 0,
                       DebugCommand, "server", "@admin @slow @dangerous"},
                      "A container for debugging commands.", "1.0.0", "Depends on subcommand."));
}

}  // namespace ember
