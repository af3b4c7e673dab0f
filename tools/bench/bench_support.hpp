#pragma once
// What the benchmark programs share: the AIOSIM_BENCH_SCALE divisor and CPU clocks.
#include <time.h>

#include <cstdlib>

namespace bench {

/// n divided by AIOSIM_BENCH_SCALE (a positive integer; default 1), at least 1: a quicker run
/// of every benchmark for smoke tests.
inline int scaled(int n) {
    static const int k = [] {
        const char* s = std::getenv("AIOSIM_BENCH_SCALE");
        const int v = s ? std::atoi(s) : 1;
        return v > 0 ? v : 1;
    }();
    return n / k > 0 ? n / k : 1;
}

inline double seconds_of(clockid_t clock) noexcept {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
/// The CPU time of the whole process (every thread), in seconds.
inline double process_cpu_seconds() noexcept { return seconds_of(CLOCK_PROCESS_CPUTIME_ID); }
/// This thread's CPU time: on a shared machine real time includes the other processes' turns;
/// on an idle core the two agree (a simulated run never blocks).
inline double thread_cpu_seconds() noexcept { return seconds_of(CLOCK_THREAD_CPUTIME_ID); }

}  // namespace bench
