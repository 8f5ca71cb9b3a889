// RDB persistence as the server runs it: SAVE, BGSAVE (fork, temp file, rename, fsync of the
// directory), save points, loading at start-up, DEBUG RELOAD, stale temp-file cleanup, and the
// INFO persistence figures.
//
// Crash safety: a snapshot is written to `temp-<pid>.rdb` in `dir`, fsynced, then renamed over
// `dbfilename`, then the directory is fsynced. A crash or kill at any moment leaves either the old
// dump or the new one, never a torn file. Temp files left by a crash are removed at start-up.
//
// Before forking, Ember estimates the copy-on-write memory the child may cost (the bytes written
// since the last snapshot per second, times the expected save duration, capped at the dataset) and
// warns when that plus used memory would pass the memory available to the process (MemAvailable,
// or the cgroup limit): INFO persistence `fork_cow_estimate_bytes`.
//
// Thread safety: event-loop thread only (the child side runs in the fork child).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "persist/fork_child.h"
#include "persist/rdb/rdb_snapshot.h"

namespace ember {

class Server;
class PageDismisser;

// Fork child only: releases the pages of the parent's client buffers (query buffers, reply
// chunks), which the child never reads and the parent keeps writing (Redis's
// dismissMemoryInChild). See persist/dismiss.h.
void DismissClientBuffersInChild(Server* server, PageDismisser* dismiss);

class RdbControl {
 public:
  explicit RdbControl(Server* server);

  // Foreground save (SAVE, SHUTDOWN, DEBUG RELOAD). Blocks the event loop.
  Status Save();
  // Background save. `schedule`: when another child is active, schedule it instead of failing.
  // Errors carry the exact reply text (Redis's BGSAVE errors).
  Status BackgroundSave(bool schedule, bool* scheduled);
  // Loads dir/dbfilename into the server's databases (install on success only). A missing file is
  // not an error (*found = false).
  Status Load(bool* found);
  // DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: Save() unless !save, then load dbfilename. With
  // `flush` the loaded data replaces the whole dataset, installed only once the file parsed: a
  // failed load leaves the data as it was (Redis flushes first and is left empty). Without `flush`
  // the loaded keys are added to the dataset; a key that exists already is replaced when `merge`,
  // and otherwise the reload is refused before anything changes (Redis panics there).
  // Errors: *stage tells which step failed ("save" or "load"); a missing file is a load error.
  // Clients are not served while the file loads (unlike start-up loading).
  Status Reload(bool save, bool flush, bool merge, const char** stage);
  // DEBUG SET-SKIP-CHECKSUM-VALIDATION: skip the CRC checks of RDB files and RESTORE payloads.
  void set_skip_checksum(bool v) { skip_checksum_ = v; }
  bool skip_checksum() const { return skip_checksum_; }
  // Removes temp-*.rdb files a crashed earlier run left in `dir`.
  void RemoveStaleTempFiles();
  // From the cron: reap an RDB child, run scheduled or save-point BGSAVEs (an AOF rewrite child
  // is reaped by AofControl; the two share this ForkChild: one child at a time).
  void Cron();
  // Kills an active BGSAVE child (FLUSHALL, SHUTDOWN): its result is discarded. No-op when no
  // RDB child runs (an AOF rewrite child is AofControl's).
  void KillChild();

  // Writes refused with MISCONF: stop-writes-on-bgsave-error, save points configured, last
  // background save failed.
  bool WritesRefused() const;

  bool child_active() const { return child_.active(); }
  ForkChild& child() { return child_; }

  // INFO persistence: the RDB fields (loading .. rdb_last_load_keys_loaded), the loading_* fields
  // Redis appends while loading, and Ember's own fields (fork_cow_estimate_bytes).
  std::string InfoFields() const;
  std::string LoadingInfoFields() const;
  std::string EmberInfoFields() const;

  int64_t lastsave() const { return lastsave_; }
  bool loading() const { return loading_; }

  // Loading state shown by INFO (loading:1, loading_* fields) for another loader (the AOF).
  void BeginLoading(uint64_t total_bytes);
  void LoadingProgress(uint64_t loaded_bytes) { loading_loaded_bytes_ = loaded_bytes; }
  void EndLoading();

  rdb::SaveOptions MakeSaveOptions() const;
  rdb::LoadOptions MakeLoadOptions() const;

 private:
  Status WriteSnapshot(const std::string& tmp, bool in_child);
  Status Finish(const std::string& tmp);
  void OnChildDone(bool ok, int sig);
  uint64_t EstimateForkCow() const;
  // Parses dbfilename into `fresh` (as many empty databases as the server has). serve_events:
  // answer clients (-LOADING) while it runs, as at start-up. A missing file: *found = false, OK.
  Status LoadFile(std::vector<std::unique_ptr<Database>>* fresh, bool serve_events,
                  rdb::LoadResult* res, bool* found);

  Server* server_;
  ForkChild child_;
  pid_t child_pid_done_ = 0;
  int64_t lastsave_ = 0;
  int64_t last_bgsave_try_ = 0;
  bool last_bgsave_ok_ = true;
  int64_t last_bgsave_time_sec_ = -1;
  int64_t bgsave_started_ms_ = 0;
  uint64_t rdb_saves_ = 0;
  uint64_t last_cow_size_ = 0;
  uint64_t dirty_before_bgsave_ = 0;
  bool bgsave_scheduled_ = false;
  uint64_t fork_cow_estimate_ = 0;
  bool skip_checksum_ = false;
  // Loading.
  bool loading_ = false;
  int64_t loading_start_ = 0;
  uint64_t loading_total_bytes_ = 0;
  uint64_t loading_loaded_bytes_ = 0;
  uint64_t last_load_keys_loaded_ = 0;
  uint64_t last_load_keys_expired_ = 0;
  // Write rate for the CoW estimate.
  uint64_t dirty_at_last_sample_ = 0;
  int64_t last_sample_ms_ = 0;
  double dirty_per_sec_ = 0;
};

}  // namespace ember
