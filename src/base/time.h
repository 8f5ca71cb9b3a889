// Clocks. MonotonicUs() for durations and timers; UnixMs()/UnixUs() for wall time (expiry, LASTSAVE).
// All are cheap (vDSO clock_gettime) and safe from any thread and from a fork child.
#pragma once

#include <cstdint>

namespace ember {

int64_t UnixUs();
int64_t UnixMs();
int64_t MonotonicUs();
inline int64_t MonotonicMs() { return MonotonicUs() / 1000; }

}  // namespace ember
