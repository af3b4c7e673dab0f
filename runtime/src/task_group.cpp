// asyncio.TaskGroup (Lib/asyncio/taskgroups.py, CPython 3.12), statement for statement.
#include "aio/task_group.hpp"

#include <fmt/format.h>

#include <vector>

#include "aio/event_loop.hpp"
#include "aio/detail/future_handle.hpp"

namespace aio::detail {

namespace {
// taskgroups.py _is_base_error: SystemExit or KeyboardInterrupt (aio has no SystemExit).
bool is_base_error(const std::exception_ptr& e) noexcept {
    try {
        std::rethrow_exception(e);
    } catch (const KeyboardInterrupt&) {
        return true;
    } catch (...) {
        return false;
    }
}
}  // namespace

std::string TaskGroupState::repr() const {
    std::string info;
    if (!tasks_.empty()) info += fmt::format(" tasks={}", tasks_.size());
    if (!errors_.empty()) info += fmt::format(" errors={}", errors_.size());
    if (aborting_)
        info += " cancelling";
    else if (entered_)
        info += " entered";
    return "<TaskGroup" + info + ">";
}

void TaskGroupState::enter() {
    if (entered_) throw RuntimeError(fmt::format("TaskGroup {} has already been entered", repr()));
    if (!loop_) loop_ = &get_running_loop();
    TaskBase* parent = loop_->current_task_raw();
    if (!parent) throw RuntimeError(fmt::format("TaskGroup {} cannot determine the parent task", repr()));
    parent_ = Ref<TaskBase>(parent);
    entered_ = true;
}

void TaskGroupState::check_can_create_task() const {
    if (!entered_) throw RuntimeError(fmt::format("TaskGroup {} has not been entered", repr()));
    if (exiting_ && tasks_.empty()) throw RuntimeError(fmt::format("TaskGroup {} is finished", repr()));
    if (aborting_) throw RuntimeError(fmt::format("TaskGroup {} is shutting down", repr()));
    // From a task of another loop the child would land on the group's loop, where that task
    // cannot await it (and, if that loop runs on another thread, it would race with it).
    if (EventLoop* running = EventLoop::running(); running && running != loop_)
        throw RuntimeError(fmt::format(
            "TaskGroup {} belongs to a different event loop than the running one: call create_task() from the "
            "loop the group was entered on (a group's children run on its loop)",
            repr()));
}

void TaskGroupState::add_task(TaskBase* t) {
    if (t->done()) {  // never with lazily started tasks; kept as asyncio has it (eager tasks)
        on_task_done(t);
        return;
    }
    tasks_.emplace(t->id(), Ref<TaskBase>(t));
    Ref<TaskGroupState> self(this);
    Ref<TaskBase> task(t);
    add_done_fn(*t, [self, task] { self->on_task_done(task.get()); });
}

void TaskGroupState::abort() {
    aborting_ = true;
    // Copy first: cancel() never runs callbacks synchronously, but stay safe.
    std::vector<Ref<TaskBase>> snapshot;
    for (auto& [id, t] : tasks_) snapshot.push_back(t);
    for (auto& t : snapshot)
        if (!t->done()) t->cancel();
}

void TaskGroupState::on_task_done(TaskBase* task) {
    Ref<TaskBase> keep(task);
    tasks_.erase(task->id());

    if (on_completed_fut_ && tasks_.empty() && !on_completed_fut_->done()) on_completed_fut_->set_result(true);

    if (task->cancelled()) return;
    std::exception_ptr exc = task->exception();
    if (!exc) return;

    errors_.push_back(exc);
    if (!base_error_ && is_base_error(exc)) base_error_ = exc;

    if (parent_->done()) {
        // Killed (EventLoop::kill_tasks): the kill explains it; nothing is lost.
        if (task->killed() || parent_->killed()) return;
        ExceptionContext ctx;
        ctx.message = fmt::format("Task '{}' has errored out but its parent task '{}' is already completed",
                                  task->name(), parent_->name());
        ctx.exception = exc;
        ctx.task_name = task->name();
        ctx.task_id = task->id();
        ctx.created_at = task->created_at();
        loop_->call_exception_handler(ctx);
        return;
    }

    if (!aborting_ && !parent_cancel_requested_) {
        // The parent is not being cancelled: cancel it to interrupt the body, and withdraw
        // that request in exit() so the code after the block runs normally.
        abort();
        parent_cancel_requested_ = true;
        parent_->cancel();
    }
}

Coro<void> TaskGroupState::exit(Ref<TaskGroupState> self, std::exception_ptr exc) {
    TaskGroupState& s = *self;
    s.exiting_ = true;

    if (exc && !s.base_error_ && is_base_error(exc)) s.base_error_ = exc;
    const bool exc_is_cancel = is_cancelled_error(exc);
    std::exception_ptr propagate_cancellation_error = exc_is_cancel ? exc : nullptr;
    if (s.parent_cancel_requested_) {
        // The group cancelled its parent itself: that request must be withdrawn.
        if (s.parent_->uncancel() == 0) propagate_cancellation_error = nullptr;
    }

    if (exc && !s.aborting_) s.abort();

    // Waiting can be cancelled several times (the parent cancelled repeatedly): loop.
    while (!s.tasks_.empty()) {
        if (!s.on_completed_fut_) s.on_completed_fut_.emplace(*s.loop_);
        std::exception_ptr cancelled;
        try {
            Future<bool> fut = *s.on_completed_fut_;
            co_await fut;
        } catch (const CancelledError&) {
            cancelled = std::current_exception();
        }
        if (cancelled && !s.aborting_) {
            // The parent task is cancelled from outside while the children still run.
            propagate_cancellation_error = cancelled;
            s.abort();
        }
        s.on_completed_fut_.reset();
    }

    if (s.base_error_) std::rethrow_exception(s.base_error_);

    // Propagate CancelledError if there is one, except if there are other errors.
    if (propagate_cancellation_error && s.errors_.empty()) std::rethrow_exception(propagate_cancellation_error);

    if (exc && !exc_is_cancel) s.errors_.push_back(exc);

    if (!s.errors_.empty()) {
        std::vector<std::exception_ptr> errors;
        errors.swap(s.errors_);
        std::rethrow_exception(make_exception_group("unhandled errors in a TaskGroup", std::move(errors)));
    }
}

}  // namespace aio::detail
