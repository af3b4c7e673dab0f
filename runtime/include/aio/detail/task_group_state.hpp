#pragma once
// The state behind aio::TaskGroup: asyncio's TaskGroup object (taskgroups.py, 3.12), field
// for field. enter() is __aenter__, exit() is __aexit__, on_task_done() the children's
// done-callback.
//
// Ownership: handles (aio::TaskGroup) and each pending child's done-callback hold references;
// the group holds its pending children and its parent task.
#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aio/coro.hpp"
#include "aio/future.hpp"
#include "aio/detail/ref.hpp"
#include "aio/detail/task_state.hpp"

namespace aio {
class EventLoop;
}

namespace aio::detail {

class TaskGroupState final : public RefCounted {
public:
    /// __aenter__: records the parent task (the current one).
    void enter();
    /// The three checks of create_task() (not entered, finished, shutting down).
    void check_can_create_task() const;
    /// Adopts a task just created by create_task().
    void add_task(TaskBase* t);
    /// asyncio's repr: "<TaskGroup tasks=2 errors=1 cancelling>".
    std::string repr() const;

    EventLoop* loop() const noexcept { return loop_; }
    std::size_t pending_count() const noexcept { return tasks_.size(); }

    /// __aexit__(exc): waits for every child; throws the group's outcome. Returns normally
    /// when __aexit__ would return None (the caller then rethrows `exc` if it is set).
    static Coro<void> exit(Ref<TaskGroupState> self, std::exception_ptr exc);

private:
    void abort();
    void on_task_done(TaskBase* t);

    bool entered_ = false;
    bool exiting_ = false;
    bool aborting_ = false;
    bool parent_cancel_requested_ = false;
    EventLoop* loop_ = nullptr;
    Ref<TaskBase> parent_;
    // asyncio: a set; here keyed by task id, i.e. in creation order (deterministic).
    std::map<std::uint64_t, Ref<TaskBase>> tasks_;
    std::vector<std::exception_ptr> errors_;
    // The first KeyboardInterrupt of a child or the body (taskgroups.py _base_error): exit()
    // raises it instead of a group.
    std::exception_ptr base_error_;
    std::optional<Future<bool>> on_completed_fut_;
};

}  // namespace aio::detail
