// Every client-facing error and status text Ember sends, byte-exact with Redis 7.2, in one place.
//
// A text here is the whole message WITHOUT the leading '-' (or '+') and WITHOUT the trailing CRLF:
// ReplyBuilder::Error() adds both. The first word is the error code that INFO errorstats counts
// ("ERR", "WRONGTYPE", "NOAUTH", ...). Texts were checked against a live redis-server 7.0.15 (same
// strings in 7.2) unless a comment says otherwise.
//
// Parametrized texts are built by the helpers at the bottom, which reproduce Redis's printf formats,
// including its quirks: '%.128s' truncates at 128 bytes AND at the first NUL byte (C strings), and
// CR/LF inside an error become spaces (done by ReplyBuilder::Error, not here).
//
// Thread safety: constants are immutable; helpers are pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ember::proto {

// ---- Generic argument errors ------------------------------------------------------------------
inline constexpr std::string_view kErrSyntax = "ERR syntax error";
inline constexpr std::string_view kErrWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kErrNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kErrNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kErrHashValueNotInteger = "ERR hash value is not an integer";
inline constexpr std::string_view kErrHashValueNotFloat = "ERR hash value is not a float";
inline constexpr std::string_view kErrOutOfRangePositive =
    "ERR value is out of range, must be positive";
inline constexpr std::string_view kErrNoSuchKey = "ERR no such key";
inline constexpr std::string_view kErrIndexOutOfRange = "ERR index out of range";
inline constexpr std::string_view kErrDbIndexOutOfRange = "ERR DB index is out of range";
inline constexpr std::string_view kErrOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kErrIncrNanOrInf = "ERR increment would produce NaN or Infinity";
inline constexpr std::string_view kErrValueNanOrInf = "ERR value is NaN or Infinity";  // HINCRBYFLOAT
inline constexpr std::string_view kErrValueOutOfRange = "ERR value is out of range";  // HRANDFIELD
inline constexpr std::string_view kErrStringTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kErrOffsetOutOfRange = "ERR offset is out of range";
inline constexpr std::string_view kErrDecrementOverflow = "ERR decrement would overflow";
inline constexpr std::string_view kErrLcsNotStrings = "ERR The specified keys must contain string values";
inline constexpr std::string_view kErrLcsLenAndIdx =
    "ERR If you want both the length and indexes, please just use IDX.";
inline constexpr std::string_view kErrLcsTooLong = "ERR String too long for LCS";
inline constexpr std::string_view kErrLcsNoMemory =
    "ERR Insufficient memory, failed allocating transient memory for LCS";
inline constexpr std::string_view kErrExpireNxAndOthers =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
inline constexpr std::string_view kErrExpireGtAndLt =
    "ERR GT and LT options at the same time are not compatible";
inline constexpr std::string_view kErrBitOffsetNotInteger =
    "ERR bit offset is not an integer or out of range";
inline constexpr std::string_view kErrBitNotInteger = "ERR bit is not an integer or out of range";
inline constexpr std::string_view kErrSameObject = "ERR source and destination objects are the same";
inline constexpr std::string_view kErrTimeoutNotFloat = "ERR timeout is not a float or out of range";
inline constexpr std::string_view kErrTimeoutNotInteger =
    "ERR timeout is not an integer or out of range";
inline constexpr std::string_view kErrTimeoutNegative = "ERR timeout is negative";
inline constexpr std::string_view kErrTimeoutOutOfRange = "ERR timeout is out of range";
inline constexpr std::string_view kErrMinMaxNotFloat = "ERR min or max is not a float";
inline constexpr std::string_view kErrMinMaxNotStringRange =
    "ERR min or max not valid string range item";
inline constexpr std::string_view kErrScoreNan = "ERR resulting score is not a number (NaN)";
inline constexpr std::string_view kErrInvalidCursor = "ERR invalid cursor";
inline constexpr std::string_view kErrXxAndNx =
    "ERR XX and NX options at the same time are not compatible";
inline constexpr std::string_view kErrGtLtNx =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
inline constexpr std::string_view kErrZaddIncrPairs =
    "ERR INCR option supports a single increment-element pair";
inline constexpr std::string_view kErrNoSuchClient = "ERR No such client";
inline constexpr std::string_view kErrUnblocked = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
inline constexpr std::string_view kErrProtocolVersion =
    "ERR Protocol version is not an integer or out of range";
inline constexpr std::string_view kErrNoProto = "NOPROTO unsupported protocol version";

// ---- Transactions -----------------------------------------------------------------------------
inline constexpr std::string_view kErrMultiNested = "ERR MULTI calls can not be nested";
inline constexpr std::string_view kErrExecWithoutMulti = "ERR EXEC without MULTI";
inline constexpr std::string_view kErrDiscardWithoutMulti = "ERR DISCARD without MULTI";
inline constexpr std::string_view kErrWatchInMulti = "ERR WATCH inside MULTI is not allowed";
inline constexpr std::string_view kErrNotAllowedInMulti =
    "ERR Command not allowed inside a transaction";
inline constexpr std::string_view kErrExecAbort =
    "EXECABORT Transaction discarded because of previous errors.";

// ---- Authentication and connection ------------------------------------------------------------
inline constexpr std::string_view kErrNoAuth = "NOAUTH Authentication required.";
inline constexpr std::string_view kErrWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr std::string_view kErrAuthNoPassword =
    "ERR AUTH <password> called without any password configured for the default user. Are you "
    "sure your configuration is correct?";
inline constexpr std::string_view kErrMaxClients = "ERR max number of clients reached";

// ---- Server state -----------------------------------------------------------------------------
inline constexpr std::string_view kErrOom = "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr std::string_view kErrMisconfRdb =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "
    "disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-"
    "error option). Please check the Redis logs for details about the RDB error.";
inline constexpr std::string_view kErrLoading = "LOADING Redis is loading the dataset in memory";
inline constexpr std::string_view kErrBusyKey = "BUSYKEY Target key name already exists.";
inline constexpr std::string_view kErrReadOnlyReplica =
    "READONLY You can't write against a read only replica.";
inline constexpr std::string_view kErrNoReplicas = "NOREPLICAS Not enough good replicas to write.";
inline constexpr std::string_view kErrMasterDown =
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
inline constexpr std::string_view kErrDebugDisabled =
    "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you "
    "can run it from a local connection, otherwise you need to set this option in the "
    "configuration file, and then restart the server.";
inline constexpr std::string_view kErrBgsaveInProgress = "ERR Background save already in progress";
inline constexpr std::string_view kErrBgsaveChildActive =
    "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in "
    "order to schedule a BGSAVE whenever possible.";
inline constexpr std::string_view kErrAofRewriteInProgress =
    "ERR Background append only file rewriting already in progress";
inline constexpr std::string_view kErrAofRewriteFailed =
    "ERR Can't execute an AOF background rewriting. Please check the server logs for more "
    "information.";
inline constexpr std::string_view kErrDumpPayload = "ERR DUMP payload version or checksum are wrong";
inline constexpr std::string_view kErrBadDataFormat = "ERR Bad data format";
inline constexpr std::string_view kErrLfuNotSelected =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
    "when switching between policies at runtime LRU and LFU data will take some time to adjust.";
inline constexpr std::string_view kErrLfuSelected =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";
inline constexpr std::string_view kErrPurgeFailed = "ERR Error purging dirty pages";

// ---- Status replies (simple strings, sent with '+') -------------------------------------------
inline constexpr std::string_view kStatusOk = "OK";
inline constexpr std::string_view kStatusQueued = "QUEUED";
inline constexpr std::string_view kStatusPong = "PONG";
inline constexpr std::string_view kStatusBgsaveStarted = "Background saving started";
inline constexpr std::string_view kStatusBgsaveScheduled = "Background saving scheduled";
inline constexpr std::string_view kStatusAofRewriteStarted =
    "Background append only file rewriting started";
inline constexpr std::string_view kStatusAofRewriteScheduled =
    "Background append only file rewriting scheduled";

// ---- Protocol errors (request parser). The client is closed after the reply. -------------------
inline constexpr std::string_view kErrProtoInvalidBulkLength =
    "ERR Protocol error: invalid bulk length";
inline constexpr std::string_view kErrProtoInvalidMultibulkLength =
    "ERR Protocol error: invalid multibulk length";
// Redis 7.2 (and the 7.0/6.2 security releases): limits for a connection that still needs AUTH.
inline constexpr std::string_view kErrProtoUnauthMultibulkLength =
    "ERR Protocol error: unauthenticated multibulk length";
inline constexpr std::string_view kErrProtoUnauthBulkLength =
    "ERR Protocol error: unauthenticated bulk length";
inline constexpr std::string_view kErrProtoTooBigInline = "ERR Protocol error: too big inline request";
inline constexpr std::string_view kErrProtoTooBigMbulkCount =
    "ERR Protocol error: too big mbulk count string";
inline constexpr std::string_view kErrProtoTooBigBulkCount =
    "ERR Protocol error: too big bulk count string";
inline constexpr std::string_view kErrProtoUnbalancedQuotes =
    "ERR Protocol error: unbalanced quotes in request";

// ---- Parametrized texts -----------------------------------------------------------------------

// "ERR wrong number of arguments for '<name>' command". `name` is the command's table name in lower
// case, "container|sub" for subcommands (e.g. "config|get"), NOT the name as typed.
std::string WrongArity(std::string_view name);

// "ERR unknown command '<argv[0]>', with args beginning with: '<a1>' '<a2>' ". The name is cut at
// 128 bytes; arguments are appended while the argument text is shorter than 128 bytes, each one
// cut so the text stays within 128 bytes plus its quotes. Every piece stops at a NUL byte.
std::string UnknownCommand(std::span<const std::string_view> argv);

// "ERR unknown subcommand '<sub>'. Try <CONTAINER> HELP." (`container` as typed, upper-cased).
std::string UnknownSubcommand(std::string_view container, std::string_view sub);

// "ERR invalid expire time in '<name>' command" (`name` is the lower-case command name).
std::string InvalidExpireTime(std::string_view name);

// "ERR Unsupported option <opt>" (EXPIRE family); the option stops at a NUL byte.
std::string UnsupportedOption(std::string_view opt);

// "ERR Protocol error: expected '$', got '<c>'". A NUL byte ends the text after "got '", as
// Redis's printf into a C string does.
std::string ProtoExpectedDollar(char got);

// "MISCONF Errors writing to the AOF file: <strerror(err)>".
std::string MisconfAof(int err);

// "ERR Can't execute '<name>': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are
// allowed in this context" (RESP2 client in subscribe mode).
std::string NotAllowedInSubscribeContext(std::string_view name);

// "EXECABORT Transaction discarded because of: <reason>", where `reason` is an error text without
// its "ERR " code (Redis strips a leading "-ERR "/"-" from the queued command's rejection).
std::string ExecAbortBecause(std::string_view reason);

// "ERR value is out of range, value must between <min> and <max>".
std::string OutOfRangeBetween(int64_t min, int64_t max);

// "ERR at least 1 input key is needed for '<name>' command".
std::string AtLeastOneInputKey(std::string_view name);

// "ERR CONFIG SET failed (possibly related to argument '<name>') - <reason>".
std::string ConfigSetFailed(std::string_view name, std::string_view reason);

}  // namespace ember::proto
