#pragma once
// TaskBase::run_step(), the body of a task's step, inline for the two places that run it:
// TaskBase::step() (future_state.cpp: what the step entry calls) and the loop's pass
// (event_loop.cpp), which runs a task's step entry without the two calls in between (the
// sleep(0s) step is the hottest path of all: issue 15 §4).
#include "aio/event_loop.hpp"

namespace aio::detail {

[[gnu::always_inline]] inline void TaskBase::run_step() {
    if (state_ != State::pending || abandoned_ || must_cancel_ || !started_) [[unlikely]] {
        step_slow();
        return;
    }
    Waitable* const waited = fut_waiter_;
    fut_waiter_ = nullptr;
    EventLoop* loop = loop_;
    if (loop->observer()) [[unlikely]]
        loop->observer()->task_step(*this);
    loop->enter_task(this);
    if (!staged_wait_ || !restep_staged(waited)) [[likely]]
        resume_chain(resume_point_);
    loop_->leave_task(this);
    throw_cancel_ = false;
    if (kill_after_step_ || root_.done()) [[unlikely]]
        end_step();  // may destroy *this: nothing may follow
}

}  // namespace aio::detail
