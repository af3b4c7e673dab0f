#pragma once
// aio::shield(aw): asyncio.shield, protects a task from the cancellation of its awaiter.
//
//     auto t = aio::create_task(save(record));
//     co_await aio::shield(t);   // cancelling this task does not cancel `t`
//
// aw is an aio::Coro<T> or another aio awaitable (cond.wait(), queue.get()...: wrapped in a
// task at once), aio::Task<T> or aio::Future<T>; shield
// returns a new aio::Future<T> (the "outer" future) that completes like the inner one.
// Contract (tasks.py of CPython 3.12):
//  - Cancelling the outer future (e.g. because the task awaiting it is cancelled) does not
//    cancel the inner one, which keeps running; the awaiter gets CancelledError.
//  - If the inner task is cancelled by other means, the outer future is cancelled too.
//  - The inner result or exception is passed to the outer future, unless the outer one was
//    already cancelled: then the inner exception counts as retrieved if the outer future
//    was still listening (the pass after its cancellation); after that nobody listens, and
//    an exception of the inner task is reported as never retrieved (when its last handle
//    goes) unless you await it.
//  - A task or future of another loop than the running one is refused with RuntimeError,
//    done or not (asyncio accepts a done one).
//  - An inner task already done gives a future already done with the same outcome (asyncio
//    returns the inner task itself). A move-only result is moved into the outer future.
#include <utility>

#include "aio/future.hpp"
#include "aio/detail/future_handle.hpp"

namespace aio {

template <detail::Awaitish A>
Future<detail::awaited_t<A>> shield(A aw) {
    using T = detail::awaited_t<A>;
    // As asyncio, shield() may be called outside a running loop (the outer future then
    // belongs to the inner one's loop); inside one, the inner future must be of that loop.
    EventLoop* running = EventLoop::running();
    if (running) detail::check_handle(aw, *running, "aio::shield()");
    auto inner = detail::ensure_future(std::move(aw));
    using Traits = detail::FutureHandleTraits<decltype(inner)>;
    detail::FutureBase* ib = Traits::base(inner);
    EventLoop* loop = running ? running : ib->loop();
    if (!loop) throw RuntimeError("aio::shield(): the awaitable's event loop was destroyed");
    Future<T> outer(*loop);

    // Moves inner's outcome into outer (the body of _inner_done_callback).
    auto pass_on = [](decltype(inner)& in, Future<T>& out) {
        detail::FutureBase* b = Traits::base(in);
        if (b->cancelled()) {
            out.cancel();
        } else if (auto e = b->exception()) {
            out.set_exception(e);
        } else if constexpr (std::is_void_v<T>) {
            out.set_result();
        } else {
            out.set_result(Traits::take(in));
        }
    };

    if (ib->done()) {  // asyncio's shortcut returns inner itself; same outcome here
        if (ib->cancelled()) {
            outer.cancel(exception_message(ib->make_cancelled_error()));
        } else {
            pass_on(inner, outer);
        }
        return outer;
    }

    const void* inner_cb = detail::add_done_fn(*ib, [inner, outer, pass_on]() mutable {
        if (outer.cancelled()) {
            if (!Traits::base(inner)->cancelled()) (void)Traits::base(inner)->exception();  // mark retrieved
            return;
        }
        pass_on(inner, outer);
    });
    detail::add_done_fn(*outer.state(), [inner, inner_cb] {
        detail::FutureBase* b = Traits::base(inner);
        if (!b->done()) b->remove_done_callback(inner_cb);
    });
    return outer;
}

}  // namespace aio
