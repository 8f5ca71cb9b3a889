// The row type of the config table and the per-type machinery shared by config.cc (load, GET,
// SET), config_table.cc (the rows and the special directives) and config_rewrite.cc.
//
// A row is plain data plus a few function pointers. Integer-like rows (bool, int, memory,
// percent-or-memory, enum) read and write their ServerConfig field through get_int/set_int, which
// are instantiated per field from a pointer-to-member, so one int64 path parses, bounds-checks and
// formats every numeric directive. Rows flagged kUnsigned reinterpret the int64 as uint64 for
// bounds and printing (Redis does the same with its long long bounds). Special rows (bind, save,
// dir, client-output-buffer-limit, oom-score-adj-values, notify-keyspace-events) bring their own
// set/get/rewrite.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/config.h"

namespace ember {

enum class ConfigType : uint8_t {
  kBool,
  kInt,              // plain integer (base 8 with kOctal)
  kMemory,           // integer with memory units
  kPercentOrMemory,  // memory, or N% stored as -N
  kEnum,
  kString,
  kSpecial,
};

struct ConfigEnumEntry {
  const char* name;  // nullptr terminates the list
  int value;
};

// Extra flag, internal: an empty string is "unset" (Redis's EMPTY_STRING_IS_NULL): CONFIG REWRITE
// writes no line for it.
inline constexpr uint32_t kConfigEmptyIsNull = 1u << 16;

// State passed to a row's setter.
struct ConfigSetContext {
  bool reading_file = false;    // loading config text (vs CONFIG SET)
  bool* save_loaded = nullptr;  // loading: has a `save` line reset the defaults yet?
  std::vector<std::string>* warnings = nullptr;  // where a setter reports accepted-but-odd values
};

// One line CONFIG REWRITE wants for a directive; `force` writes it even if the file lacks it.
struct RewriteLine {
  std::string text;
  bool force;
};

struct ConfigRow {
  const char* name = nullptr;
  const char* alias = nullptr;
  ConfigType type = ConfigType::kInt;
  uint32_t flags = 0;

  // Integer-like rows.
  int64_t (*get_int)(const ServerConfig&) = nullptr;
  void (*set_int)(ServerConfig&, int64_t) = nullptr;
  int64_t lower = 0, upper = 0;
  const ConfigEnumEntry* enum_values = nullptr;
  // Optional check of a parsed value; returns an error text or nullptr. May add a warning and
  // replace the value (daemonize yes -> no).
  const char* (*check_int)(int64_t* v, ConfigSetContext& ctx) = nullptr;

  // String rows.
  std::string ServerConfig::*str_field = nullptr;
  const char* (*check_str)(std::string_view v) = nullptr;

  // Special rows. set returns false with *err on a bad value.
  bool (*special_set)(ServerConfig&, std::span<const std::string> args, ConfigSetContext& ctx,
                      std::string* err) = nullptr;
  std::string (*special_get)(const ServerConfig&) = nullptr;
  std::vector<RewriteLine> (*special_rewrite)(const ConfigRow&, const ServerConfig&) = nullptr;

  // Runs after every successful set, from the file or CONFIG SET (hz clamping).
  void (*normalize)(ServerConfig&) = nullptr;
  // Runs at CONFIG SET only, after all values are stored and before the server's hooks (Redis's
  // built-in apply functions: repl-backlog-size raised to 16 KB).
  void (*on_config_set)(ServerConfig&) = nullptr;
};

// Index of a row by name or alias (case-insensitive), or -1.
int FindConfigRow(std::string_view name);
// True when `name` is a Redis 7.0 directive Ember accepts and ignores.
bool IsUnimplementedRedisDirective(std::string_view name);

// Generic per-type operations (config.cc).
std::string FormatConfigValue(const ConfigRow& row, const ServerConfig& cfg);
// Parses and stores `args` into cfg. Returns false with Redis's reason text in *err.
bool SetConfigValue(const ConfigRow& row, ServerConfig& cfg, std::span<const std::string> args,
                    ConfigSetContext& ctx, std::string* err);
// The lines CONFIG REWRITE writes for a row (config_rewrite.cc).
std::vector<RewriteLine> RewriteLinesFor(const ConfigRow& row, const ServerConfig& cfg);

// A default-constructed ServerConfig: the reference for "is this value the default?".
const ServerConfig& DefaultServerConfig();

}  // namespace ember
