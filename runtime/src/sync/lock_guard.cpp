#include "aio/sync/lock_guard.hpp"

#include "aio/event_loop.hpp"
#include "../report.hpp"

namespace aio::detail {

void report_guard_release_failure(std::exception_ptr e) noexcept {
    ExceptionContext ctx;
    ctx.message = "aio::LockGuard could not release in its destructor";
    ctx.exception = std::move(e);
    EventLoop* loop = EventLoop::running();
    if (TaskBase* t = loop ? loop->current_task_raw() : nullptr) {
        ctx.task_name = t->name();
        ctx.task_id = t->id();
        ctx.created_at = t->created_at();
    }
    report(loop, ctx);
}

std::uint64_t current_task_id() noexcept {
    EventLoop* loop = EventLoop::running();
    TaskBase* t = loop ? loop->current_task_raw() : nullptr;
    return t ? t->id() : 0;
}

}  // namespace aio::detail
