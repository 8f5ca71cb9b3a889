// EventLoop contracts: timer order, deletion and rescheduling, file events (socketpair and loopback),
// hooks, Stop, cross-thread Wakeup, re-entrancy and the fork child. Timing checks use wide margins.
#include "net/event_loop.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "base/assert.h"
#include "base/time.h"
#include "net/socket.h"

namespace ember::net {
namespace {

std::unique_ptr<EventLoop> NewLoop(int setsize = 1024) {
  auto loop = EventLoop::Create(setsize);
  EMBER_CHECK(loop.ok());
  return std::move(*loop);
}

struct Pair {
  int a = -1, b = -1;
  Pair() {
    int sv[2];
    EMBER_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
    a = sv[0];
    b = sv[1];
  }
  ~Pair() {
    if (a >= 0) close(a);
    if (b >= 0) close(b);
  }
};

// Stops the loop after `ms` and records that it had to: every Run() in these tests is bounded.
struct Guard {
  bool fired = false;
  TimerId id = 0;
  Guard(EventLoop* loop, int64_t ms) {
    id = loop->CreateTimer(
        ms,
        [](EventLoop* l, TimerId, void* d) -> int64_t {
          static_cast<Guard*>(d)->fired = true;
          l->Stop();
          return kTimerNoMore;
        },
        this);
  }
};

int64_t StopAfterCount(EventLoop* loop, std::vector<int>* log, int tag, size_t want) {
  log->push_back(tag);
  if (log->size() == want) loop->Stop();
  return kTimerNoMore;
}

// ---------------------------------------------------------------------------------------------------
// Timers

TEST(EventLoopTimers, FireInDeadlineOrder) {
  auto loop = NewLoop();
  std::vector<int> log;
  struct T {
    std::vector<int>* log;
    int tag;
  };
  const int delays[] = {60, 20, 40, 0, 20};
  std::vector<T> ts;
  ts.reserve(5);
  for (int i = 0; i < 5; ++i) ts.push_back(T{&log, i});
  for (int i = 0; i < 5; ++i) {
    loop->CreateTimer(
        delays[i],
        [](EventLoop* l, TimerId, void* d) -> int64_t {
          auto* t = static_cast<T*>(d);
          return StopAfterCount(l, t->log, t->tag, 5);
        },
        &ts[i]);
  }
  Guard g(loop.get(), 3000);
  loop->Run();
  EXPECT_FALSE(g.fired);
  // Equal delays (timers 1 and 4) fire in creation order.
  EXPECT_EQ(log, (std::vector<int>{3, 1, 4, 2, 0}));
}

TEST(EventLoopTimers, FiresNotBeforeItsDelayAndRoughlyOnTime) {
  auto loop = NewLoop();
  int64_t fired_at = 0;
  int64_t start = MonotonicUs();
  loop->CreateTimer(
      100,
      [](EventLoop* l, TimerId, void* d) -> int64_t {
        *static_cast<int64_t*>(d) = MonotonicUs();
        l->Stop();
        return kTimerNoMore;
      },
      &fired_at);
  Guard g(loop.get(), 5000);
  loop->Run();
  ASSERT_FALSE(g.fired);
  int64_t elapsed_ms = (fired_at - start) / 1000;
  EXPECT_GE(elapsed_ms, 99);
  EXPECT_LT(elapsed_ms, 1500);  // noisy shared machine: only catch gross lateness
}

TEST(EventLoopTimers, ReturnValueReschedulesAndMinusOneDeletes) {
  auto loop = NewLoop();
  int count = 0;
  loop->CreateTimer(
      0,
      [](EventLoop* l, TimerId, void* d) -> int64_t {
        int& c = *static_cast<int*>(d);
        if (++c == 4) {
          l->Stop();
          return kTimerNoMore;
        }
        return 5;
      },
      &count);
  EXPECT_EQ(loop->TimerCount(), 1u);
  Guard g(loop.get(), 3000);
  loop->Run();
  EXPECT_FALSE(g.fired);
  EXPECT_EQ(count, 4);
  EXPECT_EQ(loop->TimerCount(), 1u);  // only the guard is left
}

int64_t CountTimer(EventLoop*, TimerId, void* d) {
  ++*static_cast<int*>(d);
  return kTimerNoMore;
}

TEST(EventLoopTimers, DeletedTimerNeverFiresAndItsIdDies) {
  auto loop = NewLoop();
  int a = 0, b = 0;
  TimerId ta = loop->CreateTimer(0, CountTimer, &a);
  TimerId tb = loop->CreateTimer(0, CountTimer, &b);
  EXPECT_NE(ta, tb);
  EXPECT_TRUE(loop->DeleteTimer(ta));
  EXPECT_FALSE(loop->DeleteTimer(ta));
  EXPECT_FALSE(loop->DeleteTimer(0));
  EXPECT_FALSE(loop->DeleteTimer(-5));
  // The freed slot is reused with a new generation: the old id must not reach the new timer.
  int c = 0;
  TimerId tc = loop->CreateTimer(0, CountTimer, &c);
  EXPECT_NE(tc, ta);
  EXPECT_FALSE(loop->DeleteTimer(ta));
  for (int i = 0; i < 3; ++i) loop->ProcessEvents(kAllEvents | kDontWait);
  EXPECT_EQ(a, 0);
  EXPECT_EQ(b, 1);
  EXPECT_EQ(c, 1);
  EXPECT_FALSE(loop->DeleteTimer(tb));  // fired with kTimerNoMore: gone
  EXPECT_EQ(loop->TimerCount(), 0u);
}

TEST(EventLoopTimers, CallbackDeletingALaterTimerOfTheSameBatch) {
  auto loop = NewLoop();
  struct Ctx {
    TimerId victim = 0;
    int victim_runs = 0;
  } ctx;
  loop->CreateTimer(
      0,
      [](EventLoop* l, TimerId, void* d) -> int64_t {
        auto* c = static_cast<Ctx*>(d);
        EXPECT_TRUE(l->DeleteTimer(c->victim));
        return kTimerNoMore;
      },
      &ctx);
  ctx.victim = loop->CreateTimer(0, CountTimer, &ctx.victim_runs);
  usleep(2000);
  loop->ProcessEvents(kTimeEvents | kDontWait);
  loop->ProcessEvents(kTimeEvents | kDontWait);
  EXPECT_EQ(ctx.victim_runs, 0);
  EXPECT_EQ(loop->TimerCount(), 0u);
}

TEST(EventLoopTimers, EarlierCallbackReschedulingOrReplacingALaterDueTimer) {
  // Timers A, B, C are due in one batch. A moves B into the future and deletes C, then creates D,
  // which reuses C's slot: neither B, C nor D may run in this batch (D runs in the next iteration).
  auto loop = NewLoop();
  struct Ctx {
    TimerId b = 0, c = 0, d = 0;
    int b_runs = 0, c_runs = 0, d_runs = 0;
  } ctx;
  loop->CreateTimer(
      0,
      [](EventLoop* l, TimerId, void* p) -> int64_t {
        auto* x = static_cast<Ctx*>(p);
        EXPECT_TRUE(l->RescheduleTimer(x->b, 60000));
        EXPECT_TRUE(l->DeleteTimer(x->c));
        x->d = l->CreateTimer(0, CountTimer, &x->d_runs);
        return kTimerNoMore;
      },
      &ctx);
  ctx.b = loop->CreateTimer(0, CountTimer, &ctx.b_runs);
  ctx.c = loop->CreateTimer(0, CountTimer, &ctx.c_runs);
  usleep(2000);
  loop->ProcessEvents(kTimeEvents | kDontWait);
  EXPECT_EQ(ctx.b_runs, 0);
  EXPECT_EQ(ctx.c_runs, 0);
  EXPECT_EQ(ctx.d_runs, 0);
  EXPECT_NE(ctx.d, ctx.c);
  loop->ProcessEvents(kTimeEvents | kDontWait);
  EXPECT_EQ(ctx.d_runs, 1);
  EXPECT_EQ(ctx.b_runs, 0);
  EXPECT_EQ(loop->TimerCount(), 1u);  // B, 60 s away
}

TEST(EventLoopTimers, DeletingItselfWinsOverTheReturnValue) {
  auto loop = NewLoop();
  int runs = 0;
  loop->CreateTimer(
      0,
      [](EventLoop* l, TimerId self, void* d) -> int64_t {
        ++*static_cast<int*>(d);
        EXPECT_TRUE(l->DeleteTimer(self));
        return 0;  // ignored: deleted
      },
      &runs);
  for (int i = 0; i < 4; ++i) loop->ProcessEvents(kTimeEvents | kDontWait);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(loop->TimerCount(), 0u);
}

TEST(EventLoopTimers, RescheduleMovesTheDeadline) {
  auto loop = NewLoop();
  int runs = 0;
  TimerId t = loop->CreateTimer(0, CountTimer, &runs);
  EXPECT_TRUE(loop->RescheduleTimer(t, 60000));
  for (int i = 0; i < 3; ++i) loop->ProcessEvents(kTimeEvents | kDontWait);
  EXPECT_EQ(runs, 0);
  EXPECT_TRUE(loop->RescheduleTimer(t, 0));
  loop->ProcessEvents(kTimeEvents | kDontWait);
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(loop->RescheduleTimer(t, 0));
}

TEST(EventLoopTimers, ZeroMsTimerRunsOncePerIterationAndDoesNotStarveFiles) {
  auto loop = NewLoop();
  Pair p;
  int ticks = 0;
  loop->CreateTimer(
      0, [](EventLoop*, TimerId, void* d) -> int64_t { return ++*static_cast<int*>(d), 0; }, &ticks);
  bool got = false;
  ASSERT_TRUE(loop->AddFileEvent(
                      p.a, kReadable,
                      [](EventLoop* l, int fd, void* d, int) {
                        char c;
                        (void)!read(fd, &c, 1);
                        *static_cast<bool*>(d) = true;
                        l->Stop();
                      },
                      &got)
                  .ok());
  ASSERT_EQ(write(p.b, "x", 1), 1);
  Guard g(loop.get(), 3000);
  loop->Run();
  EXPECT_TRUE(got);
  EXPECT_FALSE(g.fired);
  // One ProcessEvents runs the 0 ms timer exactly once.
  int before = ticks;
  loop->ProcessEvents(kAllEvents);
  EXPECT_EQ(ticks, before + 1);
}

TEST(EventLoopTimers, ThousandsOfTimersMatchAModel) {
  auto loop = NewLoop();
  std::mt19937 rng(12345);
  constexpr int kN = 5000;
  struct Rec {
    int fired = 0;
    int64_t due_us = 0;
    int64_t fired_us = 0;
  };
  std::vector<Rec> recs(kN);
  std::map<TimerId, int> alive;  // the model: id -> rec index
  std::vector<TimerId> ids;
  int64_t t0 = MonotonicUs();
  for (int i = 0; i < kN; ++i) {
    int delay = static_cast<int>(rng() % 60);
    recs[i].due_us = MonotonicUs() + delay * 1000;
    TimerId id = loop->CreateTimer(
        delay,
        [](EventLoop*, TimerId, void* d) -> int64_t {
          auto* r = static_cast<Rec*>(d);
          ++r->fired;
          r->fired_us = MonotonicUs();
          return kTimerNoMore;
        },
        &recs[i]);
    EXPECT_EQ(alive.count(id), 0u);
    alive[id] = i;
    ids.push_back(id);
  }
  // Delete a random half (and some twice).
  std::vector<bool> deleted(kN, false);
  for (int k = 0; k < kN; ++k) {
    int i = static_cast<int>(rng() % kN);
    EXPECT_EQ(loop->DeleteTimer(ids[i]), !deleted[i]);
    deleted[i] = true;
  }
  size_t live = 0;
  for (int i = 0; i < kN; ++i) live += !deleted[i];
  EXPECT_EQ(loop->TimerCount(), live);
  while (loop->TimerCount() > 0 && MonotonicUs() - t0 < 5'000'000) loop->ProcessEvents(kAllEvents);
  for (int i = 0; i < kN; ++i) {
    ASSERT_EQ(recs[i].fired, deleted[i] ? 0 : 1) << i;
    if (!deleted[i]) {
      EXPECT_GE(recs[i].fired_us, recs[i].due_us) << i;
    }
  }
}

TEST(EventLoopTimers, ManyCreateDeleteCyclesStayFast) {
  // Lazy deletion must not let stale heap entries pile up: 200k long timers created and deleted.
  auto loop = NewLoop();
  int runs = 0;
  int64_t start = MonotonicUs();
  for (int i = 0; i < 200000; ++i) {
    TimerId t = loop->CreateTimer(1000000, CountTimer, &runs);
    ASSERT_TRUE(loop->DeleteTimer(t));
  }
  loop->CreateTimer(0, CountTimer, &runs);
  loop->ProcessEvents(kAllEvents);
  EXPECT_EQ(runs, 1);
  EXPECT_LT(MonotonicUs() - start, 3'000'000);
}

// ---------------------------------------------------------------------------------------------------
// File events

TEST(EventLoopFiles, ReadableOnSocketPair) {
  auto loop = NewLoop();
  Pair p;
  std::string got;
  ASSERT_TRUE(loop->AddFileEvent(
                      p.a, kReadable,
                      [](EventLoop* l, int fd, void* d, int mask) {
                        EXPECT_TRUE(mask & kReadable);
                        char buf[64];
                        IoResult r = Read(fd, buf, sizeof(buf));
                        ASSERT_TRUE(r.ok());
                        static_cast<std::string*>(d)->append(buf, r.n);
                        l->Stop();
                      },
                      &got)
                  .ok());
  EXPECT_EQ(loop->GetFileEvents(p.a), kReadable);
  ASSERT_EQ(write(p.b, "hello", 5), 5);
  Guard g(loop.get(), 3000);
  loop->Run();
  EXPECT_FALSE(g.fired);
  EXPECT_EQ(got, "hello");
}

TEST(EventLoopFiles, WritableFiresAndStopsAfterRemoval) {
  auto loop = NewLoop();
  Pair p;
  int calls = 0;
  ASSERT_TRUE(loop->AddFileEvent(
                      p.a, kWritable,
                      [](EventLoop* l, int fd, void* d, int mask) {
                        EXPECT_TRUE(mask & kWritable);
                        ++*static_cast<int*>(d);
                        l->RemoveFileEvent(fd, kWritable);
                      },
                      &calls)
                  .ok());
  for (int i = 0; i < 5; ++i) loop->ProcessEvents(kAllEvents | kDontWait);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(loop->GetFileEvents(p.a), kNone);
}

struct TwoProcs {
  std::vector<char> order;
  bool close_in_read = false;
  int fd_to_close = -1;
};
void ReadProc(EventLoop* l, int fd, void* d, int) {
  auto* t = static_cast<TwoProcs*>(d);
  t->order.push_back('r');
  char buf[16];
  (void)Read(fd, buf, sizeof(buf));
  if (t->close_in_read) {
    l->RemoveFileEvent(fd, kReadable | kWritable);
    close(fd);
    t->fd_to_close = -1;
  }
}
void WriteProc(EventLoop*, int, void* d, int) { static_cast<TwoProcs*>(d)->order.push_back('w'); }

TEST(EventLoopFiles, ReadableRunsBeforeWritableUnlessBarrier) {
  auto loop = NewLoop();
  Pair p;
  TwoProcs t;
  ASSERT_TRUE(loop->AddFileEvent(p.a, kReadable, ReadProc, &t).ok());
  ASSERT_TRUE(loop->AddFileEvent(p.a, kWritable, WriteProc, &t).ok());
  ASSERT_EQ(write(p.b, "x", 1), 1);
  loop->ProcessEvents(kFileEvents | kDontWait);
  EXPECT_EQ(t.order, (std::vector<char>{'r', 'w'}));

  t.order.clear();
  ASSERT_TRUE(loop->AddFileEvent(p.a, kWritable | kBarrier, WriteProc, &t).ok());
  ASSERT_EQ(write(p.b, "x", 1), 1);
  loop->ProcessEvents(kFileEvents | kDontWait);
  EXPECT_EQ(t.order, (std::vector<char>{'w', 'r'}));
  // Removing kWritable drops the barrier as well.
  loop->RemoveFileEvent(p.a, kWritable);
  EXPECT_EQ(loop->GetFileEvents(p.a), kReadable);
}

TEST(EventLoopFiles, SameProcForBothBitsRunsOnceWithBothBits) {
  auto loop = NewLoop();
  Pair p;
  struct Ctx {
    int calls = 0;
    int mask = 0;
  } ctx;
  FileProc proc = [](EventLoop*, int fd, void* d, int mask) {
    auto* c = static_cast<Ctx*>(d);
    ++c->calls;
    c->mask = mask;
    char buf[8];
    (void)Read(fd, buf, sizeof(buf));
  };
  ASSERT_TRUE(loop->AddFileEvent(p.a, kReadable | kWritable, proc, &ctx).ok());
  ASSERT_EQ(write(p.b, "x", 1), 1);
  loop->ProcessEvents(kFileEvents | kDontWait);
  EXPECT_EQ(ctx.calls, 1);
  EXPECT_EQ(ctx.mask, kReadable | kWritable);
}

TEST(EventLoopFiles, RemoveAndCloseInsideOwnCallback) {
  auto loop = NewLoop();
  Pair p;
  TwoProcs t;
  t.close_in_read = true;
  ASSERT_TRUE(loop->AddFileEvent(p.a, kReadable, ReadProc, &t).ok());
  ASSERT_TRUE(loop->AddFileEvent(p.a, kWritable, WriteProc, &t).ok());
  ASSERT_EQ(write(p.b, "x", 1), 1);
  loop->ProcessEvents(kFileEvents | kDontWait);
  EXPECT_EQ(t.order, (std::vector<char>{'r'}));  // the writable callback of the removed fd must not run
  EXPECT_EQ(loop->GetFileEvents(p.a), kNone);
  p.a = -1;  // closed by the callback
  for (int i = 0; i < 3; ++i) loop->ProcessEvents(kFileEvents | kDontWait);
  EXPECT_EQ(t.order.size(), 1u);
}

TEST(EventLoopFiles, PeerCloseReportsReadableAndReadSaysClosed) {
  auto loop = NewLoop();
  Pair p;
  IoResult::Kind kind = IoResult::kOk;
  ASSERT_TRUE(loop->AddFileEvent(
                      p.a, kReadable,
                      [](EventLoop* l, int fd, void* d, int) {
                        char buf[8];
                        *static_cast<IoResult::Kind*>(d) = Read(fd, buf, sizeof(buf)).kind;
                        l->RemoveFileEvent(fd, kReadable);
                      },
                      &kind)
                  .ok());
  close(p.b);
  p.b = -1;
  loop->ProcessEvents(kFileEvents | kDontWait);
  EXPECT_EQ(kind, IoResult::kClosed);
}

TEST(EventLoopFiles, SetSizeBoundsAndGrows) {
  auto loop = NewLoop(4);
  Pair p;  // fds are certainly >= 4 here (stdio + epoll + eventfd)
  ASSERT_GE(p.a, 4);
  Status st = loop->AddFileEvent(p.a, kReadable, WriteProc, nullptr);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("Numerical result out of range"), std::string::npos) << st.message();
  ASSERT_TRUE(loop->ResizeSetSize(p.a + 1).ok());
  ASSERT_TRUE(loop->AddFileEvent(p.a, kReadable, WriteProc, nullptr).ok());
  EXPECT_FALSE(loop->ResizeSetSize(p.a).ok());  // p.a is registered
  // Many fds: the internal tables grow past their initial size.
  ASSERT_TRUE(loop->ResizeSetSize(100000).ok());
  std::vector<int> fds;
  for (int i = 0; i < 200; ++i) {
    int fd = dup(p.b);
    ASSERT_GE(fd, 0);
    fds.push_back(fd);
    ASSERT_TRUE(loop->AddFileEvent(fd, kWritable, WriteProc, nullptr).ok());
  }
  TwoProcs t;
  for (int fd : fds) ASSERT_TRUE(loop->AddFileEvent(fd, kWritable, WriteProc, &t).ok());
  EXPECT_EQ(loop->ProcessEvents(kFileEvents | kDontWait), 200);
  EXPECT_EQ(t.order.size(), 200u);
  for (int fd : fds) {
    loop->RemoveFileEvent(fd, kWritable);
    close(fd);
  }
}

TEST(EventLoopFiles, LoopbackListenerAcceptsAndEchoes) {
  auto loop = NewLoop();
  std::vector<int> lfds;
  std::vector<std::string> warnings;
  ASSERT_TRUE(ListenTcp({"127.0.0.1"}, 0, 128, &lfds, &warnings).ok());
  ASSERT_EQ(lfds.size(), 1u);
  int port = *LocalPort(lfds[0]);

  struct Server {
    AcceptedConn conn;
    std::string got;
  } srv;
  ASSERT_TRUE(loop->AddFileEvent(
                      lfds[0], kReadable,
                      [](EventLoop* l, int fd, void* d, int) {
                        auto* s = static_cast<Server*>(d);
                        IoResult r = Accept(fd, &s->conn);
                        ASSERT_TRUE(r.ok());
                        EXPECT_TRUE(SetNoDelay(s->conn.fd, true).ok());
                        ASSERT_TRUE(l->AddFileEvent(
                                          s->conn.fd, kReadable,
                                          [](EventLoop* l2, int cfd, void* d2, int) {
                                            auto* s2 = static_cast<Server*>(d2);
                                            char buf[64];
                                            IoResult rr = Read(cfd, buf, sizeof(buf));
                                            if (!rr.ok()) return;
                                            s2->got.append(buf, rr.n);
                                            (void)Write(cfd, buf, rr.n);
                                            if (s2->got == "ping") l2->Stop();
                                          },
                                          s)
                                        .ok());
                      },
                      &srv)
                  .ok());

  auto cfd = TcpConnect("127.0.0.1", port, false);
  ASSERT_TRUE(cfd.ok()) << cfd.status().ToString();
  ASSERT_EQ(write(*cfd, "ping", 4), 4);
  Guard g(loop.get(), 3000);
  loop->Run();
  ASSERT_FALSE(g.fired);
  EXPECT_EQ(srv.got, "ping");
  char buf[8] = {};
  ASSERT_EQ(read(*cfd, buf, sizeof(buf)), 4);
  EXPECT_EQ(std::string(buf, 4), "ping");
  // The accepted peer is the client's local end, formatted as CLIENT LIST shows it.
  EXPECT_EQ(srv.conn.addr, *LocalAddr(*cfd));
  EXPECT_EQ(srv.conn.laddr, "127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(srv.conn.ip, "127.0.0.1");
  EXPECT_FALSE(srv.conn.is_unix);

  loop->RemoveFileEvent(srv.conn.fd, kReadable);
  loop->RemoveFileEvent(lfds[0], kReadable);
  close(srv.conn.fd);
  close(*cfd);
  close(lfds[0]);
}

// ---------------------------------------------------------------------------------------------------
// Hooks, stop, wakeup, re-entrancy, fork

TEST(EventLoopHooks, BeforeSleepSkipNextWaitAvoidsBlocking) {
  auto loop = NewLoop();
  int runs = 0;
  loop->CreateTimer(60000, CountTimer, &runs);
  int before = 0, after = 0;
  loop->SetBeforeSleep(
      [](EventLoop* l, void* d) {
        ++*static_cast<int*>(d);
        l->SkipNextWait();
      },
      &before);
  loop->SetAfterSleep([](EventLoop*, void* d) { ++*static_cast<int*>(d); }, &after);
  int64_t start = MonotonicUs();
  for (int i = 0; i < 3; ++i) loop->ProcessEvents(kAllEvents | kCallBeforeSleep | kCallAfterSleep);
  EXPECT_LT(MonotonicUs() - start, 1'000'000);
  EXPECT_EQ(before, 3);
  EXPECT_EQ(after, 3);
  // Without the flags the hooks do not run.
  loop->ProcessEvents(kAllEvents | kDontWait);
  EXPECT_EQ(before, 3);
}

TEST(EventLoopHooks, WaitIsBoundedByTheNearestTimer) {
  auto loop = NewLoop();
  int runs = 0;
  loop->CreateTimer(80, CountTimer, &runs);
  int64_t start = MonotonicUs();
  // With no fd activity, one or two iterations must sleep until the timer and fire it.
  for (int i = 0; i < 3 && runs == 0; ++i) loop->ProcessEvents(kAllEvents);
  int64_t ms = (MonotonicUs() - start) / 1000;
  EXPECT_EQ(runs, 1);
  EXPECT_GE(ms, 79);
  EXPECT_LT(ms, 1500);
}

TEST(EventLoopHooks, StopFromCallbackEndsRun) {
  auto loop = NewLoop();
  int iterations = 0;
  loop->SetBeforeSleep([](EventLoop*, void* d) { ++*static_cast<int*>(d); }, &iterations);
  loop->CreateTimer(
      0,
      [](EventLoop* l, TimerId, void*) -> int64_t {
        l->Stop();
        return 0;
      },
      nullptr);
  loop->Run();
  EXPECT_TRUE(loop->stopped());
  EXPECT_EQ(iterations, 1);
  loop->Run();  // Run clears the flag and runs again until the next Stop
  EXPECT_EQ(iterations, 2);
}

TEST(EventLoopWakeup, OtherThreadWakesABlockedLoop) {
  auto loop = NewLoop();
  struct Ctx {
    std::atomic<int> posted{0};
    int seen = 0;
    int handler_calls = 0;
  } ctx;
  loop->SetWakeupHandler(
      [](EventLoop* l, void* d) {
        auto* c = static_cast<Ctx*>(d);
        ++c->handler_calls;
        c->seen = c->posted.load(std::memory_order_acquire);
        if (c->seen == 1000) l->Stop();
      },
      &ctx);
  std::thread producer([&] {
    for (int i = 0; i < 1000; ++i) {
      ctx.posted.fetch_add(1, std::memory_order_release);
      loop->Wakeup();
      if (i % 100 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  Guard g(loop.get(), 5000);
  loop->Run();
  producer.join();
  EXPECT_FALSE(g.fired);
  EXPECT_EQ(ctx.seen, 1000);  // the last post is never lost
  EXPECT_GE(ctx.handler_calls, 1);
  EXPECT_LE(ctx.handler_calls, 1000);
}

TEST(EventLoopWakeup, WakeupEndsAnUnboundedWait) {
  auto loop = NewLoop();
  bool woke = false;
  loop->SetWakeupHandler([](EventLoop*, void* d) { *static_cast<bool*>(d) = true; }, &woke);
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    loop->Wakeup();
  });
  // No timers, no fds: only the wakeup can end this wait.
  loop->ProcessEvents(kAllEvents);
  t.join();
  EXPECT_TRUE(woke);
}

TEST(EventLoopReentry, NestedProcessEventsFromACallback) {
  auto loop = NewLoop();
  Pair p1, p2;
  struct Ctx {
    int outer = 0, inner = 0;
  } ctx;
  ASSERT_TRUE(loop->AddFileEvent(
                      p2.a, kReadable,
                      [](EventLoop*, int fd, void* d, int) {
                        // The outer iteration may deliver an event the nested one already
                        // served: callbacks must tolerate spurious readiness (kAgain).
                        char c;
                        if (Read(fd, &c, 1).ok()) ++static_cast<Ctx*>(d)->inner;
                      },
                      &ctx)
                  .ok());
  ASSERT_TRUE(loop->AddFileEvent(
                      p1.a, kReadable,
                      [](EventLoop* l, int fd, void* d, int) {
                        auto* c = static_cast<Ctx*>(d);
                        char ch;
                        (void)Read(fd, &ch, 1);
                        ++c->outer;
                        // As while loading: serve other fds from inside this callback.
                        l->ProcessEvents(kFileEvents | kDontWait);
                      },
                      &ctx)
                  .ok());
  ASSERT_EQ(write(p1.b, "a", 1), 1);
  ASSERT_EQ(write(p2.b, "b", 1), 1);
  loop->ProcessEvents(kFileEvents | kDontWait);
  loop->ProcessEvents(kFileEvents | kDontWait);
  EXPECT_EQ(ctx.outer, 1);
  EXPECT_EQ(ctx.inner, 1);  // the byte is read exactly once, by the nested call
}

TEST(EventLoopWaitFd, ReportsReadinessAndTimesOut) {
  Pair p;
  EXPECT_EQ(EventLoop::WaitFd(p.a, kWritable, 1000), kWritable);
  int64_t start = MonotonicUs();
  EXPECT_EQ(EventLoop::WaitFd(p.a, kReadable, 50), 0);
  EXPECT_GE(MonotonicUs() - start, 45'000);
  ASSERT_EQ(write(p.b, "x", 1), 1);
  EXPECT_EQ(EventLoop::WaitFd(p.a, kReadable, 1000), kReadable);
  EXPECT_EQ(EventLoop::WaitFd(p.a, kReadable | kWritable, 1000), kReadable | kWritable);
}

TEST(EventLoopTimers, RescheduleInsideOwnCallbackLosesToTheReturnValue) {
  auto loop = NewLoop();
  int runs = 0;
  loop->CreateTimer(
      0,
      [](EventLoop* l, TimerId self, void* d) -> int64_t {
        int& r = *static_cast<int*>(d);
        ++r;
        EXPECT_TRUE(l->RescheduleTimer(self, 60000));
        return r < 3 ? 0 : kTimerNoMore;
      },
      &runs);
  for (int i = 0; i < 6; ++i) loop->ProcessEvents(kTimeEvents | kDontWait);
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(loop->TimerCount(), 0u);
}

TEST(EventLoopFork, ChildClosesItsCopiesWithoutTouchingTheParent) {
  auto loop = NewLoop();
  Pair p;
  int calls = 0;
  ASSERT_TRUE(loop->AddFileEvent(
                      p.a, kReadable,
                      [](EventLoop*, int fd, void* d, int) {
                        char c;
                        (void)Read(fd, &c, 1);
                        ++*static_cast<int*>(d);
                      },
                      &calls)
                  .ok());
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    loop->CloseAllFdsInChild(true);
    // The registered fd is closed in the child only.
    _exit(fcntl(p.a, F_GETFD) == -1 && errno == EBADF ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ASSERT_EQ(write(p.b, "x", 1), 1);
  loop->ProcessEvents(kFileEvents | kDontWait);
  EXPECT_EQ(calls, 1);  // the parent's registration survived
}

// ---------------------------------------------------------------------------------------------------
// Idle poll

TEST(EventLoopIdlePoll, WindowRule) {
  // Caught by the poll: unchanged.
  EXPECT_EQ(EventLoop::NextPollWindow(10, 5, 50), 10);
  EXPECT_EQ(EventLoop::NextPollWindow(40, 40, 50), 40);
  // Missed, but shorter than max: doubles, from the grow start, capped at max.
  EXPECT_EQ(EventLoop::NextPollWindow(0, 0, 50), kIdlePollGrowStartUs);
  EXPECT_EQ(EventLoop::NextPollWindow(10, 30, 50), 20);
  EXPECT_EQ(EventLoop::NextPollWindow(40, 45, 50), 50);
  EXPECT_EQ(EventLoop::NextPollWindow(0, 3, 5), 5);  // a max below the grow start
  // Longer than max: halves, down to 0.
  EXPECT_EQ(EventLoop::NextPollWindow(50, 51, 50), 25);
  EXPECT_EQ(EventLoop::NextPollWindow(1, 100000, 50), 0);
  EXPECT_EQ(EventLoop::NextPollWindow(0, 100000, 50), 0);
  // Off.
  EXPECT_EQ(EventLoop::NextPollWindow(50, 10, 0), 0);
}

// A readable callback that drains the socket.
void Drain(EventLoop*, int fd, void* d, int) {
  char buf[64];
  while (read(fd, buf, sizeof buf) > 0) ++*static_cast<int*>(d);
}

TEST(EventLoopIdlePoll, GrowsOnShortWaitsAndStopsPollingWhenIdle) {
  auto loop = NewLoop();
  Pair p;
  int reads = 0;
  ASSERT_TRUE(loop->AddFileEvent(p.a, kReadable, Drain, &reads).ok());
  // Off by default: no poll, whatever the waits.
  ASSERT_EQ(write(p.b, "x", 1), 1);
  loop->ProcessEvents(kAllEvents);
  EXPECT_EQ(loop->poll_stats().polls, 0u);
  EXPECT_EQ(loop->poll_stats().window_us, 0);

  const int64_t max_us = 20000;  // 20 ms: a wait on ready data is far shorter, a 40 ms timer longer
  loop->SetIdlePoll(max_us);
  ASSERT_EQ(write(p.b, "x", 1), 1);
  loop->ProcessEvents(kAllEvents);  // window 0: no poll; the wait was short, so the window opens
  EXPECT_EQ(loop->poll_stats().polls, 0u);
  EXPECT_EQ(loop->poll_stats().window_us, kIdlePollGrowStartUs);
  ASSERT_EQ(write(p.b, "x", 1), 1);
  loop->ProcessEvents(kAllEvents);  // ready at once: the poll finds it, the window stays
  EXPECT_EQ(loop->poll_stats().polls, 1u);
  EXPECT_EQ(loop->poll_stats().hits, 1u);
  EXPECT_EQ(loop->poll_stats().window_us, kIdlePollGrowStartUs);
  EXPECT_EQ(reads, 3);

  // Idle: only a timer ends each wait, after longer than max; the window halves down to 0 and the
  // loop stops polling.
  int fired = 0;
  for (int i = 0; i < 6; ++i) {
    loop->CreateTimer(40, CountTimer, &fired);
    for (int j = 0; j < 3 && fired == i; ++j) loop->ProcessEvents(kAllEvents);
  }
  EXPECT_EQ(fired, 6);
  EXPECT_EQ(loop->poll_stats().window_us, 0);
  const uint64_t polls = loop->poll_stats().polls;
  EXPECT_LE(polls, 1u + 4u);  // 10 -> 5 -> 2 -> 1 -> 0: at most four polling waits
  loop->CreateTimer(40, CountTimer, &fired);
  for (int j = 0; j < 3 && fired == 6; ++j) loop->ProcessEvents(kAllEvents);
  EXPECT_EQ(loop->poll_stats().polls, polls);

  // Turning it off resets the window.
  loop->SetIdlePoll(max_us);
  ASSERT_EQ(write(p.b, "x", 1), 1);
  loop->ProcessEvents(kAllEvents);
  EXPECT_GT(loop->poll_stats().window_us, 0);
  loop->SetIdlePoll(0);
  EXPECT_EQ(loop->poll_stats().window_us, 0);
  loop->RemoveFileEvent(p.a, kReadable);
}

TEST(EventLoopIdlePoll, PollCatchesAnEventArrivingWithinTheWindow) {
  auto loop = NewLoop();
  Pair p;
  int reads = 0;
  ASSERT_TRUE(loop->AddFileEvent(p.a, kReadable, Drain, &reads).ok());
  loop->SetIdlePoll(100000);
  // Another thread writes 2 ms after each wait begins. While the window is shorter, the poll misses
  // and the wait (shorter than max) doubles it; once it is longer, the poll catches the write. Bounded:
  // 10 us doubles past 2 ms in 8 waits; a stalled machine may cost a few more.
  int waits = 0;
  for (; waits < 40 && loop->poll_stats().hits < 3; ++waits) {
    std::thread writer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      EMBER_CHECK(write(p.b, "x", 1) == 1);
    });
    int before = reads;
    for (int j = 0; j < 100 && reads == before; ++j) loop->ProcessEvents(kFileEvents);
    writer.join();
  }
  EXPECT_EQ(loop->poll_stats().hits, 3u);
  EXPECT_GE(loop->poll_stats().window_us, 2000);
  EXPECT_EQ(reads, waits);
  loop->RemoveFileEvent(p.a, kReadable);
}

TEST(EventLoopIdlePoll, NeverInANestedIteration) {
  auto loop = NewLoop();
  Pair p;
  struct Ctx {
    EventLoop* loop;
    int fd;
    uint64_t polls_in_nested = 0;
  } ctx{loop.get(), p.b};
  loop->SetIdlePoll(50000);
  // Open the window first.
  int reads = 0;
  ASSERT_TRUE(loop->AddFileEvent(p.a, kReadable, Drain, &reads).ok());
  ASSERT_EQ(write(p.b, "x", 1), 1);
  loop->ProcessEvents(kAllEvents);
  ASSERT_GT(loop->poll_stats().window_us, 0);
  // A timer whose callback runs a nested iteration with a timeout (a 1 ms timer bounds it).
  loop->CreateTimer(
      0,
      [](EventLoop* l, TimerId, void* d) -> int64_t {
        auto* c = static_cast<Ctx*>(d);
        int dummy = 0;
        l->CreateTimer(1, CountTimer, &dummy);
        uint64_t before = l->poll_stats().polls;
        l->ProcessEvents(kTimeEvents);
        c->polls_in_nested = l->poll_stats().polls - before;
        return kTimerNoMore;
      },
      &ctx);
  loop->ProcessEvents(kAllEvents | kDontWait);
  EXPECT_EQ(ctx.polls_in_nested, 0u);
  loop->RemoveFileEvent(p.a, kReadable);
}

}  // namespace
}  // namespace ember::net
