#pragma once
// aio::wrap_future(thread_future, loop): asyncio.wrap_future. An aio::Future of `loop` that
// completes as the aio::ThreadFuture does (thread_future.hpp), so a task can await work that
// another thread finishes:
//
//     aio::ThreadFuture<int> job = ...;                  // set by a worker thread
//     int v = co_await aio::wrap_future(job, loop);      // or wrap_future(job): the running loop
//
// Called on the loop's thread. As asyncio's _chain_future: when the thread future completes (on
// whatever thread), its outcome is posted to the loop with call_soon_threadsafe and copied
// into the future there (a cancelled thread future cancels it); cancelling the future cancels
// the thread future (which fails once that one is running or finished). A thread future that
// completes after the loop closed is not delivered (the future stays pending), as asyncio.
// The result is copied (concurrent.futures hands every caller the same value): T must be
// copyable. wrap_future of an aio::Future is that future (asyncio returns it unchanged).
//
// Threads: no loop-side handle is ever copied or dropped off the loop's thread. The thread side
// holds only a Bridge with a non-owning pointer to the future's state, which is read and
// cleared on the loop's thread only (cleared when the future's done callback goes: it ran, or
// the future was destroyed, or the loop dropped it at close).
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "aio/thread_future.hpp"
#include "aio/detail/future_handle.hpp"

namespace aio {

namespace detail {

template <class T>
struct WrapBridge {
    using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;
    explicit WrapBridge(FutureState<Stored>* d) : dest(d) {}
    FutureState<Stored>* dest;  // the loop's thread only; null once the future is done or gone
};

/// Held by the future's done callback: its destruction (on the loop's thread) clears the pointer.
template <class T>
struct ClearBridge {
    explicit ClearBridge(std::shared_ptr<WrapBridge<T>> b) : bridge(std::move(b)) {}
    ClearBridge(const ClearBridge&) = delete;
    ClearBridge& operator=(const ClearBridge&) = delete;
    ~ClearBridge() { bridge->dest = nullptr; }
    std::shared_ptr<WrapBridge<T>> bridge;
};

}  // namespace detail

template <class T>
Future<T> wrap_future(ThreadFuture<T> source, EventLoop& loop) {
    static_assert(std::is_void_v<T> || std::is_copy_constructible_v<T>,
                  "aio::wrap_future() copies the result: T must be copyable");
    using Bridge = detail::WrapBridge<T>;
    using State = detail::FutureState<typename Bridge::Stored>;
    loop.check_thread("aio::wrap_future()");
    loop.check_not_closed("wrap_future");
    Future<T> dest(loop);
    auto bridge = std::make_shared<Bridge>(static_cast<State*>(dest.state()));
    // _call_check_cancel: the future cancelled cancels the thread future.
    detail::add_done_fn(*dest.state(), [clear = std::make_shared<detail::ClearBridge<T>>(bridge), source]() mutable {
        if (clear->bridge->dest && clear->bridge->dest->cancelled()) source.cancel();
    });
    // _call_set_state: on the completing thread, post the copy of the outcome to the loop.
    source.add_done_callback([link = loop.threadsafe_link(), bridge](const ThreadFuture<T>& src) {
        link->post([bridge, src] {
            State* d = bridge->dest;
            if (!d || d->done()) return;  // cancelled (or destroyed) meanwhile
            if (src.cancelled()) {
                d->cancel();
            } else if (auto e = src.exception()) {
                d->set_exception(e);
            } else {
                if constexpr (std::is_void_v<T>)
                    d->value.emplace();
                else
                    d->value.emplace(src.result());
                d->finish_with_value();
            }
        });
    });
    return dest;
}

/// wrap_future on the running loop (asyncio's wrap_future without loop=); RuntimeError outside one.
template <class T>
Future<T> wrap_future(ThreadFuture<T> source) {
    return wrap_future(std::move(source), get_running_loop());
}

/// asyncio returns an asyncio future unchanged.
template <class T>
Future<T> wrap_future(Future<T> future) {
    return future;
}

}  // namespace aio
