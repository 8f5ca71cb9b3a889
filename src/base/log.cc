#include "base/log.h"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "base/assert.h"

namespace ember {

namespace {
std::atomic<int> g_fd{STDOUT_FILENO};
std::atomic<int> g_level{static_cast<int>(LogLevel::kNotice)};
std::atomic<char> g_role{'M'};
constexpr char kLevelChars[] = {'.', '-', '*', '#'};

void WriteLine(LogLevel level, const char* msg, bool raw) {
  char buf[8192];
  int n = 0;
  if (raw) {
    n = std::snprintf(buf, sizeof(buf), "%s\n", msg);
  } else {
    struct timeval tv;
    gettimeofday(&tv, nullptr);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char date[64];
    size_t off = std::strftime(date, sizeof(date), "%d %b %Y %H:%M:%S.", &tm);
    std::snprintf(date + off, sizeof(date) - off, "%03d", static_cast<int>(tv.tv_usec / 1000));
    n = std::snprintf(buf, sizeof(buf), "%d:%c %s %c %s\n", static_cast<int>(getpid()),
                      g_role.load(std::memory_order_relaxed), date,
                      kLevelChars[static_cast<int>(level)], msg);
  }
  if (n < 0) return;
  if (static_cast<size_t>(n) >= sizeof(buf)) {
    n = sizeof(buf) - 1;
    buf[n - 1] = '\n';
  }
  ssize_t w = write(g_fd.load(std::memory_order_relaxed), buf, n);
  (void)w;
}
}  // namespace

bool SetLogFile(const std::string& path) {
  int fd = STDOUT_FILENO;
  if (!path.empty()) {
    fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return false;
  }
  int old = g_fd.exchange(fd);
  if (old != STDOUT_FILENO && old != fd) close(old);
  return true;
}

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }
LogLevel GetLogLevel() { return static_cast<LogLevel>(g_level.load()); }
void SetLogRole(char role) { g_role.store(role); }

void Log(LogLevel level, const char* fmt, ...) {
  if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed)) return;
  char msg[4096];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  WriteLine(level, msg, false);
}

void LogRaw(LogLevel level, const char* msg) {
  if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed)) return;
  WriteLine(level, msg, true);
}

void Panic(const char* file, int line, const char* fmt, ...) {
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  char full[2600];
  std::snprintf(full, sizeof(full), "PANIC at %s:%d: %s", file, line, msg);
  WriteLine(LogLevel::kWarning, full, false);
  std::fprintf(stderr, "%s\n", full);
  std::abort();
}

}  // namespace ember
