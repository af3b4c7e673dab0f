#include "sync_conformance.hpp"

using namespace conformance;

namespace {
struct Shared {
    aio::Barrier b{3};
    int rewait = 1;
    std::vector<std::string> log;
};
}  // namespace

static aio::Coro<void> coro(Shared& s, std::string name) {
    try {
        co_await s.b.wait();
        if (s.rewait > 0) {
            s.rewait -= 1;
            co_await s.b.wait();
        } else {
            co_await s.b.abort();
            s.log.push_back(name + " aborted");
        }
    } catch (const aio::BrokenBarrierError& e) {
        s.log.push_back(name + ": " + e.what());
    }
    try {
        co_await s.b.wait();
    } catch (const aio::BrokenBarrierError& e) {
        s.log.push_back(name + " again: " + e.what());
    }
}

static aio::Coro<void> amain() {
    for (int parties : {0, -1}) {
        try {
            aio::Barrier bad(parties);
        } catch (const aio::ValueError&) {
            out("Barrier({}): {}", parties, what_raised());
        }
    }
    Shared s;
    co_await aio::gather(coro(s, "a"), coro(s, "b"), coro(s, "c"));
    std::string l;
    for (auto& x : s.log) l += (l.empty() ? "'" : ", '") + x + "'";
    out("[{}]", l);
    out("broken {} n_waiting {}", py(s.b.broken()), s.b.n_waiting());
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
