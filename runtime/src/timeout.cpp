// asyncio.timeout / timeout_at (Lib/asyncio/timeouts.py, CPython 3.12), statement for statement.
#include "aio/timeout.hpp"

#include <fmt/format.h>

#include <cmath>

#include "aio/event_loop.hpp"

namespace aio::detail {

namespace {
const char* state_value(TimeoutState::State s) {
    switch (s) {
    case TimeoutState::State::created: return "created";
    case TimeoutState::State::entered: return "active";
    case TimeoutState::State::expiring: return "expiring";
    case TimeoutState::State::expired: return "expired";
    case TimeoutState::State::exited: return "finished";
    }
    return "?";
}
}  // namespace

void TimeoutState::reschedule(std::optional<TimePoint> when) {
    if (state_ != State::entered) {
        if (state_ == State::created) throw RuntimeError("Timeout has not been entered");
        throw RuntimeError(fmt::format("Cannot change state of {} Timeout", state_value(state_)));
    }
    when_ = when;
    handler_.cancel();
    if (!when) {
        handler_ = Handle();
        return;
    }
    EventLoop& loop = get_running_loop();
    // The callback does not own the state: ~TimeoutState cancels it.
    if (*when <= loop.time())
        handler_ = loop.call_soon([this] { on_timeout(); });
    else
        handler_ = loop.call_at(*when, [this] { on_timeout(); });
}

std::string TimeoutState::repr() const {
    std::string info;
    if (state_ == State::entered) {
        if (when_) {
            double secs = to_seconds(when_->time_since_epoch());
            // Python's repr of round(when, 3): a float always shows a fraction ("10.0", where
            // fmt's shortest form is "10").
            std::string num = fmt::format("{}", std::round(secs * 1000.0) / 1000.0);
            if (num.find_first_of(".einf") == std::string::npos) num += ".0";
            info = " when=" + num;
        } else {
            info = " when=None";
        }
    }
    return fmt::format("<Timeout [{}]{}>", state_value(state_), info);
}

void TimeoutState::enter() {
    if (state_ != State::created) throw RuntimeError("Timeout has already been entered");
    EventLoop* loop = EventLoop::running();
    TaskBase* task = loop ? loop->current_task_raw() : nullptr;
    if (!task) throw RuntimeError("Timeout should be used inside a task");
    state_ = State::entered;
    task_ = Ref<TaskBase>(task);
    cancelling_ = task->cancelling();
    reschedule(when_);
}

void TimeoutState::exit(std::exception_ptr exc) {
    if (state_ != State::entered && state_ != State::expiring)
        throw RuntimeError(fmt::format("Timeout exited in state {}", state_value(state_)));
    handler_.cancel();
    handler_ = Handle();
    if (state_ == State::expiring) {
        state_ = State::expired;
        // No new cancel request since the timeout fired: the CancelledError is ours.
        if (task_->uncancel() <= cancelling_ && is_cancelled_error(exc)) {
            try {
                std::rethrow_exception(exc);
            } catch (...) {
                std::throw_with_nested(TimeoutError());  // raise TimeoutError from exc
            }
        }
    } else {
        state_ = State::exited;
    }
}

void TimeoutState::on_timeout() {
    task_->cancel();
    state_ = State::expiring;
    handler_ = Handle();  // drop the reference early
}

}  // namespace aio::detail
