#pragma once
// aio::Condition: asyncio.Condition, a condition variable over an aio::Lock.
//
//     auto guard = co_await cond.scoped();
//     co_await cond.wait_for([&] { return !items.empty(); });
//     ... // items is non-empty and the lock is held
//
// Contract, as asyncio 3.12:
//  - Condition() owns a fresh Lock; Condition(lock) uses the given one, which must outlive
//    it. locked()/acquire()/release()/scoped() are the lock's.
//  - wait() throws RuntimeError("cannot wait on un-acquired lock") without the lock; else it
//    releases the lock, waits for notify(), re-acquires the lock and returns true. The lock
//    is held again when wait() ends in ANY way: if the task is cancelled while waiting, wait()
//    still re-acquires before raising CancelledError; if it is cancelled (again) while
//    re-acquiring, it keeps trying and then raises a CancelledError without a message.
//  - wait_for(pred) waits until pred() is true and returns pred()'s last value; pred may
//    return anything testable with `!` (bool, a pointer, a std::optional for Python's
//    "a value or something falsy").
//  - notify(n) wakes up to n waiters not yet woken (FIFO), notify_all() all of them; both
//    throw RuntimeError("cannot notify on un-acquired lock") without the lock. A waiter
//    cancelled after being notified does not pass the notification on (as asyncio 3.12).
//  - A task killed (EventLoop::kill_tasks) while waiting leaves the queue; one killed after
//    being notified, before it ran, passes the notification on (it never saw it); one killed
//    while re-acquiring the lock leaves the lock to the others, and its LockGuard (of the lock
//    or of the condition) releases nothing.
//  - The condition belongs to the loop of its first wait(); it must outlive its waiters.
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <type_traits>

#include "aio/coro.hpp"
#include "aio/detail/access_observer.hpp"
#include "aio/sync/detail/waiter.hpp"
#include "aio/sync/lock.hpp"
#include "aio/sync/lock_guard.hpp"

namespace aio {

class Condition {
public:
    Condition() noexcept : lock_(&own_lock_) {}
    explicit Condition(Lock& lock) noexcept : lock_(&lock) {}
    Condition(const Condition&) = delete;
    Condition& operator=(const Condition&) = delete;
    ~Condition() { detail::touch_end(this); }

    bool locked() const noexcept { return lock_->locked(); }
    [[nodiscard]] Lock::AcquireAwaiter acquire() noexcept { return lock_->acquire(); }
    void release() { lock_->release(); }
    [[nodiscard]] detail::ScopedAcquire<Condition, Lock::AcquireAwaiter> scoped() noexcept {
        return {*this, lock_->acquire()};
    }
    /// The underlying lock.
    Lock& lock() const noexcept { return *lock_; }

    class WaitAwaiter;
    /// Awaitable: releases the lock, waits to be notified, re-acquires the lock; yields true.
    /// It allocates nothing: no coroutine frame (see WaitAwaiter).
    [[nodiscard]] WaitAwaiter wait() noexcept;

    /// Waits until pred() is truthy (checked with the lock held); yields its last value.
    template <class Pred>
    Coro<std::decay_t<std::invoke_result_t<Pred&>>> wait_for(Pred pred) {
        auto result = pred();
        while (!result) {
            co_await wait();
            result = pred();
        }
        co_return result;
    }

    /// Wakes up to n waiting tasks (the lock must be held).
    void notify(std::size_t n = 1);
    /// Wakes every waiting task (the lock must be held).
    void notify_all() { notify(waiters_.size()); }
    /// How many tasks are blocked in wait() (notified ones until they have run).
    std::size_t waiters() const noexcept { return waiters_.size(); }

    /// The awaitable wait() returns (await it at once; it cannot be reused). asyncio's
    /// `release(); try: await fut finally: while True: try: await acquire() ...` as a state
    /// machine on one waiter: first on the condition's waiters, then, while the lock is taken,
    /// on the lock's; each step of the waiting task moves it on (Waitable::restep), so the
    /// task resumes only once it holds the lock again.
    class WaitAwaiter {
    public:
        using is_aio_awaitable = void;
        explicit WaitAwaiter(Condition& c) noexcept : c_(&c) {}
        /// Only an awaiter not yet awaited moves (await_transform).
        WaitAwaiter(WaitAwaiter&&) noexcept = default;
        WaitAwaiter& operator=(WaitAwaiter&&) = delete;
        ~WaitAwaiter();

        /// Checks the lock is held and releases it.
        bool await_ready();
        bool await_suspend(std::coroutine_handle<> h);
        bool await_resume();

    private:
        enum class Stage : unsigned char { idle, notified, reacquiring, held, failed };
        // The re-acquire loop's first try: true when the task must wait for the lock (armed
        // on its waiters at `h`, or at the task's resume point from a restep).
        bool reacquire(detail::TaskBase* task, std::coroutine_handle<> h);
        bool restep(detail::TaskBase& task);
        static bool restep_hook(void* self, detail::Waiter& w, detail::TaskBase& task);
        // The waiter's lost-wakeup hooks (the awaiter is destroyed with its task's frame).
        static void lost_notification(void* self) noexcept;
        static void lost_lock(void* self) noexcept;

        Condition* c_;
        detail::Waiter w_;
        std::exception_ptr failure_;  // how the wait for a notification ended, if it failed
        std::uint64_t task_id_ = 0;
        Stage stage_ = Stage::idle;
        bool cancelled_again_ = false;  // cancelled while re-acquiring
    };

private:
    // A notified waiter's frame was destroyed (its task killed): the notification goes to the
    // next waiter not yet notified.
    static void lost_wakeup(void* self) noexcept;

    Lock own_lock_;
    Lock* lock_;
    detail::WaiterList waiters_;
    detail::LoopBinding binding_;
};

inline Condition::WaitAwaiter Condition::wait() noexcept { return WaitAwaiter(*this); }

inline bool guard_skips_release(Condition& c, std::uint64_t task_id) noexcept {
    return c.lock().take_dead_reacquire(task_id);
}

}  // namespace aio
