#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;

static aio::Coro<int> work(std::string name, std::chrono::milliseconds delay, int result) {
    out("{} runs in {}", name, aio::current_task().name());
    struct Finally {
        std::string name;
        ~Finally() { out("{} cleanup", name); }
    } finally{name};
    try {
        co_await aio::sleep(delay);
    } catch (const aio::CancelledError&) {
        out("{} cancelled", name);
        throw;
    }
    co_return result;
}

static aio::Coro<void> fail() {
    co_await aio::sleep(100ms);
    throw aio::ValueError("bad");
}

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    // A coroutine runs inline, in the calling task.
    out("result: {}", co_await aio::wait_for(work("c1", 100ms, 1), 1s));
    try {
        co_await aio::wait_for(work("c2", 1s, 2), 100ms);
    } catch (const aio::TimeoutError& e) {
        out("c2: TimeoutError '{}'", e.what());
    }

    // A task is cancelled at the deadline, and waited for.
    auto t = aio::create_task(work("t1", 1s, 3), "t1");
    try {
        co_await aio::wait_for(t, 100ms);
    } catch (const aio::TimeoutError&) {
        out("t1: TimeoutError; task cancelled: {}", py(t.cancelled()));
    }

    // No timeout.
    out("result: {}", co_await aio::wait_for(work("c3", 100ms, 4), std::nullopt));

    // A future set by a callback.
    aio::Future<std::string> fut(loop);
    loop.call_later(100ms, [fut]() mutable { fut.set_result("from callback"); });
    out("future: {}", co_await aio::wait_for(fut, 500ms));
    aio::Future<std::string> fut2(loop);
    try {
        co_await aio::wait_for(fut2, 100ms);
    } catch (const aio::TimeoutError&) {
        out("future timed out; cancelled: {}", py(fut2.cancelled()));
    }

    // An exception passes through.
    try {
        co_await aio::wait_for(fail(), 1s);
    } catch (const aio::ValueError& e) {
        out("ValueError: {}", e.what());
    }
    out("cancelling: {}", aio::current_task().cancelling());
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
