// The accounting layer: every allocation Ember makes goes through here, so `used_memory` is exact to
// the byte. Global operator new/delete are routed here too (memory/new_delete.cc), so standard
// containers are counted without special allocators.
//
//   used_memory = sum over threads of (usable size of every block allocated - usable size freed)
//
// Each thread adds to its own cache-line-padded counter (no contended atomics on the hot path); a
// reader sums all slots. A block freed on another thread (lazy free) subtracts from that thread's
// slot, so the sum stays exact across threads.
//
// The allocator is jemalloc (Debian's libjemalloc, unprefixed: it replaces malloc) except in
// SANITIZE=address builds, where glibc's malloc and malloc_usable_size stand in.
//
// Thread safety: all functions may be called from any thread. Fork-safe: a child may allocate.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ember::mem {

// Never returns null: an allocation failure logs and aborts, as Redis's zmalloc does.
void* Allocate(size_t size);
void* AllocateZeroed(size_t size);
void* Reallocate(void* ptr, size_t size);  // ptr may be null
void Free(void* ptr);                       // ptr may be null
// A zero-filled block aligned to `align` (a power of two, e.g. 64 for a cache line), freed with
// Free(). Accounted like Allocate(). With jemalloc a size that is a multiple of `align` costs no
// more than its size class (mallocx with MALLOCX_ALIGN|MALLOCX_ZERO); fresh pages are not touched.
void* AllocateAlignedZeroed(size_t size, size_t align);
// The same for big, long-lived arrays (hash-table bucket arrays). Blocks of at least
// kEagerPurgeMin bytes come from a jemalloc arena of their own whose freed pages go back to the OS
// at once (dirty and muzzy decay 0): when a rehash completes, the old array leaves RSS immediately
// instead of lingering for jemalloc's 10 s decay (1M keys: ~8 bytes of RSS per key while a table
// grows). Smaller sizes behave as AllocateAlignedZeroed. Freed with Free().
inline constexpr size_t kEagerPurgeMin = 256 * 1024;
void* AllocateLargeZeroed(size_t size, size_t align);
// Usable size of a live block (>= the size asked for; the allocator's size class).
size_t UsableSize(const void* ptr);
// The size class a request of `size` bytes gets, without allocating (jemalloc's nallocx).
size_t SizeClassOf(size_t size);

// Exact bytes currently allocated through this layer by all threads.
size_t UsedMemory();
// The highest UsedMemory() seen by UpdatePeak(), which the server calls after each command.
size_t PeakMemory();
void UpdatePeak();
void ResetPeak();

}  // namespace ember::mem
