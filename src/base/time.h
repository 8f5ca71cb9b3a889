// Clocks. MonotonicUs() for durations and timers; UnixMs()/UnixUs() for wall time (expiry, LASTSAVE).
// All are cheap (vDSO clock_gettime) and safe from any thread and from a fork child.
#pragma once

#include <cstdint>

namespace ember {

int64_t UnixUs();
int64_t UnixMs();
int64_t MonotonicUs();
inline int64_t MonotonicMs() { return MonotonicUs() / 1000; }

// The per-key delay of rdb-key-save-delay / key-load-delay (tests: a save or load that lasts long
// enough to act on): usec > 0 sleeps usec microseconds; usec < 0 sleeps 1 microsecond on one
// call in -usec, at random (sleeping less often is how very short delays are made, as in Redis).
void DebugDelay(int usec);

}  // namespace ember
