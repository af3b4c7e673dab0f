// asyncio.Semaphore and asyncio.BoundedSemaphore (locks.py), 3.12.
#include "aio/sync/semaphore.hpp"

namespace aio {

Semaphore::Semaphore(std::int64_t value) : value_(value) {
    if (value < 0) throw ValueError("Semaphore initial value must be >= 0");
}

bool Semaphore::locked() const noexcept {
    if (value_ == 0) return true;
    for (auto* w = waiters_.front(); w; w = detail::WaiterList::next(w))
        if (!w->cancelled()) return true;
    return false;
}

bool Semaphore::try_acquire_now() noexcept {
    if (locked()) return false;
    --value_;
    return true;
}

void Semaphore::finish_acquire(detail::Waiter& w) {
    waiters_.remove(w);
    try {
        w.resume();
    } catch (const CancelledError&) {
        if (!w.cancelled()) {
            // Woken (a unit was handed to us) but cancelled before running: give it back.
            ++value_;
            wake_up_next();
        }
        throw;
    }
    // Units may remain (several releases before we ran): let the next waiter have one.
    if (value_ > 0) wake_up_next();
}

void Semaphore::lost_wakeup(void* self) noexcept {
    auto* sem = static_cast<Semaphore*>(self);
    ++sem->value_;
    sem->wake_up_next();
}

void Semaphore::release() {
    detail::touch(this);
    ++value_;
    wake_up_next();
}

void Semaphore::wake_up_next() {
    for (auto* w = waiters_.front(); w; w = detail::WaiterList::next(w)) {
        if (!w->done()) {
            --value_;
            w->set_result();
            return;
        }
    }
}

void BoundedSemaphore::release() {
    if (value_ >= bound_value_) throw ValueError("BoundedSemaphore released too many times");
    Semaphore::release();
}

}  // namespace aio
