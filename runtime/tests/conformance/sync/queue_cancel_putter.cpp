#include "sync_conformance.hpp"

using namespace conformance;

using Q = aio::Queue<std::string>;

static aio::Coro<void> writer(Q& q, std::string name, std::string v) {
    try {
        co_await q.put(v);
    } catch (const aio::CancelledError&) {
        out("{} cancelled; qsize={} putters={}", name, q.qsize(), q.putters());
        throw;
    }
    out("{} put {}", name, v);
}

static aio::Coro<void> amain() {
    Q q(1);
    auto a = aio::create_task(writer(q, "a", "a"));
    auto b = aio::create_task(writer(q, "b", "b"));
    auto c = aio::create_task(writer(q, "c", "X"));
    co_await yield();
    out("a done {} b done {} putters {}", py(a.done()), py(b.done()), q.putters());
    c.cancel();
    co_await yield();
    out("c done {} putters {}", py(c.done()), q.putters());
    out("get {}", q.get_nowait());
    co_await yield();
    out("get {}", q.get_nowait());
    co_await b;

    q.put_nowait("1");
    auto w = aio::create_task(writer(q, "w", "2"));
    co_await yield();
    out("get {}", q.get_nowait());
    w.cancel();
    bool again = false;
    try {
        co_await w;
    } catch (const aio::CancelledError&) {
        again = true;
    }
    if (again) {
        w = aio::create_task(writer(q, "w again", "2"));
        co_await w;
    }
    auto got = q.get_nowait();
    out("get {} qsize {}", got, q.qsize());

    q.put_nowait("0");
    auto p1 = aio::create_task(writer(q, "p1", "1"));
    auto p2 = aio::create_task(writer(q, "p2", "2"));
    co_await yield();
    q.get_nowait();
    p1.cancel();
    auto res = co_await aio::gather_outcomes(p1, p2);
    got = q.get_nowait();
    out("{} queue {} putters {}", kinds(res), got, q.putters());
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
