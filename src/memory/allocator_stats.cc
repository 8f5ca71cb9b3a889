// jemalloc statistics through mallctl.
//
// jemalloc keeps per-arena counters and publishes a merged copy only when the "epoch" control is
// written; reading "stats.*" without a refresh returns the values of the previous epoch. Each read
// here is a plain mallctl by name: the names are resolved on every call, which costs a few hundred
// nanoseconds — cheap enough for a 10 Hz cron, so no MIB caching.
//
// Merged arena statistics live under the pseudo-arena index MALLCTL_ARENAS_ALL (4096): pdirty and
// pmuzzy there are page counts for all arenas together, converted to bytes with `arenas.page`.
#include "memory/allocator_stats.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

#ifdef EMBER_HAVE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace ember::mem {

namespace {
constexpr unsigned kArenasAll = 4096;  // MALLCTL_ARENAS_ALL

#ifdef EMBER_HAVE_JEMALLOC
static_assert(MALLCTL_ARENAS_ALL == kArenasAll, "jemalloc's MALLCTL_ARENAS_ALL changed");

template <typename T>
bool ReadCtl(const char* name, T* out) {
  size_t sz = sizeof(T);
  return mallctl(name, out, &sz, nullptr, 0) == 0 && sz == sizeof(T);
}

// "jemalloc-5.3.0" from "5.3.0-0-g54eaed1d8b...": keep the leading "major.minor.bugfix".
void FormatName(const char* version, char* out, size_t cap) {
  size_t n = 0;
  while (version[n] && version[n] != '-' && n < 32) ++n;
  std::snprintf(out, cap, "jemalloc-%.*s", static_cast<int>(n), version);
}
#endif

}  // namespace

bool HaveJemalloc() {
#ifdef EMBER_HAVE_JEMALLOC
  return true;
#else
  return false;
#endif
}

void RefreshAllocatorStats() {
#ifdef EMBER_HAVE_JEMALLOC
  uint64_t epoch = 1;
  size_t sz = sizeof(epoch);
  (void)mallctl("epoch", &epoch, &sz, &epoch, sz);
#endif
}

bool GetAllocatorStats(AllocatorStats* out) {
  *out = AllocatorStats{};
#ifdef EMBER_HAVE_JEMALLOC
  AllocatorStats s;
  bool ok = ReadCtl("stats.allocated", &s.allocated) && ReadCtl("stats.active", &s.active) &&
            ReadCtl("stats.resident", &s.resident) && ReadCtl("stats.mapped", &s.mapped) &&
            ReadCtl("stats.metadata", &s.metadata);
  if (!ok) return false;
  (void)ReadCtl("stats.retained", &s.retained);  // absent on platforms that never retain
  char name[64];
  size_t pages = 0;
  std::snprintf(name, sizeof(name), "stats.arenas.%u.pdirty", kArenasAll);
  if (ReadCtl(name, &pages)) s.dirty = pages * PageSize();
  pages = 0;
  std::snprintf(name, sizeof(name), "stats.arenas.%u.pmuzzy", kArenasAll);
  if (ReadCtl(name, &pages)) s.muzzy = pages * PageSize();
  s.valid = true;
  *out = s;
  return true;
#else
  return false;
#endif
}

AllocatorStats ReadAllocatorStats() {
  RefreshAllocatorStats();
  AllocatorStats s;
  (void)GetAllocatorStats(&s);
  return s;
}

std::string_view AllocatorName() {
#ifdef EMBER_HAVE_JEMALLOC
  static const char* const kName = [] {
    static char buf[48];
    const char* version = nullptr;
    if (!ReadCtl("version", &version) || version == nullptr) version = JEMALLOC_VERSION;
    FormatName(version, buf, sizeof(buf));
    return buf;
  }();
  return kName;
#else
  return "libc";
#endif
}

std::string MallocStatsText() {
#ifdef EMBER_HAVE_JEMALLOC
  std::string text;
  malloc_stats_print(
      [](void* opaque, const char* s) { static_cast<std::string*>(opaque)->append(s); }, &text,
      nullptr);
  return text;
#else
  return "Stats not supported for the current allocator";
#endif
}

Status PurgeAllocator() {
#ifdef EMBER_HAVE_JEMALLOC
  char name[64];
  std::snprintf(name, sizeof(name), "arena.%u.purge", kArenasAll);
  int rc = mallctl(name, nullptr, nullptr, nullptr, 0);
  if (rc != 0) return Status::FromErrno("mallctl arena.purge", rc);
  return Status::OK();
#else
  return Status::Unsupported("purge is supported only with jemalloc");
#endif
}

Status SetBackgroundThread(bool enable) {
#ifdef EMBER_HAVE_JEMALLOC
  bool v = enable;
  int rc = mallctl("background_thread", nullptr, nullptr, &v, sizeof(v));
  if (rc != 0) return Status::FromErrno("mallctl background_thread", rc);
  return Status::OK();
#else
  (void)enable;
  return Status::Unsupported("background threads are supported only with jemalloc");
#endif
}

bool BackgroundThreadEnabled() {
#ifdef EMBER_HAVE_JEMALLOC
  bool v = false;
  return ReadCtl("background_thread", &v) && v;
#else
  return false;
#endif
}

size_t PageSize() {
  static const size_t kPage = [] {
#ifdef EMBER_HAVE_JEMALLOC
    size_t page = 0;
    if (ReadCtl("arenas.page", &page) && page != 0) return page;
#endif
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? static_cast<size_t>(p) : static_cast<size_t>(4096);
  }();
  return kPage;
}

}  // namespace ember::mem
