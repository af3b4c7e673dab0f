#pragma once
// The EventLoop members that deal in aio::Future (event_loop.hpp): run_until_complete(future)
// and run_in_executor(nullptr, f, args...), asyncio's run_in_executor(None, f, *args).
#include <exception>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "aio/event_loop.hpp"
#include "aio/future.hpp"

namespace aio {

template <class T>
T EventLoop::run_until_complete(Future<T> fut) {
    if (!fut.valid()) throw ValueError("run_until_complete() needs a future, got an empty aio::Future");
    run_until_done(*fut.state());
    if constexpr (std::is_void_v<T>) {
        (void)fut.result();  // throws the future's exception, or CancelledError
    } else {
        return fut.result();
    }
}

template <class F, class... Args>
    requires std::is_invocable_v<F&, Args&...> && (!is_coro_v<std::invoke_result_t<F&, Args&...>>)
Future<std::invoke_result_t<F&, Args&...>> EventLoop::run_in_executor(std::nullptr_t, F f, Args... args) {
    using R = std::invoke_result_t<F&, Args&...>;
    using Stored = std::conditional_t<std::is_void_v<R>, std::monostate, R>;
    Future<R> fut(*this);
    // Filled by the worker, read on the loop's thread once the completion is delivered; the
    // worker drops its reference first, so the last one (and f, args, the result) is the loop's.
    struct Job {
        F f;
        std::tuple<Args...> args;
        std::optional<Stored> value;
        std::exception_ptr error;
    };
    auto job = std::make_shared<Job>(Job{std::move(f), std::tuple<Args...>(std::move(args)...), {}, {}});
    run_in_executor(
        [job] {
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
            if (fut.done()) return;  // cancelled meanwhile: the result is dropped
            if (job->error)
                fut.set_exception(job->error);
            else if constexpr (std::is_void_v<R>)
                fut.set_result();
            else
                fut.set_result(std::move(*job->value));
        });
    return fut;
}

}  // namespace aio
