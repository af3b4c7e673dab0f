#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;

static aio::Coro<void> child(std::string name, std::chrono::milliseconds delay) {
    try {
        co_await aio::sleep(delay);
        out("{} finished", name);
    } catch (const aio::CancelledError& e) {
        out("{} cancelled, message '{}'", name, e.message());
        throw;
    }
}

static aio::Coro<void> runner() {
    auto me = aio::current_task();
    try {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
            tg.create_task(child("c1", 1s));
            try {
                co_await aio::sleep(1s);
            } catch (const aio::CancelledError& e) {
                out("body cancelled, message '{}', cancelling = {}", e.message(), me.cancelling());
                throw;
            }
        });
    } catch (const aio::CancelledError& e) {
        out("runner sees CancelledError '{}', cancelling = {}", e.message(), me.cancelling());
        throw;
    }
}

static aio::Coro<void> runner_waiting_in_exit() {
    auto me = aio::current_task();
    try {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
            tg.create_task(child("c2", 1s));
            out("body done, waiting for children");
            co_return;
        });
    } catch (const aio::CancelledError& e) {
        out("runner2 sees CancelledError '{}', cancelling = {}", e.message(), me.cancelling());
        throw;
    }
}

static aio::Coro<void> amain() {
    auto r = aio::create_task(runner());
    co_await aio::sleep(100ms);
    r.cancel("stop");
    try {
        co_await r;
    } catch (const aio::CancelledError& e) {
        out("main: runner cancelled: {}, message '{}'", py(r.cancelled()), e.message());
    }

    r = aio::create_task(runner_waiting_in_exit());
    co_await aio::sleep(100ms);
    r.cancel("stop2");
    try {
        co_await r;
    } catch (const aio::CancelledError& e) {
        out("main: runner2 cancelled: {}, message '{}'", py(r.cancelled()), e.message());
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
