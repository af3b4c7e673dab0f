#pragma once
// aio::Handle: what call_soon / call_later / call_at / call_soon_threadsafe return
// (asyncio's Handle and TimerHandle). Cancelling it stops the callback from running; a timer
// is removed from the loop at once. Dropping the handle does not cancel anything.
#include "aio/clock.hpp"
#include "aio/detail/callback.hpp"

namespace aio {

class Handle {
public:
    Handle() = default;
    explicit Handle(detail::Ref<detail::CallbackNode> n) : node_(std::move(n)) {}

    /// asyncio Handle.cancel(). Idempotent; must be called on the loop's thread. A timer's
    /// callback (and what it captured) is destroyed here, as asyncio's TimerHandle drops it.
    void cancel();
    bool cancelled() const noexcept { return node_ && node_->cancelled; }
    /// asyncio TimerHandle.when(): the deadline of a timer handle.
    TimePoint when() const noexcept { return node_ ? node_->timer.when : TimePoint{}; }
    explicit operator bool() const noexcept { return static_cast<bool>(node_); }

private:
    detail::Ref<detail::CallbackNode> node_;
};

}  // namespace aio
