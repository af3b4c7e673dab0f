#pragma once
// co_await detail::wait_readable(fd) / wait_writable(fd): suspends the current task until fd
// is ready (asyncio's add_reader + future + remove_reader in sock_recv and friends). The wake-up
// takes asyncio's two hops: the readiness callback marks the wait done and schedules the task's
// step for the next pass. Cancelling the task while it waits removes the watch at once (and an
// already queued readiness callback); a frame destroyed while waiting (loop closed) does too.
// Allocates nothing: the operation lives in the awaiting frame.
#include <coroutine>

#include "aio/event_loop.hpp"
#include "aio/detail/future_awaiter.hpp"

namespace aio::detail {

class FdWaitOperation final : public Waitable {
public:
    using Interest = seam::FdDriver::Interest;
    FdWaitOperation(int fd, Interest interest, const char* what) noexcept : fd_(fd), interest_(interest), what_(what) {}
    FdWaitOperation(const FdWaitOperation&) = delete;
    ~FdWaitOperation() {
        if (state_ == State::watching) stop_watching();
    }

    bool await_ready() noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
        task_ = &require_current_task(what_);
        driver_ = &task_->loop()->fd_driver(what_);
        driver_->watch(fd_, interest_, {&FdWaitOperation::on_ready, this, task_});
        state_ = State::watching;
        task_->suspend_on(this, h, what_);
    }
    void await_resume() {
        if (state_ == State::cancelled) [[unlikely]] {
            task_->drop_cancel_delivery();
            task_->throw_wait_cancelled();
        }
        task_->check_cancel();
    }

    bool cancel_wait(const std::optional<std::string>& msg) override {
        if (state_ != State::watching) return false;  // ready already: the step is scheduled
        stop_watching();
        state_ = State::cancelled;
        task_->set_wait_cancel_message(msg);
        task_->loop()->push_ready(task_->step_ready_entry());
        return true;
    }

private:
    enum class State : unsigned char { idle, watching, woken, cancelled };
    void stop_watching() noexcept {
        driver_->unwatch(fd_, interest_);
        task_->loop()->remove_ready(this);  // a readiness callback queued and not run yet
    }
    static void on_ready(void* self) {
        auto* s = static_cast<FdWaitOperation*>(self);
        if (s->state_ != State::watching) return;
        s->driver_->unwatch(s->fd_, s->interest_);
        s->state_ = State::woken;
        s->task_->loop()->push_ready(s->task_->step_ready_entry());
    }

    int fd_;
    Interest interest_;
    const char* what_;
    TaskBase* task_ = nullptr;
    seam::FdDriver* driver_ = nullptr;
    State state_ = State::idle;
};

// What wait_readable() returns; operator co_await makes the (immovable) operation in the frame.
class FdWaitAwaiter {
public:
    using is_aio_awaitable = void;
    FdWaitAwaiter(int fd, FdWaitOperation::Interest interest, const char* what) noexcept
        : fd_(fd), interest_(interest), what_(what) {}
    FdWaitOperation operator co_await() const noexcept { return FdWaitOperation(fd_, interest_, what_); }

private:
    int fd_;
    FdWaitOperation::Interest interest_;
    const char* what_;
};

/// Awaitable: fd is readable (or has an error or hang-up).
inline FdWaitAwaiter wait_readable(int fd, const char* what = "wait_readable") noexcept {
    return {fd, FdWaitOperation::Interest::read, what};
}
/// Awaitable: fd is writable (or has an error or hang-up).
inline FdWaitAwaiter wait_writable(int fd, const char* what = "wait_writable") noexcept {
    return {fd, FdWaitOperation::Interest::write, what};
}

}  // namespace aio::detail
