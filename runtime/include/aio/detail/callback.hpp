#pragma once
// A plain callback scheduled with call_soon / call_later / call_soon_threadsafe: asyncio's
// Handle and TimerHandle. Heap allocated and reference counted: the loop holds a reference
// while the callback is scheduled, the user's aio::Handle holds another.
#include <functional>
#include <source_location>

#include "aio/detail/context_slot.hpp"
#include "aio/detail/ref.hpp"
#include "aio/detail/timer_heap.hpp"

namespace aio {
class EventLoop;
}

namespace aio::detail {

class CallbackNode final : public RefCounted {
public:
    /// Runs in a copy of the context current now (asyncio's Handle: context=None).
    CallbackNode(EventLoop* loop, std::function<void()> fn)
        : loop(loop), fn(std::move(fn)), ctx(current_context_slot().copy()) {}
    /// Runs in `context` (a ContextCell: an aio::Context given as context=).
    CallbackNode(EventLoop* loop, std::function<void()> fn, ContextCell* context)
        : loop(loop), fn(std::move(fn)), ctx(ContextSlot::shared(context)) {}

    /// The ReadyEntry that runs this callback; it owns one reference, released after running.
    ReadyEntry entry() noexcept {
        add_ref();
        return {&CallbackNode::invoke, this, nullptr};
    }
    static void invoke(void* self);
    /// Releases the reference owned by an entry that will never run (loop closed).
    static void drop(void* self) noexcept { static_cast<CallbackNode*>(self)->release(); }

    EventLoop* loop;
    std::function<void()> fn;
    TimerNode timer;
    ContextSlot ctx;  // the context fn runs in
    bool cancelled = false;
};

/// Releases whatever an entry that will never run owns (a callback node, a gather's
/// reference); a no-op for task steps.
void drop_entry(const ReadyEntry& e) noexcept;

}  // namespace aio::detail
