#pragma once
// aio::ensure_future(aw[, loop]): asyncio.ensure_future.
//
//     auto t = aio::ensure_future(fetch(url));              // a Coro: a new task (Task-N)
//     auto w = aio::ensure_future(cond.wait());             // an aio awaitable: a task awaiting it
//     auto f = aio::ensure_future(fut, loop);               // a future: itself, if of `loop`
//
// A coroutine is wrapped in a task on the running loop (or on `loop`); an aio::Task,
// aio::Future or aio::AnyTask is returned as it is; any other aio awaitable (Condition::wait(),
// Lock::acquire(), Queue::get(), Event::wait(), aio::sleep(), a gather, a type of yours that
// declares is_aio_awaitable: asyncio's coroutines and awaitables) becomes a task that awaits it.
// Contract (tasks.py of CPython 3.12):
//  - Without `loop`, wrapping needs a running loop: RuntimeError("no running event loop")
//    otherwise (asyncio: "no current event loop"; asyncio 3.12 also falls back on the
//    policy's loop set with set_event_loop(), which aio does not have).
//  - With `loop`, a task or future of another loop throws ValueError("The future belongs to
//    a different loop than the one specified as the loop argument").
//  - Anything else (asyncio's TypeError) does not compile.
#include <utility>

#include "aio/errors.hpp"
#include "aio/event_loop.hpp"
#include "aio/detail/future_handle.hpp"

namespace aio {

template <detail::Awaitish A>
detail::ensured_t<A> ensure_future(A aw) {
    return detail::ensure_future(std::move(aw));
}

template <class T>
Task<T> ensure_future(Coro<T> coro, EventLoop& loop) {
    return loop.create_task(std::move(coro));
}
template <detail::FutureHandle H>
H ensure_future(H h, EventLoop& loop) {
    detail::FutureBase* b = detail::FutureHandleTraits<H>::base(h);
    if (!b) throw RuntimeError("aio::ensure_future(): an empty handle (moved-from or default-constructed)");
    if (b->loop() != &loop)
        throw ValueError("The future belongs to a different loop than the one specified as the loop argument");
    return h;
}
template <detail::PlainAwaitable A>
Task<detail::plain_result_t<A>> ensure_future(A aw, EventLoop& loop) {
    return loop.create_task(detail::as_coro(std::move(aw)));
}

}  // namespace aio
