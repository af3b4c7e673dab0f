#pragma once
// aio::LockGuard<P>: one acquisition of a Lock, Semaphore or Condition, released by the
// destructor (the C++ spelling of `async with lock:`).
//
//     {
//         auto guard = co_await lock.scoped();   // acquire(); CancelledError leaves no guard
//         ...                                    // the lock is held
//     }                                          // release()
//
// The guard is move-only; guard.release() releases early (and may throw what P::release()
// throws). A destructor cannot throw, so if release() fails there (the program released the
// lock itself, or over-released a BoundedSemaphore), the error goes to the running loop's
// exception handler (standard error without a loop) instead of propagating as
// `async with` would.
//
// A task killed (EventLoop::kill_tasks) inside Condition::wait() while it re-acquired the lock
// does not hold it: its guard's destructor (run as the frame goes) then releases nothing
// (guard_skips_release below), so the lock another task holds stays held.
#include <coroutine>
#include <cstdint>
#include <exception>
#include <utility>

namespace aio {

namespace detail {
/// Reports an exception thrown by release() in a guard's destructor; never throws.
void report_guard_release_failure(std::exception_ptr e) noexcept;
/// The id of the running loop's current task, 0 if none.
std::uint64_t current_task_id() noexcept;
}  // namespace detail

/// Whether the guard of task `task_id` must not release p (overloads in lock.hpp, condition.hpp).
template <class P>
bool guard_skips_release(P&, std::uint64_t) noexcept {
    return false;
}

template <class P>
class [[nodiscard]] LockGuard {
public:
    LockGuard() noexcept = default;
    /// Adopts an acquisition the caller already holds.
    explicit LockGuard(P& p) noexcept : p_(&p), task_(detail::current_task_id()) {}
    LockGuard(LockGuard&& o) noexcept : p_(std::exchange(o.p_, nullptr)), task_(o.task_) {}
    LockGuard& operator=(LockGuard&& o) noexcept {
        if (this != &o) {
            reset();
            p_ = std::exchange(o.p_, nullptr);
            task_ = o.task_;
        }
        return *this;
    }
    ~LockGuard() { reset(); }

    bool owns_lock() const noexcept { return p_ != nullptr; }
    explicit operator bool() const noexcept { return owns_lock(); }
    /// Releases now; the guard then owns nothing.
    void release() {
        if (p_) std::exchange(p_, nullptr)->release();
    }
    /// Gives up ownership without releasing.
    P* dismiss() noexcept { return std::exchange(p_, nullptr); }

private:
    void reset() noexcept {
        if (!p_) return;
        if (guard_skips_release(*p_, task_)) {
            p_ = nullptr;
            return;
        }
        try {
            std::exchange(p_, nullptr)->release();
        } catch (...) {
            detail::report_guard_release_failure(std::current_exception());
        }
    }
    P* p_ = nullptr;
    std::uint64_t task_ = 0;  // the task that made the guard (0: none)
};

namespace detail {

/// `co_await p.scoped()`: p.acquire(), then a guard owning that acquisition.
template <class P, class Acquire>
class ScopedAcquire {
public:
    using is_aio_awaitable = void;
    ScopedAcquire(P& p, Acquire a) noexcept : p_(&p), inner_(std::move(a)) {}

    bool await_ready() { return inner_.await_ready(); }
    void await_suspend(std::coroutine_handle<> h) { inner_.await_suspend(h); }
    LockGuard<P> await_resume() {
        inner_.await_resume();
        return LockGuard<P>(*p_);
    }

private:
    P* p_;
    Acquire inner_;
};

}  // namespace detail

}  // namespace aio
