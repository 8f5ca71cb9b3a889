// EventLoop implementation. See event_loop.h for the contract; notes on the pieces:
//
// File events. `events_[fd]` holds the registered mask and callbacks; it grows by doubling up to
// setsize, and `fired_` (the epoll_wait buffer) has the same length, so one epoll_wait can return every
// registered fd. Callbacks may grow `events_`, so dispatch re-reads `events_[fd]` after each callback.
//
// Timers. A TimerId packs (generation << 32 | slot): the slot finds the timer in O(1), the generation
// (bumped when a slot is freed) makes ids of dead timers fail lookups. Each live timer has at most one
// live heap entry, whose `seq` the slot remembers:
//
//     heap_:   [ (when, seq=7, slot=2) (when, seq=3, slot=0) ... ]   min-heap on (when, seq)
//     timers_: slot 0 {seq=3, gen=1, live}   slot 2 {seq=7, gen=4, live}   slot 1 {free}
//
// An entry whose seq differs from its slot's is stale (timer deleted or rescheduled) and is skipped
// when popped; `stale_` counts them and Compact() rebuilds the heap once they dominate.
//
// Wakeup. `wakeup_pending_` is set by the first Wakeup() after the loop drained the eventfd; only that
// call writes to the eventfd. The loop reads the eventfd, clears the flag, then runs the handler, so a
// Wakeup() that raced with the drain either saw the flag cleared (and writes again) or happened before
// the clear (and its work is visible to the handler: the exchanges are acq_rel).
#include "net/event_loop.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

#include "base/assert.h"
#include "base/time.h"

namespace ember::net {

namespace {

constexpr size_t kInitialSlots = 64;
constexpr size_t kCompactMinStale = 64;
constexpr int64_t kMaxDelayMs = int64_t{1} << 40;  // ~35 years; keeps ms * 1000 far from overflow

inline TimerId MakeId(uint32_t slot, uint32_t gen) {
  return static_cast<TimerId>((static_cast<uint64_t>(gen) << 32) | slot);
}

inline uint32_t EpollBits(int mask) {
  return ((mask & kReadable) ? EPOLLIN : 0u) | ((mask & kWritable) ? EPOLLOUT : 0u);
}

}  // namespace

Expected<std::unique_ptr<EventLoop>> EventLoop::Create(int setsize) {
  if (setsize <= 0) return Status::InvalidArgument("event loop setsize must be positive");
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return Status::FromErrno("epoll_create1", errno);
  int evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (evfd < 0) {
    int err = errno;
    close(epfd);
    return Status::FromErrno("eventfd", err);
  }
  std::unique_ptr<EventLoop> loop(new EventLoop(epfd, evfd, setsize));
  // The eventfd is registered like any fd; it may exceed a tiny setsize, so bypass the bound for it.
  int saved = loop->setsize_;
  loop->setsize_ = std::max(saved, evfd + 1);
  Status st = loop->AddFileEvent(evfd, kReadable, &EventLoop::OnWakeupFd, nullptr);
  loop->setsize_ = saved;
  if (!st.ok()) return st;
  return loop;
}

EventLoop::EventLoop(int epfd, int evfd, int setsize) : epfd_(epfd), evfd_(evfd), setsize_(setsize) {
  events_.resize(kInitialSlots);
  fired_.resize(kInitialSlots);
}

EventLoop::~EventLoop() {
  if (epfd_ >= 0) close(epfd_);
  if (evfd_ >= 0) close(evfd_);
}

// ---------------------------------------------------------------------------------------------------
// File events

void EventLoop::EnsureSlots(int fd) {
  size_t need = static_cast<size_t>(fd) + 1;
  if (need <= events_.size()) return;
  size_t n = std::max(need, events_.size() * 2);
  n = std::min(n, std::max(need, static_cast<size_t>(setsize_)));
  events_.resize(n);
  fired_.resize(n);
}

Status EventLoop::AddFileEvent(int fd, int mask, FileProc proc, void* data) {
  EMBER_CHECK(!dead_);
  if (fd < 0 || fd >= setsize_) {
    return Status::FromErrno("event loop: fd " + std::to_string(fd) + " (setsize " +
                                 std::to_string(setsize_) + ")",
                             ERANGE);
  }
  EnsureSlots(fd);
  FileEvent& fe = events_[fd];
  int old_io = fe.mask & (kReadable | kWritable);
  int new_mask = fe.mask | mask;
  int new_io = new_mask & (kReadable | kWritable);
  if (new_io != old_io) {
    epoll_event ev{};
    ev.events = EpollBits(new_io);
    ev.data.fd = fd;
    if (epoll_ctl(epfd_, old_io == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev) != 0) {
      return Status::FromErrno("epoll_ctl fd " + std::to_string(fd), errno);
    }
  }
  fe.mask = new_mask;
  if (mask & kReadable) fe.rproc = proc;
  if (mask & kWritable) fe.wproc = proc;
  fe.data = data;
  return Status::OK();
}

void EventLoop::RemoveFileEvent(int fd, int mask) {
  EMBER_CHECK(!dead_);
  if (fd < 0 || static_cast<size_t>(fd) >= events_.size()) return;
  FileEvent& fe = events_[fd];
  if (fe.mask == kNone) return;
  if (mask & kWritable) mask |= kBarrier;  // a barrier only means something with a writable callback
  int old_io = fe.mask & (kReadable | kWritable);
  int new_mask = fe.mask & ~mask;
  int new_io = new_mask & (kReadable | kWritable);
  if (new_io == 0) {
    // ENOENT/EBADF (fd already closed) are fine: the kernel dropped it from the interest set.
    (void)epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
    fe = FileEvent{};
    return;
  }
  if (new_io != old_io) {
    epoll_event ev{};
    ev.events = EpollBits(new_io);
    ev.data.fd = fd;
    (void)epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
  }
  fe.mask = new_mask;
  if (!(new_mask & kReadable)) fe.rproc = nullptr;
  if (!(new_mask & kWritable)) fe.wproc = nullptr;
}

int EventLoop::GetFileEvents(int fd) const {
  if (fd < 0 || static_cast<size_t>(fd) >= events_.size()) return kNone;
  return events_[fd].mask;
}

Status EventLoop::ResizeSetSize(int setsize) {
  EMBER_CHECK(!dead_);
  if (setsize <= 0) return Status::InvalidArgument("event loop setsize must be positive");
  for (size_t fd = setsize; fd < events_.size(); ++fd) {
    if (events_[fd].mask != kNone) {
      return Status::InvalidArgument("event loop: fd " + std::to_string(fd) +
                                     " is registered, cannot shrink setsize to " +
                                     std::to_string(setsize));
    }
  }
  setsize_ = setsize;
  return Status::OK();
}

void EventLoop::DispatchFile(int fd, int fired) {
  // Runs the callback for `bit` unless it is not registered (any more) or is the function that already
  // ran for this fd in this iteration (one call then handles both bits, as `fired` says).
  FileProc ran = nullptr;
  auto run = [&](int bit) {
    const FileEvent& fe = events_[fd];
    if (!(fe.mask & fired & bit)) return;
    FileProc p = (bit == kReadable) ? fe.rproc : fe.wproc;
    if (p == ran) return;
    ran = p;
    p(this, fd, fe.data, fired);  // may reallocate events_: `fe` is dead past this line
  };
  if (events_[fd].mask & kBarrier) {
    run(kWritable);
    run(kReadable);
  } else {
    run(kReadable);
    run(kWritable);
  }
}

void EventLoop::OnWakeupFd(EventLoop* loop, int fd, void*, int) {
  uint64_t count;
  ssize_t r;
  do {
    r = read(fd, &count, sizeof(count));
  } while (r < 0 && errno == EINTR);
  loop->wakeup_pending_.exchange(false, std::memory_order_acq_rel);
  if (loop->wakeup_.proc) loop->wakeup_.proc(loop, loop->wakeup_.data);
}

void EventLoop::Wakeup() {
  if (wakeup_pending_.exchange(true, std::memory_order_acq_rel)) return;
  uint64_t one = 1;
  ssize_t r;
  do {
    r = write(evfd_, &one, sizeof(one));
  } while (r < 0 && errno == EINTR);
  // EAGAIN would mean the counter is near 2^64: the loop is woken anyway.
}

// ---------------------------------------------------------------------------------------------------
// Timers

namespace {
// std heap functions build a max-heap; "greater" puts the earliest (when, seq) on top.
struct Later {
  template <typename E>
  bool operator()(const E& a, const E& b) const {
    return a.when_us != b.when_us ? a.when_us > b.when_us : a.seq > b.seq;
  }
};
}  // namespace

EventLoop::TimerSlot* EventLoop::Lookup(TimerId id) {
  if (id <= 0) return nullptr;
  uint32_t slot = static_cast<uint32_t>(id & 0xffffffffu);
  uint32_t gen = static_cast<uint32_t>(static_cast<uint64_t>(id) >> 32);
  if (slot >= timers_.size()) return nullptr;
  TimerSlot& t = timers_[slot];
  return (t.live && t.gen == gen) ? &t : nullptr;
}

void EventLoop::PushTimer(uint32_t slot, int64_t when_us) {
  TimerSlot& t = timers_[slot];
  if (t.seq != 0) ++stale_;
  t.seq = next_seq_++;
  t.when_us = when_us;
  heap_.push_back(HeapEntry{when_us, t.seq, slot});
  std::push_heap(heap_.begin(), heap_.end(), Later());
  if (stale_ >= kCompactMinStale && stale_ * 2 > heap_.size()) Compact();
}

void EventLoop::FreeTimer(uint32_t slot) {
  TimerSlot& t = timers_[slot];
  if (t.seq != 0) ++stale_;
  t.live = false;
  t.seq = 0;
  t.proc = nullptr;
  t.data = nullptr;
  t.gen = (t.gen >= 0x7fffffffu) ? 1 : t.gen + 1;  // ids stay positive
  free_slots_.push_back(slot);
  --live_timers_;
  if (stale_ >= kCompactMinStale && stale_ * 2 > heap_.size()) Compact();
}

void EventLoop::Compact() {
  auto dead = [this](const HeapEntry& e) { return timers_[e.slot].seq != e.seq; };
  heap_.erase(std::remove_if(heap_.begin(), heap_.end(), dead), heap_.end());
  std::make_heap(heap_.begin(), heap_.end(), Later());
  stale_ = 0;
}

void EventLoop::DropStaleTop() {
  while (!heap_.empty() && timers_[heap_.front().slot].seq != heap_.front().seq) {
    std::pop_heap(heap_.begin(), heap_.end(), Later());
    heap_.pop_back();
    --stale_;
  }
}

int64_t EventLoop::NearestTimerUs() {
  DropStaleTop();
  return heap_.empty() ? -1 : heap_.front().when_us;
}

TimerId EventLoop::CreateTimer(int64_t ms, TimerProc proc, void* data) {
  EMBER_CHECK(!dead_);
  EMBER_CHECK(proc != nullptr);
  ms = std::clamp<int64_t>(ms, 0, kMaxDelayMs);
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    EMBER_CHECK(timers_.size() < 0xffffffffu);
    slot = static_cast<uint32_t>(timers_.size());
    timers_.emplace_back();
  }
  TimerSlot& t = timers_[slot];
  t.proc = proc;
  t.data = data;
  t.live = true;
  t.seq = 0;
  ++live_timers_;
  PushTimer(slot, MonotonicUs() + ms * 1000);
  return MakeId(slot, timers_[slot].gen);
}

bool EventLoop::DeleteTimer(TimerId id) {
  EMBER_CHECK(!dead_);
  TimerSlot* t = Lookup(id);
  if (t == nullptr) return false;
  FreeTimer(static_cast<uint32_t>(t - timers_.data()));
  return true;
}

bool EventLoop::RescheduleTimer(TimerId id, int64_t ms) {
  EMBER_CHECK(!dead_);
  TimerSlot* t = Lookup(id);
  if (t == nullptr) return false;
  ms = std::clamp<int64_t>(ms, 0, kMaxDelayMs);
  PushTimer(static_cast<uint32_t>(t - timers_.data()), MonotonicUs() + ms * 1000);
  return true;
}

int EventLoop::ProcessTimers() {
  // The batch buffer is reused at depth 1; a nested call (from a callback) gets its own.
  std::vector<Due> nested;
  std::vector<Due>& due = depth_ == 1 ? due_ : nested;
  due.clear();

  int64_t now = MonotonicUs();
  while (!heap_.empty() && heap_.front().when_us <= now) {
    HeapEntry e = heap_.front();
    std::pop_heap(heap_.begin(), heap_.end(), Later());
    heap_.pop_back();
    TimerSlot& t = timers_[e.slot];
    if (t.seq != e.seq) {
      --stale_;
      continue;
    }
    t.seq = 0;  // no heap entry while due / firing
    due.push_back(Due{e.slot, t.gen});
  }

  int processed = 0;
  for (size_t i = 0; i < due.size(); ++i) {
    const uint32_t slot = due[i].slot, gen = due[i].gen;
    {
      TimerSlot& t = timers_[slot];
      // Deleted, or rescheduled into the future, by an earlier callback of this batch.
      if (!t.live || t.gen != gen || t.seq != 0) continue;
    }
    TimerProc proc = timers_[slot].proc;
    int64_t next = proc(this, MakeId(slot, gen), timers_[slot].data);
    ++processed;
    TimerSlot& t = timers_[slot];  // re-read: the callback may have grown timers_
    if (!t.live || t.gen != gen) continue;  // it deleted itself
    if (next < 0) {
      FreeTimer(slot);
    } else {
      PushTimer(slot, MonotonicUs() + std::min(next, kMaxDelayMs) * 1000);
    }
  }
  return processed;
}

// ---------------------------------------------------------------------------------------------------
// Iteration

int EventLoop::ProcessEvents(int flags) {
  EMBER_CHECK(!dead_);
  if (!(flags & kAllEvents)) return 0;
  ++depth_;
  int processed = 0;

  if ((flags & kCallBeforeSleep) && before_.proc) before_.proc(this, before_.data);

  int timeout = -1;
  if ((flags & kDontWait) || skip_wait_) {
    timeout = 0;
  } else if (flags & kTimeEvents) {
    int64_t when = NearestTimerUs();
    if (when >= 0) {
      int64_t us = when - MonotonicUs();
      // Round up: waking a little late is fine, waking early just spins once more.
      timeout = us <= 0 ? 0 : static_cast<int>(std::min<int64_t>((us + 999) / 1000, INT_MAX));
    }
  }
  if (!(flags & kFileEvents) && timeout < 0) timeout = 0;  // nothing could ever end the wait
  skip_wait_ = false;

  std::vector<epoll_event> nested;
  std::vector<epoll_event>* buf = &fired_;
  if (depth_ > 1) {
    nested.resize(events_.size());
    buf = &nested;
  }
  int n = Wait(buf->data(), static_cast<int>(buf->size()), timeout,
               depth_ == 1 && (flags & kFileEvents) && poll_max_us_ > 0);

  if ((flags & kCallAfterSleep) && after_.proc) after_.proc(this, after_.data);

  if (flags & kFileEvents) {
    for (int i = 0; i < n; ++i) {
      // Index through the vector each time: a callback may grow (reallocate) fired_, which keeps
      // its contents; nested ProcessEvents calls use their own buffer.
      const uint32_t ev = (*buf)[i].events;
      const int fd = (*buf)[i].data.fd;
      int fired = 0;
      if (ev & EPOLLIN) fired |= kReadable;
      if (ev & EPOLLOUT) fired |= kWritable;
      if (ev & (EPOLLERR | EPOLLHUP)) fired |= kReadable | kWritable;
      DispatchFile(fd, fired);
      ++processed;
    }
  }
  if (flags & kTimeEvents) processed += ProcessTimers();
  --depth_;
  return processed;
}

int64_t EventLoop::NextPollWindow(int64_t window_us, int64_t block_us, int64_t max_us) {
  if (max_us <= 0) return 0;
  if (window_us > 0 && block_us <= window_us) return window_us;  // a poll ran and caught it
  if (block_us <= max_us) {
    return std::clamp(window_us * 2, std::min(kIdlePollGrowStartUs, max_us), max_us);
  }
  return window_us / 2;
}

// epoll_wait, preceded by the idle poll when `may_poll` and the wait may block. EINTR counts as no
// event.
int EventLoop::Wait(epoll_event* buf, int size, int timeout_ms, bool may_poll) {
  auto wait = [&](int ms) {
    int n = epoll_wait(epfd_, buf, size, ms);
    if (n < 0) {
      if (errno != EINTR) EMBER_PANIC("epoll_wait: %s", std::strerror(errno));
      n = 0;
    }
    return n;
  };
  if (!may_poll || timeout_ms == 0) return wait(timeout_ms);
  const int64_t start = MonotonicUs();
  const int64_t deadline = timeout_ms > 0 ? start + int64_t{timeout_ms} * 1000 : INT64_MAX;
  int n = 0;
  if (poll_window_us_ > 0) {
    ++polls_;
    const int64_t poll_until = std::min(start + poll_window_us_, deadline);
    int64_t now = start;
    do {
      n = wait(0);
    } while (n == 0 && (now = MonotonicUs()) < poll_until);
    if (n > 0) {
      ++poll_hits_;
      return n;  // block <= window: the window stays
    }
    // Sleep for what is left of the timeout (rounded up, like the timeout itself).
    if (timeout_ms > 0) {
      timeout_ms = static_cast<int>(std::max<int64_t>(0, (deadline - now + 999) / 1000));
    }
  }
  n = wait(timeout_ms);
  poll_window_us_ = NextPollWindow(poll_window_us_, MonotonicUs() - start, poll_max_us_);
  return n;
}

void EventLoop::Run() {
  stop_ = false;
  while (!stop_) ProcessEvents(kAllEvents | kCallBeforeSleep | kCallAfterSleep);
}

int EventLoop::WaitFd(int fd, int mask, int64_t ms) {
  pollfd p{fd, 0, 0};
  if (mask & kReadable) p.events |= POLLIN;
  if (mask & kWritable) p.events |= POLLOUT;
  int timeout = ms < 0 ? -1 : static_cast<int>(std::min<int64_t>(ms, INT_MAX));
  int r = poll(&p, 1, timeout);
  if (r <= 0) return r;
  int ready = 0;
  if (p.revents & POLLIN) ready |= kReadable;
  if (p.revents & POLLOUT) ready |= kWritable;
  if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) ready |= kReadable | kWritable;
  return ready;
}

// ---------------------------------------------------------------------------------------------------
// Fork

void EventLoop::CloseAllFdsInChild(bool close_registered) {
  if (close_registered) {
    for (size_t fd = 0; fd < events_.size(); ++fd) {
      if (events_[fd].mask != kNone && static_cast<int>(fd) != evfd_) close(static_cast<int>(fd));
    }
  }
  if (epfd_ >= 0) close(epfd_);
  if (evfd_ >= 0) close(evfd_);
  epfd_ = evfd_ = -1;
  dead_ = true;
}

}  // namespace ember::net
