// The config table: one row per directive Ember implements, plus the special directives' parse,
// format and rewrite functions and the list of Redis 7.0 directives Ember does not implement.
//
// Adding a directive: a field in ServerConfig (with its default), a row here, a stanza in the
// top-level redis.conf. Bounds, mutability and error texts follow Redis 7.0's config.c; the unit
// test config_test.cc checks that every row is documented in redis.conf and that each row's
// default formats like a default-constructed ServerConfig.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <unordered_map>

#include "base/split_args.h"
#include "base/strutil.h"
#include "server/config_internal.h"

namespace ember {
namespace {

using namespace config_flags;  // NOLINT

// ---- Field access, instantiated per member ------------------------------------------------------

template <auto M>
int64_t GetField(const ServerConfig& c) {
  return static_cast<int64_t>(c.*M);
}
template <auto M>
void SetField(ServerConfig& c, int64_t v) {
  using T = std::remove_cvref_t<decltype(c.*M)>;
  c.*M = static_cast<T>(v);
}
template <auto M>
constexpr uint32_t SignFlag() {
  using T = std::remove_cvref_t<decltype(std::declval<ServerConfig&>().*M)>;
  if constexpr (std::is_enum_v<T> || std::is_same_v<T, bool>) {
    return 0;
  } else {
    return std::is_unsigned_v<T> ? kUnsigned : 0;
  }
}

template <auto M>
ConfigRow Numeric(ConfigType type, const char* name, const char* alias, uint32_t flags, int64_t lo,
                  int64_t hi) {
  ConfigRow r;
  r.name = name;
  r.alias = alias;
  r.type = type;
  r.flags = flags | SignFlag<M>();
  r.get_int = &GetField<M>;
  r.set_int = &SetField<M>;
  r.lower = lo;
  r.upper = hi;
  return r;
}
template <auto M>
ConfigRow Bool(const char* name, const char* alias, uint32_t flags) {
  return Numeric<M>(ConfigType::kBool, name, alias, flags, 0, 1);
}
template <auto M>
ConfigRow Int(const char* name, const char* alias, uint32_t flags, int64_t lo, int64_t hi) {
  return Numeric<M>(ConfigType::kInt, name, alias, flags, lo, hi);
}
template <auto M>
ConfigRow Mem(const char* name, const char* alias, uint32_t flags, int64_t lo, int64_t hi) {
  return Numeric<M>(ConfigType::kMemory, name, alias, flags, lo, hi);
}
template <auto M>
ConfigRow Enum(const char* name, uint32_t flags, const ConfigEnumEntry* values) {
  ConfigRow r = Numeric<M>(ConfigType::kEnum, name, nullptr, flags, 0, 0);
  r.enum_values = values;
  return r;
}
ConfigRow Str(const char* name, uint32_t flags, std::string ServerConfig::*field,
              const char* (*check)(std::string_view) = nullptr) {
  ConfigRow r;
  r.name = name;
  r.type = ConfigType::kString;
  r.flags = flags;
  r.str_field = field;
  r.check_str = check;
  return r;
}
ConfigRow Special(const char* name, uint32_t flags,
                  bool (*set)(ServerConfig&, std::span<const std::string>, ConfigSetContext&,
                              std::string*),
                  std::string (*get)(const ServerConfig&),
                  std::vector<RewriteLine> (*rewrite)(const ConfigRow&, const ServerConfig&)) {
  ConfigRow r;
  r.name = name;
  r.type = ConfigType::kSpecial;
  r.flags = flags;
  r.special_set = set;
  r.special_get = get;
  r.special_rewrite = rewrite;
  return r;
}
ConfigRow With(ConfigRow r, const char* (*check)(int64_t*, ConfigSetContext&)) {
  r.check_int = check;
  return r;
}

constexpr int64_t kIntMax = INT_MAX;
constexpr int64_t kIntMin = INT_MIN;
constexpr int64_t kLongMax = LONG_MAX;
constexpr int64_t kLLongMax = LLONG_MAX;
constexpr int64_t kUIntMax = UINT_MAX;
constexpr int64_t kULLongMax = -1;  // ULLONG_MAX as the unsigned reinterpretation
constexpr int64_t kMb = 1024 * 1024;

// ---- Enums --------------------------------------------------------------------------------------

const ConfigEnumEntry kLogLevels[] = {{"debug", static_cast<int>(LogLevel::kDebug)},
                                      {"verbose", static_cast<int>(LogLevel::kVerbose)},
                                      {"notice", static_cast<int>(LogLevel::kNotice)},
                                      {"warning", static_cast<int>(LogLevel::kWarning)},
                                      {"nothing", static_cast<int>(LogLevel::kNothing)},
                                      {nullptr, 0}};
const ConfigEnumEntry kMaxmemoryPolicies[] = {
    {"volatile-lru", static_cast<int>(MaxmemoryPolicy::kVolatileLru)},
    {"volatile-lfu", static_cast<int>(MaxmemoryPolicy::kVolatileLfu)},
    {"volatile-random", static_cast<int>(MaxmemoryPolicy::kVolatileRandom)},
    {"volatile-ttl", static_cast<int>(MaxmemoryPolicy::kVolatileTtl)},
    {"allkeys-lru", static_cast<int>(MaxmemoryPolicy::kAllkeysLru)},
    {"allkeys-lfu", static_cast<int>(MaxmemoryPolicy::kAllkeysLfu)},
    {"allkeys-random", static_cast<int>(MaxmemoryPolicy::kAllkeysRandom)},
    {"noeviction", static_cast<int>(MaxmemoryPolicy::kNoEviction)},
    {nullptr, 0}};
const ConfigEnumEntry kAppendFsync[] = {{"everysec", static_cast<int>(AppendFsync::kEverysec)},
                                        {"always", static_cast<int>(AppendFsync::kAlways)},
                                        {"no", static_cast<int>(AppendFsync::kNo)},
                                        {nullptr, 0}};
const ConfigEnumEntry kProtectedAction[] = {{"no", static_cast<int>(ProtectedAction::kNo)},
                                            {"yes", static_cast<int>(ProtectedAction::kYes)},
                                            {"local", static_cast<int>(ProtectedAction::kLocal)},
                                            {nullptr, 0}};
const ConfigEnumEntry kOomScoreAdj[] = {{"no", static_cast<int>(OomScoreAdj::kNo)},
                                        {"yes", static_cast<int>(OomScoreAdj::kRelative)},
                                        {"relative", static_cast<int>(OomScoreAdj::kRelative)},
                                        {"absolute", static_cast<int>(OomScoreAdj::kAbsolute)},
                                        {nullptr, 0}};
const ConfigEnumEntry kSanitizeDumpPayload[] = {
    {"no", static_cast<int>(SanitizeDumpPayload::kNo)},
    {"yes", static_cast<int>(SanitizeDumpPayload::kYes)},
    {"clients", static_cast<int>(SanitizeDumpPayload::kClients)},
    {nullptr, 0}};
const ConfigEnumEntry kReplDisklessLoad[] = {
    {"disabled", static_cast<int>(ReplDisklessLoad::kDisabled)},
    {"on-empty-db", static_cast<int>(ReplDisklessLoad::kOnEmptyDb)},
    {"swapdb", static_cast<int>(ReplDisklessLoad::kSwapdb)},
    {nullptr, 0}};
const ConfigEnumEntry kAofIoUring[] = {{"no", static_cast<int>(AofIoUring::kNo)},
                                       {"yes", static_cast<int>(AofIoUring::kYes)},
                                       {"auto", static_cast<int>(AofIoUring::kAuto)},
                                       {nullptr, 0}};

// ---- Checks and normalizers ---------------------------------------------------------------------

const char* CheckActiveDefrag(int64_t* v, ConfigSetContext&) {
  if (*v) {
    return "Active defragmentation cannot be enabled: it requires a Redis server compiled with a "
           "modified Jemalloc like the one shipped by default with the Redis source distribution";
  }
  return nullptr;
}

const char* CheckDaemonize(int64_t* v, ConfigSetContext& ctx) {
  if (*v && ctx.warnings) {
    ctx.warnings->push_back(
        "WARNING: 'daemonize yes' is not supported by Ember yet; running in the foreground "
        "(use a supervisor such as systemd).");
  }
  *v = 0;
  return nullptr;
}

const char* CheckIoThreads(int64_t* v, ConfigSetContext& ctx) {
  if (*v > 1 && ctx.warnings) {
    ctx.warnings->push_back("WARNING: io-threads " + std::to_string(*v) +
                            " accepted but ignored: Ember is single-threaded.");
  }
  return nullptr;
}

bool IsBaseName(std::string_view s) {
  return s.find('/') == std::string_view::npos && s.find('\\') == std::string_view::npos;
}
const char* CheckDbfilename(std::string_view v) {
  return IsBaseName(v) ? nullptr : "dbfilename can't be a path, just a filename";
}
const char* CheckAppendfilename(std::string_view v) {
  if (v.empty()) return "appendfilename can't be empty";
  return IsBaseName(v) ? nullptr : "appendfilename can't be a path, just a filename";
}
const char* CheckAppenddirname(std::string_view v) {
  if (v.empty()) return "appenddirname can't be empty";
  return IsBaseName(v) ? nullptr : "appenddirname can't be a path, just a dirname";
}
// A template is valid when every {variable} is known, braces balance, and it does not expand to
// nothing.
const char* CheckProcTitleTemplate(std::string_view v) {
  static constexpr std::string_view kVars[] = {"{title}",      "{listen-addr}", "{server-mode}",
                                               "{port}",       "{tls-port}",    "{unixsocket}",
                                               "{config-file}"};
  bool nonempty = false;
  for (size_t i = 0; i < v.size();) {
    if (v[i] == '}') return "template format is invalid or contains unknown variables";
    if (v[i] != '{') {
      if (v[i] != ' ') nonempty = true;
      i++;
      continue;
    }
    size_t end = v.find('}', i);
    if (end == std::string_view::npos)
      return "template format is invalid or contains unknown variables";
    std::string_view var = v.substr(i, end - i + 1);
    if (std::find(std::begin(kVars), std::end(kVars), var) == std::end(kVars))
      return "template format is invalid or contains unknown variables";
    if (var != "{title}") nonempty = true;
    i = end + 1;
  }
  return nonempty ? nullptr : "template format is invalid or contains unknown variables";
}

void NormalizeHz(ServerConfig& c) { c.hz = std::clamp(c.hz, 1, 500); }
void RaiseReplBacklog(ServerConfig& c) {
  if (c.repl_backlog_size < 16 * 1024) c.repl_backlog_size = 16 * 1024;
}

// ---- Special directives -------------------------------------------------------------------------

bool SetBind(ServerConfig& c, std::span<const std::string> args, ConfigSetContext&,
             std::string* err) {
  if (args.size() > 16) {
    *err = "Too many bind addresses specified.";
    return false;
  }
  if (args.size() == 1 && args[0].empty()) args = {};
  c.bind.assign(args.begin(), args.end());
  return true;
}
std::string JoinBind(const ServerConfig& c) {
  std::string out;
  for (size_t i = 0; i < c.bind.size(); i++) {
    if (i) out += ' ';
    out += c.bind[i];
  }
  return out;
}
std::vector<RewriteLine> RewriteBind(const ConfigRow& row, const ServerConfig& c) {
  std::string line = "bind ";
  line += c.bind.empty() ? "\"\"" : JoinBind(c);
  return {{line, c.bind != DefaultServerConfig().bind}};
}

// strtoll over the whole string (Redis's "eptr[0] == '\0'" checks: empty parses as 0).
bool StrToLL(const std::string& s, long long* out) {
  char* end;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return false;
  *out = v;
  return true;
}

bool SetSave(ServerConfig& c, std::span<const std::string> args, ConfigSetContext& ctx,
             std::string* err) {
  // A single "" means no save points.
  if (args.size() == 1 && args[0].empty()) args = {};
  if (args.size() % 2) {
    *err = "Invalid save parameters";
    return false;
  }
  std::vector<SavePoint> points;
  for (size_t j = 0; j < args.size(); j += 2) {
    long long secs, changes;
    if (!StrToLL(args[j], &secs) || secs < 1 || !StrToLL(args[j + 1], &changes) || changes < 0 ||
        changes > INT_MAX) {
      *err = "Invalid save parameters";
      return false;
    }
    points.push_back({secs, static_cast<int>(changes)});
  }
  // In a config file the first `save` line replaces the defaults and later lines append; CONFIG
  // SET replaces the whole list.
  if (ctx.reading_file && ctx.save_loaded) {
    if (!*ctx.save_loaded) {
      *ctx.save_loaded = true;
      c.save.clear();
    }
    c.save.insert(c.save.end(), points.begin(), points.end());
  } else {
    c.save = std::move(points);
  }
  return true;
}
std::string GetSave(const ServerConfig& c) {
  std::string out;
  for (const SavePoint& p : c.save) {
    if (!out.empty()) out += ' ';
    out += std::to_string(p.seconds) + " " + std::to_string(p.changes);
  }
  return out;
}
std::vector<RewriteLine> RewriteSave(const ConfigRow&, const ServerConfig& c) {
  if (c.save.empty()) return {{"save \"\"", true}};
  std::vector<RewriteLine> lines;
  for (const SavePoint& p : c.save)
    lines.push_back({"save " + std::to_string(p.seconds) + " " + std::to_string(p.changes), true});
  return lines;
}

// shutdown-on-sigint / shutdown-on-sigterm: one or more of the names below (Redis's multi-argument
// flag enum): "default save" is "save"; CONFIG GET lists the set flags in this order.
constexpr struct {
  const char* name;
  int flag;
} kShutdownFlagNames[] = {{"default", 0},
                          {"save", shutdown_flags::kSave},
                          {"nosave", shutdown_flags::kNosave},
                          {"now", shutdown_flags::kNow},
                          {"force", shutdown_flags::kForce}};

template <int ServerConfig::*F>
bool SetShutdownFlags(ServerConfig& c, std::span<const std::string> args, ConfigSetContext&,
                      std::string* err) {
  int flags = 0;
  bool known = !args.empty();
  for (const std::string& a : args) {
    auto it = std::find_if(std::begin(kShutdownFlagNames), std::end(kShutdownFlagNames),
                           [&](const auto& f) { return EqualsIgnoreCase(a, f.name); });
    if (it == std::end(kShutdownFlagNames)) {
      known = false;
      break;
    }
    flags |= it->flag;
  }
  if (!known) {
    *err = "argument(s) must be one of the following: default, save, nosave, now, force";
    return false;
  }
  if ((flags & shutdown_flags::kSave) && (flags & shutdown_flags::kNosave)) {
    *err = "shutdown options SAVE and NOSAVE can't be used simultaneously";
    return false;
  }
  c.*F = flags;
  return true;
}
template <int ServerConfig::*F>
std::string GetShutdownFlags(const ServerConfig& c) {
  std::string out;
  for (const auto& f : kShutdownFlagNames) {
    if (f.flag == 0 || !(c.*F & f.flag)) continue;
    if (!out.empty()) out += ' ';
    out += f.name;
  }
  return out.empty() ? "default" : out;
}
template <int ServerConfig::*F>
std::vector<RewriteLine> RewriteShutdownFlags(const ConfigRow& row, const ServerConfig& c) {
  return {{std::string(row.name) + " " + GetShutdownFlags<F>(c), c.*F != DefaultServerConfig().*F}};
}

bool SetDir(ServerConfig& c, std::span<const std::string> args, ConfigSetContext&,
            std::string* err) {
  if (args.size() != 1) {
    *err = "wrong number of arguments";
    return false;
  }
  if (chdir(args[0].c_str()) == -1) {
    *err = std::strerror(errno);
    return false;
  }
  char buf[4096];
  c.dir = getcwd(buf, sizeof(buf)) ? buf : args[0];
  return true;
}
std::string GetDir(const ServerConfig& c) {
  char buf[4096];
  if (getcwd(buf, sizeof(buf))) return buf;
  return c.dir;
}
std::vector<RewriteLine> RewriteDir(const ConfigRow&, const ServerConfig& c) {
  return {{"dir " + QuoteArg(GetDir(c)), true}};
}

const char* kClientClassNames[kClientClassCount] = {"normal", "slave", "pubsub"};
int ClientClassByName(std::string_view s) {
  if (EqualsIgnoreCase(s, "normal")) return 0;
  if (EqualsIgnoreCase(s, "slave") || EqualsIgnoreCase(s, "replica")) return 1;
  if (EqualsIgnoreCase(s, "pubsub")) return 2;
  return -1;  // includes "master", which has no limits
}
bool SetClientOutputBufferLimit(ServerConfig& c, std::span<const std::string> args,
                                ConfigSetContext&, std::string* err) {
  if (args.size() % 4) {
    *err = "Wrong number of arguments in buffer limit configuration.";
    return false;
  }
  ClientOutputBufferLimit values[kClientClassCount];
  bool given[kClientClassCount] = {false, false, false};
  for (size_t j = 0; j < args.size(); j += 4) {
    int cls = ClientClassByName(args[j]);
    if (cls < 0) {
      *err = "Invalid client class specified in buffer limit configuration.";
      return false;
    }
    uint64_t hard, soft;
    long long secs;
    if (!ParseMemory(args[j + 1], &hard) || !ParseMemory(args[j + 2], &soft) ||
        !StrToLL(args[j + 3], &secs) || secs < 0) {
      *err = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
      return false;
    }
    values[cls] = {hard, soft, secs};
    given[cls] = true;
  }
  for (int i = 0; i < kClientClassCount; i++)
    if (given[i]) c.client_obuf_limits[i] = values[i];
  return true;
}
std::string GetClientOutputBufferLimit(const ServerConfig& c) {
  std::string out;
  for (int i = 0; i < kClientClassCount; i++) {
    const ClientOutputBufferLimit& l = c.client_obuf_limits[i];
    if (i) out += ' ';
    out += std::string(kClientClassNames[i]) + " " + std::to_string(l.hard_limit_bytes) + " " +
           std::to_string(l.soft_limit_bytes) + " " + std::to_string(l.soft_limit_seconds);
  }
  return out;
}
std::vector<RewriteLine> RewriteClientOutputBufferLimit(const ConfigRow&, const ServerConfig& c) {
  std::vector<RewriteLine> lines;
  for (int i = 0; i < kClientClassCount; i++) {
    const ClientOutputBufferLimit& l = c.client_obuf_limits[i];
    lines.push_back({std::string("client-output-buffer-limit ") + kClientClassNames[i] + " " +
                         FormatMemoryForRewrite(l.hard_limit_bytes) + " " +
                         FormatMemoryForRewrite(l.soft_limit_bytes) + " " +
                         std::to_string(l.soft_limit_seconds),
                     !(l == DefaultServerConfig().client_obuf_limits[i])});
  }
  return lines;
}

bool SetOomScoreAdjValues(ServerConfig& c, std::span<const std::string> args, ConfigSetContext& ctx,
                          std::string* err) {
  if (args.size() != 3) {
    *err = "wrong number of arguments";
    return false;
  }
  int values[3];
  for (int i = 0; i < 3; i++) {
    long long v;
    if (!StrToLL(args[i], &v) || v < -2000 || v > 2000) {
      *err = "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
      return false;
    }
    values[i] = static_cast<int>(v);
  }
  if ((values[1] < values[0] || values[2] < values[1]) && ctx.warnings) {
    ctx.warnings->push_back(
        "The oom-score-adj-values configuration may not work for non-privileged processes! "
        "Please consult the documentation.");
  }
  std::copy(values, values + 3, c.oom_score_adj_values);
  return true;
}
std::string GetOomScoreAdjValues(const ServerConfig& c) {
  return std::to_string(c.oom_score_adj_values[0]) + " " +
         std::to_string(c.oom_score_adj_values[1]) + " " +
         std::to_string(c.oom_score_adj_values[2]);
}
std::vector<RewriteLine> RewriteOomScoreAdjValues(const ConfigRow&, const ServerConfig& c) {
  const int* d = DefaultServerConfig().oom_score_adj_values;
  bool force = !std::equal(d, d + 3, c.oom_score_adj_values);
  return {{"oom-score-adj-values " + GetOomScoreAdjValues(c), force}};
}

bool SetNotifyKeyspaceEvents(ServerConfig& c, std::span<const std::string> args, ConfigSetContext&,
                             std::string* err) {
  if (args.size() != 1) {
    *err = "wrong number of arguments";
    return false;
  }
  int flags = KeyspaceEventsStringToFlags(args[0]);
  if (flags == -1) {
    *err = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
    return false;
  }
  c.notify_keyspace_events = flags;
  return true;
}
std::string GetNotifyKeyspaceEvents(const ServerConfig& c) {
  return KeyspaceEventsFlagsToString(c.notify_keyspace_events);
}
std::vector<RewriteLine> RewriteNotifyKeyspaceEvents(const ConfigRow&, const ServerConfig& c) {
  return {{"notify-keyspace-events " + QuoteArg(GetNotifyKeyspaceEvents(c)),
           c.notify_keyspace_events != 0}};
}

// ---- The table ----------------------------------------------------------------------------------

using S = ServerConfig;
constexpr uint32_t kNyi = kNotYetImplemented;

std::vector<ConfigRow> BuildTable() {
  std::vector<ConfigRow> t = {
      // Network and general.
      Special("bind", kMultiArg, SetBind, JoinBind, RewriteBind),
      Int<&S::port>("port", nullptr, 0, 0, 65535),
      Int<&S::tcp_backlog>("tcp-backlog", nullptr, kImmutable, 0, kIntMax),
      Int<&S::tcp_keepalive>("tcp-keepalive", nullptr, 0, 0, kIntMax),
      Int<&S::timeout>("timeout", nullptr, 0, 0, kIntMax),
      Str("unixsocket", kImmutable | kConfigEmptyIsNull, &S::unixsocket),
      Int<&S::unixsocketperm>("unixsocketperm", nullptr, kImmutable | kOctal, 0, 0777),
      Bool<&S::protected_mode>("protected-mode", nullptr, 0),
      Str("pidfile", kImmutable | kConfigEmptyIsNull, &S::pidfile),
      Enum<&S::loglevel>("loglevel", 0, kLogLevels),
      Str("logfile", kImmutable, &S::logfile),
      Int<&S::databases>("databases", nullptr, kImmutable, 1, kIntMax),
      Str("requirepass", kSensitive | kConfigEmptyIsNull, &S::requirepass),
      Int<&S::maxclients>("maxclients", nullptr, 0, 1, kUIntMax),
      Enum<&S::enable_debug_command>("enable-debug-command", kImmutable, kProtectedAction),
      Enum<&S::enable_protected_configs>("enable-protected-configs", kImmutable, kProtectedAction),
      Int<&S::hz>("hz", nullptr, 0, 0, kIntMax),
      Bool<&S::dynamic_hz>("dynamic-hz", nullptr, 0),
      Bool<&S::always_show_logo>("always-show-logo", nullptr, kImmutable),
      Str("proc-title-template", 0, &S::proc_title_template, CheckProcTitleTemplate),
      Bool<&S::set_proc_title>("set-proc-title", nullptr, kImmutable),
      With(Bool<&S::daemonize>("daemonize", nullptr, kImmutable), CheckDaemonize),
      With(Int<&S::io_threads>("io-threads", nullptr, kImmutable | kDebug, 1, 128), CheckIoThreads),
      Int<&S::idle_poll_us>("idle-poll-us", nullptr, 0, 0, 100000),

      // Memory, eviction, expiry, lazy free, defrag.
      Mem<&S::maxmemory>("maxmemory", nullptr, 0, 0, kULLongMax),
      Enum<&S::maxmemory_policy>("maxmemory-policy", 0, kMaxmemoryPolicies),
      Int<&S::maxmemory_samples>("maxmemory-samples", nullptr, 0, 1, kIntMax),
      Int<&S::maxmemory_eviction_tenacity>("maxmemory-eviction-tenacity", nullptr, 0, 0, 100),
      Numeric<&S::maxmemory_clients>(ConfigType::kPercentOrMemory, "maxmemory-clients", nullptr, 0,
                                     -100, SSIZE_MAX),
      Int<&S::lfu_log_factor>("lfu-log-factor", nullptr, 0, 0, kIntMax),
      Int<&S::lfu_decay_time>("lfu-decay-time", nullptr, 0, 0, kIntMax),
      Int<&S::active_expire_effort>("active-expire-effort", nullptr, 0, 1, 10),
      Bool<&S::activerehashing>("activerehashing", nullptr, 0),
      Bool<&S::lazyfree_lazy_eviction>("lazyfree-lazy-eviction", nullptr, kDebug),
      Bool<&S::lazyfree_lazy_expire>("lazyfree-lazy-expire", nullptr, kDebug),
      Bool<&S::lazyfree_lazy_server_del>("lazyfree-lazy-server-del", nullptr, kDebug),
      Bool<&S::lazyfree_lazy_user_del>("lazyfree-lazy-user-del", nullptr, kDebug),
      Bool<&S::lazyfree_lazy_user_flush>("lazyfree-lazy-user-flush", nullptr, kDebug),
      Bool<&S::replica_lazy_flush>("replica-lazy-flush", "slave-lazy-flush", kNyi),
      Bool<&S::replica_ignore_maxmemory>("replica-ignore-maxmemory", "slave-ignore-maxmemory", 0),
      With(Bool<&S::activedefrag>("activedefrag", nullptr, kDebug), CheckActiveDefrag),
      Mem<&S::active_defrag_ignore_bytes>("active-defrag-ignore-bytes", nullptr, 0, 1, kLLongMax),
      Int<&S::active_defrag_threshold_lower>("active-defrag-threshold-lower", nullptr, 0, 0, 1000),
      Int<&S::active_defrag_threshold_upper>("active-defrag-threshold-upper", nullptr, 0, 0, 1000),
      Int<&S::active_defrag_cycle_min>("active-defrag-cycle-min", nullptr, 0, 1, 99),
      Int<&S::active_defrag_cycle_max>("active-defrag-cycle-max", nullptr, 0, 1, 99),
      Int<&S::active_defrag_max_scan_fields>("active-defrag-max-scan-fields", nullptr, 0, 1,
                                             kLongMax),
      Bool<&S::jemalloc_bg_thread>("jemalloc-bg-thread", nullptr, 0),
      Bool<&S::disable_thp>("disable-thp", nullptr, kImmutable),
      Enum<&S::oom_score_adj>("oom-score-adj", kNyi, kOomScoreAdj),
      Special("oom-score-adj-values", kMultiArg | kNyi, SetOomScoreAdjValues, GetOomScoreAdjValues,
              RewriteOomScoreAdjValues),

      // Encodings.
      Int<&S::hash_max_listpack_entries>("hash-max-listpack-entries", "hash-max-ziplist-entries", 0,
                                         0, kLongMax),
      Mem<&S::hash_max_listpack_value>("hash-max-listpack-value", "hash-max-ziplist-value", 0, 0,
                                       kLongMax),
      Int<&S::zset_max_listpack_entries>("zset-max-listpack-entries", "zset-max-ziplist-entries", 0,
                                         0, kLongMax),
      Mem<&S::zset_max_listpack_value>("zset-max-listpack-value", "zset-max-ziplist-value", 0, 0,
                                       kLongMax),
      Int<&S::set_max_intset_entries>("set-max-intset-entries", nullptr, 0, 0, kLongMax),
      Int<&S::set_max_listpack_entries>("set-max-listpack-entries", nullptr, 0, 0, kLongMax),
      Mem<&S::set_max_listpack_value>("set-max-listpack-value", nullptr, 0, 0, kLongMax),
      Int<&S::list_max_listpack_size>("list-max-listpack-size", "list-max-ziplist-size", 0, kIntMin,
                                      kIntMax),
      Int<&S::list_compress_depth>("list-compress-depth", nullptr, kDebug, 0, kIntMax),
      Mem<&S::stream_node_max_bytes>("stream-node-max-bytes", nullptr, 0, 0, kLongMax),
      Int<&S::stream_node_max_entries>("stream-node-max-entries", nullptr, 0, 0, kLLongMax),
      Mem<&S::hll_sparse_max_bytes>("hll-sparse-max-bytes", nullptr, 0, 0, kLongMax),

      // Clients and protocol.
      Special("client-output-buffer-limit", kMultiArg, SetClientOutputBufferLimit,
              GetClientOutputBufferLimit, RewriteClientOutputBufferLimit),
      Mem<&S::client_query_buffer_limit>("client-query-buffer-limit", nullptr, kDebug, kMb,
                                         kLongMax),
      Mem<&S::proto_max_bulk_len>("proto-max-bulk-len", nullptr, kDebug, kMb, kLongMax),

      // Observability.
      Special("notify-keyspace-events", 0, SetNotifyKeyspaceEvents, GetNotifyKeyspaceEvents,
              RewriteNotifyKeyspaceEvents),
      Int<&S::slowlog_log_slower_than>("slowlog-log-slower-than", nullptr, 0, -1, kLLongMax),
      Int<&S::slowlog_max_len>("slowlog-max-len", nullptr, 0, 0, kLongMax),
      Int<&S::latency_monitor_threshold>("latency-monitor-threshold", nullptr, 0, 0, kLLongMax),
      Bool<&S::latency_tracking>("latency-tracking", nullptr, 0),
      Int<&S::busy_reply_threshold>("busy-reply-threshold", "lua-time-limit", 0, 0, kLongMax),
      Bool<&S::crash_log_enabled>("crash-log-enabled", nullptr, 0),
      Bool<&S::crash_memcheck_enabled>("crash-memcheck-enabled", nullptr, 0),

      // Persistence.
      Special("save", kMultiArg, SetSave, GetSave, RewriteSave),
      Int<&S::rdb_key_save_delay>("rdb-key-save-delay", nullptr, kHidden, kIntMin, kIntMax),
      Int<&S::key_load_delay>("key-load-delay", nullptr, kHidden, kIntMin, kIntMax),
      Special("shutdown-on-sigint", kMultiArg, SetShutdownFlags<&S::shutdown_on_sigint>,
              GetShutdownFlags<&S::shutdown_on_sigint>, RewriteShutdownFlags<&S::shutdown_on_sigint>),
      Special("shutdown-on-sigterm", kMultiArg, SetShutdownFlags<&S::shutdown_on_sigterm>,
              GetShutdownFlags<&S::shutdown_on_sigterm>,
              RewriteShutdownFlags<&S::shutdown_on_sigterm>),
      Bool<&S::rdbcompression>("rdbcompression", nullptr, 0),
      Bool<&S::rdbchecksum>("rdbchecksum", nullptr, kImmutable),
      Str("dbfilename", kProtected, &S::dbfilename, CheckDbfilename),
      Special("dir", kProtected, SetDir, GetDir, RewriteDir),
      Bool<&S::stop_writes_on_bgsave_error>("stop-writes-on-bgsave-error", nullptr, 0),
      Bool<&S::rdb_del_sync_files>("rdb-del-sync-files", nullptr, 0),
      Bool<&S::rdb_save_incremental_fsync>("rdb-save-incremental-fsync", nullptr, 0),
      Bool<&S::appendonly>("appendonly", nullptr, 0),
      Str("appendfilename", kImmutable, &S::appendfilename, CheckAppendfilename),
      Str("appenddirname", kImmutable, &S::appenddirname, CheckAppenddirname),
      Enum<&S::appendfsync>("appendfsync", 0, kAppendFsync),
      Bool<&S::no_appendfsync_on_rewrite>("no-appendfsync-on-rewrite", nullptr, 0),
      Int<&S::auto_aof_rewrite_percentage>("auto-aof-rewrite-percentage", nullptr, 0, 0, kIntMax),
      Mem<&S::auto_aof_rewrite_min_size>("auto-aof-rewrite-min-size", nullptr, 0, 0, kLLongMax),
      Bool<&S::aof_load_truncated>("aof-load-truncated", nullptr, 0),
      Bool<&S::aof_use_rdb_preamble>("aof-use-rdb-preamble", nullptr, 0),
      Bool<&S::aof_timestamp_enabled>("aof-timestamp-enabled", nullptr, 0),
      Bool<&S::aof_rewrite_incremental_fsync>("aof-rewrite-incremental-fsync", nullptr, 0),
      Bool<&S::aof_disable_auto_gc>("aof-disable-auto-gc", nullptr, kHidden),
      Enum<&S::aof_io_uring>("aof-io-uring", kImmutable, kAofIoUring),
      Enum<&S::sanitize_dump_payload>("sanitize-dump-payload", kDebug, kSanitizeDumpPayload),
      Mem<&S::repl_backlog_size>("repl-backlog-size", nullptr, kNyi, 1, kLLongMax),
      Int<&S::repl_backlog_ttl>("repl-backlog-ttl", nullptr, kNyi, 0, kLongMax),
      Bool<&S::repl_diskless_sync>("repl-diskless-sync", nullptr, kDebug | kNyi),
      Enum<&S::repl_diskless_load>("repl-diskless-load", kDebug | kNyi, kReplDisklessLoad),
  };
  for (ConfigRow& r : t) {
    if (std::strcmp(r.name, "hz") == 0) r.normalize = NormalizeHz;
    if (std::strcmp(r.name, "repl-backlog-size") == 0) r.on_config_set = RaiseReplBacklog;
  }
  return t;
}

const std::vector<ConfigRow>& Table() {
  static const std::vector<ConfigRow> table = BuildTable();
  return table;
}

// Redis 7.0.15's directives (CONFIG GET *, hidden configs, and the directives outside its table)
// that Ember does not implement.
constexpr const char* kUnimplemented[] = {
    "acl-pubsub-default",
    "aclfile",
    "acllog-max-len",
    "aof_rewrite_cpulist",
    "bgsave_cpulist",
    "bind-source-addr",
    "bio_cpulist",
    "cluster-allow-pubsubshard-when-down",
    "cluster-allow-reads-when-down",
    "cluster-allow-replica-migration",
    "cluster-announce-bus-port",
    "cluster-announce-hostname",
    "cluster-announce-ip",
    "cluster-announce-port",
    "cluster-announce-tls-port",
    "cluster-config-file",
    "cluster-enabled",
    "cluster-link-sendbuf-limit",
    "cluster-migration-barrier",
    "cluster-node-timeout",
    "cluster-port",
    "cluster-preferred-endpoint-type",
    "cluster-replica-no-failover",
    "cluster-replica-validity-factor",
    "cluster-require-full-coverage",
    "cluster-slave-no-failover",
    "cluster-slave-validity-factor",
    "enable-module-command",
    "ignore-warnings",
    "io-threads-do-reads",
    "latency-tracking-info-percentiles",
    "list-max-ziplist-entries",
    "list-max-ziplist-value",
    "loading-process-events-interval-bytes",
    "loadmodule",
    "lua-replicate-commands",
    "masterauth",
    "masteruser",
    "min-replicas-max-lag",
    "min-replicas-to-write",
    "min-slaves-max-lag",
    "min-slaves-to-write",
    "propagation-error-behavior",
    "rename-command",
    "repl-disable-tcp-nodelay",
    "repl-diskless-sync-delay",
    "repl-diskless-sync-max-replicas",
    "repl-ping-replica-period",
    "repl-ping-slave-period",
    "repl-timeout",
    "replica-announce-ip",
    "replica-announce-port",
    "replica-announced",
    "replica-ignore-disk-write-errors",
    "replica-priority",
    "replica-read-only",
    "replica-serve-stale-data",
    "replicaof",
    "sentinel",
    "server_cpulist",
    "shutdown-timeout",
    "slave-announce-ip",
    "slave-announce-port",
    "slave-priority",
    "slave-read-only",
    "slave-serve-stale-data",
    "slaveof",
    "socket-mark-id",
    "supervised",
    "syslog-enabled",
    "syslog-facility",
    "syslog-ident",
    "tls-auth-clients",
    "tls-ca-cert-dir",
    "tls-ca-cert-file",
    "tls-cert-file",
    "tls-ciphers",
    "tls-ciphersuites",
    "tls-client-cert-file",
    "tls-client-key-file",
    "tls-client-key-file-pass",
    "tls-cluster",
    "tls-dh-params-file",
    "tls-key-file",
    "tls-key-file-pass",
    "tls-port",
    "tls-prefer-server-ciphers",
    "tls-protocols",
    "tls-replication",
    "tls-session-cache-size",
    "tls-session-cache-timeout",
    "tls-session-caching",
    "tracking-table-max-keys",
    "use-exit-on-panic",
    "user",
    "watchdog-period",
};

}  // namespace

// ---- Public lookups -----------------------------------------------------------------------------

std::span<const ConfigRow> ConfigTable() { return Table(); }
const char* ConfigRowName(const ConfigRow& row) { return row.name; }
const char* ConfigRowAlias(const ConfigRow& row) { return row.alias; }
uint32_t ConfigRowFlags(const ConfigRow& row) { return row.flags; }
std::span<const char* const> UnimplementedRedisDirectives() { return kUnimplemented; }

int FindConfigRow(std::string_view name) {
  static const std::unordered_map<std::string, int> index = [] {
    std::unordered_map<std::string, int> m;
    const auto& t = Table();
    for (size_t i = 0; i < t.size(); i++) {
      m.emplace(t[i].name, static_cast<int>(i));
      if (t[i].alias) m.emplace(t[i].alias, static_cast<int>(i));
    }
    return m;
  }();
  auto it = index.find(ToLower(name));
  return it == index.end() ? -1 : it->second;
}

bool IsUnimplementedRedisDirective(std::string_view name) {
  std::string lower = ToLower(name);
  return std::binary_search(std::begin(kUnimplemented), std::end(kUnimplemented), lower,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

const ServerConfig& DefaultServerConfig() {
  static const ServerConfig defaults;
  return defaults;
}

int KeyspaceEventsStringToFlags(std::string_view classes) {
  int flags = 0;
  for (char c : classes) {
    switch (c) {
      case 'A':
        flags |= notify::kAll;
        break;
      case 'g':
        flags |= notify::kGeneric;
        break;
      case '$':
        flags |= notify::kString;
        break;
      case 'l':
        flags |= notify::kList;
        break;
      case 's':
        flags |= notify::kSet;
        break;
      case 'h':
        flags |= notify::kHash;
        break;
      case 'z':
        flags |= notify::kZset;
        break;
      case 'x':
        flags |= notify::kExpired;
        break;
      case 'e':
        flags |= notify::kEvicted;
        break;
      case 'K':
        flags |= notify::kKeyspace;
        break;
      case 'E':
        flags |= notify::kKeyevent;
        break;
      case 't':
        flags |= notify::kStream;
        break;
      case 'm':
        flags |= notify::kKeyMiss;
        break;
      case 'd':
        flags |= notify::kModule;
        break;
      case 'n':
        flags |= notify::kNew;
        break;
      default:
        return -1;
    }
  }
  return flags;
}

std::string KeyspaceEventsFlagsToString(int flags) {
  std::string out;
  if ((flags & notify::kAll) == notify::kAll) {
    out += 'A';
  } else {
    static constexpr std::pair<int, char> kOrder[] = {
        {notify::kGeneric, 'g'}, {notify::kString, '$'},  {notify::kList, 'l'},
        {notify::kSet, 's'},     {notify::kHash, 'h'},    {notify::kZset, 'z'},
        {notify::kExpired, 'x'}, {notify::kEvicted, 'e'}, {notify::kStream, 't'},
        {notify::kModule, 'd'},  {notify::kNew, 'n'}};
    for (auto [bit, ch] : kOrder)
      if (flags & bit) out += ch;
  }
  if (flags & notify::kKeyspace) out += 'K';
  if (flags & notify::kKeyevent) out += 'E';
  if (flags & notify::kKeyMiss) out += 'm';
  return out;
}

}  // namespace ember
