#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<std::string> holder(aio::Lock& lock, std::string name, int hold) {
    out("{} wants", name);
    try {
        co_await lock.acquire();
    } catch (const aio::CancelledError& e) {
        out("{} cancelled while waiting: {} locked={}", name, e.message(), py(lock.locked()));
        throw;
    }
    try {
        out("{} holds", name);
        for (int i = 0; i < hold; ++i) co_await yield();
    } catch (const aio::CancelledError& e) {
        out("{} cancelled while holding: {}", name, e.message());
        lock.release();
        out("{} released", name);
        throw;
    }
    lock.release();
    out("{} released", name);
    co_return name;
}

static aio::Coro<void> amain() {
    aio::Lock lock;
    auto a = aio::create_task(holder(lock, "a", 3));
    auto b = aio::create_task(holder(lock, "b", 1));
    auto c = aio::create_task(holder(lock, "c", 1));
    auto d = aio::create_task(holder(lock, "d", 1));
    co_await yield();
    out("waiters {}", lock.waiters());
    b.cancel("b go away");
    co_await yield();
    out("waiters {}", lock.waiters());
    a.cancel("a stop");
    auto res = co_await aio::gather_outcomes(a, b, c, d);
    std::string s;
    std::apply(
        [&](auto&... o) {
            ((s += (s.empty() ? "'" : ", '") +
                   (o.has_value() ? "str:" + o.value() : type(o.error()) + ":" + msg(o.error())) + "'"),
             ...);
        },
        res);
    out("[{}]", s);
    out("locked {} waiters {}", py(lock.locked()), lock.waiters());
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
