#pragma once
// aio::Lock: asyncio.Lock, a mutual-exclusion lock for tasks of one loop (not threads).
//
//     co_await lock.acquire();                 // explicit form
//     try { ... } catch (...) { lock.release(); throw; }
//     lock.release();
//
//     { auto guard = co_await lock.scoped(); ... }   // RAII form: released at scope exit
//
// Contract, as asyncio 3.12:
//  - acquire() takes the lock at once if it is free and no live waiter is queued; otherwise
//    the task queues (FIFO) until a release() hands the lock to the first waiter. It returns
//    true (always, as asyncio).
//  - Cancellation: a waiter cancelled before its wake-up leaves the queue; one cancelled
//    after its wake-up but before it ran passes the wake-up on to the next waiter, so no
//    wake-up is lost. Either way acquire() raises CancelledError and the lock is not held.
//  - release() of an unlocked lock throws RuntimeError("Lock is not acquired."). The lock
//    has no owner: any task may release it.
//  - The lock belongs to the loop of its first contended acquire(); a contended acquire()
//    from another loop throws RuntimeError. It must outlive every task waiting on it.
#include <coroutine>
#include <cstdint>

#include "aio/detail/access_observer.hpp"
#include "aio/sync/detail/waiter.hpp"
#include "aio/sync/lock_guard.hpp"

namespace aio {

class Lock {
public:
    class AcquireAwaiter;

    Lock() noexcept = default;
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;
    ~Lock() { detail::touch_end(this); }

    bool locked() const noexcept { return locked_; }
    /// Awaitable: waits for the lock and takes it; yields true.
    [[nodiscard]] AcquireAwaiter acquire() noexcept;
    /// Awaitable: acquire(), yielding a LockGuard that releases in its destructor.
    [[nodiscard]] detail::ScopedAcquire<Lock, AcquireAwaiter> scoped() noexcept;
    /// Unlocks and wakes the first waiter; RuntimeError("Lock is not acquired.") if unlocked.
    void release();
    /// How many tasks are queued in acquire() (cancelled ones until they have run).
    std::size_t waiters() const noexcept { return waiters_.size(); }

    /// Condition::wait() of a task killed while re-acquiring this lock: that task does not
    /// hold the lock, so its LockGuard, destroyed right after in the same frame, must not
    /// release it (guard_skips_release).
    void mark_dead_reacquire(std::uint64_t task_id) noexcept { dead_reacquirer_ = task_id; }
    bool take_dead_reacquire(std::uint64_t task_id) noexcept {
        if (task_id == 0 || dead_reacquirer_ != task_id) return false;
        dead_reacquirer_ = 0;
        return true;
    }

    /// The awaitable acquire() returns (await it at once; it cannot be reused).
    class AcquireAwaiter {
    public:
        using is_aio_awaitable = void;
        explicit AcquireAwaiter(Lock& l) noexcept : lock_(&l) {}
        bool await_ready() noexcept { return lock_->try_acquire_now(); }
        void await_suspend(std::coroutine_handle<> h) {
            w_.on_lost_wakeup(&Lock::lost_wakeup, lock_);
            detail::WaitOn{w_, lock_->waiters_, lock_->binding_, "aio::Lock::acquire()"}.await_suspend(h);
            suspended_ = true;
        }
        bool await_resume() {
            if (suspended_) lock_->finish_acquire(w_);
            return true;
        }

    private:
        Lock* lock_;
        detail::Waiter w_;
        bool suspended_ = false;
    };

private:
    friend class Condition;  // Condition::WaitAwaiter re-acquires through these
    bool try_acquire_now() noexcept;
    void finish_acquire(detail::Waiter& w);
    void wake_up_first();
    // A woken waiter's frame was destroyed (its task killed): the next waiter gets the lock.
    static void lost_wakeup(void* self) noexcept;

    bool locked_ = false;
    std::uint64_t dead_reacquirer_ = 0;  // see mark_dead_reacquire
    detail::WaiterList waiters_;
    detail::LoopBinding binding_;
};

inline bool guard_skips_release(Lock& l, std::uint64_t task_id) noexcept { return l.take_dead_reacquire(task_id); }

inline Lock::AcquireAwaiter Lock::acquire() noexcept {
    detail::touch(this);
    return AcquireAwaiter(*this);
}
inline detail::ScopedAcquire<Lock, Lock::AcquireAwaiter> Lock::scoped() noexcept {
    return {*this, AcquireAwaiter(*this)};
}

}  // namespace aio
