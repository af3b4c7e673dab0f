#pragma once
// aio::run_coroutine_threadsafe(coro, loop): asyncio.run_coroutine_threadsafe. Called on any
// thread but the loop's, it hands `coro` to `loop` (call_soon_threadsafe), where it runs as a
// task, and returns an aio::ThreadFuture (thread_future.hpp) that this thread can block on:
//
//     std::thread worker([&loop] {
//         auto f = aio::run_coroutine_threadsafe(fetch(3), loop);
//         int v = f.result(1s);      // TimeoutError if the task takes longer
//     });
//
// As asyncio's: the future gets the task's value or exception, and is cancelled when the task
// is; cancelling the future (while pending) cancels the task through the loop's
// call_soon_threadsafe (it is then cancelled on a later pass, or at creation if the future was
// cancelled first). If creating the task fails on the loop (RuntimeError: the loop is closing),
// the future gets that exception and the loop's callback raises it too (the loop's exception
// handler reports it). RuntimeError at the call if the loop is closed; ValueError for an empty
// aio::Coro (asyncio: TypeError for a non-coroutine).
// Beyond asyncio: a loop closed before the coroutine became a task, or with the task still
// pending, cancels the future (asyncio leaves it pending forever and a result() without a
// timeout hangs). A move-only result is moved into the future.
// The coroutine frame is made on the calling thread and runs on the loop's: its arguments must
// be safe to use there (no handles of another loop).
#include <exception>
#include <memory>
#include <utility>

#include "aio/coro.hpp"
#include "aio/event_loop.hpp"
#include "aio/task.hpp"
#include "aio/thread_future.hpp"

namespace aio {

namespace detail {

/// The coroutine on its way to the loop: destroyed before it became a task (the loop closed,
/// or call_soon_threadsafe refused), it cancels the future.
template <class T>
struct CoroInTransit {
    CoroInTransit(Coro<T> c, ThreadFuture<T> f) : coro(std::move(c)), out(std::move(f)) {}
    CoroInTransit(const CoroInTransit&) = delete;
    CoroInTransit& operator=(const CoroInTransit&) = delete;
    ~CoroInTransit() {
        if (coro) out.cancel();
    }
    Coro<T> coro;
    ThreadFuture<T> out;
};

/// Held by the task's done callback: settles the future with the task's outcome when it runs,
/// cancels it when the callback is destroyed unrun (the loop closed with the task pending).
template <class T>
struct TaskOutcomeToThread {
    explicit TaskOutcomeToThread(ThreadFuture<T> f) : out(std::move(f)) {}
    TaskOutcomeToThread(const TaskOutcomeToThread&) = delete;
    TaskOutcomeToThread& operator=(const TaskOutcomeToThread&) = delete;
    ~TaskOutcomeToThread() {
        if (!settled) out.cancel();
    }
    // asyncio's _set_concurrent_future_state(concurrent, task)
    void settle(AnyTask t) {
        settled = true;
        if (t.cancelled()) {
            out.cancel();
            return;
        }
        if (!out.set_running_or_notify_cancel()) return;
        if (auto e = t.exception()) {
            out.set_exception(e);
            return;
        }
        Task<T> typed{Ref<TaskState<T>>(static_cast<TaskState<T>*>(t.state_ptr()))};
        if constexpr (std::is_void_v<T>)
            out.set_result();
        else if constexpr (std::is_copy_constructible_v<T>)
            out.set_result(typed.result());
        else
            out.set_result(typed.take_result());
    }
    ThreadFuture<T> out;
    bool settled = false;
};

}  // namespace detail

template <class T>
ThreadFuture<T> run_coroutine_threadsafe(Coro<T> coro, EventLoop& loop) {
    if (!coro) throw ValueError("run_coroutine_threadsafe() needs a coroutine, got an empty (moved-from) aio::Coro");
    ThreadFuture<T> out;
    auto transit = std::make_shared<detail::CoroInTransit<T>>(std::move(coro), out);
    // Everything the callback holds is thread-safe to drop where call_soon_threadsafe drops it.
    loop.call_soon_threadsafe([transit, &loop] {
        ThreadFuture<T> out = transit->out;
        try {
            Task<T> task = loop.create_task(std::move(transit->coro));
            // The future cancelled (now or later, on any thread) cancels the task.
            out.add_done_callback([stop = task.canceller()](const ThreadFuture<T>& f) {
                if (f.cancelled()) stop.cancel();
            });
            task.add_done_callback([settle = std::make_shared<detail::TaskOutcomeToThread<T>>(out)](AnyTask t) {
                settle->settle(std::move(t));
            });
        } catch (...) {
            if (out.set_running_or_notify_cancel()) out.set_exception(std::current_exception());
            throw;
        }
    });
    return out;
}

}  // namespace aio
