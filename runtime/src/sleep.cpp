#include "aio/sleep.hpp"

namespace aio {

namespace detail {

void SleepOperation::start_timer(std::coroutine_handle<> h) {
    EventLoop& loop = *task_->loop();
    std::construct_at(&node_);
    node_.on_expire = {&SleepOperation::on_timer, this, task_};
    loop.add_timer(&node_, deadline_after(loop.time(), delay_), task_);
    state_ = State::timer;
    task_->suspend_on(this, h, "sleep");
}

void SleepOperation::drop_timer() noexcept {
    EventLoop& loop = *task_->loop();
    if (node_.scheduled())
        loop.remove_timer(&node_);
    else
        loop.remove_ready(this);  // the timer fired; its callback has not run yet
}

bool SleepOperation::cancel_wait(const std::optional<std::string>& msg) {
    if (state_ != State::timer) return false;
    drop_timer();
    state_ = State::cancelled;
    task_->set_wait_cancel_message(msg);
    task_->loop()->push_ready(task_->step_ready_entry());
    return true;
}

void SleepOperation::on_timer(void* self) {
    auto* s = static_cast<SleepOperation*>(self);
    s->state_ = State::woken;
    s->task_->loop()->push_ready(s->task_->step_ready_entry());
}

}  // namespace detail

detail::SleepAwaiter sleep_until(TimePoint when) {
    return detail::SleepAwaiter(delay_until(when, get_running_loop().time()));
}

}  // namespace aio
