#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<void> waiter(aio::Condition& shared) {
    auto guard = co_await shared.scoped();
    out("waiter waits");
    co_await shared.wait();
    out("waiter woke");
}

static aio::Coro<void> amain() {
    aio::Condition cond;
    try {
        cond.notify();
    } catch (const aio::RuntimeError&) {
        out("notify: {}", what_raised());
    }
    try {
        cond.notify_all();
    } catch (const aio::RuntimeError&) {
        out("notify_all: {}", what_raised());
    }
    try {
        co_await cond.wait();
    } catch (const aio::RuntimeError&) {
        out("wait: {}", what_raised());
    }

    aio::Lock lock;
    aio::Condition shared(lock);
    {
        auto guard = co_await lock.scoped();
        out("shared locked {}", py(shared.locked()));
        shared.notify();
    }
    {
        auto guard = co_await shared.scoped();
        out("lock locked {}", py(lock.locked()));
    }
    out("both free {} {}", py(lock.locked()), py(shared.locked()));

    auto t = aio::create_task(waiter(shared));
    co_await yield();
    out("lock free while waiting {}", py(!lock.locked()));
    {
        auto guard = co_await lock.scoped();
        shared.notify();
        out("notified");
    }
    co_await t;
    try {
        auto guard = co_await shared.scoped();
        throw std::domain_error("oops");
    } catch (const std::domain_error&) {
        out("released after exception {}", py(!shared.locked()));
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
