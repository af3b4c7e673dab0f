#pragma once
// aio::timeout / aio::timeout_at: asyncio.timeout and asyncio.timeout_at.
//
//     auto cm = aio::timeout(500ms);        // the deadline is fixed now: time() + 500ms
//     co_await cm.run(fetch());             // `async with cm: await fetch()`
//     co_await aio::timeout(1s).run([&]() -> aio::Coro<void> { ... });
//
// C++ has no `async with`: the block is a coroutine (a Coro<T> or a callable returning one)
// that run() awaits INSIDE the calling task, so the timeout cancels that task exactly as
// asyncio's does; run() returns the block's result.
//
// Contract (timeouts.py of CPython 3.12):
//  - When the deadline passes while the block runs, the task is cancelled (the block's pending
//    co_await throws CancelledError, cleanup runs); if that CancelledError leaves the block,
//    run() throws aio::TimeoutError (message empty; the CancelledError is nested, Python's
//    __cause__). Only the timeout that fired converts it: nested timeouts with the same
//    deadline let the inner one see CancelledError, the outermost one raise TimeoutError.
//  - A cancellation from elsewhere (another cancel() of the task, counted by cancelling())
//    is never converted: CancelledError propagates even if the timeout also fired.
//  - Any other exception leaves the block unchanged, timeout or not.
//  - A deadline already past fires on the next loop pass; nullopt never fires. The timer
//    fires at or after the deadline, never before.
//  - reschedule(when) moves the deadline of an active timeout; on one not entered it throws
//    RuntimeError("Timeout has not been entered"), once it expired or finished
//    "Cannot change state of expiring/expired/finished Timeout". A Timeout is entered once
//    ("Timeout has already been entered"), inside a task ("Timeout should be used inside a
//    task").
// A Timeout is a handle: copies share one timeout (pass it to another task to reschedule).
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "aio/clock.hpp"
#include "aio/coro.hpp"
#include "aio/event_loop.hpp"
#include "aio/detail/timeout_state.hpp"

namespace aio {

namespace detail {

template <class T, class Make>
Coro<T> timeout_block(Ref<TimeoutState> s, Make make) {
    s->enter();
    std::exception_ptr exc;
    std::optional<std::conditional_t<std::is_void_v<T>, std::monostate, T>> result;
    try {
        if constexpr (std::is_void_v<T>)
            co_await make();
        else
            result.emplace(co_await make());
    } catch (...) {
        exc = std::current_exception();
    }
    s->exit(exc);
    if (exc) std::rethrow_exception(exc);
    if constexpr (!std::is_void_v<T>) co_return std::move(*result);
}

template <class B>
struct TimeoutCoroResult;
template <class T>
struct TimeoutCoroResult<Coro<T>> {
    using type = T;
};

}  // namespace detail

class Timeout {
public:
    /// Prefer aio::timeout() / aio::timeout_at().
    explicit Timeout(std::optional<TimePoint> when) : s_(new detail::TimeoutState(when)) {}

    /// The deadline (loop time); nullopt: never.
    std::optional<TimePoint> when() const noexcept { return s_->when(); }
    /// Moves the deadline of the active timeout (nullopt disables it).
    void reschedule(std::optional<TimePoint> when) { s_->reschedule(when); }
    /// True once the timeout fired (while the block was running).
    bool expired() const noexcept { return s_->expired(); }
    /// asyncio's repr: "<Timeout [active] when=12.5>", "<Timeout [expired]>".
    std::string repr() const { return s_->repr(); }

    /// `async with self: return await body`; body is a Coro<T> or a callable `() -> Coro<T>`.
    template <class T>
    Coro<T> run(Coro<T> body) {
        return detail::timeout_block<T>(s_, [c = std::move(body)]() mutable { return std::move(c); });
    }
    template <class F>
        requires std::is_invocable_v<F&>
    auto run(F body) {
        using T = typename detail::TimeoutCoroResult<std::invoke_result_t<F&>>::type;
        return detail::timeout_block<T>(s_, std::move(body));
    }

private:
    detail::Ref<detail::TimeoutState> s_;
};

/// asyncio.timeout_at(when): a timeout at loop time `when` (nullopt: never).
inline Timeout timeout_at(std::optional<TimePoint> when) { return Timeout(when); }

/// asyncio.timeout(delay): a timeout at get_running_loop().time() + delay (computed now,
/// saturating: a delay past the end of the clock is TimePoint::max(), never); nullopt: never. Throws RuntimeError("no running event loop") outside a loop.
inline Timeout timeout(std::optional<Duration> delay) {
    EventLoop& loop = get_running_loop();
    return Timeout(delay ? std::optional<TimePoint>(deadline_after(loop.time(), *delay)) : std::nullopt);
}
template <class Rep, class Period>
Timeout timeout(std::chrono::duration<Rep, Period> delay) {
    return timeout(std::optional<Duration>(to_duration(delay)));
}

}  // namespace aio
