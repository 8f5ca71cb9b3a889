// Memory that is not data — the AOF buffer, AOF rewrite buffers, the replication backlog and replica
// output buffers — is not counted against maxmemory (Redis's freeMemoryGetNotCountedMemory). Each
// subsystem registers a function that reports its current bytes; eviction subtracts the total from
// used_memory, and INFO memory shows it as mem_not_counted_for_evict.
//
// Thread safety: register/unregister and Total() from the event-loop thread only.
#pragma once

#include <cstddef>

namespace ember::mem {

using NotCountedFn = size_t (*)(void* data);

// Returns a handle for Unregister. `name` must outlive the registration (a string literal).
int RegisterNotCounted(const char* name, NotCountedFn fn, void* data);
void UnregisterNotCounted(int handle);
// Sum of every registered subsystem's bytes right now.
size_t NotCountedTotal();

}  // namespace ember::mem
