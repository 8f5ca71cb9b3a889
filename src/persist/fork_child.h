// Fork children (BGSAVE, AOF rewrite): starting them, the child-info pipe, copy-on-write reporting,
// and reaping them. One child at a time, as in Redis.
//
//   parent                                   child
//   ------                                   -----
//   Start(): pipe2, fork() (timed)  ------>  ChildSetup(): log role 'C', hash tables kForbid,
//   env.child_active = true,                 oom_score_adj, then the job (writes its file)
//   tables kAvoid (no rehash/LRU writes)     ReportProgress() every 1024 keys, at most once a
//   Poll() from the cron: drain the pipe  <- second: keys processed + CoW bytes (Private_Dirty
//   (current_cow_size, keys processed),      from /proc/self/smaps_rollup, sampled with a 100x
//   waitpid(WNOHANG) -> done handler         duty cycle so reading it costs <= 1% of the child)
//                                            ReportFinal(): final CoW; _exit(0|1)
//
// Thread safety: the parent side runs on the event-loop thread. The child side (ChildSetup,
// ReportProgress, ReportFinal) runs only in the child and allocates nothing on the report path.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "base/status.h"
#include "sys/proc.h"

namespace ember {

enum class ChildType { kNone, kRdb, kAof };

struct ChildInfo {
  uint64_t keys_processed = 0;
  uint64_t keys_total = 0;
  uint64_t cow_bytes = 0;
  int64_t cow_updated_ms = 0;   // unix ms of the last CoW reading received
  uint64_t cow_peak = 0;
};

class ForkChild {
 public:
  ForkChild() = default;
  // Test hook: with EMBER_TEST_FAIL_FORK=1 in the environment every fork "fails" with ENOMEM, so
  // tests can check that a failed fork is logged, reported and harmless (overcommit refusing a
  // fork cannot be arranged from a test). Read once.
  static bool FailForkForTests();
  ~ForkChild();

  // Forks. Returns the child's pid in the parent (> 0), 0 in the child, or an error (fork refused:
  // the message carries strerror) in the parent.
  Expected<pid_t> Start(ChildType type, uint64_t keys_total, int oom_score_adj_child);
  bool active() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  ChildType type() const { return type_; }
  int64_t start_ms() const { return start_ms_; }
  uint64_t last_fork_usec() const { return fork_usec_; }
  const ChildInfo& info() const { return info_; }

  // Parent: drains the info pipe and reaps the child. Returns true when the child has exited;
  // *exit_ok tells whether it exited 0 (and *by_signal when it was killed).
  bool Poll(bool* exit_ok, int* by_signal);
  // Parent: kills the child (SIGUSR1, as Redis: the child exits without error reporting) and reaps it.
  void Kill();

  // Child side.
  void ChildReportProgress(uint64_t keys_processed, bool force = false);
  void ChildReportFinal(uint64_t keys_processed);
  // Bytes of copy-on-write memory at the last report (child) — for its final log line.
  uint64_t ChildCowPeak() const { return cow_.peak_bytes(); }

 private:
  struct Message {
    uint64_t keys;
    uint64_t cow;
    uint8_t final;
  };
  void ClosePipe();
  void DrainPipe();
  void Reset();

  pid_t pid_ = -1;
  ChildType type_ = ChildType::kNone;
  int pipe_[2] = {-1, -1};
  int64_t start_ms_ = 0;
  uint64_t fork_usec_ = 0;
  ChildInfo info_;
  // Child side.
  sys::CowSampler cow_;
  uint64_t last_report_us_ = 0;
};

}  // namespace ember
