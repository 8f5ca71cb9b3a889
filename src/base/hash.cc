// XXH3-64 with a process seed; see hash.h. xxhash is compiled inline here (XXH_INLINE_ALL) so the
// short-key paths are straight-line code without a call into libxxhash.
#include "base/hash.h"

#include <sys/random.h>
#include <unistd.h>

#include <cstring>

#include "base/time.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace ember {

namespace {
uint64_t g_seed = 0;

inline char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// splitmix64 finaliser, used only to spread the fallback seed material.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

void SetHashSeed(uint64_t seed) { g_seed = seed; }
uint64_t HashSeed() { return g_seed; }

void InitHashSeedRandomly() {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof(seed), 0) != static_cast<ssize_t>(sizeof(seed))) {
    seed = Mix(static_cast<uint64_t>(UnixUs()) ^ Mix(static_cast<uint64_t>(getpid())) ^
               Mix(static_cast<uint64_t>(MonotonicUs())));
  }
  g_seed = seed;
}

uint64_t HashBytes(const void* data, size_t len) {
  return XXH3_64bits_withSeed(len ? data : "", len, g_seed);
}

uint64_t HashBytesNoCase(const void* data, size_t len) {
  const char* p = static_cast<const char*>(data);
  constexpr size_t kChunk = 256;
  char buf[kChunk];
  if (len <= kChunk) {
    for (size_t i = 0; i < len; i++) buf[i] = Lower(p[i]);
    return XXH3_64bits_withSeed(buf, len, g_seed);
  }
  // Long input: stream it in lowered chunks. XXH3's streaming result equals the one-shot result.
  XXH3_state_t state;
  std::memset(&state, 0, sizeof(state));  // silences a -Wmaybe-uninitialized false positive
  XXH3_64bits_reset_withSeed(&state, g_seed);
  for (size_t off = 0; off < len; off += kChunk) {
    size_t n = len - off < kChunk ? len - off : kChunk;
    for (size_t i = 0; i < n; i++) buf[i] = Lower(p[off + i]);
    XXH3_64bits_update(&state, buf, n);
  }
  return XXH3_64bits_digest(&state);
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

}  // namespace ember
