#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;

static aio::Coro<void> slow_to_die(std::string name, std::chrono::milliseconds cleanup) {
    try {
        co_await aio::sleep(10s);
    } catch (const aio::CancelledError&) {
        out("{} cancelled, cleanup takes {}", name, cleanup.count() / 1000.0);
    }
    co_await aio::sleep(cleanup);
    out("{} cleanup done", name);
    throw aio::CancelledError();
}

static aio::Coro<void> runner() {
    auto me = aio::current_task();
    try {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
            tg.create_task(slow_to_die("c1", 300ms));
            out("body done");
            co_return;
        });
    } catch (const aio::CancelledError&) {
        out("runner: CancelledError, cancelling = {}", me.cancelling());
        throw;
    }
}

static aio::Coro<void> amain() {
    auto r = aio::create_task(runner());
    co_await aio::sleep(100ms);
    out("first cancel");
    r.cancel();
    co_await aio::sleep(100ms);
    out("second cancel, runner still waiting for its child");
    r.cancel();
    try {
        co_await r;
    } catch (const aio::CancelledError&) {
        out("main: runner cancelled: {}", py(r.cancelled()));
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
