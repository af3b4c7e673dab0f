// asyncio.Condition (locks.py), 3.12.
#include "aio/sync/condition.hpp"

#include "aio/detail/access_observer.hpp"

namespace aio {

Coro<bool> Condition::wait() {
    detail::touch(this);
    if (!locked()) throw RuntimeError("cannot wait on un-acquired lock");
    release();
    // From here until the lock is held again, a frame destroyed (the task killed) does not
    // hold it: its LockGuard must not release it.
    struct Reacquire {
        Lock* lock;
        std::uint64_t task;
        bool held = false;
        ~Reacquire() {
            if (!held) lock->mark_dead_reacquire(task);
        }
    } reacquire{lock_, detail::current_task_id()};
    std::exception_ptr failure;
    try {
        detail::Waiter w;
        w.on_lost_wakeup(&Condition::lost_wakeup, this);
        try {
            co_await detail::WaitOn{w, waiters_, binding_, "aio::Condition::wait()"};
        } catch (...) {
            waiters_.remove(w);
            throw;
        }
        waiters_.remove(w);
    } catch (...) {
        failure = std::current_exception();
    }
    // The lock must be held again however the wait ended, even if the task is cancelled
    // (again) while re-acquiring it.
    bool cancelled = false;
    for (;;) {
        try {
            co_await lock_->acquire();
            break;
        } catch (const CancelledError&) {
            cancelled = true;
        }
    }
    reacquire.held = true;
    if (cancelled) throw CancelledError();
    if (failure) std::rethrow_exception(failure);
    co_return true;
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
