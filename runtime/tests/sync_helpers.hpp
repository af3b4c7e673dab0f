#pragma once
// Small helpers shared by the sync primitive tests.
#include <aio/aio.hpp>
#include <string>
#include <vector>

namespace sync_test {

/// Gives up the loop n times (n passes of the loop).
inline aio::Coro<void> yield(int n = 1) {
    for (int i = 0; i < n; ++i) co_await aio::sleep(std::chrono::seconds(0));
}

/// Awaits t; returns "ok", "CancelledError: <msg>" or "<Type>: <msg>".
template <class T>
aio::Coro<std::string> outcome(aio::Task<T> t) {
    try {
        co_await t;
        co_return "ok";
    } catch (const aio::CancelledError& e) {
        co_return "CancelledError: " + e.message();
    } catch (...) {
        co_return aio::describe(std::current_exception());
    }
}

/// True when the (done) task was cancelled.
inline bool was_cancelled(const aio::AnyTask& t) { return t.done() && t.cancelled(); }

}  // namespace sync_test
