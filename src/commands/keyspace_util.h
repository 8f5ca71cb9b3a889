// Small helpers shared by the string, keys and expire command families: Redis's argument parsers
// with their exact error replies, the expire-time rules, and the event bookkeeping after a write.
//
// Every *OrReply function writes the error reply itself and returns false on bad input, so a
// handler can `if (!ParseX(...)) return;` and change nothing.
//
// Thread safety: event-loop thread only (they write replies and touch the server).
#pragma once

#include <cstdint>
#include <string_view>

#include "core/database.h"
#include "core/object.h"
#include "server/command.h"

namespace ember::keyspace {

// Case-insensitive comparison of an argument with an ASCII option name.
bool OptIs(std::string_view arg, std::string_view name);

// Redis's getLongLongFromObjectOrReply: "ERR value is not an integer or out of range".
bool ParseInt64OrReply(CommandContext& ctx, std::string_view arg, int64_t* out);
// Redis's getIntFromObjectOrReply: also "ERR value is out of range, value must between
// -2147483648 and 2147483647" for a valid long outside int.
bool ParseIntOrReply(CommandContext& ctx, std::string_view arg, int* out);
// A database index for MOVE/COPY: an int (as above), then "ERR DB index is out of range".
bool ParseDbIndexOrReply(CommandContext& ctx, std::string_view arg, int* out);

// Redis's getExpireMillisecondsOrReply (SET, SETEX, PSETEX, GETEX): `arg` in seconds or ms,
// relative (EX/PX: now is added) or absolute (EXAT/PXAT). A non-positive value, a seconds value
// that overflows when scaled, or an overflowing sum replies "ERR invalid expire time in '<cmd>'
// command" (cmd: the lower-case table name). Stores unix ms in *out.
bool ParseSetExpireOrReply(CommandContext& ctx, std::string_view cmd, std::string_view arg,
                           bool seconds, bool relative, int64_t* out);

// Redis's checkAlreadyExpired: an absolute expire time at or before the command time (and not
// loading) deletes the key instead of setting the TTL.
bool AlreadyExpired(const CommandContext& ctx, int64_t when_ms);

// Writes a string record's value as a bulk reply (no copy of embedded values).
void ReplyStringValue(CommandContext& ctx, const Record* r);

// After a successful write of `key` in `db`: WATCH invalidation, dirty++ and the keyspace
// notification (type: notify::k*, event: Redis's event name).
void Modified(CommandContext& ctx, Database& db, std::string_view key, int type,
              std::string_view event);
// The "new" keyspace event Redis's dbAdd sends when a key is created.
void NotifyNew(CommandContext& ctx, Database& db, std::string_view key);

// OBJECT REFCOUNT: shared integers (0..9999) report INT_MAX unless maxmemory is set with an
// LRU/LFU policy (Redis then stops sharing them so every key keeps its own LRU/LFU bits).
int64_t RefCount(const CommandContext& ctx, const Record* r);

// The cursor of SCAN/SSCAN/HSCAN/ZSCAN, as Redis 7.0's parseScanCursorOrReply reads it: strtoul(s,
// &end, 10) accepted whole: no leading space, an optional sign (a negative value wraps), no overflow,
// "" is 0; the argument ends at its first NUL byte. False: reply "ERR invalid cursor".
bool ParseScanCursor(std::string_view s, uint64_t* out);

}  // namespace ember::keyspace

namespace ember {
class CommandTable;
// EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST (expire_family.cc),
// registered by RegisterKeysFamily.
void RegisterExpireCommands(CommandTable& t);
}  // namespace ember
