#pragma once
// Loop time. A loop's time is a TimePoint on its own clock: the steady clock for the real
// loop, a virtual clock starting at 0 for the simulator. Durations are nanoseconds, so
// virtual deadlines are exact integers and never drift.
//
// Time arithmetic saturates. A deadline that would lie past the end of the clock's range
// (about 292 years after its 0) is TimePoint::max(), which means "never": a timer there never
// fires, as a huge timeout never fires in asyncio. A deadline before its start is
// TimePoint::min(), "already due". Every deadline in aio is computed with deadline_after(),
// and every duration of another unit or representation is converted with to_duration().
#include <chrono>
#include <cmath>
#include <cstdint>
#include <ratio>
#include <type_traits>
#include <utility>

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

/// t + d, clamped to [TimePoint::min(), TimePoint::max()].
constexpr TimePoint deadline_after(TimePoint t, Duration d) noexcept {
    std::int64_t r;
    if (__builtin_add_overflow(t.time_since_epoch().count(), d.count(), &r)) [[unlikely]]
        return d.count() > 0 ? TimePoint::max() : TimePoint::min();
    return TimePoint(Duration(r));
}

/// when - now, clamped to [Duration::min(), Duration::max()] (a sleep_until's delay).
constexpr Duration delay_until(TimePoint when, TimePoint now) noexcept {
    std::int64_t r;
    if (__builtin_sub_overflow(when.time_since_epoch().count(), now.time_since_epoch().count(), &r)) [[unlikely]]
        return when > now ? Duration::max() : Duration::min();
    return Duration(r);
}

/// d in nanoseconds, rounded to nearest (ties to even, as std::chrono::round) and clamped to
/// [Duration::min(), Duration::max()]: hours::max() or 1e300 s become Duration::max() instead
/// of overflowing. A floating-point NaN is 0 (asyncio's loop runs a NaN deadline at once).
template <class Rep, class Period>
Duration to_duration(std::chrono::duration<Rep, Period> d) noexcept {
    using R = std::ratio_divide<Period, std::nano>;
    if constexpr (std::is_same_v<std::chrono::duration<Rep, Period>, Duration>) {
        return d;
    } else if constexpr (std::is_floating_point_v<Rep> || (R::num != 1 && R::den != 1)) {
        const long double ns = static_cast<long double>(d.count()) * R::num / R::den;
        if (std::isnan(ns)) return Duration::zero();
        // The bound is a little inside the range so that rounding cannot step past it.
        constexpr long double bound = 9.2233720368547e18L;
        if (ns >= bound) return Duration::max();
        if (ns <= -bound) return Duration::min();
        return Duration(static_cast<std::int64_t>(std::nearbyint(ns)));
    } else if constexpr (R::den == 1) {  // a unit of whole nanoseconds: exact
        constexpr std::intmax_t limit = INT64_MAX / R::num;
        if (std::cmp_greater(d.count(), limit)) return Duration::max();
        if (std::cmp_less(d.count(), -limit)) return Duration::min();
        return Duration(static_cast<std::int64_t>(d.count()) * R::num);
    } else {  // a finer unit (1/den ns): dividing cannot overflow once the count fits in 64 bits
        if (std::cmp_greater(d.count(), INT64_MAX)) return Duration::max();
        if (std::cmp_less(d.count(), INT64_MIN)) return Duration::min();
        return std::chrono::round<Duration>(
            std::chrono::duration<std::int64_t, Period>(static_cast<std::int64_t>(d.count())));
    }
}

/// Seconds as a double, for messages ("took 0.105 seconds").
inline double to_seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace aio
