#pragma once
// aio::TaskGroup: asyncio.TaskGroup, structured concurrency.
//
//     co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
//         tg.create_task(fetch(1));
//         tg.create_task(fetch(2));
//         co_return;
//     });  // here both children are done
//
// C++ has no `async with`, so the block is a coroutine (the body) that runs INSIDE the
// calling task, not in a task of its own: it is part of the group exactly as the body of
// asyncio's `async with TaskGroup() as tg:` is. `co_await task_group(f)` is
// `async with TaskGroup() as tg: return await f(tg)`; `co_await tg.run(body)` is the same
// with a group object you keep (to pass to children, or to look at afterwards). The body is a
// Coro<T> or a callable returning one; the block returns the body's result.
//
// Contract (taskgroups.py of CPython 3.12):
//  - Leaving the block waits for every child, also those created meanwhile by other children.
//  - A child that fails (with anything but CancelledError) cancels its running siblings and
//    the parent task, so the body's pending co_await throws CancelledError; that cancellation
//    is withdrawn (uncancel) when the block ends. The failures are thrown together as
//    aio::ExceptionGroup (or BaseExceptionGroup, below), what() "unhandled errors in a
//    TaskGroup (N sub-exceptions)", in the
//    order the children finished, the body's own exception last (if it is not a
//    CancelledError).
//  - An exception escaping the body cancels the children the same way and is reported in the
//    ExceptionGroup. A child that ends cancelled is not an error.
//  - Cancelling the parent task from outside cancels the children; when they have finished,
//    the CancelledError propagates, unless children failed (the ExceptionGroup wins). A
//    cancellation from outside is never swallowed; cancelling() counts are restored.
//  - create_task() before the block, after it finished, or while the group is shutting down
//    (after a failure or a cancellation) throws RuntimeError "TaskGroup <TaskGroup ...> has
//    not been entered" / "is finished" / "is shutting down"; a group can be entered once
//    ("has already been entered"); from a task of another loop than the group's, it throws
//    RuntimeError "... belongs to a different event loop ...".
//  - Children are cancelled in creation order (asyncio iterates a set: address order).
//  - A KeyboardInterrupt from a child or the body (taskgroups.py's _base_error; aio has no
//    SystemExit) is raised by the block instead of a group, once every child is done. When a
//    failure is not a std::exception (Python: a BaseException that is not an Exception), the
//    group is an aio::BaseExceptionGroup instead of an aio::ExceptionGroup.
//  - A child killed by EventLoop::kill_tasks(tag, why) fails with `why` as above (siblings and
//    the parent cancelled, `why` in the ExceptionGroup); with the parent killed too, nothing
//    more happens (no "parent task is already completed" report for killed tasks).
// A TaskGroup is a handle: copies share one group (pass it to children by value).
#include <exception>
#include <functional>
#include <optional>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "aio/coro.hpp"
#include "aio/task.hpp"
#include "aio/detail/task_group_state.hpp"

namespace aio {

namespace detail {

template <class T, class Make>
Coro<T> task_group_block(Ref<TaskGroupState> s, Make make) {
    s->enter();
    std::exception_ptr exc;
    std::optional<std::conditional_t<std::is_void_v<T>, std::monostate, T>> result;
    try {
        if constexpr (std::is_void_v<T>)
            co_await make();
        else
            result.emplace(co_await make());
    } catch (...) {
        exc = std::current_exception();
    }
    co_await TaskGroupState::exit(s, exc);
    if (exc) std::rethrow_exception(exc);  // __aexit__ returned None: the exception goes on
    if constexpr (!std::is_void_v<T>) co_return std::move(*result);
}

template <class B>
struct CoroResult;
template <class T>
struct CoroResult<Coro<T>> {
    using type = T;
};

}  // namespace detail

class TaskGroup {
public:
    TaskGroup() : s_(new detail::TaskGroupState) {}

    /// asyncio TaskGroup.create_task(coro, name=): a child task, scheduled at once.
    template <class T>
    Task<T> create_task(Coro<T> coro, std::string name = {},
                        std::source_location loc = std::source_location::current()) {
        s_->check_can_create_task();
        Task<T> t = s_->loop()->create_task(std::move(coro), std::move(name), loc);
        s_->add_task(t.state_ptr());
        return t;
    }
    /// TaskGroup.create_task(coro, name=, context=): the child runs in `context` itself.
    template <class T>
    Task<T> create_task(Coro<T> coro, std::string name, const Context& context,
                        std::source_location loc = std::source_location::current()) {
        s_->check_can_create_task();
        Task<T> t = s_->loop()->create_task(std::move(coro), std::move(name), context, loc);
        s_->add_task(t.state_ptr());
        return t;
    }

    /// `async with tg: <body>`; body is a Coro<T> or a callable `() -> Coro<T>`. Returns T.
    template <class T>
    Coro<T> run(Coro<T> body) {
        return detail::task_group_block<T>(s_, [c = std::move(body)]() mutable { return std::move(c); });
    }
    template <class F>
        requires std::is_invocable_v<F&>
    auto run(F body) {
        using T = typename detail::CoroResult<std::invoke_result_t<F&>>::type;
        return detail::task_group_block<T>(s_, std::move(body));
    }

    /// asyncio's repr: "<TaskGroup tasks=2 errors=1 cancelling>".
    std::string repr() const { return s_->repr(); }
    /// How many children are not done yet (len(tg._tasks)).
    std::size_t size() const noexcept { return s_->pending_count(); }

private:
    detail::Ref<detail::TaskGroupState> s_;
};

/// `async with asyncio.TaskGroup() as tg: return await f(tg)`; f: (TaskGroup&) -> Coro<T>.
template <class F>
    requires std::is_invocable_v<F&, TaskGroup&>
auto task_group(F f) {
    TaskGroup tg;
    return tg.run([f = std::move(f), tg]() mutable { return f(tg); });
}

}  // namespace aio
