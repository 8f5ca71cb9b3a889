// Argument parsers, expire-time rules and write bookkeeping shared by the keyspace families.
#include "commands/keyspace_util.h"

#include <climits>

#include "base/strutil.h"
#include "proto/errors.h"
#include "proto/reply_builder.h"
#include "server/server.h"

namespace ember::keyspace {

bool OptIs(std::string_view arg, std::string_view name) { return EqualsIgnoreCase(arg, name); }

bool ParseInt64OrReply(CommandContext& ctx, std::string_view arg, int64_t* out) {
  if (ParseInt64(arg, out)) return true;
  ctx.reply->Error(proto::kErrNotInteger);
  return false;
}

bool ParseIntOrReply(CommandContext& ctx, std::string_view arg, int* out) {
  int64_t v;
  if (!ParseInt64OrReply(ctx, arg, &v)) return false;
  if (v < INT_MIN || v > INT_MAX) {
    ctx.reply->Error(proto::OutOfRangeBetween(INT_MIN, INT_MAX));
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

bool ParseDbIndexOrReply(CommandContext& ctx, std::string_view arg, int* out) {
  if (!ParseIntOrReply(ctx, arg, out)) return false;
  if (*out < 0 || *out >= ctx.server->DatabaseCount()) {
    ctx.reply->Error(proto::kErrDbIndexOutOfRange);
    return false;
  }
  return true;
}

bool ParseSetExpireOrReply(CommandContext& ctx, std::string_view cmd, std::string_view arg,
                           bool seconds, bool relative, int64_t* out) {
  int64_t v;
  if (!ParseInt64OrReply(ctx, arg, &v)) return false;
  bool bad = v <= 0 || (seconds && v > LLONG_MAX / 1000);
  if (!bad) {
    if (seconds) v *= 1000;
    // Redis adds without an overflow check and then rejects a non-positive sum; the sum of two
    // positive values only goes non-positive by wrapping, so an overflow is the same rejection.
    if (relative && __builtin_add_overflow(v, ctx.server->env().now_ms, &v)) bad = true;
  }
  if (bad || v <= 0) {
    ctx.reply->Error(proto::InvalidExpireTime(cmd));
    return false;
  }
  *out = v;
  return true;
}

bool AlreadyExpired(const CommandContext& ctx, int64_t when_ms) {
  return when_ms <= ctx.server->env().now_ms && !ctx.server->env().loading;
}

void ReplyStringValue(CommandContext& ctx, const Record* r) {
  switch (r->encoding()) {
    case Encoding::kInt: ctx.reply->BulkInt(r->int_value()); return;
    case Encoding::kEmbstr: ctx.reply->Bulk(r->embstr()); return;
    default: ctx.reply->Bulk(r->as<RawString>()->view()); return;
  }
}

void Modified(CommandContext& ctx, Database& db, std::string_view key, int type,
              std::string_view event) {
  ctx.server->KeyModified(db, key);
  ctx.server->NotifyKeyspaceEvent(type, event, key, db.id());
}

void NotifyNew(CommandContext& ctx, Database& db, std::string_view key) {
  ctx.server->NotifyKeyspaceEvent(notify::kNew, "new", key, db.id());
}

int64_t RefCount(const CommandContext& ctx, const Record* r) {
  if (r->type() == ObjType::kString && r->encoding() == Encoding::kInt) {
    int64_t v = r->int_value();
    const ServerConfig& c = ctx.server->cfg();
    bool lru_or_lfu = c.maxmemory_policy == MaxmemoryPolicy::kAllkeysLru ||
                      c.maxmemory_policy == MaxmemoryPolicy::kVolatileLru ||
                      c.maxmemory_policy == MaxmemoryPolicy::kAllkeysLfu ||
                      c.maxmemory_policy == MaxmemoryPolicy::kVolatileLfu;
    bool shared_allowed = c.maxmemory == 0 || !lru_or_lfu;
    if (shared_allowed && v >= 0 && v < kSharedIntegers) return INT_MAX;
  }
  return 1;
}

bool ParseScanCursor(std::string_view s, uint64_t* out) {
  size_t nul = s.find('\0');
  if (nul != std::string_view::npos) s = s.substr(0, nul);
  if (s.empty()) {
    *out = 0;
    return true;
  }
  if (std::isspace(static_cast<unsigned char>(s[0]))) return false;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    i = 1;
  }
  if (i == s.size()) return false;
  uint64_t v = 0;
  for (; i < s.size(); i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    unsigned d = static_cast<unsigned>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;  // ERANGE
    v = v * 10 + d;
  }
  *out = neg ? 0 - v : v;
  return true;
}

}  // namespace ember::keyspace
