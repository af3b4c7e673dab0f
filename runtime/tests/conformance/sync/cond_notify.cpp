#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<void> waiter(aio::Condition& cond, std::string name) {
    auto guard = co_await cond.scoped();
    out("{} waits", name);
    bool r = co_await cond.wait();
    out("{} woke: {}, locked {}", name, py(r), py(cond.locked()));
    co_await yield();
    out("{} leaves", name);
}

static aio::Coro<void> amain() {
    aio::Condition cond;
    std::vector<aio::Task<void>> ts;
    for (auto n : {"a", "b", "c", "d"}) ts.push_back(aio::create_task(waiter(cond, n)));
    co_await yield();
    out("locked {} waiters {}", py(cond.locked()), cond.waiters());
    {
        auto guard = co_await cond.scoped();
        out("notify(1)");
        cond.notify(1);
    }
    co_await yield();
    co_await yield();
    {
        auto guard = co_await cond.scoped();
        out("notify(1) then notify(2048)");
        cond.notify(1);
        cond.notify(2048);
        out("waiters while holding {}", cond.waiters());
    }
    co_await aio::gather(ts);
    out("waiters {}", cond.waiters());

    ts.clear();
    for (auto n : {"x", "y"}) ts.push_back(aio::create_task(waiter(cond, n)));
    co_await yield();
    {
        auto guard = co_await cond.scoped();
        out("notify_all");
        cond.notify_all();
    }
    co_await aio::gather(ts);
    {
        auto guard = co_await cond.scoped();
        cond.notify();
    }
    out("end locked {}", py(cond.locked()));
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
