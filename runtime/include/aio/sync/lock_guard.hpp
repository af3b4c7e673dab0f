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
#include <coroutine>
#include <exception>
#include <utility>

namespace aio {

namespace detail {
/// Reports an exception thrown by release() in a guard's destructor; never throws.
void report_guard_release_failure(std::exception_ptr e) noexcept;
}  // namespace detail

template <class P>
class [[nodiscard]] LockGuard {
public:
    LockGuard() noexcept = default;
    /// Adopts an acquisition the caller already holds.
    explicit LockGuard(P& p) noexcept : p_(&p) {}
    LockGuard(LockGuard&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    LockGuard& operator=(LockGuard&& o) noexcept {
        if (this != &o) {
            reset();
            p_ = std::exchange(o.p_, nullptr);
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
        try {
            std::exchange(p_, nullptr)->release();
        } catch (...) {
            detail::report_guard_release_failure(std::current_exception());
        }
    }
    P* p_ = nullptr;
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
