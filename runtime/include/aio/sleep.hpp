#pragma once
// aio::sleep(d): asyncio.sleep. Suspends the current task for d of loop time.
//
// sleep(0s) (or any d <= 0) gives up the loop for exactly one pass, like asyncio's bare
// yield. A positive d schedules a timer at time() + d, saturating (clock.hpp): a d too large
// for the clock, Duration::max() or hours::max() included, never wakes, as asyncio's
// sleep(1e300) never does; when it fires the task is woken on
// the following pass (asyncio's timer -> future -> wake-up hops, kept so orders match
// CPython). Cancelling a sleeping task removes its timer at once and raises CancelledError
// at the co_await. Allocates nothing: the timer node lives in the awaiting frame.
#include <coroutine>
#include <memory>

#include "aio/clock.hpp"
#include "aio/event_loop.hpp"
#include "aio/detail/future_awaiter.hpp"

namespace aio {

namespace detail {

// What co_await on a sleep runs. Not movable: its timer node is in the heap while it waits.
// sleep(0s), the yield, is the hot path (issue 15 §4): inline, and it touches only the fields
// before the node; the timer's paths are out of line (sleep.cpp), so a coroutine that awaits
// a sleep does not carry the heap's code.
class SleepOperation final : public Waitable {
public:
    explicit SleepOperation(Duration d) noexcept : delay_(d) {}  // node_ is built only if needed
    SleepOperation(const SleepOperation&) = delete;
    /// A frame destroyed while sleeping (loop closed) takes its timer with it.
    ~SleepOperation() {
        if (state_ == State::timer) [[unlikely]]
            drop_timer();
    }

    bool await_ready() noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
        task_ = &require_current_task("aio::sleep()");
        if (delay_ > Duration::zero()) {
            start_timer(h);
            return;
        }
        task_->set_resume_point(h);
        task_->loop()->push_ready(task_->step_ready_entry());
    }
    [[gnu::always_inline]] void await_resume() {
        if (state_ == State::cancelled) [[unlikely]] {
            task_->drop_cancel_delivery();  // the sleep's own CancelledError wins (asyncio)
            task_->throw_wait_cancelled();
        }
        task_->check_cancel();
    }

    bool cancel_wait(const std::optional<std::string>& msg) override;

private:
    enum class State : unsigned char { idle, timer, woken, cancelled };
    // A positive delay: the timer is scheduled and the task suspends on this sleep.
    void start_timer(std::coroutine_handle<> h);
    // The destructor's (or a cancel's) removal of a timer still scheduled or already fired.
    void drop_timer() noexcept;
    // The timer fired: like asyncio's _set_result_unless_cancelled, the sleep's "future" is
    // now done and the task's wake-up is scheduled for the next pass.
    static void on_timer(void* self);
    Duration delay_;
    TaskBase* task_ = nullptr;
    State state_ = State::idle;
    union {
        TimerNode node_;  // constructed in start_timer() only
    };
};

// What sleep() returns: just the delay. The 80-byte operation is made by operator co_await,
// so a coroutine frame holds it once; GCC keeps both the awaited temporary and the awaiter
// in the frame, and this way the temporary is 8 bytes.
class SleepAwaiter {
public:
    using is_aio_awaitable = void;
    explicit SleepAwaiter(Duration d) noexcept : delay_(d) {}
    SleepOperation operator co_await() const noexcept { return SleepOperation(delay_); }

private:
    Duration delay_;
};

}  // namespace detail

/// Suspends the current task for d of loop time; sleep(0s) yields for one pass.
template <class Rep, class Period>
detail::SleepAwaiter sleep(std::chrono::duration<Rep, Period> d) noexcept {
    return detail::SleepAwaiter(to_duration(d));
}

/// Suspends until the loop's time reaches `when` (a sleep of when - time()).
detail::SleepAwaiter sleep_until(TimePoint when);

}  // namespace aio
