// Ember's configuration: one declarative table (config_table.cc) from which config-file parsing,
// `--directive value` command-line arguments, CONFIG GET, CONFIG SET and CONFIG REWRITE all work
// generically, the way Redis's config.c does.
//
//   ServerConfig        plain struct, one field per directive, initialised to Redis 7 defaults
//        ^  read/written through
//   ConfigRow table     name, alias, type, flags, bounds, field accessor (config_internal.h)
//        ^  driven by
//   Config              owns a ServerConfig, the apply hooks and the path of the loaded file;
//                       Load* (file text, include, argv), Get, Set (atomic, with rollback), Rewrite
//
// Value grammar (Redis's): booleans are `yes`/`no` (case-insensitive); integers are strict base 10;
// memory values take k/kb/m/mb/g/gb (k=1000, kb=1024, ...; case-insensitive) and CONFIG GET prints
// plain bytes; percent-or-memory values take `N%` (stored as -N); enums are case-insensitive.
//
// Thread safety: a Config is owned by the event-loop thread; nothing here locks. Fork safety: a
// child may read values() freely; it must not call Set or Rewrite.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/log.h"
#include "base/status.h"

namespace ember {

// ---- Value types of the special and enum directives ------------------------------------------

enum class MaxmemoryPolicy : int {
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
  kAllkeysLru,
  kAllkeysLfu,
  kAllkeysRandom,
  kNoEviction,
};
enum class AppendFsync : int { kEverysec, kAlways, kNo };
// enable-debug-command / enable-protected-configs.
enum class ProtectedAction : int { kNo, kYes, kLocal };
// oom-score-adj: `yes` is an alias of `relative` (CONFIG GET then prints "yes", as Redis does).
enum class OomScoreAdj : int { kNo, kRelative, kAbsolute };
enum class SanitizeDumpPayload : int { kNo, kYes, kClients };
enum class ReplDisklessLoad : int { kDisabled, kOnEmptyDb, kSwapdb };
// aof-io-uring (Ember only): whether the AOF writer uses io_uring. kAuto probes at startup.
enum class AofIoUring : int { kNo, kYes, kAuto };

// client-output-buffer-limit classes, in Redis's order.
enum class ClientClass : int { kNormal = 0, kReplica = 1, kPubSub = 2 };
inline constexpr int kClientClassCount = 3;
struct ClientOutputBufferLimit {
  uint64_t hard_limit_bytes = 0;
  uint64_t soft_limit_bytes = 0;
  int64_t soft_limit_seconds = 0;
  bool operator==(const ClientOutputBufferLimit&) const = default;
};

struct SavePoint {
  int64_t seconds = 0;
  int changes = 0;
  bool operator==(const SavePoint&) const = default;
};

// notify-keyspace-events bits (Redis's NOTIFY_* values).
namespace notify {
inline constexpr int kKeyspace = 1 << 0;  // K
inline constexpr int kKeyevent = 1 << 1;  // E
inline constexpr int kGeneric = 1 << 2;   // g
inline constexpr int kString = 1 << 3;    // $
inline constexpr int kList = 1 << 4;      // l
inline constexpr int kSet = 1 << 5;       // s
inline constexpr int kHash = 1 << 6;      // h
inline constexpr int kZset = 1 << 7;      // z
inline constexpr int kExpired = 1 << 8;   // x
inline constexpr int kEvicted = 1 << 9;   // e
inline constexpr int kStream = 1 << 10;   // t
inline constexpr int kKeyMiss = 1 << 11;  // m (not part of A)
inline constexpr int kModule = 1 << 12;   // d
inline constexpr int kNew = 1 << 13;      // n (not part of A)
inline constexpr int kAll = kGeneric | kString | kList | kSet | kHash | kZset | kExpired |
                            kEvicted | kStream | kModule;  // A
}  // namespace notify

// "KEA" -> flags; returns -1 on an unknown character.
int KeyspaceEventsStringToFlags(std::string_view classes);
// Flags -> Redis's canonical text ("AKE", "xE", "").
std::string KeyspaceEventsFlagsToString(int flags);

// ---- Every directive Ember implements, with Redis 7 defaults ----------------------------------
// Exception: bind defaults to 127.0.0.1 (Redis: "* -::*"), with protected-mode yes.

// shutdown-on-sigint / shutdown-on-sigterm: the SHUTDOWN options a signal implies, as bits ("default"
// is none of them). NOW only skips waiting for replicas, which Ember never has.
namespace shutdown_flags {
inline constexpr int kSave = 1;
inline constexpr int kNosave = 2;
inline constexpr int kNow = 4;
inline constexpr int kForce = 8;
}  // namespace shutdown_flags

struct ServerConfig {
  // Network and general.
  std::vector<std::string> bind{"127.0.0.1"};
  int port = 6379;
  int tcp_backlog = 511;
  int tcp_keepalive = 300;
  int timeout = 0;
  std::string unixsocket;       // "" = none
  unsigned unixsocketperm = 0;  // octal in the file and in CONFIG GET
  bool protected_mode = true;
  std::string pidfile;  // "" = none
  LogLevel loglevel = LogLevel::kNotice;
  std::string logfile;  // "" = standard output
  int databases = 16;
  std::string requirepass;  // "" = no password
  unsigned maxclients = 10000;
  ProtectedAction enable_debug_command = ProtectedAction::kNo;
  ProtectedAction enable_protected_configs = ProtectedAction::kNo;
  int hz = 10;  // clamped to 1..500 whenever it is set
  bool dynamic_hz = true;
  bool always_show_logo = false;
  std::string proc_title_template = "{title} {listen-addr} {server-mode}";
  bool set_proc_title = true;
  bool daemonize = false;  // only `no` is supported; `yes` warns and stays no
  int io_threads = 1;      // accepted; Ember is single-threaded
  // idle-poll-us (Ember only): the event loop's longest poll before it sleeps (net/event_loop.h);
  // 0 = never poll. Not applied on a one-CPU machine or while a fork child runs.
  int idle_poll_us = 50;

  // Memory, eviction, expiry, lazy free, defrag.
  uint64_t maxmemory = 0;
  MaxmemoryPolicy maxmemory_policy = MaxmemoryPolicy::kNoEviction;
  int maxmemory_samples = 5;
  int maxmemory_eviction_tenacity = 10;
  int64_t maxmemory_clients = 0;  // bytes; a negative value -N means N% of maxmemory
  int lfu_log_factor = 10;
  int lfu_decay_time = 1;
  int active_expire_effort = 1;
  bool activerehashing = true;
  bool lazyfree_lazy_eviction = false;
  bool lazyfree_lazy_expire = false;
  bool lazyfree_lazy_server_del = false;
  bool lazyfree_lazy_user_del = false;
  bool lazyfree_lazy_user_flush = false;
  bool replica_lazy_flush = false;
  bool replica_ignore_maxmemory = true;
  bool activedefrag = false;  // `yes` is refused: Debian's jemalloc has no defrag hint
  uint64_t active_defrag_ignore_bytes = 100ull << 20;
  int active_defrag_threshold_lower = 10;
  int active_defrag_threshold_upper = 100;
  int active_defrag_cycle_min = 1;
  int active_defrag_cycle_max = 25;
  uint64_t active_defrag_max_scan_fields = 1000;
  bool jemalloc_bg_thread = true;
  bool disable_thp = true;
  OomScoreAdj oom_score_adj = OomScoreAdj::kNo;
  int oom_score_adj_values[3] = {0, 200, 800};  // master, replica, background child

  // Encodings.
  uint64_t hash_max_listpack_entries = 512;
  uint64_t hash_max_listpack_value = 64;
  uint64_t zset_max_listpack_entries = 128;
  uint64_t zset_max_listpack_value = 64;
  uint64_t set_max_intset_entries = 512;
  uint64_t set_max_listpack_entries = 128;
  uint64_t set_max_listpack_value = 64;
  int list_max_listpack_size = -2;
  int list_compress_depth = 0;
  uint64_t stream_node_max_bytes = 4096;
  int64_t stream_node_max_entries = 100;
  uint64_t hll_sparse_max_bytes = 3000;

  // Clients and protocol.
  ClientOutputBufferLimit client_obuf_limits[kClientClassCount] = {
      {0, 0, 0}, {256ull << 20, 64ull << 20, 60}, {32ull << 20, 8ull << 20, 60}};
  uint64_t client_query_buffer_limit = 1ull << 30;
  int64_t proto_max_bulk_len = 512ll << 20;

  // Observability.
  int notify_keyspace_events = 0;  // notify::k* bits
  int64_t slowlog_log_slower_than = 10000;
  uint64_t slowlog_max_len = 128;
  int64_t latency_monitor_threshold = 0;
  bool latency_tracking = true;
  int64_t busy_reply_threshold = 5000;
  bool crash_log_enabled = true;
  bool crash_memcheck_enabled = true;

  // Persistence.
  std::vector<SavePoint> save{{3600, 1}, {300, 100}, {60, 10000}};
  int rdb_key_save_delay = 0;   // tests: DebugDelay per key saved (base/time.h)
  int key_load_delay = 0;       // tests: DebugDelay per key loaded
  int shutdown_on_sigint = 0;   // shutdown_flags bits
  int shutdown_on_sigterm = 0;
  bool rdbcompression = true;
  bool rdbchecksum = true;
  std::string dbfilename = "dump.rdb";
  std::string dir;  // "" until set; CONFIG GET reports the working directory
  bool stop_writes_on_bgsave_error = true;
  bool rdb_del_sync_files = false;
  bool rdb_save_incremental_fsync = true;
  bool appendonly = false;
  std::string appendfilename = "appendonly.aof";
  std::string appenddirname = "appendonlydir";
  AppendFsync appendfsync = AppendFsync::kEverysec;
  bool no_appendfsync_on_rewrite = false;
  int auto_aof_rewrite_percentage = 100;
  int64_t auto_aof_rewrite_min_size = 64ll << 20;
  bool aof_load_truncated = true;
  bool aof_use_rdb_preamble = true;
  bool aof_timestamp_enabled = false;
  bool aof_rewrite_incremental_fsync = true;
  bool aof_disable_auto_gc = false;
  AofIoUring aof_io_uring = AofIoUring::kAuto;
  SanitizeDumpPayload sanitize_dump_payload = SanitizeDumpPayload::kNo;
  int64_t repl_backlog_size = 1ll << 20;  // raised to 16 KB by CONFIG SET
  int64_t repl_backlog_ttl = 3600;
  bool repl_diskless_sync = true;
  ReplDisklessLoad repl_diskless_load = ReplDisklessLoad::kDisabled;
};

// ---- Flags of a table row ---------------------------------------------------------------------
namespace config_flags {
inline constexpr uint32_t kImmutable = 1u << 0;  // startup only: CONFIG SET refuses
inline constexpr uint32_t kProtected = 1u << 1;  // CONFIG SET needs enable-protected-configs
inline constexpr uint32_t kHidden = 1u << 2;     // CONFIG GET only by exact name
inline constexpr uint32_t kDebug = 1u << 3;      // Redis's DEBUG_CONFIG (tests tune it)
inline constexpr uint32_t kSensitive = 1u << 4;  // the value must be redacted from logs/slowlog
inline constexpr uint32_t kNotYetImplemented = 1u << 5;  // accepted; a non-default value warns
inline constexpr uint32_t kMultiArg = 1u << 6;           // several values (save, bind, ...)
inline constexpr uint32_t kOctal = 1u << 7;              // parsed and printed in base 8
inline constexpr uint32_t kUnsigned = 1u << 8;           // bounds and values are unsigned
}  // namespace config_flags

struct ConfigRow;  // config_internal.h
// The table, in declaration order. Valid for the life of the process.
std::span<const ConfigRow> ConfigTable();
const char* ConfigRowName(const ConfigRow& row);
const char* ConfigRowAlias(const ConfigRow& row);  // nullptr when none
uint32_t ConfigRowFlags(const ConfigRow& row);
// Redis 7.0 directive names (and aliases) Ember does not implement: accepted in the file and on
// the command line with a warning, unknown to CONFIG GET/SET. Sorted.
std::span<const char* const> UnimplementedRedisDirectives();

// ---- Command line -------------------------------------------------------------------------------
// `ember-server [configfile] [--directive value ...]` as redis-server reads it: a first argument
// not starting with '-' is the config file; `-` as the first or last argument reads config text
// from standard input; every `--name` starts a new line of config text and the following arguments
// are appended quoted (so `--save ""` and `--port 7000` work, and values may start with `--` after
// a name that has no value yet). The caller handles -v/--version/-h/--help before this.
struct CommandLine {
  std::string config_file;  // as given; empty = none
  bool config_from_stdin = false;
  std::string options;  // config text built from the --directive arguments
};
CommandLine ParseCommandLine(int argc, const char* const* argv);

// Splitting and quoting follow Redis's rules: base/split_args.h (SplitArgs, QuoteArg).
// Redis's memtoull: digits with an optional unit (b, k, kb, m, mb, g, gb; case-insensitive).
bool ParseMemory(std::string_view s, uint64_t* out);
// CONFIG REWRITE's memory text: "1gb", "64mb", "16kb" when an exact multiple, else plain bytes.
std::string FormatMemoryForRewrite(uint64_t bytes);

// ---- The configuration --------------------------------------------------------------------------

// A hook the server attaches to directives; runs after CONFIG SET stored new values. Returns an
// error (its message is Redis's "reason" text) to make the whole CONFIG SET roll back.
using ConfigApplyHook = std::function<Status(const ServerConfig&)>;

struct ConfigGetEntry {
  std::string name;
  std::string value;
};

class Config {
 public:
  Config();
  ~Config();
  Config(const Config&) = delete;
  Config& operator=(const Config&) = delete;

  const ServerConfig& values() const { return values_; }
  ServerConfig& mutable_values() { return values_; }

  // Startup: reads the config file (if any), then stdin (if asked), then the command-line options,
  // as one text, and applies it. Remembers the file's absolute path for CONFIG REWRITE.
  // Errors: a kInvalidArgument Status whose message is the exact text to write to stderr before
  // exit(1) (Redis's "*** FATAL CONFIG FILE ERROR ..." block); a kIOError Status for a file that
  // cannot be opened ("Fatal error, can't open config file '...': ..."), to be logged before
  // exit(1).
  Status LoadServerConfig(const CommandLine& cmdline);
  // Applies config text (file syntax, `include` allowed). Same error contract.
  Status LoadFromString(std::string_view text);
  // Warnings produced while loading (unimplemented directives, unsupported values), oldest first;
  // the server logs them once logging is set up. Clears the list.
  std::vector<std::string> TakeWarnings();

  // CONFIG GET: every directive matching any of the glob patterns (case-insensitive, over names and
  // aliases; hidden rows only by exact name). A non-glob pattern is answered under the name as
  // typed. Returns a flat name/value list without duplicate names.
  std::vector<ConfigGetEntry> Get(std::span<const std::string> patterns) const;
  // The CONFIG GET text of one directive (name or alias); NotFound when unknown.
  Expected<std::string> GetValue(std::string_view name) const;

  // CONFIG SET name value [name value ...]: all-or-nothing. Validates every name (unknown,
  // immutable, protected, duplicate), sets every value, then runs each affected apply hook once; on
  // any failure restores all previous values (re-running hooks if some had run). The error Status's
  // message is the full Redis reply text without the leading '-', e.g.
  // "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed ...".
  // An odd number of arguments gives "ERR syntax error".
  Status Set(std::span<const std::string> args, bool client_is_local = false);
  // One directive, for server code and tests (same rules as one CONFIG SET pair).
  Status SetOne(std::string_view name, std::string_view value);

  // Attaches `hook` to each named directive (names or aliases). One call is one hook: when several
  // of these directives change in one CONFIG SET, the hook runs once. Replaces any earlier hook of
  // those directives. NotFound for an unknown name.
  Status SetApplyHook(std::initializer_list<std::string_view> names, ConfigApplyHook hook);
  Status SetApplyHook(std::string_view name, ConfigApplyHook hook) {
    return SetApplyHook({name}, std::move(hook));
  }

  // CONFIG REWRITE of the loaded file. Error messages are the reply text without "ERR ":
  // "The server is running without a config file", "Rewriting config file: <strerror>".
  Status Rewrite() const;
  // The rewritten text for an old file's content (pure; what Rewrite writes). Redis 7 semantics:
  // comments, blank lines and lines Ember does not manage (include, unimplemented directives) stay;
  // each managed directive's lines are replaced in place by its current value (aliases become the
  // canonical name; a default value that is already in the file stays written); surplus old lines
  // of a rewritten directive are blanked; non-default directives not in the file are appended after
  // a "# Generated by CONFIG REWRITE" line; runs of blank lines collapse to one; `dir` and `save`
  // are always written.
  std::string RewriteContent(std::string_view old_content) const;
  // Writes `content` to `path` via a temp file in the same directory, fsync and rename.
  static Status WriteFileAtomically(const std::string& path, std::string_view content);

  const std::string& config_file() const { return config_file_; }
  void set_config_file(std::string path) { config_file_ = std::move(path); }

 private:
  struct LoadState;
  Status LoadText(std::string_view text, LoadState& st);
  Status LoadFile(const std::string& path, LoadState& st);
  std::string Format(const ConfigRow& row) const;
  void Warn(std::string msg);
  void RestoreFrom(const ServerConfig& backup, const std::string& cwd);

  ServerConfig values_;
  std::vector<std::shared_ptr<ConfigApplyHook>> hooks_;  // index = row index
  std::vector<std::string> warnings_;
  std::string config_file_;
};

}  // namespace ember
