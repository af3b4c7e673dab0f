#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<void> party(aio::Barrier& b, std::string name) {
    try {
        std::size_t i = co_await b.wait();
        out("{} passed with {}", name, i);
    } catch (const aio::CancelledError&) {
        out("{} cancelled; n_waiting={} state={}", name, b.n_waiting(), state_name(b.state()));
        throw;
    }
}

static aio::Coro<void> amain() {
    aio::Barrier b(3);
    auto t1 = aio::create_task(party(b, "t1"));
    co_await yield();
    auto t2 = aio::create_task(party(b, "t2"));
    co_await yield();
    out("n_waiting {}", b.n_waiting());
    t1.cancel();
    co_await yield();
    out("n_waiting {} t1 cancelled {}", b.n_waiting(), py(t1.cancelled()));
    auto t3 = aio::create_task(party(b, "t3"));
    co_await yield();
    out("n_waiting {}", b.n_waiting());
    auto t4 = aio::create_task(party(b, "t4"));
    co_await aio::gather(t2, t3, t4);
    out("n_waiting {} broken {}", b.n_waiting(), py(b.broken()));

    aio::Barrier c(3);
    auto u1 = aio::create_task(party(c, "u1"));
    auto u2 = aio::create_task(party(c, "u2"));
    co_await yield();
    auto u3 = aio::create_task(party(c, "u3"));
    co_await yield();
    u1.cancel();
    auto res = co_await aio::gather_outcomes(u1, u2, u3);
    out("{} state {} n_waiting {}", kinds(res), state_name(c.state()), c.n_waiting());
    std::vector<aio::Task<void>> v;
    for (int k = 0; k < 3; ++k) v.push_back(aio::create_task(party(c, "v" + std::to_string(k))));
    co_await aio::gather(v);
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
