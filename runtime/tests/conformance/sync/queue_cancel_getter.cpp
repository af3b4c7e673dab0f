#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<int> reader(aio::Queue<int>& q, std::string name) {
    int v = 0;
    try {
        v = co_await q.get();
    } catch (const aio::CancelledError&) {
        out("{} cancelled; qsize={} getters={}", name, q.qsize(), q.getters());
        throw;
    }
    out("{} got {}", name, v);
    co_return v;
}

static aio::Coro<void> amain() {
    aio::Queue<int> q;
    auto t1 = aio::create_task(reader(q, "t1"));
    auto t2 = aio::create_task(reader(q, "t2"));
    co_await yield();
    t1.cancel();
    co_await yield();
    out("t1 done {} getters {}", py(t1.done()), q.getters());
    co_await q.put(97);  // 'a'
    co_await yield();
    out("t2 -> {}", co_await t2);

    auto r = aio::create_task(reader(q, "r"));
    co_await yield();
    q.put_nowait(1);
    q.put_nowait(2);
    r.cancel();
    bool again = false;
    try {
        co_await r;
    } catch (const aio::CancelledError&) {
        again = true;
    }
    if (again) {
        r = aio::create_task(reader(q, "r again"));
        co_await r;
    }
    out("r result {} qsize {}", r.result(), q.qsize());
    q.get_nowait();

    std::vector<aio::Task<int>> rs;
    for (int k = 1; k <= 3; ++k) rs.push_back(aio::create_task(reader(q, "r" + std::to_string(k))));
    co_await yield();
    q.put_nowait(1);
    q.put_nowait(2);
    rs[0].cancel();
    auto res = co_await aio::gather_outcomes(rs);
    std::string s;
    for (auto& o : res)
        s += (s.empty() ? "" : ", ") + (o.has_value() ? std::to_string(o.value()) : "'" + type(o.error()) + "'");
    out("[{}] qsize {}", s, q.qsize());

    auto m = aio::create_task(reader(q, "m"));
    co_await yield();
    m.cancel("no more");
    try {
        co_await m;
    } catch (const aio::CancelledError& e) {
        out("m: CancelledError \"{}\", getters {}", e.message(), q.getters());
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
