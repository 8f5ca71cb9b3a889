// Readers for process and system memory facts from /proc and /sys (Linux).
//
//   ProcessRss()          /proc/self/statm, field 2 (resident pages) × page size  — INFO used_memory_rss
//   TotalSystemMemory()   sysconf(_SC_PHYS_PAGES) × page size                     — total_system_memory
//   MemAvailable()        /proc/meminfo "MemAvailable:" kB
//   ReadCgroupMemory()    this process's memory cgroup: limit and current usage (v2, then v1)
//   PrivateDirtyBytes()   sum of "Private_Dirty:" (smaps_rollup, else smaps) — copy-on-write in a fork child
//   Get/SetOomScoreAdj()  /proc/self/oom_score_adj
//
// Heap use: everything except ReadCgroupMemory() reads through open/read/close into stack buffers and
// allocates nothing, so the functions are safe in a fork child (which may run while another parent
// thread held the allocator lock) and cheap enough for a 100 ms cron. ReadCgroupMemory() builds a few
// path strings; it runs at start-up and in INFO, never in a child.
//
// Paths under /proc and /sys can be prefixed with a root directory (`root`, "" = the real system) so
// tests can point the readers at a fake tree. /proc/self paths are never prefixed where the value must
// be the calling process's (RSS, smaps, oom_score_adj).
//
// Thread safety: all functions are safe from any thread; they share no state except a cached page size.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace ember::sys {

// System page size (sysconf), cached. Fork-safe.
size_t SystemPageSize();

// Reads up to cap-1 bytes of a small file into buf and NUL-terminates it. Returns the byte count, or
// -1 if the file cannot be opened or read. No heap. Fork-safe.
ssize_t ReadSmallFile(const char* path, char* buf, size_t cap);

// Resident set size of this process in bytes; 0 if /proc is unavailable. One open+read+close, no heap.
size_t ProcessRss();

// Physical memory of the machine in bytes (sysconf); 0 if unknown.
size_t TotalSystemMemory();

// MemAvailable from <root>/proc/meminfo in bytes; 0 if absent. No heap.
size_t MemAvailable(const char* root = "");

// The memory cgroup this process belongs to.
struct CgroupMemory {
  bool found = false;      // false: no memory controller readable for this process
  int version = 0;         // 2 or 1
  uint64_t limit = 0;      // effective limit: the smallest over the cgroup and its ancestors;
                           // kUnlimited when none is set
  uint64_t current = 0;    // the cgroup's current charge (memory.current / memory.usage_in_bytes)
  std::string dir;         // the cgroup directory read (under root), for messages
  static constexpr uint64_t kUnlimited = UINT64_MAX;
  bool limited() const { return found && limit != kUnlimited; }
};
// Resolves <root>/proc/self/cgroup, then reads cgroup v2 (<root>/sys/fs/cgroup[/unified]/<path>/
// memory.max, memory.current) or, if the v2 hierarchy has no memory controller, v1
// (<root>/sys/fs/cgroup/memory/<path>/memory.limit_in_bytes, memory.usage_in_bytes). When the
// cgroup's directory is not visible (a container without a cgroup namespace sees its own cgroup at
// the mount root), the mount root is read instead. v1 limits of 2^62 and above mean "unlimited".
CgroupMemory ReadCgroupMemory(const char* root = "");

// Sum of Private_Dirty over all mappings of this process, in bytes: in a fork child this is the
// memory copied on write since the fork (plus what the child itself dirtied). Reads
// /proc/self/smaps_rollup, or sums /proc/self/smaps when the kernel lacks it (< 4.14). Returns 0 if
// neither is readable. No heap; cost grows with the number of mappings (smaps fallback) or the
// number of pages (the kernel walks page tables), typically 0.1–10 ms.
size_t PrivateDirtyBytes();
// The same parser over an arbitrary smaps-format file (for tests and tools). No heap.
size_t PrivateDirtyBytesFromFile(const char* path);

// Copy-on-write sampling with a duty cycle, as a fork child does it: a new reading is taken only
// when at least `duty_cycle` × (cost of the previous reading) has elapsed since it, so sampling never
// costs more than 1/duty_cycle of the child's time. Not thread-safe (one per child). No heap.
class CowSampler {
 public:
  explicit CowSampler(uint64_t duty_cycle = 100) : duty_cycle_(duty_cycle) {}
  // Takes a reading if due (always on the first call, or when force is set). Returns the latest
  // value, fresh or not. now_us must be ember::MonotonicUs() (the cost is measured on that clock).
  size_t Sample(uint64_t now_us, bool force = false);
  size_t last_bytes() const { return bytes_; }
  size_t peak_bytes() const { return peak_; }
  uint64_t last_cost_us() const { return cost_us_; }  // how long the last reading took
  uint64_t readings() const { return readings_; }
  uint64_t sum_bytes() const { return sum_; }  // sum over readings, for an average

 private:
  uint64_t duty_cycle_;
  uint64_t updated_us_ = 0;
  uint64_t cost_us_ = 0;
  uint64_t readings_ = 0;
  uint64_t sum_ = 0;
  size_t bytes_ = 0;
  size_t peak_ = 0;
};

// /proc/self/oom_score_adj. Get returns the current value (-1000..1000) or an error.
Expected<int> GetOomScoreAdj();
// Writes value (clamped to -1000..1000). Lowering below the current value needs CAP_SYS_RESOURCE;
// the kernel's EACCES comes back as kIOError. No heap on success. Fork-safe.
Status SetOomScoreAdj(int value);

}  // namespace ember::sys
