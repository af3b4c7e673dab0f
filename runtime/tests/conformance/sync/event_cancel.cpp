#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<void> waiter(aio::Event& ev, std::string name) {
    out("{} waits", name);
    try {
        co_await ev.wait();
        out("{} woke", name);
    } catch (const aio::CancelledError& e) {
        out("{} cancelled: {}", name, e.message());
        throw;
    }
}

static aio::Coro<void> amain() {
    aio::Event ev;
    auto a = aio::create_task(waiter(ev, "a"));
    auto b = aio::create_task(waiter(ev, "b"));
    auto c = aio::create_task(waiter(ev, "c"));
    co_await yield();
    out("waiters {}", ev.waiters());
    a.cancel("stop a");
    co_await yield();
    out("waiters {}", ev.waiters());
    ev.set();
    b.cancel("stop b");
    co_await yield();
    out("waiters {}", ev.waiters());
    auto r1 = co_await aio::gather_outcomes(a, b, c);
    out("{}", kinds(r1));

    ev.clear();
    auto d = aio::create_task(waiter(ev, "d"));
    auto e = aio::create_task(waiter(ev, "e"));
    co_await yield();
    d.cancel();
    ev.set();
    auto r2 = co_await aio::gather_outcomes(d, e);
    out("{}", kinds(r2));

    auto f = aio::create_task(waiter(ev, "f"));
    f.cancel("early");
    auto r3 = co_await aio::gather_outcomes(f);
    out("{} waiters {}", kinds(r3), ev.waiters());
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
