// AOF persistence as the server runs it (Redis 7's multi-part AOF): loading at start-up, feeding
// every propagated write to the writer, the fsync policies, BGREWRITEAOF, turning the AOF on and
// off at run time, and the INFO persistence figures.
//
//   Server::Call -> Feed(dbid, argv)     RESP (+ SELECT when the db changes, #TS annotations)
//                                        appended to the writer's buffer; nothing blocks
//   before sleep -> BeforeSleep()        one Submit per loop iteration (group commit):
//                                          always   write + linked fdatasync; replies of clients
//                                                   that ran a command meanwhile are held until
//                                                   durable_offset() passes their offset
//                                          everysec write; SubmitFsync once a second; a write is
//                                                   postponed while an fsync is pending, forced
//                                                   after 2 s (aof_delayed_fsync++)
//                                          no       write only
//   eventfd      -> OnWriterEvent()      completions: offsets advance, held clients released
//   cron         -> Cron()               rewrite child reaping, scheduled/automatic rewrites,
//                                        retries after a write error
//
// Files (all in <dir>/<appenddirname>): the manifest lists a base (RDB preamble or commands) and
// incr files. BGREWRITEAOF opens the next incr file BEFORE forking and persists the manifest, so
// everything written after the fork lands in the new incr and no rewrite buffer exists; the child
// writes temp-rewriteaof-bg-<pid>.aof; on success the parent renames it to the next base name,
// turns the old base and older incrs into history, persists the manifest atomically and deletes
// the history files (unless aof-disable-auto-gc). On failure nothing on disk changes meaning.
//
// Offsets: the writer's offsets are per file; the server sees one global offset that only grows
// (global = files_before_ + file offset), so a client's wait offset stays valid across a file switch.
//
// Errors: a failed write is retried at the same offset (AofWriter); meanwhile writes are refused
// with "-MISCONF Errors writing to the AOF file: <strerror>" and INFO shows
// aof_last_write_status:err; the first successful retry clears it.
//
// Thread safety: event-loop thread only; the rewrite child runs WriteBaseFile only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "persist/aof/manifest.h"
#include "persist/aof_writer.h"

namespace ember {

class Server;

class AofControl {
 public:
  enum class State { kOff, kOn, kWaitRewrite };

  explicit AofControl(Server* server);
  ~AofControl();
  AofControl(const AofControl&) = delete;
  AofControl& operator=(const AofControl&) = delete;

  // Start-up, after chdir to `dir`: with appendonly yes, migrates a Redis 6 single-file AOF, loads
  // the manifest's files (serving -LOADING meanwhile), writes the first base when there is none,
  // opens the incr file and the writer. *loaded: an AOF existed (the RDB file is then not read).
  // Errors are fatal for start-up and name the file and offset.
  Status Startup(bool* loaded);

  State state() const { return state_; }
  bool active() const { return state_ != State::kOff; }

  // ---- the write stream ----
  // Appends one command executed in `dbid`.
  void Feed(int dbid, const std::string_view* argv, size_t argc);
  // Global offset after everything fed so far / the part a waiting client may be released at.
  uint64_t end_offset() const;
  uint64_t durable_offset() const;
  // appendfsync always: replies wait for durable_offset().
  bool HoldsReplies() const;

  // ---- event loop ----
  void BeforeSleep();
  void Cron();

  // ---- commands ----
  // BGREWRITEAOF. `in_multi`: schedule instead of starting. Errors carry the exact reply text.
  Status BackgroundRewrite(bool in_multi, bool* scheduled);
  // CONFIG SET appendonly yes / no.
  Status Start();
  void Stop();
  // SHUTDOWN: writes and fsyncs everything buffered, kills a rewrite child.
  Status Shutdown();
  // Kills an active rewrite child (its result is discarded).
  void KillChild();
  bool child_active() const;
  // A write error is pending: writes are refused with MISCONF (*err: the errno).
  bool WritesRefused(int* err) const;

  // INFO persistence: aof_enabled ... module_fork_last_cow_size, then (AOF on) aof_current_size
  // ... aof_delayed_fsync (Redis's order; the loading_* fields follow).
  std::string InfoFields() const;
  // Ember's own field, at the end of the section: aof_writer:io_uring|threaded.
  std::string EmberInfoFields() const;
  // Bytes buffered for the AOF (mem_aof_buffer; not counted against maxmemory).
  size_t BufferBytes() const;
  const char* writer_name() const;
  // Test/debug: the current incr file's path (empty when off).
  std::string CurrentIncrPath() const;

 private:
  friend void AofWriterEvent(AofControl* aof);
  std::string DirPath() const;
  std::string ManifestName() const;
  Status CreateWriter();
  Status OpenIncr(const std::string& name, bool truncate);
  void SwitchWriterFile(int fd, uint64_t size);
  Status WriteBaseNow(const std::string& path);
  Status StartRewrite();
  void OnRewriteDone(bool ok, int sig, pid_t pid);
  void DeleteHistoryFiles();
  void UpdateSizes();
  void Flush(bool force);
  void ReapWriter();
  bool FsyncSkipped() const;
  bool RewriteLimited();

  Server* server_;
  State state_ = State::kOff;
  aof::Manifest manifest_;
  std::unique_ptr<AofWriter> writer_;
  bool event_registered_ = false;
  int fd_ = -1;                  // current incr file (or temp incr while kWaitRewrite)
  uint64_t files_before_ = 0;    // global offset of the current file's start
  uint64_t file_start_ = 0;      // the current file's size when it was opened
  int selected_db_ = -1;
  int64_t last_ts_ = -1;         // last #TS annotation (seconds)
  // fsync policy bookkeeping
  int64_t last_fsync_ms_ = 0;
  int64_t postponed_start_ms_ = 0;
  uint64_t delayed_fsync_ = 0;
  int64_t last_write_error_log_ = 0;
  bool last_write_ok_ = true;
  // sizes
  uint64_t base_size_ = 0;
  uint64_t other_incr_size_ = 0;  // incr files before the current one
  // rewrite
  bool rewrite_scheduled_ = false;
  int64_t rewrite_started_ms_ = 0;
  int64_t last_rewrite_time_sec_ = -1;
  bool last_bgrewrite_ok_ = true;
  uint64_t rewrites_ = 0;
  uint64_t consecutive_failures_ = 0;
  uint64_t last_cow_size_ = 0;
  int next_delay_minutes_ = 0;
  int64_t next_rewrite_time_ = 0;
  int not_counted_handle_ = -1;
};

}  // namespace ember
