// EventLoop: the single-threaded reactor every command runs on (the ae model: epoll + timers).
//
// One iteration (ProcessEvents) does, in order:
//
//     before-sleep hook ──> epoll_wait(timeout) ──> after-sleep hook ──> file callbacks ──> due timers
//
// timeout = 0 when the caller passes kDontWait or the before-sleep hook called SkipNextWait();
//         = time until the nearest timer (rounded up to whole ms) when timers are processed;
//         = forever otherwise (a Wakeup() or any fd event ends the wait).
//
// File events: one slot per fd (readable / writable callbacks sharing one `data` pointer), level
// triggered. EPOLLERR/EPOLLHUP are reported as readable and writable, filtered by what is registered.
// Within one fd the readable callback runs before the writable one, unless the fd was registered with
// kBarrier (then writable first: "reply only after the fsync done in before-sleep" as Redis does for
// appendfsync always). When both bits fire and both callbacks are the same function, it runs once.
// A callback may add or remove any fd (its own included) and may close it after removing it.
// Callbacks must tolerate spurious readiness (a read giving EAGAIN): an event fetched by epoll_wait
// can be consumed before its turn, e.g. by a nested ProcessEvents call from an earlier callback.
//
// Idle poll (off unless SetIdlePoll gives it a window): when the loop would block, it first polls
// (epoll_wait with timeout 0) for up to `window` microseconds, then blocks. On a virtual machine whose
// idle vCPU halts at once, a request arriving a few microseconds after the loop went to sleep pays a
// halt and a host wake-up; polling through such short gaps keeps the vCPU running. The window adapts
// the way the kernel's haltpoll governor does, on how long each wait lasted (`block`, from the start
// of polling to the wake-up):
//
//     block <= window (> 0)       the poll caught it: no change
//     window < block <= max       a longer poll would have caught it: window = clamp(2 * window,
//                                 kIdlePollGrowStartUs, max)
//     block > max                 the gap was too long to poll through: window /= 2 (0 after a few)
//
// So an idle server (woken only by its cron) or a lightly loaded one stops polling within a few
// wake-ups, and polling costs CPU only while events keep arriving less than `max` apart. A poll never
// runs past the nearest timer's deadline, nor in a nested ProcessEvents, nor when the wait is 0.
//
// Timers: a binary min-heap of (deadline, seq) entries with lazy deletion. Deleting a timer only marks
// its slot; the stale heap entry is dropped when it reaches the top, and the heap is rebuilt when stale
// entries outnumber live ones. So create / delete / fire are O(log n) and finding the nearest deadline
// is O(1) amortized. The timers due at the start of the timer phase are popped into a batch and run
// once each; a timer that reschedules itself with delay 0, or one created by a callback, runs in the
// next iteration, after the next epoll_wait: a "0 ms" timer cannot starve file events.
//
// Memory: 32 bytes per fd slot up to the highest registered fd, plus 16 bytes of epoll_event buffer per
// slot; 40 bytes per timer slot plus 24 bytes per heap entry.
//
// Thread safety: only the loop's thread may call methods, except Wakeup() which any thread may call
// while the loop object is alive (it writes to an eventfd; concurrent calls coalesce into one callback).
//
// Fork: the child shares the parent's epoll instance (an epoll_ctl in the child changes the PARENT's
// interest set). The child must never run the loop or add/remove events. It may call
// CloseAllFdsInChild() to drop its copies of the epoll fd, the eventfd and (optionally) every
// registered fd; that makes no epoll_ctl call, so the parent is unaffected.
#pragma once

#include <sys/epoll.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/status.h"

namespace ember::net {

class EventLoop;

// Event mask bits.
enum : int {
  kNone = 0,
  kReadable = 1,
  kWritable = 2,
  kBarrier = 4,  // with kWritable: run the writable callback before the readable one
};

// ProcessEvents flags.
enum : int {
  kFileEvents = 1,
  kTimeEvents = 2,
  kAllEvents = kFileEvents | kTimeEvents,
  kDontWait = 4,         // poll with timeout 0
  kCallBeforeSleep = 8,  // run the before-sleep hook
  kCallAfterSleep = 16,  // run the after-sleep hook
};

using TimerId = int64_t;  // > 0 for a valid timer
inline constexpr int64_t kTimerNoMore = -1;
// The window a growing idle poll starts from (the haltpoll governor's grow_start, scaled to a server).
inline constexpr int64_t kIdlePollGrowStartUs = 10;

// `mask` says which of kReadable/kWritable fired for this call.
using FileProc = void (*)(EventLoop* loop, int fd, void* data, int mask);
// Returns the next delay in ms (>= 0) to run again, or kTimerNoMore (any negative) to delete the timer.
using TimerProc = int64_t (*)(EventLoop* loop, TimerId id, void* data);
using HookProc = void (*)(EventLoop* loop, void* data);

class EventLoop {
 public:
  // Creates the epoll instance and the wakeup eventfd. `setsize` bounds the fds that may be registered
  // (fd < setsize); it can be changed later with ResizeSetSize. Fails with strerror on epoll/eventfd.
  static Expected<std::unique_ptr<EventLoop>> Create(int setsize);
  ~EventLoop();  // closes the epoll fd and eventfd; registered fds are not owned and stay open
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // ---- file events ----
  // Adds `mask` (kReadable|kWritable, optionally kBarrier) to fd's registered events. `proc` becomes the
  // callback for each bit in mask; `data` replaces the fd's data pointer (not owned). Fails (and
  // registers nothing) if fd >= setsize or epoll_ctl fails. O(1).
  Status AddFileEvent(int fd, int mask, FileProc proc, void* data);
  // Removes `mask` bits; removing the last bit unregisters the fd. Safe on unregistered fds and from
  // inside any callback. Call it before closing the fd. O(1).
  void RemoveFileEvent(int fd, int mask);
  // Registered mask of fd (kNone if none).
  int GetFileEvents(int fd) const;
  int setsize() const { return setsize_; }
  // Changes the fd bound. Fails if a registered fd would be >= the new size.
  Status ResizeSetSize(int setsize);

  // ---- timers (milliseconds, monotonic clock) ----
  // Runs `proc` after `ms` ms (>= 0). `data` is not owned. O(log n).
  TimerId CreateTimer(int64_t ms, TimerProc proc, void* data);
  // Deletes a timer; false if it does not exist (already fired for the last time or deleted). Safe from
  // any callback, the timer's own included (its return value is then ignored). O(1) amortized.
  bool DeleteTimer(TimerId id);
  // Moves a timer's deadline to now + ms. False if the timer does not exist. Inside the timer's own
  // callback the callback's return value overrides it. O(log n).
  bool RescheduleTimer(TimerId id, int64_t ms);
  size_t TimerCount() const { return live_timers_; }

  // ---- hooks ----
  void SetBeforeSleep(HookProc proc, void* data) { before_ = {proc, data}; }
  void SetAfterSleep(HookProc proc, void* data) { after_ = {proc, data}; }
  // The next epoll_wait uses timeout 0 (one-shot). Call it from the before-sleep hook when work is
  // pending (e.g. clients with buffered input) so the loop does not sleep.
  void SkipNextWait() { skip_wait_ = true; }

  // ---- idle poll (see the file comment) ----
  // Largest poll window in microseconds; 0 turns polling off (and resets the window). O(1): a hot path
  // may call it every iteration.
  void SetIdlePoll(int64_t max_us) {
    if (max_us != poll_max_us_) {
      poll_max_us_ = max_us < 0 ? 0 : max_us;
      poll_window_us_ = std::min(poll_window_us_, poll_max_us_);
    }
  }
  // The window rule alone: the next window after a wait of `block_us` with window `window_us`.
  static int64_t NextPollWindow(int64_t window_us, int64_t block_us, int64_t max_us);
  struct PollStats {
    uint64_t polls = 0;     // waits that began with a poll
    uint64_t hits = 0;      // ... and found an event while polling (no sleep)
    int64_t window_us = 0;  // current window
  };
  PollStats poll_stats() const { return {polls_, poll_hits_, poll_window_us_}; }
  // Zeroes the counters (CONFIG RESETSTAT); the window is state, not a statistic, and stays.
  void ResetPollStats() { polls_ = poll_hits_ = 0; }

  // ---- cross-thread wakeup ----
  // Callback run on the loop thread after one or more Wakeup() calls. Set it before any thread wakes.
  void SetWakeupHandler(HookProc proc, void* data) { wakeup_ = {proc, data}; }
  // Any thread: make the loop run the wakeup handler soon (interrupts epoll_wait). Lock-free; a
  // syscall only when no wakeup is already pending.
  void Wakeup();

  // ---- running ----
  // Runs iterations with kAllEvents|kCallBeforeSleep|kCallAfterSleep until Stop().
  void Run();
  // Makes Run() return after the current iteration. Loop thread only (from a callback or hook);
  // another thread wanting to stop the loop does so through its wakeup handler.
  void Stop() { stop_ = true; }
  bool stopped() const { return stop_; }
  // One iteration. Returns how many file events and timers were processed. May be called from inside
  // a callback (e.g. while loading); the fd being handled stays registered, so that callback must guard
  // against re-entry itself.
  int ProcessEvents(int flags);

  // ---- fork ----
  // In a fork child only: closes the child's copies of the epoll fd and eventfd (and of every registered
  // fd if `close_registered`) without any epoll_ctl, then leaves the loop unusable (any further call
  // other than the destructor aborts). It only calls close(), so it is async-signal-safe.
  void CloseAllFdsInChild(bool close_registered);

  int epoll_fd() const { return epfd_; }

  // Blocks up to `ms` ms (-1: forever) until fd is ready for `mask` (kReadable/kWritable), without any
  // loop (Redis's aeWait, for short synchronous exchanges). Returns the ready bits (an error or hangup
  // reports kReadable|kWritable), 0 on timeout, -1 with errno on failure. Any thread, fork-safe.
  static int WaitFd(int fd, int mask, int64_t ms);

 private:
  struct FileEvent {
    int mask = kNone;
    FileProc rproc = nullptr;
    FileProc wproc = nullptr;
    void* data = nullptr;
  };
  struct TimerSlot {
    TimerProc proc = nullptr;
    void* data = nullptr;
    int64_t when_us = 0;
    uint64_t seq = 0;  // seq of this timer's live heap entry; 0 while firing or when free
    uint32_t gen = 1;  // bumped on free; part of the TimerId
    bool live = false;
  };
  struct HeapEntry {
    int64_t when_us;
    uint64_t seq;  // unique, increasing: ties fire in creation order; stale if != slot's seq
    uint32_t slot;
  };
  struct Due {  // a timer popped for this iteration's batch
    uint32_t slot;
    uint32_t gen;
  };
  struct Hook {
    HookProc proc = nullptr;
    void* data = nullptr;
  };

  EventLoop(int epfd, int evfd, int setsize);
  void EnsureSlots(int fd);
  void DispatchFile(int fd, int fired);
  int ProcessTimers();
  void PushTimer(uint32_t slot, int64_t when_us);
  void FreeTimer(uint32_t slot);
  TimerSlot* Lookup(TimerId id);
  int64_t NearestTimerUs();  // -1 if none
  void DropStaleTop();
  void Compact();
  static void OnWakeupFd(EventLoop* loop, int fd, void* data, int mask);
  int Wait(epoll_event* buf, int size, int timeout_ms, bool may_poll);

  int epfd_;
  int evfd_;
  int setsize_;
  bool stop_ = false;
  bool skip_wait_ = false;
  bool dead_ = false;  // after CloseAllFdsInChild
  int depth_ = 0;      // nesting of ProcessEvents
  std::vector<FileEvent> events_;
  std::vector<epoll_event> fired_;
  std::vector<TimerSlot> timers_;
  std::vector<uint32_t> free_slots_;
  std::vector<HeapEntry> heap_;
  std::vector<Due> due_;  // batch buffer of the outermost ProcessEvents
  uint64_t next_seq_ = 1;
  size_t live_timers_ = 0;
  size_t stale_ = 0;  // heap entries whose timer was deleted or rescheduled
  Hook before_, after_, wakeup_;
  std::atomic<bool> wakeup_pending_{false};
  int64_t poll_max_us_ = 0;
  int64_t poll_window_us_ = 0;
  uint64_t polls_ = 0;
  uint64_t poll_hits_ = 0;
};

}  // namespace ember::net
