#pragma once
// aio::wait(fs, timeout, return_when): asyncio.wait.
//
//     std::vector tasks{t1, t2, t3};
//     auto [done, pending] = co_await aio::wait(tasks, 1s, aio::FIRST_COMPLETED);
//
// fs is a std::vector of aio::Task<T>, aio::AnyTask or aio::Future<T> (coroutines are
// rejected at compile time, as asyncio rejects them). Contract (tasks.py of CPython 3.12):
//  - returns (done, pending) when return_when is met: FIRST_COMPLETED (any future done),
//    FIRST_EXCEPTION (any future done with an exception, not a cancellation; else all done),
//    ALL_COMPLETED (all done); or when the timeout passes (nullopt: no timeout). It never
//    throws TimeoutError and never raises the futures' exceptions: inspect them.
//  - It cancels nothing, on timeout or when the waiting task is cancelled (CancelledError
//    propagates, the futures keep running).
//  - An empty fs throws ValueError("Set of Tasks/Futures is empty.").
//  - Order (asyncio returns sets): both vectors keep the order of fs, duplicates dropped
//    (the first occurrence kept).
// (GCC 12 rejects a braced list inside a co_await expression, e.g. `co_await
// aio::wait(std::vector{t1, t2})`: build the vector first.)
#include <chrono>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "aio/clock.hpp"
#include "aio/coro.hpp"
#include "aio/detail/future_handle.hpp"

namespace aio {

enum class ReturnWhen { FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED };
inline constexpr ReturnWhen FIRST_COMPLETED = ReturnWhen::FIRST_COMPLETED;
inline constexpr ReturnWhen FIRST_EXCEPTION = ReturnWhen::FIRST_EXCEPTION;
inline constexpr ReturnWhen ALL_COMPLETED = ReturnWhen::ALL_COMPLETED;

template <class H>
using WaitResult = std::pair<std::vector<H>, std::vector<H>>;

namespace detail {
/// asyncio.tasks._wait over distinct, non-empty futures: returns when return_when is met.
Coro<void> wait_until(std::vector<Ref<FutureBase>> fs, std::optional<Duration> timeout, ReturnWhen return_when);
/// Validates the arguments (asyncio checks them before waiting).
void check_wait_args(std::size_t n, ReturnWhen return_when);
}  // namespace detail

template <detail::FutureHandle H>
Coro<WaitResult<H>> wait(std::vector<H> fs, std::optional<Duration> timeout = std::nullopt,
                         ReturnWhen return_when = ALL_COMPLETED) {
    using Traits = detail::FutureHandleTraits<H>;
    detail::check_wait_args(fs.size(), return_when);
    std::vector<H> distinct;
    std::vector<detail::Ref<detail::FutureBase>> bases;
    std::set<const detail::FutureBase*> seen;
    for (auto& f : fs) {
        detail::FutureBase* b = Traits::base(f);
        if (!seen.insert(b).second) continue;  // membership only: the order stays fs's
        bases.emplace_back(b);
        distinct.push_back(f);
    }
    co_await detail::wait_until(std::move(bases), timeout, return_when);
    WaitResult<H> out;
    for (auto& f : distinct) (Traits::base(f)->done() ? out.first : out.second).push_back(f);
    co_return out;
}

template <detail::FutureHandle H, class Rep, class Period>
Coro<WaitResult<H>> wait(std::vector<H> fs, std::chrono::duration<Rep, Period> timeout,
                         ReturnWhen return_when = ALL_COMPLETED) {
    return wait(std::move(fs), std::optional<Duration>(to_duration(timeout)), return_when);
}

/// asyncio raises TypeError for coroutines: here it does not compile.
template <class T, class... Rest>
void wait(std::vector<Coro<T>>, Rest&&...) {
    static_assert(detail::always_false<T>,
                  "aio::wait(): passing coroutines is forbidden, use tasks explicitly (aio::create_task)");
}

}  // namespace aio
