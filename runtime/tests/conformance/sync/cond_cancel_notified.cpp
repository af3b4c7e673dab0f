#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<void> waiter(aio::Condition& cond, std::string name) {
    auto guard = co_await cond.scoped();
    out("{} waits", name);
    try {
        co_await cond.wait();
        out("{} woke", name);
    } catch (const aio::CancelledError&) {
        out("{} cancelled, locked={}", name, py(cond.locked()));
        throw;
    }
}

static aio::Coro<void> amain() {
    aio::Condition cond;

    auto w = aio::create_task(waiter(cond, "w"));
    co_await yield();
    co_await cond.acquire();
    cond.notify();
    co_await yield();
    w.cancel();
    co_await yield();
    cond.release();
    co_await yield();
    out("w cancelled {} locked {}", py(w.cancelled()), py(cond.locked()));

    auto x = aio::create_task(waiter(cond, "x"));
    auto y = aio::create_task(waiter(cond, "y"));
    co_await yield();
    {
        auto guard = co_await cond.scoped();
        cond.notify(1);
    }
    x.cancel();
    co_await yield();
    co_await yield();
    co_await yield();
    out("x cancelled {} y still waiting {} waiters {}", py(x.cancelled()), py(!y.done()), cond.waiters());
    {
        auto guard = co_await cond.scoped();
        cond.notify();
    }
    co_await y;

    auto z = aio::create_task(waiter(cond, "z"));
    co_await yield();
    co_await cond.acquire();
    cond.notify();
    auto& loop = aio::get_running_loop();
    loop.call_soon([z]() mutable { z.cancel(); });
    loop.call_soon([&cond] { cond.release(); });
    try {
        co_await z;
        out("z finished normally");
    } catch (const aio::CancelledError&) {
        out("z was cancelled");
    }
    out("end locked {}", py(cond.locked()));
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
