#pragma once
// aio::Task<T>: asyncio's Task, a coroutine scheduled on the loop.
//
//     auto t = aio::create_task(worker(3), "first");   // scheduled at once (call_soon)
//     int v = co_await t;                                // any number of tasks may await it
//
// A task starts on the next pass of the loop. Its handle is copyable; the loop keeps a
// pending task alive even when no handle is left. cancel(msg) throws CancelledError(msg)
// into the coroutine at its current await point (or before it starts); the coroutine may
// catch it to clean up, and should rethrow. Awaiting a task yields a copy of its result
// (moved out if T is move-only: then only one awaiter gets it); its exception is rethrown in
// every awaiter. A task whose exception is never retrieved is reported when its last handle
// goes.
//
// Threads: a handle belongs to its loop's thread; never copy or drop one on another thread
// (the count is not atomic). While the loop runs, cancel(), uncancel(), set_name() and
// add_done_callback() throw RuntimeError on another thread; canceller() gives the thread-safe
// way to cancel (aio::TaskCanceller).
#include <functional>
#include <optional>
#include <source_location>
#include <string>
#include <type_traits>

#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "aio/task_canceller.hpp"
#include "aio/detail/future_awaiter.hpp"
#include "aio/detail/task_state.hpp"

namespace aio {

/// A task of any result type: what current_task() and all_tasks() return.
class AnyTask {
public:
    using is_aio_awaitable = void;

    AnyTask() = default;
    explicit AnyTask(detail::Ref<detail::TaskBase> s) : s_(std::move(s)) {}

    explicit operator bool() const noexcept { return static_cast<bool>(s_); }
    std::string name() const { return state().name(); }
    void set_name(std::string n) { checked("Task.set_name()").set_name(std::move(n)); }
    /// The task's number on its loop (1, 2, ...), the N of the default name "Task-N".
    std::uint64_t id() const { return state().id(); }
    /// The tag it was created with (EventLoop::current_tag(); the simulator's host).
    std::uint32_t tag() const { return state().tag(); }
    /// Whether EventLoop::kill_tasks stopped it (it is done with the kill's exception).
    bool killed() const { return state().killed(); }
    bool done() const { return state().done(); }
    bool cancelled() const { return state().cancelled(); }
    /// Only on the loop's thread (RuntimeError on another while the loop runs); from another
    /// thread, use canceller().
    bool cancel(std::optional<std::string> msg = std::nullopt) {
        return checked("Task.cancel()").cancel(std::move(msg));
    }
    /// How many cancel() requests are outstanding (asyncio's cancelling()).
    int cancelling() const { return state().cancelling(); }
    /// Withdraws one cancel() request; returns the remaining count.
    int uncancel() { return checked("Task.uncancel()").uncancel(); }
    /// The exception the task raised, null if it returned; throws if pending or cancelled.
    std::exception_ptr exception() const { return state().exception(); }
    const std::source_location& created_at() const { return state().created_at(); }
    EventLoop& get_loop() const;
    /// A thread-safe handle that cancels this task from any thread (task_canceller.hpp).
    /// Call it on the loop's thread.
    TaskCanceller canceller() const;
    /// fn(task) runs on a later pass of the loop once the task is done, in a copy of the
    /// context current now, or in `context`.
    template <class F>
        requires std::invocable<F&, AnyTask>
    void add_done_callback(F fn) {
        auto& s = checked("Task.add_done_callback()");
        detail::add_done_fn_of<AnyTask>(s, *this, std::move(fn));
    }
    /// asyncio's remove_done_callback(fn): as Future::remove_done_callback (future.hpp).
    template <class F>
        requires std::equality_comparable<F>
    std::size_t remove_done_callback(const F& fn) {
        return detail::remove_done_fn_of<AnyTask>(checked("Task.remove_done_callback()"), fn);
    }
    template <class F>
        requires std::invocable<F&, AnyTask>
    void add_done_callback(F fn, const Context& context) {
        detail::add_done_fn_of<AnyTask>(checked("Task.add_done_callback()"), *this, std::move(fn), context.cell());
    }
    /// The context the task runs in (Task.get_context()): the very one, so a set() through
    /// Context::run shows in the task, and the task's sets show through it.
    Context get_context() const { return Context::from_cell(state().context_slot().share()); }

    detail::TaskBase* state_ptr() const noexcept { return s_.get(); }
    friend bool operator==(const AnyTask& a, const AnyTask& b) noexcept { return a.s_ == b.s_; }

    /// Waits for the task; rethrows its exception (the result, if any, is dropped).
    struct Awaiter : detail::FutureAwaiter {
        [[gnu::always_inline]] void await_resume() { resume(); }
    };
    Awaiter operator co_await() const { return Awaiter{{s_.get()}}; }

protected:
    detail::TaskBase& state() const {
        if (!s_) throw RuntimeError("empty aio::Task handle (no current task, or moved-from)");
        return *s_;
    }
    /// state(), for the methods that change it: only on the loop's thread.
    detail::TaskBase& checked(const char* what) const {
        detail::TaskBase& s = state();
        detail::check_loop_thread(s.loop(), what);
        return s;
    }
    detail::Ref<detail::TaskBase> s_;
};

template <class T = void>
class Task : public AnyTask {
public:
    using value_type = T;
    using State = detail::TaskState<T>;

    Task() = default;
    explicit Task(detail::Ref<State> s) : AnyTask(detail::Ref<detail::TaskBase>(s.get())) {}

    /// The result of a finished task; throws as Future::result() does.
    template <class U = T>
        requires(!std::is_void_v<U>)
    const U& result() const {
        typed().throw_if_not_result();
        return *typed().value;
    }
    void result() const
        requires std::is_void_v<T>
    {
        typed().throw_if_not_result();
    }
    /// Moves the result out (for move-only results; later result() calls see a moved-from value).
    T take_result() {
        typed().throw_if_not_result();
        if constexpr (!std::is_void_v<T>) return std::move(*typed().value);
    }

    struct Awaiter : detail::FutureAwaiter {
        State* typed;
        [[gnu::always_inline]] T await_resume() {
            resume();
            if constexpr (std::is_void_v<T>) {
                return;
            } else if constexpr (std::is_copy_constructible_v<T>) {
                return *typed->value;
            } else {
                return std::move(*typed->value);
            }
        }
    };
    Awaiter operator co_await() const { return Awaiter{{s_.get()}, &typed()}; }

private:
    State& typed() const { return static_cast<State&>(state()); }
};

/// Wraps coro in a task on the running loop (asyncio.create_task).
template <class T>
Task<T> create_task(Coro<T> coro, std::string name = {}, std::source_location loc = std::source_location::current()) {
    return get_running_loop().create_task(std::move(coro), std::move(name), loc);
}

/// asyncio.create_task(coro, name=, context=): the task runs in `context` itself.
template <class T>
Task<T> create_task(Coro<T> coro, std::string name, const Context& context,
                    std::source_location loc = std::source_location::current()) {
    return get_running_loop().create_task(std::move(coro), std::move(name), context, loc);
}

/// The task running now (asyncio.current_task()); an empty handle in a plain callback.
/// Throws RuntimeError("no running event loop") outside a loop.
AnyTask current_task();

// ---- EventLoop's templates, now that Task is complete --------------------------------

template <class T>
Task<T> EventLoop::create_task(Coro<T> coro, std::string name, std::source_location loc) {
    check_thread("loop.create_task()");
    check_not_closed("create_task");
    if (!coro) throw ValueError("create_task() needs a coroutine, got an empty (moved-from) aio::Coro");
    auto* s = new detail::TaskState<T>(this, std::move(coro), std::string(), next_task_id(), loc);
    Task<T> t{detail::Ref<detail::TaskState<T>>(s)};
    register_task(s, std::move(name));
    return t;
}

template <class T>
Task<T> EventLoop::create_task(Coro<T> coro, std::string name, const Context& context, std::source_location loc) {
    check_thread("loop.create_task()");
    check_not_closed("create_task");
    if (!coro) throw ValueError("create_task() needs a coroutine, got an empty (moved-from) aio::Coro");
    auto* s = new detail::TaskState<T>(this, std::move(coro), std::string(), next_task_id(), loc);
    Task<T> t{detail::Ref<detail::TaskState<T>>(s)};
    register_task(s, std::move(name), context.cell());
    return t;
}

template <class T>
T EventLoop::run_until_complete(Coro<T> coro) {
    if (!coro) throw ValueError("run_until_complete() needs a coroutine, got an empty (moved-from) aio::Coro");
    Task<T> task = create_task(std::move(coro));
    run_until_done(*task.state_ptr());
    return task.take_result();  // nobody else holds the task: its result is moved out
}

template <class T>
T EventLoop::run_until_complete(Task<T> task) {
    if (task.state_ptr()->loop() != this)
        throw ValueError("run_until_complete(): the task belongs to another event loop");
    run_until_done(*task.state_ptr());
    // The caller's task keeps its result (asyncio returns future.result()); a move-only one
    // is moved out, as awaiting it does.
    if constexpr (std::is_void_v<T>) {
        task.result();
    } else if constexpr (std::is_copy_constructible_v<T>) {
        return task.result();
    } else {
        return task.take_result();
    }
}

}  // namespace aio
