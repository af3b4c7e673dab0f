#pragma once
// Shared by the ported CPython test files (README.md here): the loop the cases run on and the
// small helpers of CPython's test_utils.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <aio/aio.hpp>
#include <aio/sim/sim_loop.hpp>

namespace cpy {

using namespace std::chrono_literals;

/// test_utils.TestCase.new_test_loop(): a loop with a virtual clock (the simulator's, fifo
/// policy: asyncio's order), not running; the case drives it with run_until_complete.
inline std::unique_ptr<aio::sim::SimLoop> new_test_loop() { return std::make_unique<aio::sim::SimLoop>(); }

/// asyncio.run() on the simulator's loop (virtual time).
template <class T>
T run(aio::Coro<T> coro) {
    return aio::sim::run(std::move(coro), aio::sim::Config{});
}

/// aio::RunOptions whose loop_factory makes simulator loops.
inline aio::RunOptions sim_options() { return aio::RunOptions{.loop_factory = aio::sim::loop_factory({})}; }

inline aio::Coro<void> once() { co_return; }

/// test_utils.run_briefly(loop): run_until_complete of a task whose coroutine returns at once
/// (3.12's `async def once(): pass`), so the other ready tasks get two passes: the task's and
/// the one of run_until_complete's done-callback that stops the loop.
inline void run_briefly(aio::EventLoop& loop) { loop.run_until_complete(once()); }

/// The loop's time in seconds since its start (asyncio's loop.time() of a fresh TestLoop).
inline double seconds(aio::TimePoint t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

/// assertRaisesRegex's check of the message: `text` (an exception's what()) contains `needle`.
inline bool contains(std::string_view text, std::string_view needle) {
    return text.find(needle) != std::string_view::npos;
}

/// The exception held by `e`, as E (null if `e` is null or holds something else). The object
/// lives as long as `e`.
template <class E>
const E* as(const std::exception_ptr& e) {
    if (!e) return nullptr;
    try {
        std::rethrow_exception(e);
    } catch (const E& x) {
        return &x;
    } catch (...) {
        return nullptr;
    }
}

}  // namespace cpy
