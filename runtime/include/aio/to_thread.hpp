#pragma once
// aio::to_thread(f, args...): asyncio.to_thread. Runs f(args...) on the loop's default
// executor and resumes the awaiting task with its result (or exception) on the loop thread.
//
// f runs on another thread: it must not touch the loop or its tasks (it may start its own
// loop with aio::run). It runs in a copy of the awaiting task's context, taken at the call
// (asyncio's copy_context() + ctx.run): it sees the task's context variables, and what it
// sets stays in that copy (the values are freed on the loop's thread, with the job). Cancelling the awaiting task raises CancelledError in it at once; the
// function keeps running to completion and its result is dropped, as in asyncio.
//
// GCC 12 bug: a lambda (or other aggregate) temporary whose captures have destructors, built
// inside a co_await expression, is destroyed twice (`co_await aio::to_thread([p] {...})` with
// p a shared_ptr: double release). Name it first: `auto fn = [p] {...};
// co_await aio::to_thread(std::move(fn));`. Clang is not affected.
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "aio/future.hpp"
#include "aio/task.hpp"

namespace aio {

template <class F, class... Args>
auto to_thread(F f, Args... args) -> Coro<std::invoke_result_t<F&, Args&...>> {
    using R = std::invoke_result_t<F&, Args&...>;
    using Stored = std::conditional_t<std::is_void_v<R>, std::monostate, R>;
    EventLoop& loop = get_running_loop();
    Future<R> fut(loop);
    // Filled by the worker, read by the loop thread after the completion callback is
    // delivered; the future itself is only touched on the loop. run_in_executor drops the
    // worker's reference before posting the completion, so the last reference is the loop
    // thread's: the function, its arguments, the result and the exception are destroyed on
    // the loop's thread (the function may hold handles only the loop's thread may touch).
    struct Job {
        F f;
        std::tuple<Args...> args;
        std::optional<Stored> value;
        std::exception_ptr error;
        detail::ContextSlot context;
    };
    auto job = std::make_shared<Job>(
        Job{std::move(f), std::tuple<Args...>(std::move(args)...), {}, {}, detail::current_context_slot().copy()});
    loop.run_in_executor(
        [job] {
            detail::ContextFrameScope in_context(&job->context);
            try {
                if constexpr (std::is_void_v<R>) {
                    std::apply(job->f, job->args);
                    job->value.emplace();
                } else {
                    job->value.emplace(std::apply(job->f, job->args));
                }
            } catch (...) {
                job->error = std::current_exception();
            }
        },
        [job, fut]() mutable {
            if (fut.done()) return;  // the awaiting task was cancelled
            if (job->error)
                fut.set_exception(job->error);
            else if constexpr (std::is_void_v<R>)
                fut.set_result();
            else
                fut.set_result(std::move(*job->value));
        });
    co_return co_await fut;
}

}  // namespace aio
