#pragma once
// aio::Semaphore and aio::BoundedSemaphore: asyncio.Semaphore and asyncio.BoundedSemaphore.
//
//     aio::Semaphore slots(3);
//     { auto guard = co_await slots.scoped(); ... }   // at most 3 tasks in here
//
// Contract, as asyncio 3.12 (with its fairness fixes):
//  - Semaphore(value) throws ValueError("Semaphore initial value must be >= 0") if value < 0.
//  - acquire() decrements the counter at once if it is positive and no live waiter is
//    queued; otherwise the task queues (FIFO). release() increments the counter and hands
//    it to the first waiter not yet woken. acquire() returns true (always, as asyncio).
//  - locked() is true when acquire() would block: the counter is 0 or a waiter that was not
//    cancelled is queued (a newcomer never overtakes a queued task).
//  - Cancellation: a waiter cancelled before its wake-up leaves the queue; one cancelled
//    after its wake-up gives its unit back and wakes the next waiter. Either way acquire()
//    raises CancelledError and holds nothing.
//  - BoundedSemaphore::release() throws ValueError("BoundedSemaphore released too many
//    times") when the counter would exceed its initial value.
//  - The semaphore belongs to the loop of its first blocking acquire(); a blocking acquire()
//    from another loop throws RuntimeError. It must outlive every task waiting on it.
#include <coroutine>
#include <cstdint>

#include "aio/detail/access_observer.hpp"
#include "aio/sync/detail/waiter.hpp"
#include "aio/sync/lock_guard.hpp"

namespace aio {

class Semaphore {
public:
    class AcquireAwaiter;

    explicit Semaphore(std::int64_t value = 1);
    Semaphore(const Semaphore&) = delete;
    Semaphore& operator=(const Semaphore&) = delete;
    virtual ~Semaphore() { detail::touch_end(this); }

    /// True when acquire() would block.
    bool locked() const noexcept;
    /// Awaitable: waits for a unit and takes it; yields true.
    [[nodiscard]] AcquireAwaiter acquire() noexcept;
    /// Awaitable: acquire(), yielding a LockGuard that releases in its destructor.
    [[nodiscard]] detail::ScopedAcquire<Semaphore, AcquireAwaiter> scoped() noexcept;
    /// Returns a unit and wakes the first waiter not yet woken.
    virtual void release();
    /// The counter (asyncio's _value): units free and not yet handed to a woken waiter.
    std::int64_t value() const noexcept { return value_; }
    /// How many tasks are queued in acquire() (woken or cancelled ones until they have run).
    std::size_t waiters() const noexcept { return waiters_.size(); }

    /// The awaitable acquire() returns (await it at once; it cannot be reused).
    class AcquireAwaiter {
    public:
        using is_aio_awaitable = void;
        explicit AcquireAwaiter(Semaphore& s) noexcept : sem_(&s) {}
        bool await_ready() noexcept { return sem_->try_acquire_now(); }
        void await_suspend(std::coroutine_handle<> h) {
            w_.on_lost_wakeup(&Semaphore::lost_wakeup, sem_);
            detail::WaitOn{w_, sem_->waiters_, sem_->binding_, "aio::Semaphore::acquire()"}.await_suspend(h);
            suspended_ = true;
        }
        bool await_resume() {
            if (suspended_) sem_->finish_acquire(w_);
            return true;
        }

    private:
        Semaphore* sem_;
        detail::Waiter w_;
        bool suspended_ = false;
    };

protected:
    std::int64_t value_;

private:
    bool try_acquire_now() noexcept;
    void finish_acquire(detail::Waiter& w);
    void wake_up_next();
    // A woken waiter's frame was destroyed (its task killed): its unit goes to the next waiter.
    static void lost_wakeup(void* self) noexcept;

    detail::WaiterList waiters_;
    detail::LoopBinding binding_;
};

inline Semaphore::AcquireAwaiter Semaphore::acquire() noexcept {
    detail::touch(this);
    return AcquireAwaiter(*this);
}
inline detail::ScopedAcquire<Semaphore, Semaphore::AcquireAwaiter> Semaphore::scoped() noexcept {
    return {*this, AcquireAwaiter(*this)};
}

/// A Semaphore whose release() refuses to raise the counter above its initial value.
class BoundedSemaphore : public Semaphore {
public:
    explicit BoundedSemaphore(std::int64_t value = 1) : Semaphore(value), bound_value_(value) {}
    /// Throws ValueError("BoundedSemaphore released too many times") at the bound.
    void release() override;
    /// Awaitable: acquire(), yielding a LockGuard<BoundedSemaphore>.
    [[nodiscard]] detail::ScopedAcquire<BoundedSemaphore, AcquireAwaiter> scoped() noexcept {
        return {*this, acquire()};
    }

private:
    std::int64_t bound_value_;
};

}  // namespace aio
