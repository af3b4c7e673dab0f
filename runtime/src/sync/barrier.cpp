// asyncio.Barrier (locks.py), 3.12.
#include "aio/sync/barrier.hpp"

#include "aio/detail/access_observer.hpp"

namespace aio {

Barrier::Barrier(std::int64_t parties) : parties_(static_cast<std::size_t>(parties)) {
    if (parties < 1) throw ValueError("parties must be > 0");
}

Coro<std::size_t> Barrier::wait() {
    detail::touch(this);
    co_await cond_.acquire();
    std::exception_ptr failure;
    std::size_t index = 0;
    try {
        co_await block();  // while the barrier drains or resets
        index = count_++;
        try {
            if (index + 1 == parties_)
                release_all();
            else
                co_await wait_released();
        } catch (...) {
            --count_;
            leave();
            throw;
        }
        --count_;
        leave();
    } catch (...) {
        failure = std::current_exception();
    }
    cond_.release();
    if (failure) std::rethrow_exception(failure);
    co_return index;
}

Coro<void> Barrier::block() {
    co_await cond_.wait_for([this] { return state_ != State::draining && state_ != State::resetting; });
    if (state_ == State::broken) throw BrokenBarrierError("Barrier aborted");
}

void Barrier::release_all() {
    state_ = State::draining;
    cond_.notify_all();
}

Coro<void> Barrier::wait_released() {
    co_await cond_.wait_for([this] { return state_ != State::filling; });
    if (state_ == State::broken || state_ == State::resetting) throw BrokenBarrierError("Abort or reset of barrier");
}

void Barrier::leave() {
    // The last task out lets the next cycle in.
    if (count_ == 0) {
        if (state_ == State::resetting || state_ == State::draining) state_ = State::filling;
        cond_.notify_all();
    }
}

Coro<void> Barrier::reset() {
    detail::touch(this);
    co_await cond_.acquire();
    if (count_ > 0) {
        if (state_ != State::resetting) state_ = State::resetting;
    } else {
        state_ = State::filling;
    }
    cond_.notify_all();
    cond_.release();
}

Coro<void> Barrier::abort() {
    detail::touch(this);
    co_await cond_.acquire();
    state_ = State::broken;
    cond_.notify_all();
    cond_.release();
}

}  // namespace aio
