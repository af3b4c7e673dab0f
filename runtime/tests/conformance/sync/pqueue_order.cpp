#include "sync_conformance.hpp"

using namespace conformance;

namespace {
struct Job {
    int prio;
    std::string name;
};
struct ByPrio {
    bool operator()(const Job& a, const Job& b) const { return a.prio < b.prio; }
};
}  // namespace
using PQ = aio::PriorityQueue<Job, ByPrio>;

static std::string show(const std::vector<Job>& v) {
    std::string s;
    for (auto& j : v) s += (s.empty() ? "" : ", ") + fmt::format("{}:{}", j.name, j.prio);
    return "[" + s + "]";
}

static aio::Coro<void> putter(PQ& b, int prio, std::string name) {
    // Not `co_await b.put(Job{prio, name})`: GCC 12 copies an aggregate temporary inside a
    // co_await expression bitwise (the string would point into the old copy).
    Job job{prio, name};
    co_await b.put(std::move(job));
    out("put {}:{}", name, prio);
}

static aio::Coro<void> amain() {
    PQ q;
    int i = 0;
    for (int p : {5, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 1, 2, 2, 7, 1}) q.put_nowait(Job{p, "j" + std::to_string(i++)});
    std::vector<Job> got;
    while (!q.empty()) got.push_back(q.get_nowait());
    out("{}", show(got));

    got.clear();
    i = 0;
    for (int p : {3, 3, 1, 3, 1, 2, 2, 3}) {
        q.put_nowait(Job{p, "k" + std::to_string(i)});
        if (i % 3 == 2) got.push_back(q.get_nowait());
        ++i;
    }
    while (!q.empty()) got.push_back(q.get_nowait());
    out("{}", show(got));

    PQ b(2);
    std::vector<aio::Task<void>> ts;
    ts.push_back(aio::create_task(putter(b, 3, "a")));
    ts.push_back(aio::create_task(putter(b, 1, "b")));
    ts.push_back(aio::create_task(putter(b, 2, "c")));
    ts.push_back(aio::create_task(putter(b, 0, "d")));
    co_await yield();
    out("qsize {} full {}", b.qsize(), py(b.full()));
    got.clear();
    for (int k = 0; k < 4; ++k) {
        got.push_back(co_await b.get());
        co_await yield();
    }
    out("{}", show(got));
    co_await aio::gather(ts);

    aio::PriorityQueue<int> ints(2);
    for (int v : {3, 1, 2}) {
        if (ints.qsize() < 2)
            co_await ints.put(v);
        else
            ints.get_nowait();
    }
    int first = ints.get_nowait();
    out("plain ints {} {}", first, ints.qsize());
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
