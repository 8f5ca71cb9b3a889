// Allocator-level statistics and controls: what jemalloc itself reports, as opposed to the exact
// byte count of memory/alloc.h. INFO memory, MEMORY STATS / MALLOC-STATS / PURGE and the
// fragmentation ratios are built from these.
//
//   used_memory (alloc.h)  <=  allocated  <=  active  <=  resident  <=  process RSS (sys/proc.h)
//        |                       |             |            |
//        |  bytes we asked for   |  whole      |  pages     |  pages jemalloc holds, including dirty
//        |  (usable sizes)       |  size-class |  backing   |  pages not yet purged and metadata
//        |                       |  regions    |  live runs |
//
// jemalloc only refreshes its counters when the "epoch" mallctl is written, so a reader calls
// RefreshAllocatorStats() (or ReadAllocatorStats(), which does both) and then reads; the server does
// this every 100 ms in its cron, together with the RSS sample, so the ratios compare values taken at
// the same moment.
//
// Builds without jemalloc (SANITIZE=address, where ASan owns malloc) degrade honestly: the stats are
// reported as unavailable (valid == false, all zero), the allocator name is "libc", purge and
// background-thread control return kUnsupported, and MallocStatsText() returns Redis's text for that
// case.
//
// Thread safety: every function may be called from any thread (mallctl is internally synchronized).
// Fork safety: RefreshAllocatorStats/ReadAllocatorStats/PageSize may be called in a fork child.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ember::mem {

// True when Ember was built over jemalloc (EMBER_HAVE_JEMALLOC).
bool HaveJemalloc();

// A snapshot of jemalloc's global counters, in bytes.
struct AllocatorStats {
  bool valid = false;    // false without jemalloc or when a mallctl failed; all fields are then 0
  size_t allocated = 0;  // stats.allocated: bytes in live allocations (all of the process, not only ours)
  size_t active = 0;     // stats.active: bytes in active pages (allocated + unused parts of their runs)
  size_t resident = 0;   // stats.resident: physically resident data pages mapped by the allocator
  size_t retained = 0;   // stats.retained: virtual memory kept but returned to the OS (not in RSS)
  size_t mapped = 0;     // stats.mapped: bytes in active extents mapped by the allocator
  size_t metadata = 0;   // stats.metadata: allocator bookkeeping
  size_t dirty = 0;      // all arenas' pdirty × page: freed pages not yet purged (still in RSS)
  size_t muzzy = 0;      // all arenas' pmuzzy × page: pages purged lazily (MADV_FREE), may be in RSS
};

// Bumps jemalloc's epoch so that the next reads see fresh counters. No-op without jemalloc.
void RefreshAllocatorStats();
// Reads the counters as of the last refresh. Returns false (and a zeroed, !valid struct) without
// jemalloc or if a read fails.
bool GetAllocatorStats(AllocatorStats* out);
// RefreshAllocatorStats() then GetAllocatorStats().
AllocatorStats ReadAllocatorStats();

// The INFO `mem_allocator` value: "jemalloc-<major>.<minor>.<bugfix>" built from the runtime
// `version` mallctl (e.g. "jemalloc-5.3.0"), or "libc". The returned view points to static storage.
std::string_view AllocatorName();

// jemalloc's malloc_stats_print() output (default options), as MEMORY MALLOC-STATS returns it.
// Without jemalloc: "Stats not supported for the current allocator". Allocates the string; cost is
// proportional to the number of arenas and size classes (tens of KB of text).
std::string MallocStatsText();

// Purges dirty pages of every arena (`arena.4096.purge`, 4096 = MALLCTL_ARENAS_ALL), as MEMORY PURGE
// does. kUnsupported without jemalloc; kIOError if the mallctl fails.
Status PurgeAllocator();

// Turns jemalloc's background purging threads on or off (`background_thread`), the
// `jemalloc-bg-thread` directive. kUnsupported without jemalloc; kIOError if the mallctl fails (for
// example when the platform lacks support). BackgroundThreadEnabled() reads the current state
// (false without jemalloc).
Status SetBackgroundThread(bool enable);
bool BackgroundThreadEnabled();

// The allocator's page size (`arenas.page`), or the system page size without jemalloc. Cached.
size_t PageSize();

}  // namespace ember::mem
