#pragma once
// aio::Barrier: asyncio.Barrier, a rendezvous point for a fixed number of tasks.
//
//     aio::Barrier b(3);
//     std::size_t index = co_await b.wait();   // returns when 3 tasks are waiting
//
// Contract, as asyncio 3.12:
//  - Barrier(parties) throws ValueError("parties must be > 0") if parties < 1.
//  - wait() blocks until `parties` tasks are waiting, then all of them return, each with a
//    distinct index 0..parties-1 (arrival order; the last to arrive gets parties-1 and does
//    not block). Tasks arriving while the barrier drains wait for the next cycle.
//  - abort() puts the barrier in the broken state: waiting and later wait() calls throw
//    BrokenBarrierError ("Abort or reset of barrier" for tasks that were waiting, "Barrier
//    aborted" for new ones). reset() returns it to the empty state; tasks that were waiting
//    get BrokenBarrierError("Abort or reset of barrier").
//  - Cancellation: a cancelled wait() raises CancelledError and leaves the barrier
//    consistent (it is no longer counted); the barrier is not broken by it.
//  - Built on an aio::Condition, as asyncio's; it must outlive every task waiting on it.
//  - A task killed (EventLoop::kill_tasks) inside wait() stays counted as arrived and never
//    leaves: the cycle it was in cannot drain, so the barrier is unusable for the survivors;
//    abort() it so that they get BrokenBarrierError instead of waiting forever (a dead party
//    breaks a barrier, as for threads).
#include <cstddef>
#include <cstdint>

#include "aio/coro.hpp"
#include "aio/detail/access_observer.hpp"
#include "aio/sync/condition.hpp"

namespace aio {

class Barrier {
public:
    enum class State : unsigned char { filling, draining, resetting, broken };

    explicit Barrier(std::int64_t parties);
    Barrier(const Barrier&) = delete;
    Barrier& operator=(const Barrier&) = delete;
    ~Barrier() { detail::touch_end(this); }

    /// Waits for the barrier to trip; yields this task's index (0..parties-1).
    Coro<std::size_t> wait();
    /// Back to the empty state; waiting tasks get BrokenBarrierError.
    Coro<void> reset();
    /// Into the broken state; waiting and later tasks get BrokenBarrierError.
    Coro<void> abort();

    std::size_t parties() const noexcept { return parties_; }
    /// Tasks waiting for the barrier to fill (0 unless it is filling).
    std::size_t n_waiting() const noexcept { return state_ == State::filling ? count_ : 0; }
    bool broken() const noexcept { return state_ == State::broken; }
    /// asyncio's _state (shown in its repr).
    State state() const noexcept { return state_; }

private:
    Coro<void> block();
    Coro<void> wait_released();
    void release_all();
    void leave();

    Condition cond_;
    std::size_t parties_;
    State state_ = State::filling;
    std::size_t count_ = 0;
};

}  // namespace aio
