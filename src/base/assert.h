// Invariant checks. A broken invariant aborts with a message naming the state; it is never an error
// a client can cause. EMBER_CHECK is always on; EMBER_DCHECK only in debug builds.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace ember {
[[noreturn]] void Panic(const char* file, int line, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
}  // namespace ember

#define EMBER_PANIC(...) ::ember::Panic(__FILE__, __LINE__, __VA_ARGS__)
#define EMBER_CHECK(cond)                                                   \
  do {                                                                      \
    if (__builtin_expect(!(cond), 0)) EMBER_PANIC("check failed: %s", #cond); \
  } while (0)
#ifdef NDEBUG
#define EMBER_DCHECK(cond) ((void)0)
#else
#define EMBER_DCHECK(cond) EMBER_CHECK(cond)
#endif
