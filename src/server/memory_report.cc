// Memory overhead report and MEMORY DOCTOR. See memory_report.h for the formulas.
#include "server/memory_report.h"

#include "memory/alloc.h"
#include "server/server.h"

namespace ember {

size_t NormalClientsMemory(const Server& s) {
  size_t n = 0;
  for (const auto& [id, c] : s.clients()) n += c->MemoryUsage();
  return n;
}

MemoryOverhead ComputeMemoryOverhead(Server& s) {
  MemoryOverhead mh;
  size_t used = mem::UsedMemory();
  mh.total_allocated = used;
  mh.startup_allocated = s.used_memory_startup;
  mh.peak_allocated = std::max(mem::PeakMemory(), used);

  const auto& a = s.alloc_sample;
  mh.allocator_allocated = a.allocated;
  mh.allocator_active = a.active;
  mh.allocator_resident = a.resident;
  mh.process_rss = s.rss_bytes;
  mh.total_frag = SafeRatio(static_cast<double>(s.rss_bytes), static_cast<double>(a.used));
  mh.total_frag_bytes = static_cast<int64_t>(s.rss_bytes) - static_cast<int64_t>(a.used);
  mh.allocator_frag = SafeRatio(static_cast<double>(a.active), static_cast<double>(a.allocated));
  mh.allocator_frag_bytes = static_cast<int64_t>(a.active) - static_cast<int64_t>(a.allocated);
  mh.allocator_rss = SafeRatio(static_cast<double>(a.resident), static_cast<double>(a.active));
  mh.allocator_rss_bytes = static_cast<int64_t>(a.resident) - static_cast<int64_t>(a.active);
  mh.rss_extra = SafeRatio(static_cast<double>(s.rss_bytes), static_cast<double>(a.resident));
  mh.rss_extra_bytes = static_cast<int64_t>(s.rss_bytes) - static_cast<int64_t>(a.resident);

  size_t total = mh.startup_allocated;
  mh.clients_normal = NormalClientsMemory(s);
  mh.aof_buffer = s.aof().BufferBytes();
  total += mh.repl_backlog + mh.clients_slaves + mh.clients_normal + mh.cluster_links +
           mh.aof_buffer + mh.lua_caches + mh.functions_caches;
  for (int i = 0; i < s.DatabaseCount(); i++) {
    Database& db = s.db(i);
    if (db.Size() == 0) continue;
    mh.total_keys += db.Size();
    MemoryOverhead::Db d{i, db.MainOverheadBytes(), db.ExpiresOverheadBytes()};
    total += d.overhead_main + d.overhead_expires;
    mh.dbs.push_back(d);
  }
  mh.overhead_total = total;
  // Redis subtracts without a floor (the overhead can exceed used memory right after start-up,
  // when client buffers were allocated after the startup figure): keep it non-negative.
  mh.dataset = used > total ? used - total : 0;
  mh.peak_perc = SafeRatio(static_cast<double>(used) * 100, static_cast<double>(mh.peak_allocated));
  size_t net = used > mh.startup_allocated ? used - mh.startup_allocated : 1;
  mh.dataset_perc = static_cast<double>(mh.dataset) * 100 / static_cast<double>(net);
  mh.bytes_per_key = mh.total_keys ? net / mh.total_keys : 0;
  return mh;
}

std::string MemoryDoctorText(const MemoryOverhead& mh, size_t num_clients, const char* allocator) {
  bool empty = false, big_peak = false, high_frag = false, high_alloc_frag = false;
  bool high_alloc_rss = false, high_proc_rss = false, big_client_buf = false;
  int reports = 0;
  constexpr int64_t k10MB = 10 << 20;
  if (mh.total_allocated < (5u << 20)) {
    empty = true;
    reports++;
  } else {
    if (static_cast<double>(mh.peak_allocated) / static_cast<double>(mh.total_allocated) > 1.5) {
      big_peak = true;
      reports++;
    }
    if (mh.total_frag > 1.4 && mh.total_frag_bytes > k10MB) {
      high_frag = true;
      reports++;
    }
    if (mh.allocator_frag > 1.1 && mh.allocator_frag_bytes > k10MB) {
      high_alloc_frag = true;
      reports++;
    }
    if (mh.allocator_rss > 1.1 && mh.allocator_rss_bytes > k10MB) {
      high_alloc_rss = true;
      reports++;
    }
    if (mh.rss_extra > 1.1 && mh.rss_extra_bytes > k10MB) {
      high_proc_rss = true;
      reports++;
    }
    if (num_clients && mh.clients_normal / num_clients > 1024 * 200) {
      big_client_buf = true;
      reports++;
    }
    // No replicas and no script cache yet: those two checks cannot fire.
  }
  if (reports == 0) {
    return "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
           "occurs on this base.\n";
  }
  if (empty) {
    return "Hi Sam, this instance is empty or is using very little memory, my issues detector "
           "can't be used in these conditions. Please, leave for your mission on Earth and fill "
           "it with some data. The new Sam and I will be back to our programming as soon as I "
           "finished rebooting.\n";
  }
  std::string s = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
  if (big_peak) {
    s += " * Peak memory: In the past this instance used more than 150% the memory that is "
         "currently using. The allocator is normally not able to release memory after a peak, so "
         "you can expect to see a big fragmentation ratio, however this is actually harmless and "
         "is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is "
         "currently bigger than expected, the memory will be used as soon as you fill the Redis "
         "instance with more data. If the memory peak was only occasional and you want to try to "
         "reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is "
         "to shutdown and restart the instance.\n\n";
  }
  if (high_frag) {
    s += " * High total RSS: This instance has a memory fragmentation and RSS overhead greater "
         "than 1.4 (this means that the Resident Set Size of the Redis process is much larger "
         "than the sum of the logical allocations Redis performed). This problem is usually due "
         "either to a large peak memory (check if there is a peak memory entry above in the "
         "report) or may result from a workload that causes the allocator to fragment memory a "
         "lot. If the problem is a large peak memory, then there is no issue. Otherwise, make "
         "sure you are using the Jemalloc allocator and not the default libc malloc. Note: The "
         "currently used allocator is \"";
    s += allocator;
    s += "\".\n\n";
  }
  if (high_alloc_frag) {
    s += " * High allocator fragmentation: This instance has an allocator external fragmentation "
         "greater than 1.1. This problem is usually due either to a large peak memory (check if "
         "there is a peak memory entry above in the report) or may result from a workload that "
         "causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' "
         "config option.\n\n";
  }
  if (high_alloc_rss) {
    s += " * High allocator RSS overhead: This instance has an RSS memory overhead is greater "
         "than 1.1 (this means that the Resident Set Size of the allocator is much larger than "
         "the sum what the allocator actually holds). This problem is usually due to a large "
         "peak memory (check if there is a peak memory entry above in the report), you can try "
         "the MEMORY PURGE command to reclaim it.\n\n";
  }
  if (high_proc_rss) {
    s += " * High process RSS overhead: This instance has non-allocator RSS memory overhead is "
         "greater than 1.1 (this means that the Resident Set Size of the Redis process is much "
         "larger than the RSS the allocator holds). This problem may be due to Lua scripts or "
         "Modules.\n\n";
  }
  if (big_client_buf) {
    s += " * Big client buffers: The clients output buffers in this instance are greater than "
         "200K per client (on average). This may result from different causes, like Pub/Sub "
         "clients subscribed to channels bot not receiving data fast enough, so that data piles "
         "on the Redis instance output buffer, or clients sending commands with large replies or "
         "very large sequences of commands in the same pipeline. Please use the CLIENT LIST "
         "command in order to investigate the issue if it causes problems in your instance, or "
         "to understand better why certain clients are using a big amount of memory.\n\n";
  }
  s += "I'm here to keep you safe, Sam. I want to help you.\n";
  return s;
}

}  // namespace ember
