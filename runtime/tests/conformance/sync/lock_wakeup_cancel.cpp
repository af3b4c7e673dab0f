#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<void> acquirer(aio::Lock& lock, std::string name) {
    out("{} wants", name);
    try {
        co_await lock.acquire();
    } catch (const aio::CancelledError&) {
        out("{} cancelled, locked={} waiters={}", name, py(lock.locked()), lock.waiters());
        throw;
    }
    out("{} got the lock", name);
    co_await yield();
    lock.release();
    out("{} released", name);
}

static aio::Coro<void> amain() {
    aio::Lock lock;
    co_await lock.acquire();
    auto b = aio::create_task(acquirer(lock, "b"));
    auto c = aio::create_task(acquirer(lock, "c"));
    auto d = aio::create_task(acquirer(lock, "d"));
    co_await yield();
    lock.release();
    b.cancel();
    out("released; locked {} waiters {}", py(lock.locked()), lock.waiters());
    co_await yield();
    out("pass 1: locked {} waiters {}", py(lock.locked()), lock.waiters());
    auto e = aio::create_task(acquirer(lock, "e"));
    co_await aio::gather(c, d, e);
    out("b cancelled {}", py(b.cancelled()));

    co_await lock.acquire();
    auto f = aio::create_task(acquirer(lock, "f"));
    co_await yield();
    auto g = aio::create_task(acquirer(lock, "g"));
    f.cancel();
    lock.release();
    co_await yield();
    out("g holds it: {} f cancelled {}", py(lock.locked()), py(f.cancelled()));
    co_await g;
    out("end locked {}", py(lock.locked()));
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
