#pragma once
// Loop time. A loop's time is a TimePoint on its own clock: the steady clock for the real
// loop, a virtual clock starting at 0 for the simulator. Durations are nanoseconds, so
// virtual deadlines are exact integers and never drift.
#include <chrono>
#include <cstdint>

namespace aio {

using Duration = std::chrono::nanoseconds;

/// The clock of "some event loop": time points of different loops are not comparable.
struct LoopClock {
    using rep = std::int64_t;
    using period = std::nano;
    using duration = Duration;
    using time_point = std::chrono::time_point<LoopClock, Duration>;
    static constexpr bool is_steady = true;
};

using TimePoint = LoopClock::time_point;

/// Seconds as a double, for messages ("took 0.105 seconds").
inline double to_seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace aio
