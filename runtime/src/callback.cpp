// Plain callbacks (call_soon, call_later, add_done_callback with a function) and their handles.
#include "aio/detail/callback.hpp"

#include "aio/errors.hpp"
#include "aio/event_loop.hpp"
#include "aio/handle.hpp"

namespace aio {

void Handle::cancel() {
    if (!node_ || node_->cancelled) return;
    node_->cancelled = true;
    if (node_->timer.scheduled()) {
        node_->loop->remove_timer(&node_->timer);
        // A scheduled timer is not running: its callback (and what it captured) goes now, as
        // asyncio's TimerHandle.cancel() clears _callback and _args, not with the last handle.
        node_->fn = nullptr;
        detail::CallbackNode::drop(node_.get());  // the reference the timer entry owned
    }
}

namespace detail {

void CallbackNode::invoke(void* self) {
    Ref<CallbackNode> node = Ref<CallbackNode>::adopt(static_cast<CallbackNode*>(self));
    if (node->cancelled) return;
    ContextFrameScope in_context(&node->ctx);
    try {
        node->fn();
    } catch (const KeyboardInterrupt&) {
        throw;  // asyncio's Handle._run re-raises SystemExit and KeyboardInterrupt: the loop stops
    } catch (...) {
        ExceptionContext ctx;
        ctx.message = "Exception in callback";
        ctx.exception = std::current_exception();
        node->loop->call_exception_handler(ctx);
    }
}

}  // namespace detail
}  // namespace aio
