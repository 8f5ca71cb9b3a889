// Logging in Redis's format:  `<pid>:<role> <dd Mon yyyy hh:mm:ss.mmm> <level-char> <message>`
// Level characters: '.' debug, '-' verbose, '*' notice, '#' warning. Role: 'M' the server,
// 'C' a fork child (RDB/AOF writer). The log goes to `logfile` (empty = standard output).
//
// Thread safety: Log() may be called from any thread and from a fork child; each line is written with
// one write(2) call, so lines never interleave. Fork-safe: it takes no locks.
#pragma once

#include <string>

namespace ember {

enum class LogLevel : int { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3, kNothing = 4 };

// Sets where the log goes. An empty path means standard output. Returns false (and keeps the old
// target) if the file cannot be opened for appending.
bool SetLogFile(const std::string& path);
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// 'M' by default; a fork child sets 'C'.
void SetLogRole(char role);

void Log(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
// Writes the message without the prefix (Redis does this for the ASCII logo and raw dumps).
void LogRaw(LogLevel level, const char* msg);

}  // namespace ember

#define LOG_DEBUG(...) ::ember::Log(::ember::LogLevel::kDebug, __VA_ARGS__)
#define LOG_VERBOSE(...) ::ember::Log(::ember::LogLevel::kVerbose, __VA_ARGS__)
#define LOG_NOTICE(...) ::ember::Log(::ember::LogLevel::kNotice, __VA_ARGS__)
#define LOG_WARNING(...) ::ember::Log(::ember::LogLevel::kWarning, __VA_ARGS__)
