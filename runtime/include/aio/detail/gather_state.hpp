#pragma once
// The future behind aio::gather (asyncio's _GatheringFuture and its _done_callback).
#include <cstddef>
#include <vector>

#include "aio/detail/task_state.hpp"

namespace aio::detail {

class GatherBase : public FutureBase {
public:
    GatherBase(EventLoop* loop, bool return_exceptions) noexcept
        : FutureBase(loop), return_exceptions_(return_exceptions) {}

    /// Cancels every child; true if any was cancelled (asyncio's _GatheringFuture.cancel).
    bool cancel(std::optional<std::string> msg = std::nullopt) override;
    FutureBase* cancel_forwarder() noexcept override { return this; }
    /// The awaited tasks in argument order (the simulator's deadlock report follows them).
    const std::vector<TaskBase*>& children() const noexcept { return children_; }

protected:
    /// Registers the done-callbacks (children must be set). Children already done are
    /// processed now, as asyncio does, so gathering finished tasks completes at once.
    void start(std::vector<TaskBase*> children);
    /// Builds the result from the children; every child is done.
    virtual void collect() = 0;

private:
    struct Slot {
        GatherBase* gather;
        TaskBase* child;
    };

public:
    static void on_child_done(void* slot);
    static void drop_slot(void* slot) noexcept { static_cast<Slot*>(slot)->gather->release(); }

private:
    friend class CancelWalk;
    // _GatheringFuture.cancel(msg) around its loop over the children (see CancelWalk).
    bool cancel_start() noexcept {
        exception_retrieved_ = true;
        return !done();
    }
    bool cancel_finish(bool any_child_cancelled) noexcept {
        if (any_child_cancelled) cancel_requested_ = true;
        return any_child_cancelled;
    }
    void child_done(TaskBase* child);

    std::vector<TaskBase*> children_;  // argument order, duplicates included
    std::vector<Slot> slots_;          // one per distinct child, stable addresses
    std::size_t nfinished_ = 0;
    bool cancel_requested_ = false;
    bool return_exceptions_;
};

}  // namespace aio::detail
