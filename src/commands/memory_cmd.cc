// MEMORY: USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP.
//
// MEMORY USAGE of a key = its record allocation (key, TTL, header, inline value) + the external
// value (a raw string's block; an aggregate's allocations via <Type>ValueMemory, sampled as Redis
// does) + the key's share of the keyspace tables: kTableBytesPerKey for the main table and again
// for the expire index when the key has a TTL (Redis adds its 24-byte dictEntry instead).
//
// MEMORY STATS and DOCTOR are built from server/memory_report.h (the same figures as INFO memory).
#include <string>

#include "base/strutil.h"
#include "commands/server_family_internal.h"
#include "core/hash_value.h"
#include "core/list_value.h"
#include "core/set_value.h"
#include "core/zset_value.h"
#include "memory/alloc.h"
#include "memory/allocator_stats.h"
#include "proto/errors.h"
#include "server/command_table.h"
#include "server/memory_report.h"
#include "server/server.h"

namespace ember {

namespace {

// The keyspace table's average bytes per entry over a growth cycle (types/hashtable.h: ~16 B).
constexpr size_t kTableBytesPerKey = 16;
constexpr int64_t kDefaultSamples = 5;  // OBJ_COMPUTE_SIZE_DEF_SAMPLES

size_t ValueMemory(const Record* r, size_t samples) {
  Encoding e = r->encoding();
  if (!r->has_external_value()) return 0;  // int, embstr, inline listpack: inside the record
  const void* p = r->ptr();
  switch (r->type()) {
    case ObjType::kString:
      return mem::UsableSize(p);
    case ObjType::kList:
      return ListValueMemory(e, p, samples);
    case ObjType::kHash:
      return HashValueMemory(e, p, samples);
    case ObjType::kSet:
      return SetValueMemory(e, p, samples);
    case ObjType::kZSet:
      return ZsetValueMemory(e, p, samples);
    case ObjType::kStream:
      return 0;
  }
  return 0;
}

void MemoryUsage(CommandContext& ctx) {
  int64_t samples = kDefaultSamples;
  for (size_t j = 3; j < ctx.argc(); j++) {
    if (EqualsIgnoreCase(ctx.arg(j), "samples") && j + 1 < ctx.argc()) {
      if (!ParseInt64(ctx.arg(j + 1), &samples)) {
        ctx.reply->Error(proto::kErrNotInteger);
        return;
      }
      if (samples < 0) {
        ctx.reply->Error(proto::kErrSyntax);
        return;
      }
      j++;
    } else {
      ctx.reply->Error(proto::kErrSyntax);
      return;
    }
  }
  Record* r = ctx.db->Lookup(ctx.arg(2), kLookupNoTouch);
  if (!r) {
    ctx.reply->Null();
    return;
  }
  size_t usage = mem::UsableSize(r) + ValueMemory(r, static_cast<size_t>(samples)) +
                 kTableBytesPerKey + (r->has_expire() ? kTableBytesPerKey : 0);
  ctx.reply->Integer(static_cast<int64_t>(usage));
}

void MemoryStats(CommandContext& ctx) {
  MemoryOverhead mh = ComputeMemoryOverhead(*ctx.server);
  proto::ReplyBuilder* r = ctx.reply;
  r->MapLen(27 + mh.dbs.size());
  auto num = [&](const char* k, int64_t v) {
    r->Bulk(k);
    r->Integer(v);
  };
  auto dbl = [&](const char* k, double v) {
    r->Bulk(k);
    r->Double(v);
  };
  num("peak.allocated", static_cast<int64_t>(mh.peak_allocated));
  num("total.allocated", static_cast<int64_t>(mh.total_allocated));
  num("startup.allocated", static_cast<int64_t>(mh.startup_allocated));
  num("replication.backlog", static_cast<int64_t>(mh.repl_backlog));
  num("clients.slaves", static_cast<int64_t>(mh.clients_slaves));
  num("clients.normal", static_cast<int64_t>(mh.clients_normal));
  num("cluster.links", static_cast<int64_t>(mh.cluster_links));
  num("aof.buffer", static_cast<int64_t>(mh.aof_buffer));
  num("lua.caches", static_cast<int64_t>(mh.lua_caches));
  num("functions.caches", static_cast<int64_t>(mh.functions_caches));
  for (const auto& d : mh.dbs) {
    r->Bulk("db." + std::to_string(d.id));
    r->MapLen(3);
    num("overhead.hashtable.main", static_cast<int64_t>(d.overhead_main));
    num("overhead.hashtable.expires", static_cast<int64_t>(d.overhead_expires));
    num("overhead.hashtable.slot-to-keys", 0);
  }
  num("overhead.total", static_cast<int64_t>(mh.overhead_total));
  num("keys.count", static_cast<int64_t>(mh.total_keys));
  num("keys.bytes-per-key", static_cast<int64_t>(mh.bytes_per_key));
  num("dataset.bytes", static_cast<int64_t>(mh.dataset));
  dbl("dataset.percentage", mh.dataset_perc);
  dbl("peak.percentage", mh.peak_perc);
  num("allocator.allocated", static_cast<int64_t>(mh.allocator_allocated));
  num("allocator.active", static_cast<int64_t>(mh.allocator_active));
  num("allocator.resident", static_cast<int64_t>(mh.allocator_resident));
  dbl("allocator-fragmentation.ratio", mh.allocator_frag);
  num("allocator-fragmentation.bytes", mh.allocator_frag_bytes);
  dbl("allocator-rss.ratio", mh.allocator_rss);
  num("allocator-rss.bytes", mh.allocator_rss_bytes);
  dbl("rss-overhead.ratio", mh.rss_extra);
  num("rss-overhead.bytes", mh.rss_extra_bytes);
  dbl("fragmentation", mh.total_frag);
  num("fragmentation.bytes", mh.total_frag_bytes);
}

void MemoryDoctor(CommandContext& ctx) {
  MemoryOverhead mh = ComputeMemoryOverhead(*ctx.server);
  std::string alloc(mem::AllocatorName());
  ctx.reply->Verbatim(MemoryDoctorText(mh, ctx.server->clients().size(), alloc.c_str()));
}

void MemoryMallocStats(CommandContext& ctx) { ctx.reply->Verbatim(mem::MallocStatsText()); }

void MemoryPurge(CommandContext& ctx) {
  Status st = mem::PurgeAllocator();
  // Other allocators have nothing to purge: Redis replies OK there too.
  if (!st.ok() && st.code() != StatusCode::kUnsupported) {
    ctx.reply->Error(proto::kErrPurgeFailed);
    return;
  }
  ctx.reply->Ok();
}

void MemoryHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "MEMORY",
            {"DOCTOR", "    Return memory problems reports.", "MALLOC-STATS",
             "    Return internal statistics report from the memory allocator.", "PURGE",
             "    Attempt to purge dirty pages for reclamation by the allocator.", "STATS",
             "    Return information about the memory usage of the server.",
             "USAGE <key> [SAMPLES <count>]",
             "    Return memory in bytes used by <key> and its value. Nested values are",
             "    sampled up to <count> times (default: 5, 0 means sample all)."});
}

constexpr const char* kReportTips =
    "nondeterministic_output request_policy:all_shards response_policy:special";

}  // namespace

void RegisterMemoryCommand(CommandTable& t) {
  constexpr const char* kMaybeSlow = "Depends on how much memory is allocated, could be slow";
  CommandSpec memory = WithDocs({"memory", -2, 0, 0, 0, 0, nullptr, "server", "@slow"},
                                "A container for memory diagnostics commands.", "4.0.0",
                                "Depends on subcommand.");
  CommandSpec usage = WithDocs({"memory|usage", -3, kCmdReadonly, 2, 2, 1, MemoryUsage, "server",
                                "@read @slow"},
                               "Estimates the memory usage of a key.", "4.0.0",
                               "O(N) where N is the number of samples.",
                               "key [SAMPLES count:integer]");
  usage.key_spec_flags = "RO";
  memory.subcommands = {
      WithDocs({"memory|doctor", 2, 0, 0, 0, 0, MemoryDoctor, "server", "@slow"},
               "Outputs a memory problems report.", "4.0.0", "O(1)", "", kReportTips),
      WithDocs({"memory|malloc-stats", 2, 0, 0, 0, 0, MemoryMallocStats, "server", "@slow"},
               "Returns the allocator statistics.", "4.0.0", kMaybeSlow, "", kReportTips),
      WithDocs({"memory|purge", 2, 0, 0, 0, 0, MemoryPurge, "server", "@slow"},
               "Asks the allocator to release memory.", "4.0.0", kMaybeSlow, "",
               "request_policy:all_shards response_policy:all_succeeded"),
      WithDocs({"memory|stats", 2, 0, 0, 0, 0, MemoryStats, "server", "@slow"},
               "Returns details about memory usage.", "4.0.0", "O(1)", "", kReportTips),
      std::move(usage),
      WithDocs({"memory|help", 2, kCmdLoading | kCmdStale, 0, 0, 0, MemoryHelp, "server",
                "@slow"},
               "Returns helpful text about the different subcommands.", "4.0.0", "O(1)"),
  };
  t.Register(std::move(memory));
}

}  // namespace ember
