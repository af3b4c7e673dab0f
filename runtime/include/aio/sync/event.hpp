#pragma once
// aio::Event: asyncio.Event, a flag tasks can wait for.
//
//     aio::Event ready;
//     co_await ready.wait();     // in one task
//     ready.set();               // in another: wakes every waiter
//
// Contract, as asyncio 3.12:
//  - wait() returns at once (true) if the flag is set; otherwise it waits until set() and
//    returns true. set() wakes every task waiting at that moment, in the order they began
//    waiting; clear() resets the flag without affecting tasks already woken.
//  - Cancellation: a cancelled wait() raises CancelledError and leaves no trace.
//  - The event belongs to the loop of its first blocking wait(); a blocking wait() from
//    another loop throws RuntimeError. It must outlive every task waiting on it.
#include <coroutine>

#include "aio/detail/access_observer.hpp"
#include "aio/sync/detail/waiter.hpp"

namespace aio {

class Event {
public:
    class WaitAwaiter;

    Event() noexcept = default;
    Event(const Event&) = delete;
    Event& operator=(const Event&) = delete;
    ~Event() { detail::touch_end(this); }

    bool is_set() const noexcept { return value_; }
    /// Sets the flag and wakes every waiting task.
    void set();
    /// Resets the flag; later wait() calls block until the next set().
    void clear() noexcept {
        detail::touch(this);
        value_ = false;
    }
    /// Awaitable: waits until the flag is set; yields true.
    [[nodiscard]] WaitAwaiter wait() noexcept;
    /// How many tasks are blocked in wait() (woken ones until they have run).
    std::size_t waiters() const noexcept { return waiters_.size(); }

    /// The awaitable wait() returns (await it at once; it cannot be reused).
    class WaitAwaiter {
    public:
        using is_aio_awaitable = void;
        WaitAwaiter(Event& e, const char* what) noexcept : ev_(&e), what_(what) {}
        bool await_ready() const noexcept { return ev_->value_; }
        void await_suspend(std::coroutine_handle<> h) {
            detail::WaitOn{w_, ev_->waiters_, ev_->binding_, what_}.await_suspend(h);
            suspended_ = true;
        }
        bool await_resume() {
            if (suspended_) {
                ev_->waiters_.remove(w_);
                w_.resume();
            }
            return true;
        }

    private:
        Event* ev_;
        const char* what_;
        detail::Waiter w_;
        bool suspended_ = false;
    };

private:
    bool value_ = false;
    detail::WaiterList waiters_;
    detail::LoopBinding binding_;
};

inline Event::WaitAwaiter Event::wait() noexcept {
    detail::touch(this);
    return WaitAwaiter(*this, "aio::Event::wait()");
}

}  // namespace aio
