#include "base/time.h"

#include <time.h>
#include <unistd.h>

#include <random>

namespace ember {

int64_t UnixUs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

int64_t UnixMs() { return UnixUs() / 1000; }

int64_t MonotonicUs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

void DebugDelay(int usec) {
  if (usec < 0) {
    static thread_local std::minstd_rand rng{std::random_device{}()};
    usec = rng() % static_cast<unsigned>(-static_cast<int64_t>(usec)) == 0 ? 1 : 0;
  }
  if (usec > 0) usleep(static_cast<useconds_t>(usec));
}

}  // namespace ember
