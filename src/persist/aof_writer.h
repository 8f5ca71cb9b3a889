// The AOF writer: appends to the current AOF file without blocking the event loop, through one
// io_uring ring owned by the loop (or, where io_uring is unavailable, a helper thread doing
// pwrite/fdatasync), and reports how far the file is written and how far it is durable.
//
//   event loop                                        ring / thread
//   Append(bytes)      accumulate this iteration's commands
//   Submit(fsync)  --> one pwrite of the batch at its file offset [-> linked fdatasync]
//   SubmitFsync()  --> a lone fdatasync (appendfsync everysec, once a second)
//   Reap()         <-- completions (the eventfd is a loop file event): written_offset(),
//                      synced_offset() advance; a short write is resubmitted for the rest
//
// Group commit: at most one write batch is in flight. While it is, new commands accumulate; the
// next Submit sends all of them as one write (+ one fsync with appendfsync always). Replies to
// writing clients are released by the server when synced_offset() passes their command's offset.
//
// Errors never lose or duplicate a command: writes carry explicit file offsets, so a failed or
// short write (EIO, ENOSPC, EAGAIN) is retried at the same offset — rewriting the same bytes —
// by the next Submit/Retry. Until a retry succeeds, ok() is false and last_errno() says why (the
// server refuses writes with -MISCONF Errors writing to the AOF file: <strerror>).
//
// Thread safety: every method runs on the event-loop thread. The threaded backend's worker only
// touches the batch it was handed. Fork: a child never uses its parent's writer (it builds its
// own if it needs one).
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "base/status.h"

struct io_uring;

namespace ember {

class AofWriter {
 public:
  enum class Backend { kIoUring, kThreaded };

  // kIoUring falls back to kThreaded when the kernel refuses a ring and `allow_fallback`.
  static Expected<std::unique_ptr<AofWriter>> Create(Backend preferred, bool allow_fallback);
  ~AofWriter();
  AofWriter(const AofWriter&) = delete;
  AofWriter& operator=(const AofWriter&) = delete;

  Backend backend() const { return backend_; }
  const char* backend_name() const { return backend_ == Backend::kIoUring ? "io_uring" : "threaded"; }
  // Readable when completions are waiting: register it as a loop file event calling Reap().
  int event_fd() const { return event_fd_; }

  // Switches to a new file whose current size is `size` (a new incr file). Everything buffered or
  // in flight for the old file is finished first (blocking: only at rewrite/shutdown boundaries).
  void SetFile(int fd, uint64_t size);
  int fd() const { return fd_; }

  void Append(std::string_view bytes) { pending_.append(bytes.data(), bytes.size()); }
  // The pending buffer itself, for callers that serialize straight into it (append only).
  std::string& buffer() { return pending_; }
  size_t buffered() const { return pending_.size(); }
  // Offset the file reaches once everything appended so far is written.
  uint64_t end_offset() const { return submitted_end_ + pending_.size(); }

  // Sends the pending bytes as one write (if no batch is in flight), with a linked fsync when
  // `fsync`. Also retries a failed batch. Returns false if nothing could be sent now.
  bool Submit(bool fsync);
  // A lone fsync of what is written so far (everysec). No-op if one is in flight.
  void SubmitFsync();
  // Processes completions. Returns true if written/synced offsets advanced.
  bool Reap();
  // Blocks until everything appended is written (and synced if `fsync`): shutdown, rewrite.
  Status Drain(bool fsync);

  uint64_t written_offset() const { return written_; }
  uint64_t synced_offset() const { return synced_; }
  bool write_in_flight() const { return write_in_flight_; }
  bool fsync_in_flight() const { return fsync_in_flight_; }
  int64_t fsync_started_us() const { return fsync_started_us_; }
  bool ok() const { return last_errno_ == 0; }
  int last_errno() const { return last_errno_; }
  uint64_t completed_fsyncs() const { return fsyncs_; }

 private:
  AofWriter() = default;
  Status InitUring();
  Status InitThreaded();
  void StartBatch(bool fsync);
  void OnWriteDone(ssize_t res);
  void OnFsyncDone(int res, bool linked);
  void ThreadMain();
  void Notify();

  Backend backend_ = Backend::kIoUring;
  int fd_ = -1;
  int event_fd_ = -1;
  std::unique_ptr<io_uring> ring_;

  std::string pending_;       // appended, not yet submitted
  std::string inflight_;      // the batch being written (kept alive until it completes)
  uint64_t inflight_off_ = 0; // file offset of inflight_[inflight_done_]
  size_t inflight_done_ = 0;  // bytes of inflight_ already written (short writes)
  bool inflight_fsync_ = false;
  uint64_t submitted_end_ = 0;  // offset after the last byte moved to inflight_
  uint64_t written_ = 0;
  uint64_t synced_ = 0;
  uint64_t fsync_target_ = 0;   // written_ when the in-flight fsync was submitted
  bool write_in_flight_ = false;
  bool fsync_in_flight_ = false;
  bool retry_needed_ = false;
  int64_t fsync_started_us_ = 0;
  int last_errno_ = 0;
  uint64_t fsyncs_ = 0;

  // Threaded backend.
  struct Job {
    enum Kind { kWrite, kFsync, kWriteFsync } kind;
    int fd;
    const char* data;
    size_t len;
    uint64_t off;
  };
  struct Done {
    Job::Kind kind;
    ssize_t write_res;
    int fsync_res;
  };
  std::thread worker_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  std::deque<Done> done_;
  bool stop_ = false;
};

}  // namespace ember
