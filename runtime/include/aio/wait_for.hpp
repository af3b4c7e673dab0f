#pragma once
// aio::wait_for(aw, timeout): asyncio.wait_for, which CPython 3.12 builds on timeout().
//
//     std::string page = co_await aio::wait_for(fetch(url), 2s);
//     co_await aio::wait_for(task, std::nullopt);   // no timeout
//
// aw is an aio::Coro<T>, aio::Task<T> or aio::Future<T> (shield() returns one), or another aio
// awaitable (cond.wait(), lock.acquire(), queue.get(), event.wait()...), which acts as the
// coroutine awaiting it (asyncio's are coroutines); the result is T. Contract (3.12):
//  - timeout > 0 or nullopt: `async with timeout(t): return await aw`. A coroutine runs
//    inside the calling task (it is not wrapped in a task); awaiting a task or future that
//    the timeout cancels cancels it. At the deadline, TimeoutError (message empty) is thrown
//    once the awaited work has finished its cancellation; if it swallowed the cancellation
//    and returned a value, that value is returned; an exception raised during its
//    cancellation propagates instead.
//  - timeout <= 0: a coroutine is wrapped in a task (Task-N) and never starts; a task or
//    future already done gives its result; otherwise it is cancelled, waited for, and
//    TimeoutError is thrown (or its result/exception if it did not end cancelled).
//  - Cancelling the waiting task cancels the awaited task or future; CancelledError
//    propagates.
//  - A task or future of another loop is refused with RuntimeError, whatever the timeout and
//    even when it is done (asyncio returns a done one's result); it is not cancelled.
#include <chrono>
#include <optional>
#include <utility>

#include "aio/clock.hpp"
#include "aio/coro.hpp"
#include "aio/errors.hpp"
#include "aio/timeout.hpp"
#include "aio/detail/future_handle.hpp"

namespace aio {

namespace detail {

/// asyncio.tasks._cancel_and_wait: cancels fut and waits until it is done, without awaiting
/// fut itself (so this wait stays cancellable).
Coro<void> cancel_and_wait(Ref<FutureBase> fut);

/// `await aw` as a coroutine, whatever aw is.
template <class T>
Coro<T> await_it(Coro<T> c) {
    return c;
}
template <FutureHandle H>
Coro<typename FutureHandleTraits<H>::value_type> await_it(H h) {
    co_return co_await h;
}
template <PlainAwaitable A>
Coro<plain_result_t<A>> await_it(A aw) {
    return as_coro(std::move(aw));
}

}  // namespace detail

template <detail::Awaitish A>
Coro<detail::awaited_t<A>> wait_for(A aw, std::optional<Duration> timeout) {
    detail::check_handle(aw, get_running_loop(), "aio::wait_for()");
    if (timeout && *timeout <= Duration::zero()) {
        auto fut = detail::ensure_future(std::move(aw));
        using Traits = detail::FutureHandleTraits<decltype(fut)>;
        detail::FutureBase* base = Traits::base(fut);
        if (base->done()) co_return Traits::take(fut);
        co_await detail::cancel_and_wait(detail::Ref<detail::FutureBase>(base));
        try {
            co_return Traits::take(fut);
        } catch (const CancelledError&) {
            std::throw_with_nested(TimeoutError());  // raise TimeoutError from exc
        }
    }
    co_return co_await aio::timeout(timeout).run(detail::await_it(std::move(aw)));
}

template <detail::Awaitish A, class Rep, class Period>
Coro<detail::awaited_t<A>> wait_for(A aw, std::chrono::duration<Rep, Period> timeout) {
    return wait_for(std::move(aw), std::optional<Duration>(to_duration(timeout)));
}

}  // namespace aio
