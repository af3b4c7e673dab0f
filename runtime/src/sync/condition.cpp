// asyncio.Condition (locks.py), 3.12.
#include "aio/sync/condition.hpp"

#include "aio/detail/access_observer.hpp"
#include "aio/detail/task_state.hpp"

#include <utility>

namespace aio {

bool Condition::WaitAwaiter::await_ready() {
    detail::touch(c_);
    if (!c_->locked()) throw RuntimeError("cannot wait on un-acquired lock");
    c_->release();
    // From here until the lock is held again, a frame destroyed (the task killed) does not
    // hold it: its LockGuard must not release it (see the destructor).
    task_id_ = detail::current_task_id();
    stage_ = Stage::notified;
    return false;
}

bool Condition::WaitAwaiter::await_suspend(std::coroutine_handle<> h) {
    w_.on_lost_wakeup(&WaitAwaiter::lost_notification, this);
    w_.on_restep(&WaitAwaiter::restep_hook);
    try {
        detail::WaitOn{w_, c_->waiters_, c_->binding_, "aio::Condition::wait()"}.await_suspend(h);
        return true;
    } catch (...) {
        // The wait could not start (no task, another loop's condition): as asyncio, the lock
        // is re-acquired before the error is raised.
        c_->waiters_.remove(w_);
        failure_ = std::current_exception();
    }
    return reacquire(nullptr, h);
}

bool Condition::WaitAwaiter::reacquire(detail::TaskBase* task, std::coroutine_handle<> h) {
    Lock& lock = *c_->lock_;
    if (lock.try_acquire_now()) {
        stage_ = Stage::held;
        return false;
    }
    detail::WaitOn on{w_, lock.waiters_, lock.binding_, "aio::Lock::acquire()"};
    // The lock's first blocking use binds it, as acquire() would (this may throw: before the
    // waiter is touched).
    if (task) lock.binding_.check(*task->loop(), on.what);
    stage_ = Stage::reacquiring;
    w_.on_lost_wakeup(&WaitAwaiter::lost_lock, this);
    if (task)
        on.rearm(*task);
    else
        on.await_suspend(h);
    return true;
}

bool Condition::WaitAwaiter::restep_hook(void* self, detail::Waiter&, detail::TaskBase& task) {
    return static_cast<WaitAwaiter*>(self)->restep(task);
}

bool Condition::WaitAwaiter::restep(detail::TaskBase& task) {
    if (stage_ == Stage::notified) {
        // The wait for a notification ended (notified, cancelled, or a cancellation delivered
        // after the notification): its outcome is kept for the end.
        try {
            w_.resume();
        } catch (...) {
            failure_ = std::current_exception();
        }
        c_->waiters_.remove(w_);
    } else if (stage_ == Stage::reacquiring) {
        // The lock's acquire() ended, with its CancelledError kept instead of raised (the
        // wake-up it cannot use passed on): the lock must be held again however the wait
        // ends, so the task keeps trying.
        try {
            c_->lock_->finish_acquire(w_);
            stage_ = Stage::held;
            return false;
        } catch (const CancelledError&) {
            cancelled_again_ = true;
        }
    } else {
        return false;
    }
    try {
        return reacquire(&task, {});
    } catch (...) {
        // The lock belongs to another loop: that error leaves wait() at once, the lock not
        // held (as asyncio's acquire() raising inside wait()'s finally).
        failure_ = std::current_exception();
        cancelled_again_ = false;
        stage_ = Stage::failed;
        return false;
    }
}

bool Condition::WaitAwaiter::await_resume() {
    if (stage_ == Stage::failed) std::rethrow_exception(failure_);
    if (cancelled_again_) throw CancelledError();
    if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
    return true;
}

Condition::WaitAwaiter::~WaitAwaiter() {
    if (stage_ != Stage::idle && stage_ != Stage::held) {
        // Destroyed before the lock was held again (its task killed): see await_ready. The
        // waiter leaves its list now, and a wake-up it took goes on (its lost-wakeup hook),
        // while this awaiter is whole.
        c_->lock_->mark_dead_reacquire(task_id_);
        w_.leave();
    }
}

void Condition::WaitAwaiter::lost_notification(void* self) noexcept {
    Condition::lost_wakeup(static_cast<WaitAwaiter*>(self)->c_);
}

void Condition::WaitAwaiter::lost_lock(void* self) noexcept {
    Lock::lost_wakeup(static_cast<WaitAwaiter*>(self)->c_->lock_);
}

void Condition::lost_wakeup(void* self) noexcept {
    auto* c = static_cast<Condition*>(self);
    for (auto* w = c->waiters_.front(); w; w = detail::WaiterList::next(w)) {
        if (!w->done()) {
            w->set_result();
            return;
        }
    }
}

void Condition::notify(std::size_t n) {
    detail::touch(this);
    if (!locked()) throw RuntimeError("cannot notify on un-acquired lock");
    std::size_t idx = 0;
    for (auto* w = waiters_.front(); w; w = detail::WaiterList::next(w)) {
        if (idx >= n) break;
        if (!w->done()) {
            ++idx;
            w->set_result();
        }
    }
}

}  // namespace aio
