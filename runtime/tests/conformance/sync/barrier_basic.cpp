#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<void> party(aio::Barrier& b, std::string name, int rounds) {
    for (int r = 0; r < rounds; ++r) {
        out("{} arrives (round {}), n_waiting={}", name, r, b.n_waiting());
        std::size_t i = co_await b.wait();
        out("{} passes with index {}, state={}, n_waiting={}", name, i, state_name(b.state()), b.n_waiting());
        co_await yield();
    }
}

static aio::Coro<void> once(aio::Barrier& b, std::string name) {
    std::size_t i = co_await b.wait();
    out("{} index {}", name, i);
}

static aio::Coro<void> amain() {
    aio::Barrier b(3);
    out("parties {} n_waiting {} broken {} state {}", b.parties(), b.n_waiting(), py(b.broken()),
        state_name(b.state()));
    std::vector<aio::Task<void>> ts;
    for (auto n : {"a", "b", "c"}) ts.push_back(aio::create_task(party(b, n, 2)));
    co_await aio::gather(ts);
    out("state {} n_waiting {}", state_name(b.state()), b.n_waiting());

    ts.clear();
    for (int k = 0; k < 5; ++k) ts.push_back(aio::create_task(once(b, "t" + std::to_string(k))));
    co_await yield();
    co_await yield();
    out("n_waiting {} state {}", b.n_waiting(), state_name(b.state()));
    for (int k = 0; k < 4; ++k) co_await yield();
    out("after draining: n_waiting {} state {}", b.n_waiting(), state_name(b.state()));
    ts.push_back(aio::create_task(once(b, "t5")));
    co_await aio::gather(ts);

    aio::Barrier one(1);
    std::size_t i = co_await one.wait();
    out("single party index {}", i);
    out("end {} {}", b.n_waiting(), py(b.broken()));
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
