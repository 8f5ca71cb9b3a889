#include "persist/fork_child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "base/log.h"
#include "base/time.h"
#include "types/hashtable.h"

namespace ember {

namespace {
constexpr uint64_t kReportIntervalUs = 1000000;  // at most one progress report per second
}

ForkChild::~ForkChild() { ClosePipe(); }

void ForkChild::ClosePipe() {
  for (int& fd : pipe_) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
}

void ForkChild::Reset() {
  ClosePipe();
  pid_ = -1;
  type_ = ChildType::kNone;
}

bool ForkChild::FailForkForTests() {
  static const bool fail = [] {
    const char* v = std::getenv("EMBER_TEST_FAIL_FORK");
    return v != nullptr && std::string_view(v) == "1";
  }();
  return fail;
}

Expected<pid_t> ForkChild::Start(ChildType type, uint64_t keys_total, int oom_score_adj_child) {
  if (active()) return Status::Busy("a child process is already active");
  if (pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return Status::FromErrno("Can't open the child info pipe", errno);
  }
  int64_t t0 = MonotonicUs();
  pid_t pid = FailForkForTests() ? -1 : fork();
  if (pid < 0) {
    int err = FailForkForTests() ? ENOMEM : errno;
    ClosePipe();
    return Status::FromErrno("Can't fork", err);
  }
  if (pid == 0) {
    // Child.
    close(pipe_[0]);
    pipe_[0] = -1;
    SetLogRole('C');
    SetHashTableResizePolicy(HashTableResizePolicy::kForbid);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    if (oom_score_adj_child) (void)sys::SetOomScoreAdj(oom_score_adj_child);
    pid_ = 0;
    type_ = type;
    return pid_t{0};
  }
  fork_usec_ = static_cast<uint64_t>(MonotonicUs() - t0);
  close(pipe_[1]);
  pipe_[1] = -1;
  pid_ = pid;
  type_ = type;
  start_ms_ = UnixMs();
  info_ = ChildInfo();
  info_.keys_total = keys_total;
  SetHashTableResizePolicy(HashTableResizePolicy::kAvoid);
  return pid;
}

void ForkChild::ChildReportProgress(uint64_t keys_processed, bool force) {
  if (pipe_[1] < 0) return;
  uint64_t now = static_cast<uint64_t>(MonotonicUs());
  if (!force && now - last_report_us_ < kReportIntervalUs) return;
  last_report_us_ = now;
  Message m{keys_processed, cow_.Sample(now, force), 0};
  ssize_t w = write(pipe_[1], &m, sizeof(m));
  (void)w;
}

void ForkChild::ChildReportFinal(uint64_t keys_processed) {
  if (pipe_[1] < 0) return;
  uint64_t now = static_cast<uint64_t>(MonotonicUs());
  Message m{keys_processed, cow_.Sample(now, true), 1};
  ssize_t w = write(pipe_[1], &m, sizeof(m));
  (void)w;
}

void ForkChild::DrainPipe() {
  Message m;
  while (pipe_[0] >= 0 && read(pipe_[0], &m, sizeof(m)) == static_cast<ssize_t>(sizeof(m))) {
    info_.keys_processed = m.keys;
    info_.cow_bytes = m.cow;
    info_.cow_updated_ms = UnixMs();
    if (m.cow > info_.cow_peak) info_.cow_peak = m.cow;
  }
}

bool ForkChild::Poll(bool* exit_ok, int* by_signal) {
  if (!active()) return false;
  DrainPipe();
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == 0) return false;
  if (r < 0 && errno == EINTR) return false;
  DrainPipe();  // the final report was written before the child exited
  *exit_ok = r == pid_ && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  *by_signal = (r == pid_ && WIFSIGNALED(status)) ? WTERMSIG(status) : 0;
  Reset();
  SetHashTableResizePolicy(HashTableResizePolicy::kAllow);
  return true;
}

void ForkChild::Kill() {
  if (!active()) return;
  kill(pid_, SIGUSR1);
  int status;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  Reset();
  SetHashTableResizePolicy(HashTableResizePolicy::kAllow);
}

}  // namespace ember
