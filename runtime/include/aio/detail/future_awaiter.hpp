#pragma once
// How a task waits for a future or another task (asyncio's `yield from fut` + __wakeup).
#include <coroutine>
#include <functional>
#include <string_view>

#include "aio/detail/callback.hpp"
#include "aio/detail/loop_thread.hpp"
#include "aio/detail/task_state.hpp"

namespace aio::detail {

/// The running task of the running loop; throws RuntimeError naming `what` if none.
/// (Defined inline in event_loop.hpp.)
inline TaskBase& require_current_task(const char* what);

/// Registers fn to run (call_soon semantics) once `f` is done.
/// Registers fn to run (call_soon semantics) once `f` is done, in a copy of the current
/// context or, when `context` is given, in that ContextCell.
void add_callback(FutureBase& f, std::function<void()> fn, ContextCell* context = nullptr);

/// RuntimeError "<who>: Task 'x' is attached to a different event loop; ..." (with the fix).
[[noreturn]] void throw_foreign_future(const FutureBase& f, std::string_view who);

/// Every way of awaiting a future (co_await and each combinator) refuses one of another loop,
/// or of a destroyed one: its done-callbacks would be scheduled on that loop, which may never
/// run them (a hang) or run them on another thread (a race). `who` names the caller.
inline void check_same_loop(const FutureBase& f, const EventLoop* loop, std::string_view who) {
    if (f.loop() != loop) [[unlikely]]
        throw_foreign_future(f, who);
}

struct FutureAwaiter {
    FutureBase* fut;
    TaskBase* task = nullptr;

    /// Checks the await is legal (same loop, not itself) and whether it is already done.
    bool await_ready();
    void await_suspend(std::coroutine_handle<> h) {
        fut->add_done_callback(task->step_ready_entry());
        task->suspend_on(fut, h);
    }
    /// Delivers a pending cancellation, then throws whatever result() would throw. The
    /// rethrow is inline, in the awaiting coroutine's frame (the user's), which catches it
    /// (its body's catch or unhandled_exception): no library frame with a cleanup between.
    [[gnu::always_inline]] void resume() {
        if (std::exception_ptr e = resume_error()) [[unlikely]]
            std::rethrow_exception(std::move(e));
    }
    /// resume()'s work without the rethrow: what it would throw, or null.
    std::exception_ptr resume_error();
    /// A frame destroyed while suspended here (loop closed) must not leave its wake-up behind.
    ~FutureAwaiter() {
        if (task && !fut->done()) fut->remove_done_callback(task);
    }
};

}  // namespace aio::detail
