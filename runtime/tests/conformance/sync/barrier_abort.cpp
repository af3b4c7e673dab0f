#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<void> party(aio::Barrier& b, std::string name) {
    try {
        std::size_t i = co_await b.wait();
        out("{} passed with {}", name, i);
    } catch (const aio::BrokenBarrierError&) {
        out("{}: {}", name, what_raised());
    }
}

static aio::Coro<void> worker(aio::Barrier& b2, std::vector<std::string>& results, int k) {
    bool abort = false;
    try {
        if (k == 2) throw std::domain_error("party 2 failed");
        co_await b2.wait();
    } catch (const std::domain_error& e) {
        out("worker {} aborts the barrier: {}", k, e.what());
        abort = true;
    } catch (const aio::BrokenBarrierError& e) {
        results.push_back(std::to_string(k) + ":" + e.what());
    }
    if (abort) co_await b2.abort();  // no co_await inside a handler in C++
}

static aio::Coro<void> amain() {
    aio::Barrier b(3);
    std::vector<aio::Task<void>> ts;
    for (auto n : {"a", "b"}) ts.push_back(aio::create_task(party(b, n)));
    co_await yield();
    out("n_waiting {} broken {}", b.n_waiting(), py(b.broken()));
    co_await b.abort();
    out("aborted: broken {} state {} n_waiting {}", py(b.broken()), state_name(b.state()), b.n_waiting());
    co_await aio::gather(ts);
    co_await party(b, "late");
    out("BrokenBarrierError is a RuntimeError: {}", py(std::is_base_of_v<aio::RuntimeError, aio::BrokenBarrierError>));

    co_await b.reset();
    out("after reset: broken {} state {}", py(b.broken()), state_name(b.state()));
    ts.clear();
    for (auto n : {"x", "y", "z"}) ts.push_back(aio::create_task(party(b, n)));
    co_await aio::gather(ts);

    aio::Barrier b2(3);
    std::vector<std::string> results;
    co_await aio::gather(worker(b2, results, 0), worker(b2, results, 1), worker(b2, results, 2));
    std::string s;
    for (auto& r : results) s += (s.empty() ? "'" : ", '") + r + "'";
    out("[{}] broken {}", s, py(b2.broken()));
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
