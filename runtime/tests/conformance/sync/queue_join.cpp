#include "sync_conformance.hpp"

using namespace conformance;

using Q = aio::Queue<std::string>;

static aio::Coro<void> worker(Q& q, std::string name) {
    for (;;) {
        std::string item = co_await q.get();
        try {
            out("{} processing {}", name, item);
            co_await yield();
            if (item == "bad") throw aio::ValueError("bad item");
        } catch (const aio::ValueError& e) {
            out("{} failed on {}: {}", name, item, e.what());
        } catch (...) {
            q.task_done();
            out("{} done with {}, unfinished={}", name, item, q.unfinished_tasks());
            throw;
        }
        q.task_done();
        out("{} done with {}, unfinished={}", name, item, q.unfinished_tasks());
    }
}

static aio::Coro<void> joiner(Q& q, std::string name) {
    co_await q.join();
    out("{} joined, unfinished={}", name, q.unfinished_tasks());
}

static aio::Coro<void> amain() {
    Q q;
    co_await q.join();
    out("join on an empty queue returns at once");
    for (auto item : {"a", "b", "bad", "c"}) q.put_nowait(item);
    auto j1 = aio::create_task(joiner(q, "j1"));
    auto j2 = aio::create_task(joiner(q, "j2"));
    std::vector<aio::Task<void>> workers;
    for (int k = 0; k < 2; ++k) workers.push_back(aio::create_task(worker(q, "w" + std::to_string(k))));
    co_await aio::gather(j1, j2);
    out("all processed; qsize {}", q.qsize());

    q.put_nowait("d");
    auto j3 = aio::create_task(joiner(q, "j3"));
    co_await yield();
    j3.cancel("stop joining");
    try {
        co_await j3;
    } catch (const aio::CancelledError& e) {
        out("j3: CancelledError \"{}\"", e.message());
    }
    co_await q.join();
    out("joined again");
    for (auto& w : workers) w.cancel();
    auto res = co_await aio::gather_outcomes(workers);
    std::string s;
    for (auto& o : res)
        s += (s.empty() ? "'" : ", '") + (o.has_value() ? std::string("NoneType") : type(o.error())) + "'";
    out("[{}] unfinished {}", s, q.unfinished_tasks());
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
