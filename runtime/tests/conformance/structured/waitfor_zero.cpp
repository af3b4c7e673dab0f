#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;
using conformance::pylist;

static aio::Coro<std::string> never_started(std::vector<std::string>& started) {
    started.push_back("never_started");
    co_return "x";
}

static aio::Coro<void> slow_cleanup() {
    bool cancelled = false;
    try {
        co_await aio::sleep(10s);
    } catch (const aio::CancelledError&) {
        out("slow_cleanup: cancelled, cleaning up");
        cancelled = true;
    }
    if (cancelled) {
        co_await aio::sleep(100ms);
        out("slow_cleanup: cleanup done");
        throw aio::CancelledError();
    }
}

static aio::Coro<std::string> stubborn() {
    try {
        co_await aio::sleep(10s);
    } catch (const aio::CancelledError&) {}
    co_return "stubborn value";
}

static aio::Coro<void> bad() {
    try {
        co_await aio::sleep(10s);
    } catch (...) {}
    throw aio::ValueError("cleanup failed");
}

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    std::vector<std::string> started;

    // timeout <= 0 with a coroutine: wrapped in a task that is cancelled before it starts.
    for (int timeout : {0, -1}) {
        try {
            co_await aio::wait_for(never_started(started), std::chrono::seconds(timeout));
        } catch (const aio::TimeoutError&) {
            out("timeout {}: TimeoutError; started: {}", timeout, pylist(started));
        }
    }

    // A future already done: its result.
    aio::Future<std::string> fut(loop);
    fut.set_result("done");
    out("done future: {}", co_await aio::wait_for(fut, 0s));

    // A running task: cancelled, and waited for until its cleanup finished.
    auto t = aio::create_task(slow_cleanup());
    co_await aio::sleep(100ms);
    try {
        co_await aio::wait_for(t, 0s);
    } catch (const aio::TimeoutError&) {
        out("task: TimeoutError; cancelled: {}", py(t.cancelled()));
    }

    // A task that swallows its cancellation: its value is returned.
    auto s = aio::create_task(stubborn());
    co_await aio::sleep(0s);
    out("stubborn: {}", co_await aio::wait_for(s, 0s));

    // A task that fails during its cancellation: that exception.
    auto b = aio::create_task(bad());
    co_await aio::sleep(0s);
    try {
        co_await aio::wait_for(b, 0s);
    } catch (const aio::ValueError& e) {
        out("ValueError: {}", e.what());
    }
    out("tasks so far: {} {}", aio::current_task().name(), b.name());
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
