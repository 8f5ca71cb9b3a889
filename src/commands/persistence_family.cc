// Persistence commands: SAVE, BGSAVE [SCHEDULE], LASTSAVE.
#include "base/strutil.h"
#include "base/time.h"
#include "core/lru.h"
#include "persist/rdb/dump_payload.h"
#include "persist/rdb/rdb_format.h"
#include "persist/rdb/rdb_object.h"
#include "persist/rdb/rdb_reader.h"
#include "persist/rdb/rdb_writer.h"
#include "commands/families.h"
#include "proto/errors.h"
#include "proto/reply_builder.h"
#include "server/command_table.h"
#include "server/server.h"

namespace ember {

namespace {

void SaveCmd(CommandContext& ctx) {
  if (ctx.server->rdb().child_active()) {
    ctx.reply->Error(proto::kErrBgsaveInProgress);
    return;
  }
  Status st = ctx.server->rdb().Save();
  if (!st.ok()) {
    ctx.reply->Error("ERR");
    return;
  }
  ctx.reply->Ok();
}

void BgsaveCmd(CommandContext& ctx) {
  bool schedule = false;
  if (ctx.argc() > 1) {
    if (ctx.argc() == 2 && EqualsIgnoreCase(ctx.arg(1), "schedule")) {
      schedule = true;
    } else {
      ctx.reply->Error(proto::kErrSyntax);
      return;
    }
  }
  bool scheduled = false;
  Status st = ctx.server->rdb().BackgroundSave(schedule, &scheduled);
  if (!st.ok()) {
    ctx.reply->Error(st.message());
    return;
  }
  ctx.reply->SimpleString(scheduled ? proto::kStatusBgsaveScheduled : proto::kStatusBgsaveStarted);
}

// BGREWRITEAOF: Redis's bgrewriteaofCommand (scheduled while another child runs or inside MULTI).
void BgrewriteaofCmd(CommandContext& ctx) {
  bool scheduled = false;
  Status st = ctx.server->aof().BackgroundRewrite(ctx.client->flags & kClientMulti, &scheduled);
  if (!st.ok()) {
    ctx.reply->Error(st.message());
    return;
  }
  ctx.reply->SimpleString(scheduled ? proto::kStatusAofRewriteScheduled
                                    : proto::kStatusAofRewriteStarted);
}

void LastsaveCmd(CommandContext& ctx) { ctx.reply->Integer(ctx.server->rdb().lastsave()); }

// DUMP key: type byte + value as in an RDB file, then the 2-byte RDB version and a CRC64.
// Version 10, so Redis 7.0 and later accept the payload.
void DumpCmd(CommandContext& ctx) {
  Record* r = ctx.db->LookupRead(ctx.arg(1));
  if (!r) {
    ctx.reply->Null();
    return;
  }
  rdb::BufferSink sink;
  rdb::RdbWriter w(&sink, {ctx.server->cfg().rdbcompression, true});
  Status st = rdb::SaveTypedValue(w, r, rdb::RDB_VERSION);
  if (!st.ok()) {
    ctx.reply->Error("ERR " + st.message());
    return;
  }
  std::string payload = sink.Release();
  rdb::AppendDumpFooter(&payload, rdb::RDB_VERSION);
  ctx.reply->Bulk(payload);
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
void RestoreCmd(CommandContext& ctx) {
  Server& s = *ctx.server;
  bool replace = false, absttl = false;
  int64_t idle = -1, freq = -1;
  for (size_t j = 4; j < ctx.argc(); j++) {
    std::string_view a = ctx.arg(j);
    bool more = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(a, "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(a, "absttl")) {
      absttl = true;
    } else if (EqualsIgnoreCase(a, "idletime") && more && freq == -1) {
      if (!ParseInt64(ctx.arg(++j), &idle)) {
        ctx.reply->Error(proto::kErrNotInteger);
        return;
      }
      if (idle < 0) {
        ctx.reply->Error("ERR Invalid IDLETIME value, must be >= 0");
        return;
      }
    } else if (EqualsIgnoreCase(a, "freq") && more && idle == -1) {
      if (!ParseInt64(ctx.arg(++j), &freq)) {
        ctx.reply->Error(proto::kErrNotInteger);
        return;
      }
      if (freq < 0 || freq > 255) {
        ctx.reply->Error("ERR Invalid FREQ value, must be >= 0 and <= 255");
        return;
      }
    } else {
      ctx.reply->Error(proto::kErrSyntax);
      return;
    }
  }
  int64_t ttl;
  if (!ParseInt64(ctx.arg(2), &ttl)) {
    ctx.reply->Error(proto::kErrNotInteger);
    return;
  }
  if (ttl < 0) {
    ctx.reply->Error("ERR Invalid TTL value, must be >= 0");
    return;
  }
  std::string_view key = ctx.arg(1);
  if (!replace && ctx.db->LookupWrite(key)) {
    ctx.reply->Error(proto::kErrBusyKey);
    return;
  }
  std::string_view payload = ctx.arg(3);
  if (!rdb::VerifyDumpPayload(payload, rdb::RDB_MAX_READABLE_VERSION, s.rdb().skip_checksum())
           .ok()) {
    ctx.reply->Error(proto::kErrDumpPayload);
    return;
  }
  std::string_view body = rdb::DumpPayloadBody(payload);
  rdb::MemorySource src(body);
  rdb::RdbReader reader(&src);
  auto type = reader.LoadType();
  rdb::LoadLimits limits;
  const ServerConfig& c = s.cfg();
  limits.hash_max_listpack_entries = c.hash_max_listpack_entries;
  limits.hash_max_listpack_value = c.hash_max_listpack_value;
  limits.zset_max_listpack_entries = c.zset_max_listpack_entries;
  limits.zset_max_listpack_value = c.zset_max_listpack_value;
  limits.set_max_intset_entries = c.set_max_intset_entries;
  limits.set_max_listpack_entries = c.set_max_listpack_entries;
  limits.set_max_listpack_value = c.set_max_listpack_value;
  limits.list_max_listpack_size = c.list_max_listpack_size;
  limits.list_compress_depth = c.list_compress_depth;
  limits.sanitize = c.sanitize_dump_payload != SanitizeDumpPayload::kNo;
  if (limits.sanitize) s.stats.dump_payload_sanitizations++;
  if (!type.ok() || !rdb::IsObjectType(*type)) {
    ctx.reply->Error(proto::kErrBadDataFormat);
    return;
  }
  auto v = rdb::LoadValue(reader, *type, limits, key);
  if (!v.ok() || reader.offset() != body.size()) {
    if (v.ok()) rdb::DiscardValue(*v);
    ctx.reply->Error(proto::kErrBadDataFormat);
    return;
  }
  int64_t now = UnixMs();
  if (ttl && !absttl) ttl += now;
  bool deleted = false;
  if (replace) deleted = ctx.db->Delete(key);
  if (ttl && ttl < now) {
    // Already expired: nothing is created (and a replaced key stays deleted).
    rdb::DiscardValue(*v);
    if (deleted) {
      s.KeyModified(*ctx.db, key);
      s.NotifyKeyspaceEvent(notify::kGeneric, "del", key, ctx.db->id());
      s.PropagateAs({"DEL", key});
    }
    ctx.reply->Ok();
    return;
  }
  Record* rec = rdb::NewRecordFromLoaded(key, *v, ttl != 0, ttl);
  KeyspaceEnv& env = s.env();
  if (env.lfu) {
    rec->set_lru((LfuMinutes(now) << 8) | static_cast<uint32_t>(freq >= 0 ? freq : kLfuInitVal));
  } else {
    rec->set_lru(LruFromIdleSeconds(env.lru_clock, idle > 0 ? static_cast<uint64_t>(idle) : 0));
  }
  ctx.db->Insert(rec);
  s.KeyModified(*ctx.db, key);
  if (ttl && !absttl && s.propagating()) {
    // A relative TTL is propagated as an absolute one (RESTORE ... ABSTTL).
    std::string abs = std::to_string(ttl);
    std::vector<std::string_view> argv(ctx.args.begin(), ctx.args.end());
    argv[2] = abs;
    argv.push_back("ABSTTL");
    s.PropagateAs(std::span<const std::string_view>(argv));
  }
  s.NotifyKeyspaceEvent(notify::kGeneric, "restore", key, ctx.db->id());
  ctx.reply->Ok();
}

}  // namespace

void RegisterPersistenceFamily(CommandTable& t) {
  t.Register({"save", 1, kCmdAdmin | kCmdNoscript | kCmdNoMulti, 0, 0, 0,
              SaveCmd, "server", "@admin @slow @dangerous"});
  t.Register({"bgsave", -1, kCmdAdmin | kCmdNoscript, 0, 0, 0, BgsaveCmd, "server",
              "@admin @slow @dangerous"});
  t.Register({"bgrewriteaof", 1, kCmdAdmin | kCmdNoscript, 0, 0, 0, BgrewriteaofCmd, "server",
              "@admin @slow @dangerous"});
  t.Register({"dump", 2, kCmdReadonly, 1, 1, 1, DumpCmd, "generic", "@keyspace @read @slow"});
  t.Register({"restore", -4, kCmdWrite | kCmdDenyOom, 1, 1, 1, RestoreCmd, "generic",
              "@keyspace @write @slow @dangerous"});
  t.Register({"lastsave", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, LastsaveCmd, "server",
              "@admin @fast @dangerous"});
}

}  // namespace ember
