#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<void> coro1(aio::Barrier& b, std::string name) {
    try {
        co_await b.wait();
    } catch (const aio::BrokenBarrierError&) {
        out("{}: {}", name, what_raised());
    }
    std::size_t i = co_await b.wait();
    out("{} passed on the second try with {}", name, i);
}

static aio::Coro<void> coro2(aio::Barrier& b) {
    std::size_t i = co_await b.wait();
    out("third passed with {}", i);
}

namespace {
struct Draining {
    aio::Barrier& b;
    int count = 0;
    std::vector<std::string> log;
};
}  // namespace

static aio::Coro<void> coro(Draining& d, std::string name) {
    co_await d.b.wait();
    d.count += 1;
    if (d.count == 3) {
        co_await d.b.reset();
        d.log.push_back(name + " reset");
        co_await d.b.wait();
    } else {
        try {
            co_await d.b.wait();
            d.log.push_back(name + " second ok");
        } catch (const std::exception&) {
            d.log.push_back(name + " " + type(std::current_exception()));
        }
    }
    co_await d.b.wait();
    d.log.push_back(name + " third ok");
}

static aio::Coro<void> amain() {
    aio::Barrier b(3);
    std::vector<aio::Task<void>> ts;
    for (auto x : {"a", "b"}) ts.push_back(aio::create_task(coro1(b, x)));
    co_await yield();
    auto r = aio::create_task(b.reset());
    co_await yield();
    out("state after reset {} n_waiting {}", state_name(b.state()), b.n_waiting());
    ts.push_back(aio::create_task(coro2(b)));
    co_await aio::gather(r, ts[0], ts[1], ts[2]);
    out("state {} n_waiting {} broken {}", state_name(b.state()), b.n_waiting(), py(b.broken()));

    Draining d{b, 0, {}};
    co_await aio::gather(coro(d, "x"), coro(d, "y"), coro(d, "z"));
    std::string s;
    for (auto& l : d.log) s += (s.empty() ? "'" : ", '") + l + "'";
    out("[{}]", s);
    out("state {} n_waiting {}", state_name(b.state()), b.n_waiting());

    aio::Barrier e(1);
    co_await e.reset();
    out("empty reset {}", state_name(e.state()));
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
