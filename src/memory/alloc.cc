#include "memory/alloc.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#ifdef EMBER_HAVE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace ember::mem {

// Defined in new_delete.cc: this reference makes the linker take the global operator new/delete
// whenever it takes this file (see there).
extern const int kNewDeleteRouted;
[[gnu::used]] static const int* const kPullNewDelete = &kNewDeleteRouted;

namespace {
constexpr int kSlots = 64;
struct alignas(64) Slot {
  std::atomic<int64_t> bytes{0};
};
Slot g_slots[kSlots];
std::atomic<int> g_next_slot{0};
std::atomic<size_t> g_peak{0};

inline Slot& MySlot() {
  thread_local int idx = g_next_slot.fetch_add(1, std::memory_order_relaxed) % kSlots;
  return g_slots[idx];
}

inline void Add(int64_t n) { MySlot().bytes.fetch_add(n, std::memory_order_relaxed); }

[[noreturn]] void Oom(size_t size) {
  std::fprintf(stderr, "ember: out of memory allocating %zu bytes\n", size);
  std::abort();
}

inline size_t Usable(const void* p) {
#ifdef EMBER_HAVE_JEMALLOC
  return malloc_usable_size(const_cast<void*>(p));
#else
  return ::malloc_usable_size(const_cast<void*>(p));
#endif
}
}  // namespace

void* Allocate(size_t size) {
  void* p = std::malloc(size ? size : 1);
  if (!p) Oom(size);
  Add(static_cast<int64_t>(Usable(p)));
  return p;
}

void* AllocateZeroed(size_t size) {
  void* p = std::calloc(1, size ? size : 1);
  if (!p) Oom(size);
  Add(static_cast<int64_t>(Usable(p)));
  return p;
}

void* AllocateAlignedZeroed(size_t size, size_t align) {
  if (size == 0) size = align;
#ifdef EMBER_HAVE_JEMALLOC
  void* p = mallocx(size, MALLOCX_ALIGN(align) | MALLOCX_ZERO);
  if (!p) Oom(size);
#else
  void* p = nullptr;
  if (posix_memalign(&p, align < sizeof(void*) ? sizeof(void*) : align, size) != 0) Oom(size);
  std::memset(p, 0, size);
#endif
  Add(static_cast<int64_t>(Usable(p)));
  return p;
}

#ifdef EMBER_HAVE_JEMALLOC
namespace {
// The eager-purge arena (see AllocateLargeZeroed), created on first use; 0 = creation failed, in
// which case big arrays come from the ordinary arenas.
unsigned EagerPurgeArena() {
  static const unsigned arena = [] {
    unsigned ind = 0;
    size_t sz = sizeof(ind);
    if (mallctl("arenas.create", &ind, &sz, nullptr, 0) != 0) return 0u;
    ssize_t zero = 0;
    for (const char* what : {"dirty_decay_ms", "muzzy_decay_ms"}) {
      char name[64];
      std::snprintf(name, sizeof(name), "arena.%u.%s", ind, what);
      (void)mallctl(name, nullptr, nullptr, &zero, sizeof(zero));
    }
    return ind;
  }();
  return arena;
}
}  // namespace
#endif

void* AllocateLargeZeroed(size_t size, size_t align) {
#ifdef EMBER_HAVE_JEMALLOC
  if (size >= kEagerPurgeMin) {
    if (unsigned arena = EagerPurgeArena()) {
      // No thread cache: the block is freed straight to its arena (jemalloc finds the arena from
      // the block on free(), whichever thread frees it).
      void* p = mallocx(size, MALLOCX_ALIGN(align) | MALLOCX_ZERO | MALLOCX_ARENA(arena) |
                                  MALLOCX_TCACHE_NONE);
      if (!p) Oom(size);
      Add(static_cast<int64_t>(Usable(p)));
      return p;
    }
  }
#endif
  return AllocateAlignedZeroed(size, align);
}

void* Reallocate(void* ptr, size_t size) {
  if (!ptr) return Allocate(size);
  size_t old = Usable(ptr);
  void* p = std::realloc(ptr, size ? size : 1);
  if (!p) Oom(size);
  Add(static_cast<int64_t>(Usable(p)) - static_cast<int64_t>(old));
  return p;
}

void Free(void* ptr) {
  if (!ptr) return;
  Add(-static_cast<int64_t>(Usable(ptr)));
  std::free(ptr);
}

size_t UsableSize(const void* ptr) { return Usable(ptr); }

size_t SizeClassOf(size_t size) {
#ifdef EMBER_HAVE_JEMALLOC
  return nallocx(size ? size : 1, 0);
#elif defined(__SANITIZE_ADDRESS__)
  // ASan's allocator reports the requested size as the usable size (its redzones are not usable).
  return size ? size : 1;
#else
  // glibc: chunks are 16-byte aligned with 8 bytes of header; usable = round_up(size + 8, 16) - 8.
  size_t s = size < 24 ? 24 : ((size + 8 + 15) & ~static_cast<size_t>(15)) - 8;
  return s;
#endif
}

size_t UsedMemory() {
  // Only slots some thread was given hold anything: usually a handful (the eviction loop calls
  // this twice per evicted key).
  int used = std::min(g_next_slot.load(std::memory_order_relaxed), kSlots);
  int64_t sum = 0;
  for (int i = 0; i < used; i++) sum += g_slots[i].bytes.load(std::memory_order_relaxed);
  return sum < 0 ? 0 : static_cast<size_t>(sum);
}

size_t PeakMemory() { return g_peak.load(std::memory_order_relaxed); }

void UpdatePeak() {
  size_t used = UsedMemory();
  size_t peak = g_peak.load(std::memory_order_relaxed);
  while (used > peak && !g_peak.compare_exchange_weak(peak, used, std::memory_order_relaxed)) {
  }
}

void ResetPeak() { g_peak.store(UsedMemory(), std::memory_order_relaxed); }

}  // namespace ember::mem
