// aio::TaskCanceller: cancelling a task from another thread through call_soon_threadsafe.
#include "aio/task_canceller.hpp"

#include <mutex>

#include "aio/event_loop.hpp"
#include "aio/task.hpp"

namespace aio {

namespace detail {

// Shared by the cancellers of one task and a done-callback of that task. Only the loop's
// thread sets the fields; other threads read them under the mutex. The callback clears them
// (on the loop's thread) when it is destroyed: after it ran (the task is done) or when it is
// dropped (the loop closed with the task pending). Until then it holds a reference to the
// task, so a posted request never finds it freed.
struct CancelLink {
    std::mutex mu;
    EventLoop* loop = nullptr;  // null once the task is done or its loop closed
    TaskBase* task = nullptr;
};

namespace {
struct ClearOnDestroy {
    ClearOnDestroy(std::shared_ptr<CancelLink> l, TaskBase* t) : link(std::move(l)), keep(t) {}
    ClearOnDestroy(const ClearOnDestroy&) = delete;
    std::shared_ptr<CancelLink> link;
    Ref<TaskBase> keep;
    ~ClearOnDestroy() {
        std::lock_guard lk(link->mu);
        link->loop = nullptr;
        link->task = nullptr;
    }
};
}  // namespace

}  // namespace detail

TaskCanceller AnyTask::canceller() const {
    detail::TaskBase& s = checked("Task.canceller()");
    auto link = std::make_shared<detail::CancelLink>();
    EventLoop* loop = s.loop();
    if (s.done() || !loop || loop->is_closed()) return TaskCanceller(std::move(link));
    link->loop = loop;
    link->task = &s;
    auto clear = std::make_shared<detail::ClearOnDestroy>(link, &s);
    detail::add_callback(s, [clear = std::move(clear)] {});
    return TaskCanceller(std::move(link));
}

bool TaskCanceller::cancel(std::optional<std::string> msg) const {
    if (!link_) return false;
    std::lock_guard lk(link_->mu);
    if (!link_->loop) return false;
    try {
        link_->loop->call_soon_threadsafe([link = link_, msg = std::move(msg)]() mutable {
            detail::TaskBase* t;
            {
                std::lock_guard lk(link->mu);
                t = link->task;
            }
            if (t) t->cancel(std::move(msg));
        });
    } catch (const RuntimeError&) {
        return false;  // the loop closed after the check (call_soon_threadsafe refuses)
    }
    return true;
}

}  // namespace aio
