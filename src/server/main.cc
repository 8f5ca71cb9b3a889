// ember-server entry point: the same command line as redis-server.
//   ember-server [configfile] [--directive value ...]
//   ember-server -v | --version | -h | --help | --check-system
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "base/log.h"
#include "memory/allocator_stats.h"
#include "server/config.h"
#include "server/server.h"
#include "server/version.h"
#include "sys/syscheck.h"

namespace {

void PrintVersion() {
  std::printf("Ember server v=%s (Redis %s compatible) malloc=%s bits=%d\n", ember::kEmberVersion,
              ember::kRedisVersion, std::string(ember::mem::AllocatorName()).c_str(),
              static_cast<int>(sizeof(long) * 8));
}

void PrintUsage() {
  std::fprintf(stderr,
               "Usage: ./ember-server [/path/to/redis.conf] [options] [-]\n"
               "       ./ember-server - (read config from stdin)\n"
               "       ./ember-server -v or --version\n"
               "       ./ember-server -h or --help\n"
               "       ./ember-server --check-system\n"
               "\n"
               "Examples:\n"
               "       ./ember-server (run the server with default conf)\n"
               "       ./ember-server redis.conf\n"
               "       ./ember-server --port 7777\n"
               "       ./ember-server /etc/redis/6379.conf --loglevel verbose\n");
}

ember::sys::SysCheckOptions CheckOptionsFrom(const ember::ServerConfig& c) {
  ember::sys::SysCheckOptions o;
  o.disable_thp = c.disable_thp;
  o.tcp_backlog = c.tcp_backlog;
  o.maxclients = static_cast<int>(c.maxclients);
  o.maxmemory = c.maxmemory;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ember;
  if (argc >= 2) {
    std::string a = argv[1];
    if (a == "-v" || a == "--version") {
      PrintVersion();
      return 0;
    }
    if (a == "-h" || a == "--help") {
      PrintUsage();
      return 0;
    }
    if (a == "--check-system") {
      Config cfg;
      return sys::RunCheckSystem(CheckOptionsFrom(cfg.values()), stdout);
    }
  }
  // INFO executable: argv[0] made absolute against the start-up directory (Redis's
  // getAbsolutePath, no symlink resolution), before the `dir` directive changes directory.
  std::string executable = argv[0];
  if (!executable.empty() && executable[0] != '/') {
    char cwd[4096];
    if (getcwd(cwd, sizeof(cwd))) {
      while (executable.rfind("./", 0) == 0) executable.erase(0, 2);
      executable = std::string(cwd) + "/" + executable;
    }
  }
  Config config;
  CommandLine cl = ParseCommandLine(argc, argv);
  Status st = config.LoadServerConfig(cl);
  if (!st.ok()) {
    if (st.code() == StatusCode::kInvalidArgument) {
      std::fputs(st.message().c_str(), stderr);
    } else {
      LOG_WARNING("%s", st.message().c_str());
    }
    return 1;
  }
  const ServerConfig& c = config.values();
  SetLogLevel(c.loglevel);
  if (!c.logfile.empty()) (void)SetLogFile(c.logfile);
  LOG_NOTICE("oO0OoO0OoO0Oo Ember is starting oO0OoO0OoO0Oo");
  LOG_NOTICE("Ember version=%s, Redis compatibility=%s, bits=%d, pid=%d, just started", kEmberVersion,
             kRedisVersion, static_cast<int>(sizeof(long) * 8), static_cast<int>(getpid()));
  if (cl.config_file.empty() && !cl.config_from_stdin) {
    LOG_WARNING("Warning: no config file specified, using the default config. In order to specify a config file use %s /path/to/redis.conf",
                argv[0]);
  } else {
    LOG_NOTICE("Configuration loaded");
  }
  sys::StartupReport report = sys::RunStartupChecks(CheckOptionsFrom(c));
  if (report.fatal) return 1;
  if (static_cast<unsigned>(report.maxclients) != c.maxclients) {
    config.mutable_values().maxclients = static_cast<unsigned>(report.maxclients);
  }
  if (c.jemalloc_bg_thread) (void)mem::SetBackgroundThread(true);

  Server server(&config);
  server.executable = executable;
  server.config_file_abs = config.config_file();
  st = server.Init();
  if (!st.ok()) {
    LOG_WARNING("%s", st.message().c_str());
    return 1;
  }
  if (!c.pidfile.empty()) {
    FILE* f = std::fopen(c.pidfile.c_str(), "w");
    if (f) {
      std::fprintf(f, "%d\n", static_cast<int>(getpid()));
      std::fclose(f);
    }
  }
  LOG_NOTICE("Server initialized");
  server.Run();
#if !defined(__SANITIZE_ADDRESS__)
  server.AbandonDatasetForExit();  // exit at once, as Redis does (see server.h)
#endif
  return server.shutdown_exit_code;
}
