#pragma once
// aio::as_completed(aws, timeout): asyncio.as_completed, results in completion order.
//
//     for (auto next : aio::as_completed(std::move(tasks), 5s)) {
//         int r = co_await next;     // the earliest result not yet taken (may throw)
//     }
//
// aws is a std::vector of aio::Coro<T> or of another aio awaitable (each wrapped in a task at
// once, in vector order), aio::Task<T> or aio::Future<T>. The range has one element per distinct future; each
// element is a coroutine that, when awaited, waits for the next future to complete and
// returns its result or throws its exception (CancelledError for a cancelled one).
// Contract (tasks.py of CPython 3.12):
//  - Results come in completion order, whichever coroutine of the range is awaited.
//  - At the timeout (nullopt: none) every coroutine not yet satisfied throws
//    aio::TimeoutError (empty message); the futures still pending are NOT cancelled.
//  - Cancelling a task awaiting one of the coroutines cancels only that wait.
//  - A task or future of another loop than the running one is refused with RuntimeError
//    (asyncio: ValueError "The future belongs to a different loop ...").
//  - Differences: the tasks and callbacks are set up when as_completed() is called (asyncio's
//    generator does it at the first iteration), and in vector order (asyncio: set order).
#include <chrono>
#include <cstddef>
#include <iterator>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "aio/clock.hpp"
#include "aio/coro.hpp"
#include "aio/errors.hpp"
#include "aio/detail/as_completed_state.hpp"
#include "aio/detail/future_handle.hpp"

namespace aio {

template <class H>
class AsCompleted {
    using Traits = detail::FutureHandleTraits<H>;
    using State = detail::AsCompletedState<H>;

public:
    using value_type = typename Traits::value_type;

    explicit AsCompleted(detail::Ref<State> s) : s_(std::move(s)) {}

    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = Coro<typename Traits::value_type>;
        using difference_type = std::ptrdiff_t;

        iterator() = default;
        iterator(State* s, std::size_t i) : s_(s), i_(i) {}
        /// _wait_for_one(): a new coroutine each time.
        Coro<typename Traits::value_type> operator*() const { return wait_for_one(detail::Ref<State>(s_)); }
        iterator& operator++() {
            ++i_;
            return *this;
        }
        void operator++(int) { ++i_; }
        friend bool operator==(const iterator& a, const iterator& b) { return a.i_ == b.i_; }

    private:
        State* s_ = nullptr;
        std::size_t i_ = 0;
    };

    iterator begin() const { return iterator(s_.get(), 0); }
    iterator end() const { return iterator(s_.get(), s_->size()); }
    /// How many coroutines the range yields (the number of distinct futures).
    std::size_t size() const noexcept { return s_->size(); }

private:
    static Coro<typename Traits::value_type> wait_for_one(detail::Ref<State> s) {
        std::ptrdiff_t i = co_await detail::AsCompletedCore::get(s);
        if (i < 0) throw TimeoutError();  // the marker queued by the timeout
        co_return Traits::take(s->handles[static_cast<std::size_t>(i)]);
    }
    detail::Ref<State> s_;
};

template <class A>
    requires detail::Awaitish<A>
auto as_completed(std::vector<A> aws, std::optional<Duration> timeout = std::nullopt) {
    using H = detail::ensured_t<A>;
    using Traits = detail::FutureHandleTraits<H>;
    EventLoop& loop = get_running_loop();
    for (const auto& a : aws) detail::check_handle(a, loop, "aio::as_completed()");
    detail::Ref<detail::AsCompletedState<H>> s(new detail::AsCompletedState<H>);
    std::vector<detail::Ref<detail::FutureBase>> bases;
    std::set<const detail::FutureBase*> seen;
    for (auto& a : aws) {
        H h = detail::ensure_future(std::move(a));
        detail::FutureBase* b = Traits::base(h);
        if (!seen.insert(b).second) continue;  // membership only: the order stays fs's
        bases.emplace_back(b);
        s->handles.push_back(std::move(h));
    }
    s->start(std::move(bases), timeout);
    return AsCompleted<H>(std::move(s));
}

template <class A, class Rep, class Period>
    requires detail::Awaitish<A>
auto as_completed(std::vector<A> aws, std::chrono::duration<Rep, Period> timeout) {
    return as_completed(std::move(aws), std::optional<Duration>(to_duration(timeout)));
}

}  // namespace aio
