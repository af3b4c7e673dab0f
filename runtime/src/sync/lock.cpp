// asyncio.Lock (locks.py), 3.12.
#include "aio/sync/lock.hpp"

#include "aio/event_loop.hpp"

namespace aio {

bool Lock::try_acquire_now() noexcept {
    if (locked_) return false;
    for (auto* w = waiters_.front(); w; w = detail::WaiterList::next(w))
        if (!w->cancelled()) return false;
    locked_ = true;
    return true;
}

void Lock::finish_acquire(detail::Waiter& w) {
    // The waiter leaves the queue before the CancelledError handling, so that handling
    // cannot wake the cancelled waiter itself.
    waiters_.remove(w);
    try {
        w.resume();
    } catch (const CancelledError&) {
        // Woken but cancelled before running: hand the wake-up on, or it would be lost.
        if (!locked_) wake_up_first();
        throw;
    }
    locked_ = true;
}

void Lock::lost_wakeup(void* self) noexcept {
    auto* l = static_cast<Lock*>(self);
    if (!l->locked_) l->wake_up_first();
}

void Lock::release() {
    detail::touch(this);
    if (!locked_) throw RuntimeError("Lock is not acquired.");
    locked_ = false;
    wake_up_first();
}

void Lock::wake_up_first() {
    // A first waiter that is already done will run later and either take the lock or, if
    // it was cancelled meanwhile, call this again.
    detail::Waiter* w = waiters_.front();
    if (w && !w->done()) w->set_result();
}

}  // namespace aio
