#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<void> producer(aio::Queue<int>& q, int n) {
    for (int i = 0; i < n; ++i) {
        out("put {}? full={}", i, py(q.full()));
        co_await q.put(i);
        out("put {} done, qsize={}", i, q.qsize());
    }
}

static aio::Coro<std::vector<int>> consumer(aio::Queue<int>& q, int n) {
    std::vector<int> got;
    for (int k = 0; k < n; ++k) {
        got.push_back(co_await q.get());
        out("got {}, qsize={}", got.back(), q.qsize());
        co_await yield();
    }
    co_return got;
}

template <class T>
static std::string list(const std::vector<T>& v, bool quote = false) {
    std::string s;
    for (auto& x : v) s += (s.empty() ? "" : ", ") + (quote ? fmt::format("'{}'", x) : fmt::format("{}", x));
    return "[" + s + "]";
}

static aio::Coro<void> put(aio::Queue<std::string>& q, std::string v) { co_await q.put(std::move(v)); }
static aio::Coro<int> get(aio::Queue<int>& q) { co_return co_await q.get(); }

static aio::Coro<void> amain() {
    aio::Queue<int> q(2);
    out("maxsize {} empty {} full {} qsize {}", q.maxsize(), py(q.empty()), py(q.full()), q.qsize());
    auto p = aio::create_task(producer(q, 5));
    auto c = aio::create_task(consumer(q, 5));
    co_await p;
    out("consumer got {}", list(co_await c));

    aio::Queue<std::string> q1(1);
    q1.put_nowait("x");
    std::vector<aio::Task<void>> ps;
    for (auto v : {"a", "b", "c"}) ps.push_back(aio::create_task(put(q1, v)));
    co_await yield();
    out("putters waiting {}", q1.putters());
    std::vector<std::string> order;
    for (int k = 0; k < 4; ++k) {
        order.push_back(co_await q1.get());
        co_await yield();
    }
    bool all_put = true;
    for (auto& t : ps) all_put = all_put && t.done();
    out("order {} all put {}", list(order, true), py(all_put));

    aio::Queue<int> q2;
    std::vector<aio::Task<int>> gs;
    for (int k = 0; k < 3; ++k) gs.push_back(aio::create_task(get(q2)));
    co_await yield();
    out("getters waiting {}", q2.getters());
    for (int v : {10, 20, 30}) co_await q2.put(v);
    out("results {}", list(co_await aio::gather(gs)));

    for (int m : {0, -1}) {
        aio::Queue<int> u(m);
        for (int v = 0; v < 100; ++v) u.put_nowait(v);
        out("maxsize {}: full {} qsize {}", m, py(u.full()), u.qsize());
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
