#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<void> holder(aio::Lock& lock, aio::Event& gate) {
    co_await lock.acquire();
    out("holder acquired");
    co_await gate.wait();
    out("holder done, locked {}", py(lock.locked()));
}

static aio::Coro<void> amain() {
    aio::Lock lock;
    try {
        lock.release();
    } catch (const aio::RuntimeError&) {
        out("{}", what_raised());
    }

    try {
        auto guard = co_await lock.scoped();
        out("inside, locked {}", py(lock.locked()));
        throw aio::ValueError("boom");
    } catch (const aio::ValueError& e) {
        out("caught ValueError: {}; locked {}", e.what(), py(lock.locked()));
    }

    aio::Event gate;
    auto h = aio::create_task(holder(lock, gate));
    co_await yield();
    lock.release();
    out("main released the holder's lock; locked {}", py(lock.locked()));
    co_await lock.acquire();
    out("main acquired");
    gate.set();
    co_await h;
    lock.release();
    try {
        lock.release();
    } catch (const aio::RuntimeError&) {
        out("again {}", what_raised());
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
