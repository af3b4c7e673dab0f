#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<void> waiter(aio::Event& ev, std::string name) {
    out("{} waits", name);
    bool r = co_await ev.wait();
    out("{} woke: {}", name, py(r));
}

static aio::Coro<void> amain() {
    aio::Event ev;
    out("is_set {}", py(ev.is_set()));
    auto t1 = aio::create_task(waiter(ev, "w1"));
    auto t2 = aio::create_task(waiter(ev, "w2"));
    co_await yield();
    auto t3 = aio::create_task(waiter(ev, "w3"));
    out("set");
    ev.set();
    out("is_set {}", py(ev.is_set()));
    co_await yield();
    out("after one pass {} {} {}", py(t1.done()), py(t2.done()), py(t3.done()));
    bool r = co_await ev.wait();
    out("wait on a set event: {}", py(r));
    ev.clear();
    out("is_set after clear {}", py(ev.is_set()));
    auto t4 = aio::create_task(waiter(ev, "w4"));
    co_await yield();
    ev.set();
    ev.clear();
    ev.set();
    ev.set();
    ev.clear();
    co_await yield();
    out("w4 done {} is_set {}", py(t4.done()), py(ev.is_set()));
    co_await aio::gather(t1, t2, t3, t4);
    out("end");
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
