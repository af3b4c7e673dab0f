#pragma once
// What the structured-concurrency helpers (wait_for, shield, wait, as_completed) need from
// "a future-like handle": aio::Task<T>, aio::Future<T> or aio::AnyTask. asyncio's
// ensure_future() turns a coroutine into a task; here it is a function overload set, which
// also wraps aio's other awaitables (Condition::wait(), Queue::get()...: coroutines in
// asyncio) into a task.
#include <functional>
#include <string>
#include <type_traits>
#include <utility>

#include "aio/future.hpp"
#include "aio/task.hpp"
#include "aio/detail/callback.hpp"

namespace aio::detail {

template <class H>
struct FutureHandleTraits;  // only the three handle types below

template <class T>
struct FutureHandleTraits<Task<T>> {
    using value_type = T;
    static FutureBase* base(const Task<T>& h) noexcept { return h.state_ptr(); }
    /// result(): the value (moved out when T is move-only), or what result() throws.
    static T take(const Task<T>& h) {
        if constexpr (std::is_void_v<T>) {
            h.result();
        } else if constexpr (std::is_copy_constructible_v<T>) {
            return h.result();
        } else {
            return const_cast<Task<T>&>(h).take_result();
        }
    }
};

template <class T>
struct FutureHandleTraits<Future<T>> {
    using value_type = T;
    static FutureBase* base(const Future<T>& h) noexcept { return h.state(); }
    static T take(const Future<T>& h) {
        if constexpr (std::is_void_v<T>) {
            h.result();
        } else if constexpr (std::is_copy_constructible_v<T>) {
            return h.result();
        } else {
            h.result();  // throws for a failed or cancelled future
            auto* s = static_cast<FutureState<T>*>(h.state());
            return std::move(*s->value);
        }
    }
};

template <>
struct FutureHandleTraits<AnyTask> {
    using value_type = void;
    static FutureBase* base(const AnyTask& h) noexcept { return h.state_ptr(); }
    static void take(const AnyTask& h) { h.state_ptr()->throw_if_not_result(); }
};

template <class H>
concept FutureHandle = requires { typename FutureHandleTraits<std::remove_cvref_t<H>>::value_type; };

/// One of aio's other awaitables (a sync primitive's awaiter: Condition::wait(),
/// Lock::acquire(), Queue::get(), Event::wait(); aio::sleep(); a gather...), which asyncio
/// writes as a coroutine or a future: neither a Coro nor a future handle.
template <class A>
concept PlainAwaitable = AioAwaitable<A> && !is_coro_v<std::remove_cvref_t<A>> && !FutureHandle<A> &&
                         std::move_constructible<std::remove_cvref_t<A>>;

template <class A>
auto awaiter_of(A&& a) -> decltype(std::forward<A>(a).operator co_await()) {
    return std::forward<A>(a).operator co_await();
}
template <class A>
    requires(!requires(A&& a) { std::forward<A>(a).operator co_await(); })
A&& awaiter_of(A&& a) {
    return std::forward<A>(a);
}
/// What `co_await a` yields for a PlainAwaitable A.
template <class A>
using plain_result_t =
    decltype(std::declval<decltype(awaiter_of(std::declval<std::remove_cvref_t<A>&&>()))&>().await_resume());

/// The coroutine `await aw` for an awaitable that is not one: what asyncio's coroutine
/// (cond.wait(), lock.acquire(), queue.get()...) is.
template <PlainAwaitable A>
Coro<plain_result_t<A>> as_coro(A aw) {
    co_return co_await std::move(aw);
}

/// asyncio.ensure_future: a coroutine becomes a task on the running loop (named Task-N);
/// a task or future is returned as it is; another aio awaitable is awaited by a new task.
template <class T>
Task<T> ensure_future(Coro<T> c) {
    return create_task(std::move(c));
}
template <FutureHandle H>
H ensure_future(H h) {
    return h;
}
template <PlainAwaitable A>
Task<plain_result_t<A>> ensure_future(A aw) {
    return create_task(as_coro(std::move(aw)));
}

/// The combinators' entry check (before anything is created or registered): an empty handle
/// or a future of another loop than the running one is refused; a coroutine passes.
template <FutureHandle H>
void check_handle(const H& h, const EventLoop& loop, const char* who) {
    FutureBase* b = FutureHandleTraits<H>::base(h);
    if (!b) throw RuntimeError(std::string(who) + ": an empty handle (moved-from or default-constructed)");
    check_same_loop(*b, &loop, who);
}
template <class T>
void check_handle(const Coro<T>&, const EventLoop&, const char*) noexcept {}
template <PlainAwaitable A>
void check_handle(const A&, const EventLoop&, const char*) noexcept {}

template <class A>
using ensured_t = decltype(detail::ensure_future(std::declval<A>()));
/// The result type of awaiting A (a Coro, Task, Future or another aio awaitable).
template <class A>
using awaited_t = typename FutureHandleTraits<ensured_t<A>>::value_type;

/// What wait_for, shield and as_completed accept: a Coro, a future handle, or any other aio
/// awaitable (a PlainAwaitable, treated as the coroutine that awaits it).
template <class A>
concept Awaitish = is_coro_v<std::remove_cvref_t<A>> || FutureHandle<A> || PlainAwaitable<A>;

/// fut.add_done_callback(fn) (call_soon semantics); returns an identity for
/// fut.remove_done_callback(id). Comparing ids never dereferences them, so removing with the
/// id of a callback that already ran is harmless.
inline const void* add_done_fn(FutureBase& fut, std::function<void()> fn) {
    auto* node = new CallbackNode(fut.loop(), std::move(fn));
    Ref<CallbackNode> keep(node);
    fut.add_done_callback(node->entry());
    return node;
}

}  // namespace aio::detail
