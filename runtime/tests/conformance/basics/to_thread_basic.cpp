// to_thread: the result, an exception from the thread, several jobs gathered, the loop keeps
// running other tasks.
#include <thread>

#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

static int blocking(int a, int b) { return a * b; }
static int raising(std::string msg) { throw aio::ValueError(msg); }

static aio::Coro<void> ticker() {
    for (int i = 0; i < 3; ++i) {
        co_await aio::sleep(200ms);
        out("tick {}", i);
    }
}

static aio::Coro<void> amain() {
    auto t = aio::create_task(ticker());
    const auto loop_thread = std::this_thread::get_id();
    out("product: {}", co_await aio::to_thread(blocking, 6, 7));
    auto other_thread = [loop_thread] { return std::this_thread::get_id() != loop_thread; };
    out("ran on another thread: {}", co_await aio::to_thread(other_thread) ? "True" : "False");
    try {
        std::string msg = "from the thread";
        co_await aio::to_thread(raising, msg);
    } catch (const aio::ValueError& e) {
        out("caught ValueError: {}", e.what());
    }
    auto [a, b] = co_await aio::gather(aio::to_thread(blocking, 1, 2), aio::to_thread(blocking, 3, 4));
    out("gathered: [{}, {}]", a, b);
    co_await t;
    out("main done");
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
