#pragma once
// Raise accounting for the benchmarks (issue 15 §1): the bench binary is linked with
// `-Wl,--wrap` for __cxa_throw, __cxa_rethrow, std::rethrow_exception and __cxa_begin_catch
// (CMakeLists.txt), so every raise started by code linked statically into it (the benchmark
// programs and the aiosim libraries) and every catch entered there pass through
// raise_probe.cpp. While a benchmark has the probe on, each raise is timed from its start (the
// throw or rethrow call) to the catch that takes it (__cxa_begin_catch returning): the search,
// the unwinding, and the landing pads (destructors, catch-and-rethrow) run on the way. A raise
// that starts while another is in flight (in a landing pad) nests in it and is recorded at
// depth 1. Off, the wrappers cost one thread-local test.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace bench {

struct RaiseRecord {
    double ns;  // from the raise's start to its catch, landing pads included
    int depth;  // how many raises were in flight when it started
};

/// Starts recording on this thread, from an empty record list.
void raise_probe_begin() noexcept;
/// Stops recording; the raises seen since raise_probe_begin(), in the order they started.
std::vector<RaiseRecord> raise_probe_end();

/// Nanoseconds per time-stamp-counter tick (calibrated once against steady_clock).
double ns_per_tick() noexcept;

}  // namespace bench
