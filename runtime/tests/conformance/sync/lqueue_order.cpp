#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<std::string> get(aio::LifoQueue<std::string>& q) { co_return co_await q.get(); }

static aio::Coro<void> putter(aio::LifoQueue<std::string>& b, std::string v) {
    out("putting {}", v);
    co_await b.put(v);
    out("put {}", v);
}

static aio::Coro<void> amain() {
    aio::LifoQueue<int> q;
    for (int v : {1, 3, 2}) co_await q.put(v);
    int a = q.get_nowait(), b1 = q.get_nowait(), c = q.get_nowait();
    out("[{}, {}, {}]", a, b1, c);

    aio::LifoQueue<std::string> s;
    std::vector<aio::Task<std::string>> gs;
    for (int k = 0; k < 2; ++k) gs.push_back(aio::create_task(get(s)));
    co_await yield();
    for (auto v : {"a", "b", "c", "d"}) s.put_nowait(v);
    auto r = co_await aio::gather(gs);
    std::string left;
    while (!s.empty()) left += (left.empty() ? "'" : ", '") + s.get_nowait() + "'";
    out("['{}', '{}'] left [{}]", r[0], r[1], left);

    aio::LifoQueue<std::string> b(2);
    std::vector<aio::Task<void>> ts;
    for (auto v : {"x", "y", "z"}) ts.push_back(aio::create_task(putter(b, v)));
    co_await yield();
    out("full {} putters {}", py(b.full()), b.putters());
    out("get {}", co_await b.get());
    co_await yield();
    auto g1 = co_await b.get();
    auto g2 = co_await b.get();
    out("get {} get {}", g1, g2);
    co_await aio::gather(ts);
    try {
        b.get_nowait();
    } catch (const aio::QueueEmpty&) {
        out("QueueEmpty");
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
