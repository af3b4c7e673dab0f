#pragma once
// The state behind aio::Timeout: asyncio's Timeout object (timeouts.py, 3.12), field for
// field. enter() is __aenter__, exit() is __aexit__.
//
// Ownership: handles (aio::Timeout) hold references. The scheduled timer callback points at
// the state without owning it; the state cancels it when destroyed.
#include <exception>
#include <optional>
#include <string>

#include "aio/clock.hpp"
#include "aio/handle.hpp"
#include "aio/detail/ref.hpp"
#include "aio/detail/task_state.hpp"

namespace aio::detail {

class TimeoutState final : public RefCounted {
public:
    enum class State : unsigned char { created, entered, expiring, expired, exited };

    explicit TimeoutState(std::optional<TimePoint> when) noexcept : when_(when) {}
    ~TimeoutState() override { handler_.cancel(); }

    std::optional<TimePoint> when() const noexcept { return when_; }
    void reschedule(std::optional<TimePoint> when);
    bool expired() const noexcept { return state_ == State::expiring || state_ == State::expired; }
    State state() const noexcept { return state_; }
    std::string repr() const;

    void enter();
    /// Throws TimeoutError (nesting exc) when the timeout fired and exc is the CancelledError
    /// it caused; otherwise returns and the caller lets exc propagate.
    void exit(std::exception_ptr exc);

private:
    void on_timeout();

    State state_ = State::created;
    std::optional<TimePoint> when_;
    Handle handler_;
    Ref<TaskBase> task_;
    int cancelling_ = 0;
};

}  // namespace aio::detail
