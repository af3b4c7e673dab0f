#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<void> waiter(aio::Condition& cond, std::string name) {
    {
        auto guard = co_await cond.scoped();
        out("{} waits", name);
        try {
            co_await cond.wait();
            out("{} woke", name);
        } catch (const aio::CancelledError& e) {
            out("{} cancelled: \"{}\", locked={}", name, e.message(), py(cond.locked()));
            throw;
        }
    }
    out("{} left, locked={}", name, py(cond.locked()));
}

static aio::Coro<void> amain() {
    aio::Condition cond;

    auto a = aio::create_task(waiter(cond, "a"));
    co_await yield();
    a.cancel("stop a");
    try {
        co_await a;
    } catch (const aio::CancelledError& e) {
        out("a ended: CancelledError \"{}\"; waiters {} locked {}", e.message(), cond.waiters(), py(cond.locked()));
    }

    auto b = aio::create_task(waiter(cond, "b"));
    co_await yield();
    co_await cond.acquire();
    b.cancel("stop b");
    co_await yield();
    co_await yield();
    out("b still blocked: {} waiters {}", py(!b.done()), cond.waiters());
    cond.release();
    try {
        co_await b;
    } catch (const aio::CancelledError& e) {
        out("b ended: CancelledError \"{}\"", e.message());
    }

    auto c = aio::create_task(waiter(cond, "c"));
    co_await yield();
    co_await cond.acquire();
    c.cancel("first");
    co_await yield();
    co_await yield();
    c.cancel("second");
    co_await yield();
    out("c still blocked: {} lock waiters {}", py(!c.done()), cond.lock().waiters());
    cond.release();
    try {
        co_await c;
    } catch (const aio::CancelledError& e) {
        out("c ended: CancelledError \"{}\"; locked {}", e.message(), py(cond.locked()));
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
