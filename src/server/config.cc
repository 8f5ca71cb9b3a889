// The generic half of the config system: value grammar (split/quote/memory units), per-type parse
// and format driven by the rows of config_table.cc, loading config text and the command line,
// CONFIG GET and the atomic CONFIG SET.
//
// Loading mirrors redis-server: the config file, then standard input, then "\n" plus the text made
// from the --directive arguments are concatenated and read line by line. Each line is trimmed,
// comments and blank lines skipped, split with Redis's quoting rules, the directive name lowered
// and looked up: a table row parses its value(s); `include` loads another file (glob patterns
// allowed) at that point; a Redis 7.0 directive Ember does not implement is recorded as a warning;
// anything else is fatal. A multi-argument row given one non-empty argument splits it again, so
// `--save "3600 1 300 100"` works.
//
// CONFIG SET is all-or-nothing: (1) check every name (unknown, immutable, protected, duplicate);
// (2) copy the whole ServerConfig, then parse and store each value, restoring the copy on the first
// bad value; (3) run each distinct apply hook of the rows whose value changed; on a hook failure
// restore the copy and run the hooks again so the server follows the old values.
#include "base/split_args.h"
#include "server/config.h"

#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "base/strutil.h"
#include "server/config_internal.h"
#include "server/version.h"

namespace ember {

// ---- Value grammar ------------------------------------------------------------------------------

// Splitting and quoting (Redis's sdssplitargs / sdscatrepr) live in base/split_args.h.

bool ParseMemory(std::string_view s, uint64_t* out) {
  size_t d = 0;
  while (d < s.size() && s[d] >= '0' && s[d] <= '9') d++;
  std::string_view digits = s.substr(0, d), unit = s.substr(d);
  uint64_t mul;
  if (unit.empty() || EqualsIgnoreCase(unit, "b")) {
    mul = 1;
  } else if (EqualsIgnoreCase(unit, "k")) {
    mul = 1000;
  } else if (EqualsIgnoreCase(unit, "kb")) {
    mul = 1024;
  } else if (EqualsIgnoreCase(unit, "m")) {
    mul = 1000 * 1000;
  } else if (EqualsIgnoreCase(unit, "mb")) {
    mul = 1024 * 1024;
  } else if (EqualsIgnoreCase(unit, "g")) {
    mul = 1000ull * 1000 * 1000;
  } else if (EqualsIgnoreCase(unit, "gb")) {
    mul = 1024ull * 1024 * 1024;
  } else {
    return false;
  }
  // Like Redis's memtoull, no digits at all reads as 0 ("" and "gb" are 0).
  uint64_t v = 0;
  for (char c : digits) {
    uint64_t dv = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - dv) / 10) return false;
    v = v * 10 + dv;
  }
  if (v > UINT64_MAX / mul) return false;
  *out = v * mul;
  return true;
}

std::string FormatMemoryForRewrite(uint64_t bytes) {
  constexpr uint64_t kGb = 1ull << 30, kMb = 1ull << 20, kKb = 1ull << 10;
  if (bytes && bytes % kGb == 0) return std::to_string(bytes / kGb) + "gb";
  if (bytes && bytes % kMb == 0) return std::to_string(bytes / kMb) + "mb";
  if (bytes && bytes % kKb == 0) return std::to_string(bytes / kKb) + "kb";
  return std::to_string(bytes);
}

// ---- Per-type parse and format ------------------------------------------------------------------

namespace {

std::string EnumChoices(const ConfigEnumEntry* e) {
  std::string out = "argument(s) must be one of the following: ";
  for (const ConfigEnumEntry* p = e; p->name; p++) {
    if (p != e) out += ", ";
    out += p->name;
  }
  return out;
}

bool ParseNumeric(const ConfigRow& row, const std::string& v, int64_t* res, std::string* err) {
  if (row.type == ConfigType::kMemory || row.type == ConfigType::kPercentOrMemory) {
    uint64_t u;
    if (ParseMemory(v, &u)) {
      *res = static_cast<int64_t>(u);
      return true;
    }
    if (row.type == ConfigType::kPercentOrMemory && v.size() > 1 && v.back() == '%') {
      int64_t p;
      if (ParseInt64(std::string_view(v).substr(0, v.size() - 1), &p) && p >= 0) {
        *res = -p;
        return true;
      }
    }
    *err = row.type == ConfigType::kPercentOrMemory ? "argument must be a memory or percent value"
                                                    : "argument must be a memory value";
    return false;
  }
  if (row.flags & config_flags::kOctal) {
    char* end;
    errno = 0;
    long long x = std::strtoll(v.c_str(), &end, 8);
    if (errno == 0 && *end == '\0') {
      *res = x;
      return true;
    }
  } else if (ParseInt64(v, res)) {
    return true;
  }
  *err = "argument couldn't be parsed into an integer";
  return false;
}

bool CheckBounds(const ConfigRow& row, int64_t v, std::string* err) {
  char buf[256];
  if (row.flags & config_flags::kUnsigned) {
    uint64_t u = static_cast<uint64_t>(v), lo = static_cast<uint64_t>(row.lower),
             hi = static_cast<uint64_t>(row.upper);
    if (u >= lo && u <= hi) return true;
    std::snprintf(buf, sizeof(buf),
                  (row.flags & config_flags::kOctal)
                      ? "argument must be between %llo and %llo inclusive"
                      : "argument must be between %llu and %llu inclusive",
                  static_cast<unsigned long long>(lo), static_cast<unsigned long long>(hi));
  } else if (row.type == ConfigType::kPercentOrMemory && v < 0) {
    if (v >= row.lower) return true;
    std::snprintf(buf, sizeof(buf), "percentage argument must be less or equal to %lld",
                  static_cast<long long>(-row.lower));
  } else {
    if (v >= row.lower && v <= row.upper) return true;
    std::snprintf(buf, sizeof(buf), "argument must be between %lld and %lld inclusive",
                  static_cast<long long>(row.lower), static_cast<long long>(row.upper));
  }
  *err = buf;
  return false;
}

}  // namespace

std::string FormatConfigValue(const ConfigRow& row, const ServerConfig& cfg) {
  switch (row.type) {
    case ConfigType::kBool:
      return row.get_int(cfg) ? "yes" : "no";
    case ConfigType::kEnum: {
      int64_t v = row.get_int(cfg);
      for (const ConfigEnumEntry* e = row.enum_values; e->name; e++)
        if (e->value == v) return e->name;
      return "unknown";
    }
    case ConfigType::kString:
      return cfg.*row.str_field;
    case ConfigType::kSpecial:
      return row.special_get(cfg);
    case ConfigType::kPercentOrMemory: {
      int64_t v = row.get_int(cfg);
      if (v < 0) return std::to_string(-v) + "%";
      return std::to_string(v);
    }
    case ConfigType::kInt:
    case ConfigType::kMemory: {
      int64_t v = row.get_int(cfg);
      if (row.flags & config_flags::kOctal) {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%llo", static_cast<unsigned long long>(v));
        return buf;
      }
      if (row.flags & config_flags::kUnsigned) return std::to_string(static_cast<uint64_t>(v));
      return std::to_string(v);
    }
  }
  return {};
}

bool SetConfigValue(const ConfigRow& row, ServerConfig& cfg, std::span<const std::string> args,
                    ConfigSetContext& ctx, std::string* err) {
  if (row.type == ConfigType::kSpecial) {
    if (!row.special_set(cfg, args, ctx, err)) return false;
  } else {
    if (args.size() != 1) {
      *err = "wrong number of arguments";
      return false;
    }
    const std::string& v = args[0];
    if (row.type == ConfigType::kString) {
      if (row.check_str) {
        if (const char* e = row.check_str(v)) {
          *err = e;
          return false;
        }
      }
      cfg.*row.str_field = v;
    } else {
      int64_t x;
      if (row.type == ConfigType::kBool) {
        if (EqualsIgnoreCase(v, "yes")) {
          x = 1;
        } else if (EqualsIgnoreCase(v, "no")) {
          x = 0;
        } else {
          *err = "argument must be 'yes' or 'no'";
          return false;
        }
      } else if (row.type == ConfigType::kEnum) {
        const ConfigEnumEntry* e = row.enum_values;
        while (e->name && !EqualsIgnoreCase(e->name, v)) e++;
        if (!e->name) {
          *err = EnumChoices(row.enum_values);
          return false;
        }
        x = e->value;
      } else {
        if (!ParseNumeric(row, v, &x, err) || !CheckBounds(row, x, err)) return false;
      }
      if (row.check_int) {
        if (const char* e = row.check_int(&x, ctx)) {
          *err = e;
          return false;
        }
      }
      row.set_int(cfg, x);
    }
  }
  if (row.normalize) row.normalize(cfg);
  return true;
}

// ---- Command line -------------------------------------------------------------------------------

CommandLine ParseCommandLine(int argc, const char* const* argv) {
  CommandLine cl;
  int j = 1;
  if (argc >= 2 && argv[1][0] != '-') {
    cl.config_file = argv[1];
    j = 2;
  }
  // After a bare `--name`, the next argument is its value even if it starts with "--".
  bool last_has_value = true;
  std::string& opts = cl.options;
  for (; j < argc; j++) {
    const char* a = argv[j];
    if (a[0] == '-' && a[1] == '\0' && (j == 1 || j == argc - 1)) {
      cl.config_from_stdin = true;
    } else if (last_has_value && a[0] == '-' && a[1] == '-') {
      if (!opts.empty()) opts += '\n';
      opts += a + 2;
      opts += ' ';
      std::vector<std::string> parts;
      bool ok = SplitArgs(a, &parts);
      if (ok && parts.size() == 1) {
        // Only a name (`--port`): its value follows. `--save` directly before another `--name`
        // or at the end means `--save ""`.
        last_has_value = false;
        bool is_save = EqualsIgnoreCase(a, "--save");
        bool next_is_option = j != argc - 1 && argv[j + 1][0] == '-' && argv[j + 1][1] == '-';
        if (is_save && (next_is_option || j == argc - 1)) {
          opts += "\"\"";
          last_has_value = true;
        } else if (EqualsIgnoreCase(a, "--sentinel") && (next_is_option || j == argc - 1)) {
          last_has_value = true;
        }
      } else {
        last_has_value = true;  // "--port 6380" in one argument
      }
    } else {
      opts += QuoteArg(a);
      opts += ' ';
      last_has_value = true;
    }
  }
  return cl;
}

// ---- Loading ------------------------------------------------------------------------------------

struct Config::LoadState {
  bool save_loaded = false;
  int depth = 0;
};

Config::Config() : hooks_(ConfigTable().size()) {}
Config::~Config() = default;

void Config::Warn(std::string msg) { warnings_.push_back(std::move(msg)); }

std::vector<std::string> Config::TakeWarnings() {
  std::vector<std::string> out;
  out.swap(warnings_);
  return out;
}

namespace {

Status FatalConfigError(int linenum, std::string_view line, std::string_view reason) {
  std::string msg = "\n*** FATAL CONFIG FILE ERROR (Redis ";
  msg += kRedisVersion;
  msg += ") ***\n";
  msg += "Reading the configuration file, at line " + std::to_string(linenum) + "\n";
  msg += ">>> '";
  msg += line;
  msg += "'\n";
  msg += reason;
  msg += '\n';
  return Status::InvalidArgument(std::move(msg));
}

std::string_view Trim(std::string_view s) {
  auto is_trim = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_trim(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_trim(s.back())) s.remove_suffix(1);
  return s;
}

Expected<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::IOError("Fatal error, can't open config file '" + path +
                           "': " + std::strerror(errno));
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string CurrentDir() {
  char buf[4096];
  return getcwd(buf, sizeof(buf)) ? std::string(buf) : std::string();
}

std::string AbsolutePath(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char buf[4096];
  if (!getcwd(buf, sizeof(buf))) return path;
  std::string out = buf;
  if (out.back() != '/') out += '/';
  return out + path;
}

}  // namespace

Status Config::LoadText(std::string_view text, LoadState& st) {
  int linenum = 0;
  size_t pos = 0;
  std::vector<std::string> argv;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = Trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    linenum++;
    if (line.empty() || line[0] == '#') continue;
    if (!SplitArgs(line, &argv))
      return FatalConfigError(linenum, line, "Unbalanced quotes in configuration line");
    if (argv.empty()) continue;
    std::string name = ToLower(argv[0]);

    int idx = FindConfigRow(name);
    if (idx >= 0) {
      const ConfigRow& row = ConfigTable()[idx];
      bool multi = row.flags & config_flags::kMultiArg;
      if (!multi && argv.size() != 2)
        return FatalConfigError(linenum, line, "wrong number of arguments");
      std::vector<std::string> args(argv.begin() + 1, argv.end());
      if (multi && args.size() == 1 && !args[0].empty()) {
        std::vector<std::string> split;
        if (!SplitArgs(args[0], &split))
          return FatalConfigError(linenum, line, "Unbalanced quotes in configuration line");
        args = std::move(split);
      }
      ConfigSetContext ctx{true, &st.save_loaded, &warnings_};
      std::string err;
      if (!SetConfigValue(row, values_, args, ctx, &err))
        return FatalConfigError(linenum, line, err);
      if ((row.flags & config_flags::kNotYetImplemented) &&
          FormatConfigValue(row, values_) != FormatConfigValue(row, DefaultServerConfig())) {
        Warn("WARNING: '" + std::string(line) + "': Ember does not implement '" + row.name +
             "' yet; the value is kept but has no effect.");
      }
      continue;
    }
    if (name == "include" && argv.size() == 2) {
      if (st.depth >= 16)
        return FatalConfigError(linenum, line, "Too many nested include directives");
      EMBER_RETURN_IF_ERROR(LoadFile(argv[1], st));
      continue;
    }
    if (IsUnimplementedRedisDirective(name)) {
      Warn("WARNING: '" + name +
           "' is a Redis 7.0 directive Ember does not implement yet; ignored.");
      continue;
    }
    return FatalConfigError(linenum, line, "Bad directive or wrong number of arguments");
  }
  return Status::OK();
}

Status Config::LoadFile(const std::string& path, LoadState& st) {
  // Glob patterns load every match, in order; no match is not an error.
  if (path.find_first_of("*?[") != std::string::npos) {
    glob_t g;
    std::vector<std::string> files;
    if (glob(path.c_str(), GLOB_ERR | GLOB_NOSORT, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; i++) files.emplace_back(g.gl_pathv[i]);
      globfree(&g);
    }
    std::sort(files.begin(), files.end());
    for (const std::string& f : files) EMBER_RETURN_IF_ERROR(LoadFile(f, st));
    return Status::OK();
  }
  Expected<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  st.depth++;
  Status s = LoadText(*text, st);
  st.depth--;
  return s;
}

Status Config::LoadFromString(std::string_view text) {
  LoadState st;
  return LoadText(text, st);
}

Status Config::LoadServerConfig(const CommandLine& cl) {
  std::string text;
  if (!cl.config_file.empty()) {
    Expected<std::string> f = ReadWholeFile(cl.config_file);
    if (!f.ok()) return f.status();
    text = std::move(*f);
    config_file_ = AbsolutePath(cl.config_file);
  }
  if (cl.config_from_stdin) {
    Warn("Reading config from stdin");
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), stdin)) > 0) text.append(buf, n);
  }
  text += '\n';
  text += cl.options;
  LoadState st;
  return LoadText(text, st);
}

// ---- CONFIG GET ---------------------------------------------------------------------------------

std::string Config::Format(const ConfigRow& row) const { return FormatConfigValue(row, values_); }

std::vector<ConfigGetEntry> Config::Get(std::span<const std::string> patterns) const {
  std::vector<ConfigGetEntry> out;
  auto seen = [&out](std::string_view name) {
    for (const ConfigGetEntry& e : out)
      if (EqualsIgnoreCase(e.name, name)) return true;
    return false;
  };
  std::span<const ConfigRow> table = ConfigTable();
  for (const std::string& pat : patterns) {
    if (pat.find_first_of("[*?") == std::string::npos) {
      int idx = FindConfigRow(pat);
      if (idx >= 0 && !seen(pat)) out.push_back({pat, Format(table[idx])});
      continue;
    }
    for (const ConfigRow& row : table) {
      if (row.flags & config_flags::kHidden) continue;
      for (const char* name : {row.name, row.alias}) {
        if (!name || seen(name) || !GlobMatch(pat, name, /*nocase=*/true)) continue;
        out.push_back({name, Format(row)});
      }
    }
  }
  return out;
}

Expected<std::string> Config::GetValue(std::string_view name) const {
  int idx = FindConfigRow(name);
  if (idx < 0) return Status::NotFound("no such config: " + std::string(name));
  return Format(ConfigTable()[idx]);
}

// ---- CONFIG SET ---------------------------------------------------------------------------------

Status Config::SetApplyHook(std::initializer_list<std::string_view> names, ConfigApplyHook hook) {
  for (std::string_view n : names)
    if (FindConfigRow(n) < 0) return Status::NotFound("no such config: " + std::string(n));
  auto shared = std::make_shared<ConfigApplyHook>(std::move(hook));
  for (std::string_view n : names) hooks_[FindConfigRow(n)] = shared;
  return Status::OK();
}

Status Config::SetOne(std::string_view name, std::string_view value) {
  std::string args[2] = {std::string(name), std::string(value)};
  return Set(args, /*client_is_local=*/false);
}

namespace {
Status SetFailed(std::string_view arg, std::string_view reason) {
  std::string msg = "ERR CONFIG SET failed (possibly related to argument '";
  msg += arg;
  msg += "')";
  if (!reason.empty()) {
    msg += " - ";
    msg += reason;
  }
  return Status::InvalidArgument(std::move(msg));
}

// CONFIG SET splits a multi-argument value on single spaces (Redis's sdssplitlen), so "" is no
// argument at all.
std::vector<std::string> SplitOnSpaces(const std::string& v) {
  std::vector<std::string> out;
  if (v.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t sp = v.find(' ', start);
    if (sp == std::string::npos) {
      out.push_back(v.substr(start));
      return out;
    }
    out.push_back(v.substr(start, sp - start));
    start = sp + 1;
  }
}
}  // namespace

Status Config::Set(std::span<const std::string> args, bool client_is_local) {
  if (args.size() < 2 || args.size() % 2) return Status::InvalidArgument("ERR syntax error");
  std::span<const ConfigRow> table = ConfigTable();
  const size_t count = args.size() / 2;
  std::vector<int> rows(count, -1);
  // The name a row was reached by (Redis registers an alias as a separate entry: errors name it,
  // and setting a directive and its alias together is not a duplicate).
  std::vector<const char*> reached_as(count, nullptr);

  // 1. Names: the first unknown name wins; otherwise the first immutable/protected/duplicate.
  const std::string* unknown = nullptr;
  const char* reason = nullptr;
  const std::string* reason_arg = nullptr;
  bool protected_ok =
      values_.enable_protected_configs == ProtectedAction::kYes ||
      (values_.enable_protected_configs == ProtectedAction::kLocal && client_is_local);
  for (size_t i = 0; i < count && !unknown && !reason; i++) {
    const std::string& name = args[2 * i];
    int idx = FindConfigRow(name);
    if (idx < 0) {
      unknown = &name;
      break;
    }
    const ConfigRow& row = table[idx];
    if (row.flags & config_flags::kImmutable) {
      reason = "can't set immutable config";
    } else if ((row.flags & config_flags::kProtected) && !protected_ok) {
      reason = "can't set protected config";
    }
    rows[i] = idx;
    reached_as[i] = (row.alias && EqualsIgnoreCase(name, row.alias)) ? row.alias : row.name;
    if (!reason) {
      for (size_t j = 0; j < i; j++)
        if (reached_as[j] == reached_as[i]) reason = "duplicate parameter";
    }
    if (reason) reason_arg = &name;
  }
  if (unknown) {
    return Status::InvalidArgument("ERR Unknown option or number of arguments for CONFIG SET - '" +
                                   *unknown + "'");
  }
  if (reason) return SetFailed(*reason_arg, reason);

  // 2. Values, all or nothing.
  const ServerConfig backup = values_;
  const std::string cwd_before = CurrentDir();
  std::vector<std::string> local_warnings;
  std::vector<bool> changed(count, false);
  for (size_t i = 0; i < count; i++) {
    const ConfigRow& row = table[rows[i]];
    const std::string& value = args[2 * i + 1];
    std::vector<std::string> vals;
    if (row.flags & config_flags::kMultiArg) {
      vals = SplitOnSpaces(value);
    } else {
      vals.push_back(value);
    }
    std::string before = Format(row);
    ConfigSetContext ctx{false, nullptr, &local_warnings};
    std::string err;
    if (!SetConfigValue(row, values_, vals, ctx, &err)) {
      RestoreFrom(backup, cwd_before);
      return SetFailed(reached_as[i], err);
    }
    changed[i] = Format(row) != before;
  }
  for (const std::string& w : local_warnings) LOG_WARNING("%s", w.c_str());

  // 3. Built-in apply steps, then the server's hooks, each distinct hook once.
  std::vector<ConfigApplyHook*> to_run;
  std::vector<const char*> hook_names;
  for (size_t i = 0; i < count; i++) {
    if (!changed[i]) continue;
    const ConfigRow& row = table[rows[i]];
    if (row.on_config_set) row.on_config_set(values_);
    if ((row.flags & config_flags::kNotYetImplemented) &&
        Format(row) != FormatConfigValue(row, DefaultServerConfig())) {
      LOG_WARNING("CONFIG SET %s: Ember does not implement '%s' yet; the value has no effect.",
                  row.name, row.name);
    }
    ConfigApplyHook* h = hooks_[rows[i]].get();
    if (h && std::find(to_run.begin(), to_run.end(), h) == to_run.end()) {
      to_run.push_back(h);
      hook_names.push_back(reached_as[i]);
    }
  }
  for (size_t i = 0; i < to_run.size(); i++) {
    Status s = (*to_run[i])(values_);
    if (s.ok()) continue;
    LOG_WARNING(
        "Failed applying new configuration. Possibly related to new %s setting. Restoring "
        "previous settings.",
        hook_names[i]);
    RestoreFrom(backup, cwd_before);
    for (ConfigApplyHook* h : to_run) {
      Status r = (*h)(values_);
      if (!r.ok())
        LOG_WARNING("Failed restoring failed CONFIG SET command. Error setting: %s",
                    r.message().c_str());
    }
    return SetFailed(hook_names[i], s.message());
  }
  return Status::OK();
}

void Config::RestoreFrom(const ServerConfig& backup, const std::string& cwd) {
  // `dir` is process state (the working directory), not just a field.
  if (!cwd.empty() && CurrentDir() != cwd && chdir(cwd.c_str()) == -1)
    LOG_WARNING("Can't chdir back to '%s': %s", cwd.c_str(), std::strerror(errno));
  values_ = backup;
}

}  // namespace ember
