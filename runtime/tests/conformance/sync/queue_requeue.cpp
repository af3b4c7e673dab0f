#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<void> reader(aio::Queue<int>& q, std::string name) {
    int v = 0;
    try {
        v = co_await q.get();
    } catch (const aio::CancelledError&) {
        out("{} cancelled; qsize={} getters={}", name, q.qsize(), q.getters());
        throw;
    }
    out("{} got {}", name, v);
}

static aio::Coro<void> writer(aio::Queue<std::string>& q, std::string name, std::string v) {
    try {
        co_await q.put(v);
    } catch (const aio::CancelledError&) {
        out("{} cancelled; qsize={} putters={}", name, q.qsize(), q.putters());
        throw;
    }
    out("{} put {}", name, v);
}

static aio::Coro<void> amain() {
    aio::Queue<int> q;
    auto g1 = aio::create_task(reader(q, "g1"));
    auto g2 = aio::create_task(reader(q, "g2"));
    co_await yield();
    q.put_nowait(1);
    int stolen = q.get_nowait();
    out("stolen {} getters {}", stolen, q.getters());
    co_await yield();
    out("getters {}", q.getters());
    q.put_nowait(2);
    co_await yield();
    q.put_nowait(3);
    co_await aio::gather(g1, g2);

    auto g = aio::create_task(reader(q, "g"));
    co_await yield();
    for (int k = 0; k < 2; ++k) {
        q.put_nowait(10 + k);
        out("stolen {}", q.get_nowait());
        co_await yield();
        out("getters {} g done {}", q.getters(), py(g.done()));
    }
    q.put_nowait(12);
    co_await g;

    auto g3 = aio::create_task(reader(q, "g3"));
    auto g4 = aio::create_task(reader(q, "g4"));
    co_await yield();
    q.put_nowait(4);
    g3.cancel();
    auto r1 = co_await aio::gather_outcomes(g3, g4);
    out("{} qsize {}", kinds(r1), q.qsize());

    auto g5 = aio::create_task(reader(q, "g5"));
    co_await yield();
    q.put_nowait(5);
    q.get_nowait();
    co_await yield();
    g5.cancel();
    co_await aio::gather_outcomes(g5);
    out("getters {}", q.getters());

    aio::Queue<std::string> p(1);
    p.put_nowait("x");
    auto w1 = aio::create_task(writer(p, "w1", "a"));
    auto w2 = aio::create_task(writer(p, "w2", "b"));
    co_await yield();
    out("got {}", p.get_nowait());
    p.put_nowait("y");
    co_await yield();
    out("putters {}", p.putters());
    for (int k = 0; k < 3; ++k) {
        out("got {}", p.get_nowait());
        co_await yield();
    }
    co_await aio::gather(w1, w2);

    p.put_nowait("z");
    auto w3 = aio::create_task(writer(p, "w3", "c"));
    auto w4 = aio::create_task(writer(p, "w4", "d"));
    co_await yield();
    out("got {}", p.get_nowait());
    w3.cancel();
    auto r2 = co_await aio::gather_outcomes(w3, w4);
    const std::size_t left = p.qsize();
    out("{} qsize {} got {}", kinds(r2), left, p.get_nowait());
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
