#pragma once
// aio::gather: asyncio.gather, run awaitables concurrently and collect their results.
//
//     auto [a, b] = co_await aio::gather(fetch(1), fetch(2));        // tuple, argument order
//     std::vector<int> v = co_await aio::gather(std::move(tasks));  // range form
//     auto [x, y] = co_await aio::gather_outcomes(f(), g());        // never throws
//
// Coroutines, and aio's other awaitables (cond.wait(), queue.get(), another gather: each
// awaited by a new task), are wrapped in tasks at once (named Task-N); tasks are used as
// they are. The
// result keeps argument order whatever the completion order; a void result is
// std::monostate. Contract, as asyncio (return_exceptions=False):
//  - the first child to fail (or be cancelled) makes the gather raise that exception
//    (a CancelledError for a cancelled child); the other children are NOT cancelled and
//    keep running;
//  - cancelling the gather cancels every child that is not done; the gather then raises
//    CancelledError, even in the outcomes form.
// A task of another loop than the running one (done or not) is refused with RuntimeError
// before any coroutine argument is wrapped in a task (asyncio: ValueError "The future belongs
// to a different loop", or RuntimeError when awaited).
// gather_outcomes is return_exceptions=True: each slot holds a value or the exception
// (CancelledError for a cancelled child), and the gather itself fails only when cancelled.
#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "aio/task.hpp"
#include "aio/detail/future_handle.hpp"
#include "aio/detail/gather_state.hpp"

namespace aio {

/// A void result inside gather's tuple or vector.
template <class T>
using result_slot_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

/// One child's outcome in gather_outcomes: its value, or the exception it ended with.
template <class T>
class Outcome {
public:
    explicit Outcome(T v) : v_(std::move(v)) {}
    explicit Outcome(std::exception_ptr e) : v_(std::move(e)) {}
    bool has_value() const noexcept { return v_.index() == 0; }
    /// The value; rethrows the child's exception if it failed.
    T& value() {
        if (!has_value()) std::rethrow_exception(std::get<1>(v_));
        return std::get<0>(v_);
    }
    std::exception_ptr error() const { return has_value() ? nullptr : std::get<1>(v_); }
    bool cancelled() const { return !has_value() && is_cancelled_error(std::get<1>(v_)); }

private:
    std::variant<T, std::exception_ptr> v_;
};

namespace detail {

template <class T>
Task<T> as_task(Task<T> t) {
    return t;
}
template <class T>
Task<T> as_task(Coro<T> c) {
    return create_task(std::move(c));
}
/// Another aio awaitable (cond.wait(), queue.get(), a gather...) is awaited by a new task.
template <PlainAwaitable A>
Task<plain_result_t<A>> as_task(A aw) {
    return create_task(as_coro(std::move(aw)));
}
template <class A>
using task_of_t = decltype(as_task(std::declval<A>()));
template <class A>
using value_of_t = typename task_of_t<A>::value_type;

template <class A>
concept GatherArg = requires(A&& a) { as_task(std::forward<A>(a)); };

/// Checked before any coroutine argument is wrapped in a task, so a refused gather starts
/// nothing (the coroutines are destroyed unstarted).
template <class T>
void check_gather_arg(const Task<T>& t, const EventLoop& loop, const char* who) {
    if (!t) throw RuntimeError(std::string(who) + ": an empty aio::Task handle (moved-from or default-constructed)");
    check_same_loop(*t.state_ptr(), &loop, who);
}
template <class T>
void check_gather_arg(const Coro<T>&, const EventLoop&, const char*) noexcept {}
template <PlainAwaitable A>
void check_gather_arg(const A&, const EventLoop&, const char*) noexcept {}

template <class T>
result_slot_t<T> extract(const Task<T>& t) {
    if constexpr (std::is_void_v<T>) {
        t.result();
        return {};
    } else if constexpr (std::is_copy_constructible_v<T>) {
        return t.result();
    } else {
        return const_cast<Task<T>&>(t).take_result();
    }
}
template <class T>
Outcome<result_slot_t<T>> extract_outcome(const Task<T>& t) {
    auto* s = t.state_ptr();
    // asyncio's gather builds a fresh CancelledError from the child's _cancel_message, which
    // is empty unless the task was cancelled right as its coroutine returned; the message the
    // coroutine raised with is not kept.
    if (s->cancelled())
        return Outcome<result_slot_t<T>>(
            std::make_exception_ptr(CancelledError(s->cancel_message().value_or(std::string()))));
    if (auto e = s->exception()) return Outcome<result_slot_t<T>>(e);
    return Outcome<result_slot_t<T>>(extract(t));
}

template <bool Outcomes, class... T>
class TupleGather final : public GatherBase {
public:
    using Result =
        std::conditional_t<Outcomes, std::tuple<Outcome<result_slot_t<T>>...>, std::tuple<result_slot_t<T>...>>;
    TupleGather(EventLoop* loop, std::tuple<Task<T>...> tasks) : GatherBase(loop, Outcomes), tasks_(std::move(tasks)) {
        std::apply([&](auto&... t) { start({t.state_ptr()...}); }, tasks_);
    }
    std::optional<Result> value;

private:
    void collect() override {
        std::apply(
            [&](auto&... t) {
                if constexpr (Outcomes)
                    value.emplace(extract_outcome(t)...);
                else
                    value.emplace(extract(t)...);
            },
            tasks_);
    }
    std::tuple<Task<T>...> tasks_;
};

template <bool Outcomes, class T>
class VectorGather final : public GatherBase {
public:
    using Elem = std::conditional_t<Outcomes, Outcome<result_slot_t<T>>, result_slot_t<T>>;
    using Result = std::vector<Elem>;
    VectorGather(EventLoop* loop, std::vector<Task<T>> tasks) : GatherBase(loop, Outcomes), tasks_(std::move(tasks)) {
        std::vector<TaskBase*> ch;
        ch.reserve(tasks_.size());
        for (auto& t : tasks_) ch.push_back(t.state_ptr());
        start(std::move(ch));
    }
    std::optional<Result> value;

private:
    void collect() override {
        Result r;
        r.reserve(tasks_.size());
        for (auto& t : tasks_) {
            if constexpr (Outcomes)
                r.push_back(extract_outcome(t));
            else
                r.push_back(extract(t));
        }
        value.emplace(std::move(r));
    }
    std::vector<Task<T>> tasks_;
};

}  // namespace detail

/// The future a gather call returns: await it, or cancel() it to cancel the children.
template <class State>
class Gather {
public:
    using is_aio_awaitable = void;
    using value_type = typename State::Result;

    explicit Gather(detail::Ref<State> s) : s_(std::move(s)) {}
    bool done() const noexcept { return s_->done(); }
    bool cancelled() const noexcept { return s_->cancelled(); }
    bool cancel(std::optional<std::string> msg = std::nullopt) {
        detail::check_loop_thread(s_->loop(), "gather().cancel()");
        return s_->cancel(std::move(msg));
    }

    struct Awaiter : detail::FutureAwaiter {
        State* typed;
        [[gnu::always_inline]] value_type await_resume() {
            resume();
            return std::move(*typed->value);
        }
    };
    Awaiter operator co_await() const { return Awaiter{{s_.get()}, s_.get()}; }

private:
    detail::Ref<State> s_;
};

/// Runs every awaitable (aio::Coro or aio::Task) concurrently; a tuple of their results.
template <detail::GatherArg... A>
auto gather(A&&... aws) {
    using State = detail::TupleGather<false, detail::value_of_t<A>...>;
    EventLoop& loop = get_running_loop();
    (detail::check_gather_arg(aws, loop, "aio::gather()"), ...);
    std::tuple<detail::task_of_t<A>...> tasks{detail::as_task(std::forward<A>(aws))...};
    return Gather<State>(detail::Ref<State>(new State(&loop, std::move(tasks))));
}

/// gather with return_exceptions=True: a tuple of Outcome, one per awaitable.
template <detail::GatherArg... A>
auto gather_outcomes(A&&... aws) {
    using State = detail::TupleGather<true, detail::value_of_t<A>...>;
    EventLoop& loop = get_running_loop();
    (detail::check_gather_arg(aws, loop, "aio::gather_outcomes()"), ...);
    std::tuple<detail::task_of_t<A>...> tasks{detail::as_task(std::forward<A>(aws))...};
    return Gather<State>(detail::Ref<State>(new State(&loop, std::move(tasks))));
}

/// Range form: a vector of results, in the order of `aws` (tasks or coroutines).
template <class A>
auto gather(std::vector<A> aws) {
    using T = detail::value_of_t<A>;
    using State = detail::VectorGather<false, T>;
    EventLoop& loop = get_running_loop();
    for (const auto& a : aws) detail::check_gather_arg(a, loop, "aio::gather()");
    std::vector<Task<T>> tasks;
    tasks.reserve(aws.size());
    for (auto& a : aws) tasks.push_back(detail::as_task(std::move(a)));
    return Gather<State>(detail::Ref<State>(new State(&loop, std::move(tasks))));
}

/// Range form of gather_outcomes.
template <class A>
auto gather_outcomes(std::vector<A> aws) {
    using T = detail::value_of_t<A>;
    using State = detail::VectorGather<true, T>;
    EventLoop& loop = get_running_loop();
    for (const auto& a : aws) detail::check_gather_arg(a, loop, "aio::gather_outcomes()");
    std::vector<Task<T>> tasks;
    tasks.reserve(aws.size());
    for (auto& a : aws) tasks.push_back(detail::as_task(std::move(a)));
    return Gather<State>(detail::Ref<State>(new State(&loop, std::move(tasks))));
}

}  // namespace aio
