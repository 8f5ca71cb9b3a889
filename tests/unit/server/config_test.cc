// Contracts of the config table: value grammar per type (bool, int, memory units, percent, enum,
// string, special), Redis's exact error texts, CONFIG GET globbing over names and aliases, atomic
// CONFIG SET with rollback and hooks, config-file / command-line loading with Redis's fatal error
// format, unimplemented-directive warnings, CONFIG REWRITE, and the shipped redis.conf.
#include "base/split_args.h"
#include "server/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "base/strutil.h"
#include "server/config_internal.h"

namespace ember {
namespace {

std::string Get1(const Config& c, const std::string& name) {
  Expected<std::string> v = c.GetValue(name);
  EXPECT_TRUE(v.ok()) << name;
  return v.ok() ? *v : "";
}

std::string SetErr(Config& c, std::vector<std::string> args) {
  Status s = c.Set(args);
  return s.ok() ? "OK" : s.message();
}

std::string Failed(const std::string& arg, const std::string& reason) {
  return "ERR CONFIG SET failed (possibly related to argument '" + arg + "') - " + reason;
}

std::string TempDir() {
  char tmpl[] = "/tmp/ember-config-test-XXXXXX";
  char* d = mkdtemp(tmpl);
  EXPECT_NE(d, nullptr);
  return d ? d : "/tmp";
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The repository root: the unit-test binary lives in <root>/build*/ (tests run in a temp cwd).
std::string RepoRoot() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto root = exe.parent_path().parent_path();
    if (std::filesystem::exists(root / "redis.conf")) return root.string();
  }
  return ".";
}

// ---- Defaults and formatting --------------------------------------------------------------------

TEST(ConfigDefaults, MatchRedisExceptBind) {
  Config c;
  EXPECT_EQ(Get1(c, "bind"), "127.0.0.1");
  EXPECT_EQ(Get1(c, "protected-mode"), "yes");
  EXPECT_EQ(Get1(c, "port"), "6379");
  EXPECT_EQ(Get1(c, "tcp-keepalive"), "300");
  EXPECT_EQ(Get1(c, "unixsocketperm"), "0");
  EXPECT_EQ(Get1(c, "loglevel"), "notice");
  EXPECT_EQ(Get1(c, "enable-debug-command"), "no");
  EXPECT_EQ(Get1(c, "maxmemory"), "0");
  EXPECT_EQ(Get1(c, "maxmemory-policy"), "noeviction");
  EXPECT_EQ(Get1(c, "maxmemory-clients"), "0");
  EXPECT_EQ(Get1(c, "active-defrag-ignore-bytes"), "104857600");
  EXPECT_EQ(Get1(c, "client-output-buffer-limit"),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
  EXPECT_EQ(Get1(c, "client-query-buffer-limit"), "1073741824");
  EXPECT_EQ(Get1(c, "proto-max-bulk-len"), "536870912");
  EXPECT_EQ(Get1(c, "save"), "3600 1 300 100 60 10000");
  EXPECT_EQ(Get1(c, "oom-score-adj-values"), "0 200 800");
  EXPECT_EQ(Get1(c, "notify-keyspace-events"), "");
  EXPECT_EQ(Get1(c, "proc-title-template"), "{title} {listen-addr} {server-mode}");
  EXPECT_EQ(Get1(c, "list-max-listpack-size"), "-2");
  EXPECT_EQ(Get1(c, "auto-aof-rewrite-min-size"), "67108864");
  EXPECT_EQ(Get1(c, "repl-backlog-size"), "1048576");
  EXPECT_EQ(Get1(c, "aof-io-uring"), "auto");
  EXPECT_EQ(Get1(c, "busy-reply-threshold"), "5000");
  EXPECT_EQ(Get1(c, "set-max-listpack-entries"), "128");
}

TEST(ConfigTable, NamesAreUniqueLowercaseAndDisjointFromUnimplemented) {
  std::set<std::string> seen;
  for (const ConfigRow& row : ConfigTable()) {
    for (const char* n : {ConfigRowName(row), ConfigRowAlias(row)}) {
      if (!n) continue;
      EXPECT_EQ(ToLower(n), n);
      EXPECT_TRUE(seen.insert(n).second) << n;
      EXPECT_FALSE(IsUnimplementedRedisDirective(n)) << n;
    }
  }
  auto un = UnimplementedRedisDirectives();
  EXPECT_TRUE(std::is_sorted(un.begin(), un.end(),
                             [](const char* a, const char* b) { return std::strcmp(a, b) < 0; }));
  EXPECT_TRUE(IsUnimplementedRedisDirective("REPLICAOF"));
  EXPECT_FALSE(IsUnimplementedRedisDirective("maxmemory"));
}

// Every mutable row accepts its own CONFIG GET text back without change (parse/format round trip).
TEST(ConfigTable, EveryValueRoundTripsThroughSet) {
  Config c;
  for (const ConfigRow& row : ConfigTable()) {
    uint32_t f = ConfigRowFlags(row);
    if (f & (config_flags::kImmutable | config_flags::kProtected)) continue;
    std::string before = Get1(c, ConfigRowName(row));
    Status s = c.SetOne(ConfigRowName(row), before);
    EXPECT_TRUE(s.ok()) << ConfigRowName(row) << ": " << s.message();
    EXPECT_EQ(Get1(c, ConfigRowName(row)), before) << ConfigRowName(row);
  }
}

// ---- Types --------------------------------------------------------------------------------------

TEST(ConfigBool, YesNoCaseInsensitiveOnly) {
  Config c;
  EXPECT_EQ(SetErr(c, {"lazyfree-lazy-eviction", "YES"}), "OK");
  EXPECT_EQ(Get1(c, "lazyfree-lazy-eviction"), "yes");
  EXPECT_TRUE(c.values().lazyfree_lazy_eviction);
  EXPECT_EQ(SetErr(c, {"lazyfree-lazy-eviction", "1"}),
            Failed("lazyfree-lazy-eviction", "argument must be 'yes' or 'no'"));
  EXPECT_EQ(SetErr(c, {"lazyfree-lazy-eviction", "true"}),
            Failed("lazyfree-lazy-eviction", "argument must be 'yes' or 'no'"));
}

TEST(ConfigInt, StrictIntegersAndRedisBoundTexts) {
  Config c;
  EXPECT_EQ(SetErr(c, {"tcp-keepalive", "x"}),
            Failed("tcp-keepalive", "argument couldn't be parsed into an integer"));
  EXPECT_EQ(SetErr(c, {"tcp-keepalive", "01"}),
            Failed("tcp-keepalive", "argument couldn't be parsed into an integer"));
  EXPECT_EQ(SetErr(c, {"tcp-keepalive", " 1"}),
            Failed("tcp-keepalive", "argument couldn't be parsed into an integer"));
  EXPECT_EQ(SetErr(c, {"port", "65536"}),
            Failed("port", "argument must be between 0 and 65535 inclusive"));
  EXPECT_EQ(SetErr(c, {"maxclients", "0"}),
            Failed("maxclients", "argument must be between 1 and 4294967295 inclusive"));
  EXPECT_EQ(
      SetErr(c, {"slowlog-max-len", "-1"}),
      Failed("slowlog-max-len", "argument must be between 0 and 9223372036854775807 inclusive"));
  EXPECT_EQ(SetErr(c, {"slowlog-log-slower-than", "-5"}),
            Failed("slowlog-log-slower-than",
                   "argument must be between -1 and 9223372036854775807 inclusive"));
  EXPECT_EQ(SetErr(c, {"maxmemory-eviction-tenacity", "101"}),
            Failed("maxmemory-eviction-tenacity", "argument must be between 0 and 100 inclusive"));
  EXPECT_EQ(SetErr(c, {"active-expire-effort", "7"}), "OK");
  EXPECT_EQ(c.values().active_expire_effort, 7);
  EXPECT_EQ(SetErr(c, {"list-max-listpack-size", "-6"}), "OK");
  EXPECT_EQ(c.values().list_max_listpack_size, -6);
  EXPECT_EQ(SetErr(c, {"slowlog-log-slower-than", "-1"}), "OK");
  EXPECT_EQ(c.values().slowlog_log_slower_than, -1);
  // Octal rows parse and print in base 8.
  ASSERT_TRUE(c.LoadFromString("unixsocketperm 0770").ok());
  EXPECT_EQ(c.values().unixsocketperm, 0770u);
  EXPECT_EQ(Get1(c, "unixsocketperm"), "770");
  EXPECT_EQ(c.LoadFromString("unixsocketperm 1000").message(),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.2.4) ***\nReading the configuration file, at "
            "line 1\n>>> 'unixsocketperm 1000'\nargument must be between 0 and 777 inclusive\n");
  EXPECT_FALSE(c.LoadFromString("unixsocketperm 8").ok());
}

TEST(ConfigInt, HzIsClampedAndBacklogRaisedOnSet) {
  Config c;
  EXPECT_EQ(SetErr(c, {"hz", "1000"}), "OK");
  EXPECT_EQ(Get1(c, "hz"), "500");
  EXPECT_EQ(SetErr(c, {"hz", "0"}), "OK");
  EXPECT_EQ(Get1(c, "hz"), "1");
  EXPECT_EQ(SetErr(c, {"hz", "-1"}),
            Failed("hz", "argument must be between 0 and 2147483647 inclusive"));
  EXPECT_EQ(SetErr(c, {"repl-backlog-size", "1000"}), "OK");
  EXPECT_EQ(Get1(c, "repl-backlog-size"), "16384");
  // At load time hz is clamped too, but the backlog keeps the configured size (as Redis).
  Config d;
  ASSERT_TRUE(d.LoadFromString("hz 1000\nrepl-backlog-size 1000\n").ok());
  EXPECT_EQ(Get1(d, "hz"), "500");
  EXPECT_EQ(Get1(d, "repl-backlog-size"), "1000");
}

TEST(ConfigMemory, UnitsAreCaseInsensitiveAndGetPrintsBytes) {
  uint64_t v;
  struct {
    const char* in;
    uint64_t out;
  } cases[] = {{"0", 0},
               {"1", 1},
               {"1b", 1},
               {"1k", 1000},
               {"1kb", 1024},
               {"1K", 1000},
               {"1KB", 1024},
               {"3m", 3000000},
               {"3mb", 3 << 20},
               {"2g", 2000000000},
               {"2Gb", 2ull << 30},
               {"", 0},
               {"18446744073709551615", UINT64_MAX}};
  for (auto& tc : cases) {
    EXPECT_TRUE(ParseMemory(tc.in, &v)) << tc.in;
    EXPECT_EQ(v, tc.out) << tc.in;
  }
  for (const char* bad : {"-1", "1.5gb", "1tb", "1 kb", "+1", "kb1", "18446744073709551616",
                          "18446744073709551615kb"}) {
    EXPECT_FALSE(ParseMemory(bad, &v)) << bad;
  }
  Config c;
  EXPECT_EQ(SetErr(c, {"maxmemory", "1GB"}), "OK");
  EXPECT_EQ(Get1(c, "maxmemory"), "1073741824");
  EXPECT_EQ(c.values().maxmemory, 1ull << 30);
  EXPECT_EQ(SetErr(c, {"maxmemory", "1.5gb"}),
            Failed("maxmemory", "argument must be a memory value"));
  EXPECT_EQ(SetErr(c, {"maxmemory", "18446744073709551615"}), "OK");
  EXPECT_EQ(Get1(c, "maxmemory"), "18446744073709551615");
  EXPECT_EQ(SetErr(c, {"stream-node-max-bytes", "-1"}),
            Failed("stream-node-max-bytes", "argument must be a memory value"));
  EXPECT_EQ(SetErr(c, {"proto-max-bulk-len", "10"}),
            Failed("proto-max-bulk-len",
                   "argument must be between 1048576 and 9223372036854775807 inclusive"));
  EXPECT_EQ(SetErr(c, {"client-query-buffer-limit", "2mb"}), "OK");
  EXPECT_EQ(c.values().client_query_buffer_limit, 2u << 20);
}

TEST(ConfigMemory, RewriteFormatUsesLargestExactUnit) {
  EXPECT_EQ(FormatMemoryForRewrite(0), "0");
  EXPECT_EQ(FormatMemoryForRewrite(1000), "1000");
  EXPECT_EQ(FormatMemoryForRewrite(2048), "2kb");
  EXPECT_EQ(FormatMemoryForRewrite(64ull << 20), "64mb");
  EXPECT_EQ(FormatMemoryForRewrite(3ull << 30), "3gb");
  EXPECT_EQ(FormatMemoryForRewrite(3000000), "3000000");
}

TEST(ConfigPercent, PercentStoredNegativeAndBounded) {
  Config c;
  EXPECT_EQ(SetErr(c, {"maxmemory-clients", "5%"}), "OK");
  EXPECT_EQ(Get1(c, "maxmemory-clients"), "5%");
  EXPECT_EQ(c.values().maxmemory_clients, -5);
  EXPECT_EQ(SetErr(c, {"maxmemory-clients", "101%"}),
            Failed("maxmemory-clients", "percentage argument must be less or equal to 100"));
  EXPECT_EQ(SetErr(c, {"maxmemory-clients", "-5"}),
            Failed("maxmemory-clients", "argument must be a memory or percent value"));
  EXPECT_EQ(SetErr(c, {"maxmemory-clients", "10mb"}), "OK");
  EXPECT_EQ(Get1(c, "maxmemory-clients"), "10485760");
}

TEST(ConfigEnum, CaseInsensitiveWithChoicesInError) {
  Config c;
  EXPECT_EQ(SetErr(c, {"maxmemory-policy", "ALLKEYS-LRU"}), "OK");
  EXPECT_EQ(Get1(c, "maxmemory-policy"), "allkeys-lru");
  EXPECT_EQ(c.values().maxmemory_policy, MaxmemoryPolicy::kAllkeysLru);
  EXPECT_EQ(SetErr(c, {"maxmemory-policy", "foo"}),
            Failed("maxmemory-policy",
                   "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                   "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
                   "noeviction"));
  EXPECT_EQ(
      SetErr(c, {"appendfsync", "foo"}),
      Failed("appendfsync", "argument(s) must be one of the following: everysec, always, no"));
  EXPECT_EQ(SetErr(c, {"loglevel", "nothing"}), "OK");
  EXPECT_EQ(c.values().loglevel, LogLevel::kNothing);
  // `relative` and `yes` are one value; GET prints the first name, "yes".
  EXPECT_EQ(SetErr(c, {"oom-score-adj", "relative"}), "OK");
  EXPECT_EQ(Get1(c, "oom-score-adj"), "yes");
}

TEST(ConfigString, ValidatorsAndProtection) {
  Config c;
  EXPECT_EQ(SetErr(c, {"dbfilename", "a.rdb"}), Failed("dbfilename", "can't set protected config"));
  ASSERT_TRUE(c.LoadFromString("enable-protected-configs local").ok());
  EXPECT_EQ(SetErr(c, {"dbfilename", "a.rdb"}), Failed("dbfilename", "can't set protected config"));
  std::vector<std::string> args = {"dbfilename", "a.rdb"};
  EXPECT_TRUE(c.Set(args, /*client_is_local=*/true).ok());
  EXPECT_EQ(c.values().dbfilename, "a.rdb");
  args = {"dbfilename", "x/a.rdb"};
  EXPECT_EQ(c.Set(args, true).message(),
            Failed("dbfilename", "dbfilename can't be a path, just a filename"));
  EXPECT_EQ(
      SetErr(c, {"proc-title-template", "{title} {nope}"}),
      Failed("proc-title-template", "template format is invalid or contains unknown variables"));
  EXPECT_EQ(
      SetErr(c, {"proc-title-template", "{title"}),
      Failed("proc-title-template", "template format is invalid or contains unknown variables"));
  EXPECT_EQ(SetErr(c, {"proc-title-template", "ember {port}"}), "OK");
  Config d;
  Status s = d.LoadFromString("appendfilename dir/x.aof");
  EXPECT_THAT(s.message(), ::testing::HasSubstr("appendfilename can't be a path, just a filename"));
}

TEST(ConfigSpecial, ClientOutputBufferLimitPerClass) {
  Config c;
  EXPECT_EQ(SetErr(c, {"client-output-buffer-limit", "pubsub 1mb 2mb 3"}), "OK");
  EXPECT_EQ(Get1(c, "client-output-buffer-limit"),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 2097152 3");
  EXPECT_EQ(SetErr(c, {"client-output-buffer-limit", "replica 1 2 3 normal 4 5 6"}), "OK");
  EXPECT_EQ(Get1(c, "client-output-buffer-limit"),
            "normal 4 5 6 slave 1 2 3 pubsub 1048576 2097152 3");
  EXPECT_EQ(SetErr(c, {"client-output-buffer-limit", "foo 1 2 3"}),
            Failed("client-output-buffer-limit",
                   "Invalid client class specified in buffer limit configuration."));
  EXPECT_EQ(SetErr(c, {"client-output-buffer-limit", "master 1 2 3"}),
            Failed("client-output-buffer-limit",
                   "Invalid client class specified in buffer limit configuration."));
  EXPECT_EQ(SetErr(c, {"client-output-buffer-limit", "normal 1 2"}),
            Failed("client-output-buffer-limit",
                   "Wrong number of arguments in buffer limit configuration."));
  EXPECT_EQ(SetErr(c, {"client-output-buffer-limit", "normal 1 2 -1"}),
            Failed("client-output-buffer-limit",
                   "Error in hard, soft or soft_seconds setting in buffer limit configuration."));
  // A rejected class leaves the others untouched too.
  EXPECT_EQ(Get1(c, "client-output-buffer-limit"),
            "normal 4 5 6 slave 1 2 3 pubsub 1048576 2097152 3");
}

TEST(ConfigSpecial, SaveSetReplacesFileLinesAccumulate) {
  Config c;
  EXPECT_EQ(SetErr(c, {"save", "10 1 20 2"}), "OK");
  EXPECT_EQ(Get1(c, "save"), "10 1 20 2");
  EXPECT_EQ(SetErr(c, {"save", ""}), "OK");
  EXPECT_EQ(Get1(c, "save"), "");
  EXPECT_EQ(SetErr(c, {"save", "10"}), Failed("save", "Invalid save parameters"));
  EXPECT_EQ(SetErr(c, {"save", "0 1"}), Failed("save", "Invalid save parameters"));
  EXPECT_EQ(SetErr(c, {"save", "10 x"}), Failed("save", "Invalid save parameters"));

  Config d;  // first save line resets the defaults; later lines append
  ASSERT_TRUE(d.LoadFromString("save 100 1\nsave 200 2\n").ok());
  EXPECT_EQ(Get1(d, "save"), "100 1 200 2");
  Config e;
  ASSERT_TRUE(e.LoadFromString("save \"\"\nsave 5 5\n").ok());
  EXPECT_EQ(Get1(e, "save"), "5 5");
  Config f;
  ASSERT_TRUE(f.LoadFromString("save \"30 3 40 4\"").ok());
  EXPECT_EQ(Get1(f, "save"), "30 3 40 4");
  Config g;
  ASSERT_TRUE(g.LoadFromString("port 1").ok());
  EXPECT_EQ(Get1(g, "save"), "3600 1 300 100 60 10000");
}

TEST(ConfigSpecial, NotifyKeyspaceEventsCanonicalText) {
  Config c;
  EXPECT_EQ(SetErr(c, {"notify-keyspace-events", "KEA"}), "OK");
  EXPECT_EQ(Get1(c, "notify-keyspace-events"), "AKE");
  EXPECT_EQ(SetErr(c, {"notify-keyspace-events", "Ex"}), "OK");
  EXPECT_EQ(Get1(c, "notify-keyspace-events"), "xE");
  EXPECT_EQ(c.values().notify_keyspace_events, notify::kExpired | notify::kKeyevent);
  EXPECT_EQ(SetErr(c, {"notify-keyspace-events", "AKEnm"}), "OK");
  EXPECT_EQ(Get1(c, "notify-keyspace-events"), "AKEm");  // as Redis: 'n' is hidden behind A
  EXPECT_EQ(
      SetErr(c, {"notify-keyspace-events", "zq"}),
      Failed("notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."));
  EXPECT_EQ(SetErr(c, {"notify-keyspace-events", ""}), "OK");
  EXPECT_EQ(c.values().notify_keyspace_events, 0);
}

TEST(ConfigSpecial, BindAndOomScoreAdjValues) {
  Config c;
  EXPECT_EQ(SetErr(c, {"bind", "127.0.0.1 ::1"}), "OK");
  EXPECT_EQ(Get1(c, "bind"), "127.0.0.1 ::1");
  EXPECT_EQ(c.values().bind.size(), 2u);
  EXPECT_EQ(SetErr(c, {"oom-score-adj-values", "1 2"}),
            Failed("oom-score-adj-values", "wrong number of arguments"));
  EXPECT_EQ(SetErr(c, {"oom-score-adj-values", "1 2 3000"}),
            Failed("oom-score-adj-values",
                   "Invalid oom-score-adj-values, elements must be between -2000 and 2000."));
  EXPECT_EQ(SetErr(c, {"oom-score-adj-values", "-10 100 900"}), "OK");
  EXPECT_EQ(c.values().oom_score_adj_values[0], -10);
}

TEST(ConfigSpecial, DirChangesWorkingDirectory) {
  std::string old = std::filesystem::current_path().string();
  std::string tmp = std::filesystem::canonical(TempDir()).string();
  Config c;
  ASSERT_TRUE(c.LoadFromString("dir " + tmp).ok());
  EXPECT_EQ(Get1(c, "dir"), tmp);
  EXPECT_EQ(std::filesystem::current_path().string(), tmp);
  Status s = c.LoadFromString("dir /nonexistent-ember-dir");
  EXPECT_THAT(s.message(), ::testing::HasSubstr("No such file or directory"));
  ASSERT_EQ(chdir(old.c_str()), 0);
  std::filesystem::remove_all(tmp);
}

TEST(ConfigActiveDefrag, YesIsRefusedWithRedisText) {
  Config c;
  EXPECT_EQ(
      SetErr(c, {"activedefrag", "yes"}),
      "ERR CONFIG SET failed (possibly related to argument 'activedefrag') - Active "
      "defragmentation cannot be enabled: it requires a Redis server compiled with a modified "
      "Jemalloc like the one shipped by default with the Redis source distribution");
  EXPECT_EQ(SetErr(c, {"activedefrag", "no"}), "OK");
}

// ---- CONFIG GET ---------------------------------------------------------------------------------

std::vector<std::string> Names(const std::vector<ConfigGetEntry>& v) {
  std::vector<std::string> out;
  for (auto& e : v) out.push_back(e.name);
  return out;
}

TEST(ConfigGet, GlobsMatchNamesAndAliasesCaseInsensitively) {
  Config c;
  std::vector<std::string> p = {"hash-max-*"};
  EXPECT_THAT(Names(c.Get(p)), ::testing::UnorderedElementsAre(
                                   "hash-max-listpack-entries", "hash-max-ziplist-entries",
                                   "hash-max-listpack-value", "hash-max-ziplist-value"));
  p = {"*ZIPLIST-ENTRIES"};
  EXPECT_THAT(Names(c.Get(p)), ::testing::UnorderedElementsAre("hash-max-ziplist-entries",
                                                               "zset-max-ziplist-entries"));
  p = {"PORT"};  // exact names are answered as typed
  auto r = c.Get(p);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].name, "PORT");
  EXPECT_EQ(r[0].value, "6379");
  p = {"port", "PORT", "p*"};  // no duplicates
  EXPECT_THAT(Names(c.Get(p)),
              ::testing::UnorderedElementsAre("port", "protected-mode", "pidfile",
                                              "proc-title-template", "proto-max-bulk-len"));
  p = {"nosuch", "replicaof"};
  EXPECT_TRUE(c.Get(p).empty());
}

TEST(ConfigGet, StarListsEveryVisibleNameAndAliasHiddenOnlyByExactName) {
  Config c;
  size_t expected = 0;
  for (const ConfigRow& row : ConfigTable()) {
    if (ConfigRowFlags(row) & config_flags::kHidden) continue;
    expected += ConfigRowAlias(row) ? 2 : 1;
  }
  std::vector<std::string> p = {"*"};
  EXPECT_EQ(c.Get(p).size(), expected);
  p = {"aof-disable-auto-*"};
  EXPECT_TRUE(c.Get(p).empty());
  p = {"aof-disable-auto-gc"};
  EXPECT_EQ(c.Get(p).size(), 1u);
}

// ---- CONFIG SET atomicity -----------------------------------------------------------------------

TEST(ConfigSet, NameErrorsInRedisOrder) {
  Config c;
  EXPECT_EQ(SetErr(c, {"foo", "bar"}),
            "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  EXPECT_EQ(SetErr(c, {"replicaof", "no one"}),
            "ERR Unknown option or number of arguments for CONFIG SET - 'replicaof'");
  EXPECT_EQ(SetErr(c, {"hz", "5", "foo", "1", "daemonize", "no"}),
            "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  EXPECT_EQ(SetErr(c, {"daemonize", "no", "foo", "1"}),
            Failed("daemonize", "can't set immutable config"));
  EXPECT_EQ(SetErr(c, {"hz", "5", "HZ", "6"}), Failed("HZ", "duplicate parameter"));
  EXPECT_EQ(SetErr(c, {"port", "1", "hz"}), "ERR syntax error");
  EXPECT_EQ(c.values().hz, 10);
  // A directive and its alias are distinct entries, as in Redis: the later one wins.
  EXPECT_EQ(SetErr(c, {"hash-max-ziplist-entries", "5", "hash-max-listpack-entries", "6"}), "OK");
  EXPECT_EQ(c.values().hash_max_listpack_entries, 6u);
  // Value errors name the directive as it was reached: canonical lower-case, or the alias.
  EXPECT_EQ(SetErr(c, {"HZ", "x"}), Failed("hz", "argument couldn't be parsed into an integer"));
  EXPECT_EQ(SetErr(c, {"hash-max-ziplist-entries", "x"}),
            Failed("hash-max-ziplist-entries", "argument couldn't be parsed into an integer"));
}

TEST(ConfigSet, BadValueLeavesEveryDirectiveUnchanged) {
  Config c;
  EXPECT_EQ(SetErr(c, {"maxmemory", "10mb", "hz", "20", "save", "1 1", "port", "x"}),
            Failed("port", "argument couldn't be parsed into an integer"));
  EXPECT_EQ(c.values().maxmemory, 0u);
  EXPECT_EQ(c.values().hz, 10);
  EXPECT_EQ(Get1(c, "save"), "3600 1 300 100 60 10000");
  EXPECT_EQ(SetErr(c, {"maxmemory", "10mb", "hz", "20"}), "OK");
  EXPECT_EQ(c.values().maxmemory, 10u << 20);
  EXPECT_EQ(c.values().hz, 20);
}

TEST(ConfigSet, HooksRunOncePerChangeAndFailureRollsBack) {
  Config c;
  int mem_calls = 0, shared_calls = 0;
  std::vector<uint64_t> seen_maxmemory;
  ASSERT_TRUE(c.SetApplyHook("maxmemory", [&](const ServerConfig& v) {
                 mem_calls++;
                 seen_maxmemory.push_back(v.maxmemory);
                 if (v.maxmemory == 666) return Status::InvalidArgument("the number of the beast");
                 return Status::OK();
               }).ok());
  ASSERT_TRUE(c.SetApplyHook({"lfu-log-factor", "lfu-decay-time"}, [&](const ServerConfig&) {
                 shared_calls++;
                 return Status::OK();
               }).ok());
  EXPECT_TRUE(c.SetApplyHook("nosuch", [](const ServerConfig&) { return Status::OK(); }).code() ==
              StatusCode::kNotFound);

  EXPECT_EQ(SetErr(c, {"lfu-log-factor", "11", "lfu-decay-time", "2"}), "OK");
  EXPECT_EQ(shared_calls, 1);
  EXPECT_EQ(SetErr(c, {"lfu-log-factor", "11"}), "OK");  // unchanged: no hook
  EXPECT_EQ(shared_calls, 1);

  EXPECT_EQ(SetErr(c, {"maxmemory", "1000"}), "OK");
  EXPECT_EQ(mem_calls, 1);
  // The hook fails: every value goes back and the hooks re-run with the old values.
  EXPECT_EQ(SetErr(c, {"hz", "33", "maxmemory", "666", "lfu-log-factor", "12"}),
            Failed("maxmemory", "the number of the beast"));
  EXPECT_EQ(c.values().hz, 10);
  EXPECT_EQ(c.values().maxmemory, 1000u);
  EXPECT_EQ(c.values().lfu_log_factor, 11);
  ASSERT_EQ(seen_maxmemory.size(), 3u);
  EXPECT_EQ(seen_maxmemory[1], 666u);
  EXPECT_EQ(seen_maxmemory[2], 1000u);
  EXPECT_EQ(shared_calls, 2);  // the restore re-ran the lfu hook, which had not run yet
}

// A randomized sequence of CONFIG SETs over integer rows against a reference model.
TEST(ConfigSet, RandomSequencesMatchReferenceModel) {
  Config c;
  struct R {
    const char* name;
    int64_t lo, hi;
  } rows[] = {{"port", 0, 65535},
              {"maxmemory-samples", 1, INT32_MAX},
              {"maxmemory-eviction-tenacity", 0, 100},
              {"active-expire-effort", 1, 10},
              {"lfu-decay-time", 0, INT32_MAX},
              {"slowlog-log-slower-than", -1, INT64_MAX}};
  std::map<std::string, std::string> model;
  for (auto& r : rows) model[r.name] = Get1(c, r.name);
  std::mt19937_64 rng(42);
  for (int iter = 0; iter < 2000; iter++) {
    std::vector<std::string> args;
    std::map<std::string, std::string> next = model;
    bool ok = true;
    int n = 1 + rng() % 3;
    std::set<std::string> used;
    for (int k = 0; k < n; k++) {
      auto& r = rows[rng() % std::size(rows)];
      if (!used.insert(r.name).second) continue;
      int64_t v = static_cast<int64_t>(rng() % 300) - 100;
      if (rng() % 4 == 0) v = r.hi;
      args.push_back(r.name);
      args.push_back(std::to_string(v));
      if (v < r.lo || v > r.hi) ok = false;
      next[r.name] = std::to_string(v);
    }
    Status s = c.Set(args);
    ASSERT_EQ(s.ok(), ok) << s.message();
    if (ok) model = next;
    for (auto& [name, value] : model) ASSERT_EQ(Get1(c, name), value) << name;
  }
}

// ---- Loading ------------------------------------------------------------------------------------

std::string Fatal(int line, const std::string& text, const std::string& reason) {
  return "\n*** FATAL CONFIG FILE ERROR (Redis 7.2.4) ***\nReading the configuration file, at "
         "line " +
         std::to_string(line) + "\n>>> '" + text + "'\n" + reason + "\n";
}

TEST(ConfigLoad, FatalErrorsUseRedisFormatWithLineNumbers) {
  struct {
    const char* text;
    std::string want;
  } cases[] = {
      {"# c\nport 7000\nfoo bar\n",
       Fatal(3, "foo bar", "Bad directive or wrong number of arguments")},
      {"port 7000\n  maxmemory 10xb  \n",
       Fatal(2, "maxmemory 10xb", "argument must be a memory value")},
      {"port\n", Fatal(1, "port", "wrong number of arguments")},
      {"port 1 2\n", Fatal(1, "port 1 2", "wrong number of arguments")},
      {"daemonize maybe\n", Fatal(1, "daemonize maybe", "argument must be 'yes' or 'no'")},
      {"port \"abc\n", Fatal(1, "port \"abc", "Unbalanced quotes in configuration line")},
      {"\n\nport 99999\n",
       Fatal(3, "port 99999", "argument must be between 0 and 65535 inclusive")},
      {"save 10\n", Fatal(1, "save 10", "Invalid save parameters")},
      {"include\n", Fatal(1, "include", "Bad directive or wrong number of arguments")},
  };
  for (auto& tc : cases) {
    Config c;
    Status s = c.LoadFromString(tc.text);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << tc.text;
    EXPECT_EQ(s.message(), tc.want);
  }
}

TEST(ConfigLoad, DirectivesAreCaseInsensitiveAndAliasesWork) {
  Config c;
  ASSERT_TRUE(
      c.LoadFromString("PORT 7000\nMaxMemory 2MB\nhash-max-ziplist-entries 7\n"
                       "lua-time-limit 100\nslave-ignore-maxmemory no\n   # indented comment\n")
          .ok());
  EXPECT_EQ(c.values().port, 7000);
  EXPECT_EQ(c.values().maxmemory, 2u << 20);
  EXPECT_EQ(c.values().hash_max_listpack_entries, 7u);
  EXPECT_EQ(c.values().busy_reply_threshold, 100);
  EXPECT_FALSE(c.values().replica_ignore_maxmemory);
  EXPECT_TRUE(c.TakeWarnings().empty());
}

TEST(ConfigLoad, UnimplementedDirectivesWarnUnknownOnesAreFatal) {
  Config c;
  ASSERT_TRUE(c.LoadFromString("replicaof 127.0.0.1 6380\ncluster-enabled no\nrename-command "
                               "FLUSHALL \"\"\n")
                  .ok());
  auto w = c.TakeWarnings();
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0],
            "WARNING: 'replicaof' is a Redis 7.0 directive Ember does not implement yet; ignored.");
  EXPECT_THAT(w[1], ::testing::HasSubstr("'cluster-enabled'"));
  EXPECT_TRUE(c.TakeWarnings().empty());
  Status s = c.LoadFromString("replicaofx 1 2");
  EXPECT_EQ(s.message(), Fatal(1, "replicaofx 1 2", "Bad directive or wrong number of arguments"));
}

TEST(ConfigLoad, NotYetImplementedWarnsOnlyForNonDefault) {
  Config c;
  ASSERT_TRUE(c.LoadFromString("replica-lazy-flush no\nrepl-backlog-size 1mb\n").ok());
  EXPECT_TRUE(c.TakeWarnings().empty());
  // Implemented directives never warn, whatever their value (save points are RDB's).
  ASSERT_TRUE(c.LoadFromString("save \"\"\nsave 900 1 300 10\n").ok());
  EXPECT_TRUE(c.TakeWarnings().empty());
  ASSERT_TRUE(c.LoadFromString("replica-lazy-flush yes\n").ok());
  auto w = c.TakeWarnings();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0], ::testing::HasSubstr("'replica-lazy-flush'"));
  EXPECT_TRUE(c.values().replica_lazy_flush);
}

TEST(ConfigLoad, DaemonizeYesAndIoThreadsWarn) {
  Config c;
  ASSERT_TRUE(c.LoadFromString("daemonize yes\nio-threads 4\n").ok());
  EXPECT_FALSE(c.values().daemonize);
  EXPECT_EQ(c.values().io_threads, 4);
  auto w = c.TakeWarnings();
  ASSERT_EQ(w.size(), 2u);
  EXPECT_THAT(w[0], ::testing::HasSubstr("daemonize"));
  EXPECT_THAT(w[1], ::testing::HasSubstr("single-threaded"));
  Status s = c.LoadFromString("io-threads 129");
  EXPECT_EQ(s.message(),
            Fatal(1, "io-threads 129", "argument must be between 1 and 128 inclusive"));
  s = c.LoadFromString("activedefrag yes");
  EXPECT_THAT(s.message(), ::testing::HasSubstr("Active defragmentation cannot be enabled"));
}

TEST(ConfigLoad, IncludeLoadsFilesAndGlobsInPlace) {
  std::string dir = TempDir();
  WriteFile(dir + "/a.conf", "port 7001\ntimeout 5\n");
  WriteFile(dir + "/conf.d-1.conf", "hz 20\n");
  WriteFile(dir + "/conf.d-2.conf", "hz 30\n");
  WriteFile(dir + "/bad.conf", "\nnosuch 1\n");
  Config c;
  ASSERT_TRUE(c.LoadFromString("port 1\ninclude " + dir + "/a.conf\ntimeout 9\ninclude " + dir +
                               "/conf.d-*.conf\n")
                  .ok());
  EXPECT_EQ(c.values().port, 7001);
  EXPECT_EQ(c.values().timeout, 9);
  EXPECT_EQ(c.values().hz, 30);
  // An error inside an included file reports that file's line.
  Status s = c.LoadFromString("port 1\ninclude " + dir + "/bad.conf\n");
  EXPECT_EQ(s.message(), Fatal(2, "nosuch 1", "Bad directive or wrong number of arguments"));
  s = c.LoadFromString("include " + dir + "/missing.conf\n");
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_EQ(s.message(), "Fatal error, can't open config file '" + dir +
                             "/missing.conf': No such file or directory");
  std::filesystem::remove_all(dir);
}

// ---- Command line -------------------------------------------------------------------------------

CommandLine Parse(std::vector<const char*> argv) {
  argv.insert(argv.begin(), "ember-server");
  return ParseCommandLine(static_cast<int>(argv.size()), argv.data());
}

TEST(ConfigCommandLine, BuildsConfigTextLikeRedisServer) {
  CommandLine cl = Parse({"my.conf", "--port", "7000", "--save", "", "--bind", "127.0.0.1", "::1"});
  EXPECT_EQ(cl.config_file, "my.conf");
  EXPECT_FALSE(cl.config_from_stdin);
  EXPECT_EQ(cl.options, "port \"7000\" \nsave \"\" \nbind \"127.0.0.1\" \"::1\" ");

  cl = Parse({"--save", "--port", "1"});  // bare --save before another option means --save ""
  EXPECT_EQ(cl.config_file, "");
  EXPECT_EQ(cl.options, "save \"\"\nport \"1\" ");
  cl = Parse({"--port", "1", "--save"});
  EXPECT_EQ(cl.options, "port \"1\" \nsave \"\"");
  cl = Parse({"--maxmemory-clients", "--5"});  // a value may start with -- after a bare name
  EXPECT_EQ(cl.options, "maxmemory-clients \"--5\" ");
  cl = Parse({"-", "--port", "1"});
  EXPECT_TRUE(cl.config_from_stdin);
  cl = Parse({"--port 6380"});
  EXPECT_EQ(cl.options, "port 6380 ");
}

TEST(ConfigCommandLine, ErrorsPointAfterTheFile) {
  Config c;
  Status s = c.LoadServerConfig(Parse({"--foo", "bar"}));
  EXPECT_EQ(s.message(), Fatal(2, "foo \"bar\"", "Bad directive or wrong number of arguments"));
  std::string dir = TempDir();
  WriteFile(dir + "/a.conf", "# c\nport 7000\n");
  std::string path = dir + "/a.conf";
  Config d;
  s = d.LoadServerConfig(Parse({path.c_str(), "--port", "99999"}));
  EXPECT_EQ(s.message(),
            Fatal(4, "port \"99999\"", "argument must be between 0 and 65535 inclusive"));
  Config e;
  ASSERT_TRUE(e.LoadServerConfig(Parse({path.c_str(), "--port", "7001", "--save", ""})).ok());
  EXPECT_EQ(e.values().port, 7001);
  EXPECT_TRUE(e.values().save.empty());
  EXPECT_EQ(e.config_file(), path);
  Config f;
  s = f.LoadServerConfig(Parse({"/nonexistent/x.conf"}));
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  std::filesystem::remove_all(dir);
}

TEST(ConfigSplitArgs, QuotesAndEscapesLikeSdssplitargs) {
  std::vector<std::string> a;
  ASSERT_TRUE(SplitArgs("  set \"a b\" 'c d'  e\\n ", &a));
  EXPECT_THAT(a, ::testing::ElementsAre("set", "a b", "c d", "e\\n"));
  ASSERT_TRUE(SplitArgs("\"\\x41\\n\\t\\\"\" 'it\\'s' \"\"", &a));
  EXPECT_THAT(a, ::testing::ElementsAre("A\n\t\"", "it's", ""));
  ASSERT_TRUE(SplitArgs("a\"b c\"d", &a) == false);  // closing quote needs a space after
  EXPECT_FALSE(SplitArgs("\"abc", &a));
  EXPECT_FALSE(SplitArgs("'abc", &a));
  ASSERT_TRUE(SplitArgs("", &a));
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(QuoteArg("a \"b\"\\\n\x01"), "\"a \\\"b\\\"\\\\\\n\\x01\"");
  ASSERT_TRUE(SplitArgs(QuoteArg("x \"y\"\n\x7f"), &a));
  EXPECT_THAT(a, ::testing::ElementsAre("x \"y\"\n\x7f"));
}

// ---- CONFIG REWRITE -----------------------------------------------------------------------------

TEST(ConfigRewrite, KeepsCommentsReplacesInPlaceAndAppendsNonDefaults) {
  std::string old_dir = std::filesystem::current_path().string();
  std::string tmp = std::filesystem::canonical(TempDir()).string();
  ASSERT_EQ(chdir(tmp.c_str()), 0);
  const std::string old =
      "# top comment\n"
      "port 27124\n"
      "bind 127.0.0.1\n"
      "# hash comment\n"
      "hash-max-ziplist-entries 100\n"
      "maxmemory 10mb\n"
      "save 100 1\n"
      "save 200 2\n"
      "\n"
      "daemonize no\n"
      "timeout 5\n"
      "include /tmp/inc.conf\n"
      "replicaof no one\n"
      "port \"unbalanced\n";
  Config c;
  ASSERT_TRUE(c.LoadFromString(old.substr(0, old.rfind("include"))).ok());
  ASSERT_TRUE(
      c.Set(std::vector<std::string>{"timeout", "0", "maxmemory", "3000000", "hz", "20", "save",
                                     "300 3", "client-output-buffer-limit", "pubsub 1mb 2mb 3",
                                     "notify-keyspace-events", "KEA", "requirepass", "a b\"c"})
          .ok());
  std::string want =
      "# top comment\n"
      "port 27124\n"
      "bind 127.0.0.1\n"
      "# hash comment\n"
      "hash-max-listpack-entries 100\n"
      "maxmemory 3000000\n"
      "save 300 3\n"
      "\n"
      "daemonize no\n"
      "timeout 0\n"
      "include /tmp/inc.conf\n"
      "replicaof no one\n"
      "# ??? port \"unbalanced\n"
      "\n"
      "# Generated by CONFIG REWRITE\n"
      "requirepass \"a b\\\"c\"\n"
      "hz 20\n"
      "client-output-buffer-limit pubsub 1mb 2mb 3\n"
      "notify-keyspace-events \"AKE\"\n"
      "dir \"" +
      tmp + "\"\n";
  std::string got = c.RewriteContent(old);
  EXPECT_EQ(got, want);
  // Stable (the file's final newline becomes one trailing blank line, as in Redis), and a value
  // back at its default stays written where it was while surplus lines go.
  EXPECT_EQ(c.RewriteContent(got), want + "\n");
  EXPECT_EQ(c.RewriteContent(want + "\n"), want + "\n");
  ASSERT_TRUE(c.SetOne("hz", "10").ok());
  ASSERT_TRUE(c.SetOne("save", "").ok());
  std::string again = c.RewriteContent(got);
  EXPECT_THAT(again, ::testing::HasSubstr("\nhz 10\n"));
  EXPECT_THAT(again, ::testing::HasSubstr("\nsave \"\"\n"));
  ASSERT_TRUE(c.SetOne("requirepass", "").ok());  // an unset string disappears
  EXPECT_THAT(c.RewriteContent(got), ::testing::Not(::testing::HasSubstr("requirepass")));

  // Through the file: atomic replace of the loaded config file.
  Config none;
  EXPECT_EQ(none.Rewrite().message(), "The server is running without a config file");
  std::string path = tmp + "/ember.conf";
  WriteFile(path, "# mine\nport 7000\n");
  Config f;
  ASSERT_TRUE(f.LoadServerConfig(Parse({path.c_str()})).ok());
  ASSERT_TRUE(f.SetOne("port", "7001").ok());
  ASSERT_TRUE(f.SetOne("maxmemory", "1gb").ok());
  ASSERT_TRUE(f.Rewrite().ok());
  EXPECT_EQ(ReadFile(path),
            "# mine\nport 7001\n\n# Generated by CONFIG REWRITE\nmaxmemory 1gb\nsave 3600 1\n"
            "save 300 100\nsave 60 10000\ndir \"" +
                tmp + "\"\n");
  Config reload;
  ASSERT_TRUE(reload.LoadServerConfig(Parse({path.c_str()})).ok());
  EXPECT_EQ(reload.values().port, 7001);
  EXPECT_EQ(reload.values().maxmemory, 1ull << 30);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(tmp), {}), 1);  // no temp file left

  ASSERT_EQ(chdir(old_dir.c_str()), 0);
  std::filesystem::remove_all(tmp);
}

// ---- The shipped redis.conf ---------------------------------------------------------------------

TEST(ShippedRedisConf, ParsesCleanlyWithMakeRunDefaults) {
  std::string path = RepoRoot() + "/redis.conf";
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  Config c;
  Status s = c.LoadServerConfig(Parse({path.c_str()}));
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(c.TakeWarnings().empty());
  EXPECT_EQ(c.values().bind, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(c.values().port, 6379);
  EXPECT_EQ(c.values().logfile, "");
  EXPECT_EQ(c.values().loglevel, LogLevel::kNotice);
  EXPECT_FALSE(c.values().daemonize);
  EXPECT_EQ(Get1(c, "save"), "3600 1 300 100 60 10000");
}

TEST(ShippedRedisConf, DocumentsEveryRow) {
  std::string text = ReadFile(RepoRoot() + "/redis.conf");
  ASSERT_FALSE(text.empty());
  for (const ConfigRow& row : ConfigTable()) {
    std::string n = ConfigRowName(row);
    bool found = text.find("\n" + n + " ") != std::string::npos ||
                 text.find("\n# " + n + " ") != std::string::npos;
    EXPECT_TRUE(found) << n << " is not documented in redis.conf";
  }
}

}  // namespace
}  // namespace ember
