#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;

static aio::Coro<void> blocking(std::string name) {
    try {
        co_await aio::sleep(10s);
    } catch (const aio::CancelledError&) {
        out("{} cancelled", name);
        throw;
    }
}

static aio::Coro<int> return_42() {
    try {
        co_await aio::sleep(10s);
    } catch (const aio::CancelledError&) {
        out("return_42 swallows the cancellation");
        co_return 42;
    }
    co_return 0;
}

static aio::Coro<void> inner_fails() {
    try {
        co_await aio::sleep(300ms);
    } catch (...) {}
    throw LookupError("inner cleanup failed");
}

static aio::Coro<std::string> inner() { co_return "done"; }

static aio::Coro<void> wait_then_sleep(aio::Task<std::string> inner_task) {
    co_await aio::wait_for(inner_task, 100s);
    co_await aio::sleep(1s);
    out("not reached");
}

static aio::Coro<void> amain() {
    // Cancelling the task that waits cancels the awaited task too (with or without timeout).
    for (std::optional<aio::Duration> timeout : {std::optional<aio::Duration>(), std::optional<aio::Duration>(5s)}) {
        auto in = aio::create_task(blocking(fmt::format("inner(timeout={})", timeout ? "5" : "None")));
        auto waiter = aio::create_task(aio::wait_for(in, timeout));
        co_await aio::sleep(100ms);
        waiter.cancel();
        try {
            co_await waiter;
        } catch (const aio::CancelledError&) {
            out("waiter cancelled: {} | inner cancelled: {}", py(waiter.cancelled()), py(in.cancelled()));
        }
    }

    // The awaited coroutine swallows the timeout's cancellation and returns a value.
    out("value: {}", co_await aio::wait_for(return_42(), 100ms));

    // The awaited task raises during its cancellation: that exception, not TimeoutError.
    auto t = aio::create_task(inner_fails());
    try {
        co_await aio::wait_for(t, 100ms);
    } catch (const LookupError& e) {
        out("LookupError: {}", e.what());
    }

    // wait_for finishes in the same pass as the cancel request: the result is dropped,
    // CancelledError wins.
    auto inner_task = aio::create_task(inner());
    auto task = aio::create_task(wait_then_sleep(inner_task));
    co_await aio::sleep(0s);
    task.cancel();
    bool cancelled = false;
    try {
        co_await task;
    } catch (const aio::CancelledError&) {
        cancelled = true;
    }
    if (cancelled) out("waiter cancelled; inner result: {}", co_await inner_task);
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
