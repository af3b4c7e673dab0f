#include "aio/sync/detail/waiter.hpp"

#include <fmt/format.h>

#include <utility>
#include <variant>

#include "aio/detail/access_observer.hpp"
#include "aio/event_loop.hpp"

namespace aio::detail {

void Waiter::leave() noexcept {
    if (list_) list_->remove(*this);
    if (lost_ && state_ == State::done) std::exchange(lost_, nullptr)(owner_);
}

void Waiter::set_result() {
    state_ = State::done;
    const ReadyEntry e = task_->step_ready_entry();
    note_scheduled(e);
    task_->loop()->push_ready(e);
}

bool Waiter::cancel_wait(const std::optional<std::string>& msg) {
    if (state_ != State::pending) return false;
    state_ = State::cancelled;
    task_->set_wait_cancel_message(msg);
    task_->loop()->push_ready(task_->step_ready_entry());
    return true;
}

WaiterList::~WaiterList() {
    while (head_) {
        head_->lost_ = nullptr;  // its primitive is going: nothing to hand on, nobody to call
        remove(*head_);
    }
}

void WaiterList::push_back(Waiter& w) noexcept {
    w.list_ = this;
    w.prev_ = tail_;
    w.next_ = nullptr;
    if (tail_)
        tail_->next_ = &w;
    else
        head_ = &w;
    tail_ = &w;
    ++size_;
}

bool WaiterList::remove(Waiter& w) noexcept {
    if (w.list_ != this) return false;
    if (w.prev_)
        w.prev_->next_ = w.next_;
    else
        head_ = w.next_;
    if (w.next_)
        w.next_->prev_ = w.prev_;
    else
        tail_ = w.prev_;
    w.list_ = nullptr;
    w.prev_ = w.next_ = nullptr;
    --size_;
    return true;
}

void LoopBinding::check(EventLoop& loop, const char* what) {
    if (!anchor_) {
        anchor_ = Ref<FutureBase>(new FutureState<std::monostate>(&loop));
        return;
    }
    if (anchor_->loop() != &loop)
        throw RuntimeError(
            fmt::format("{}: the primitive is bound to a different event loop (a sync primitive belongs to the loop "
                        "of its first blocking use; create one per aio::run)",
                        what));
}

void WaitOn::await_suspend(std::coroutine_handle<> h) {
    TaskBase& task = require_current_task(what);
    binding.check(*task.loop(), what);
    w.arm(task);
    list.push_back(w);
    task.suspend_on(&w, h, what);
    if (w.restep_) task.stage_wait();
}

void WaitOn::rearm(TaskBase& task) {
    w.arm(task);
    list.push_back(w);
    task.suspend_on(&w, task.resume_point(), what);
    task.stage_wait();
}

}  // namespace aio::detail
