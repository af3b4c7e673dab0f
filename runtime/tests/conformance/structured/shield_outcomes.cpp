#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;

static aio::Coro<void> fails() {
    co_await aio::sleep(100ms);
    throw aio::ValueError("inner failed");
}

static aio::Coro<void> long_sleep() { co_await aio::sleep(10s); }

static aio::Coro<std::string> quick() { co_return "quick"; }

static aio::Coro<void> fails_later() {
    co_await aio::sleep(200ms);
    throw LookupError("late failure");
}

static aio::Coro<void> awaiter(aio::Task<void> inner) { co_await aio::shield(inner); }

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();

    // The inner task fails: the awaiter gets its exception.
    try {
        co_await aio::shield(fails());
    } catch (const aio::ValueError& e) {
        out("ValueError: {}", e.what());
    }

    // The inner task is cancelled by someone else: the awaiter sees CancelledError.
    auto inner = aio::create_task(long_sleep());
    loop.call_later(100ms, [inner]() mutable { inner.cancel(); });
    try {
        co_await aio::shield(inner);
    } catch (const aio::CancelledError&) {
        out("CancelledError; current task cancelling: {}", aio::current_task().cancelling());
    }

    // Already done: the outcome at once.
    auto t = aio::create_task(quick());
    co_await aio::sleep(0s);
    out("done task: {}", co_await aio::shield(t));

    // A plain future.
    aio::Future<int> fut(loop);
    loop.call_later(100ms, [fut]() mutable { fut.set_result(7); });
    out("future: {}", co_await aio::shield(fut));

    // The awaiter is cancelled, then the inner task fails: nothing is raised in the awaiter
    // beyond its CancelledError, and the inner exception stays in the task.
    inner = aio::create_task(fails_later());
    auto a = aio::create_task(awaiter(inner));
    co_await aio::sleep(100ms);
    a.cancel();
    co_await aio::gather_outcomes(a);
    out("awaiter cancelled: {}", py(a.cancelled()));
    try {
        co_await inner;
    } catch (const LookupError& e) {
        out("inner raised later: LookupError: {}", e.what());
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
