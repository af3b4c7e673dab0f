#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<void> acquirer(aio::Semaphore& sem, std::string name) {
    try {
        co_await sem.acquire();
    } catch (const aio::CancelledError&) {
        out("{} cancelled, value={} locked={}", name, sem.value(), py(sem.locked()));
        throw;
    }
    out("{} acquired, value={}", name, sem.value());
}

static std::string dones(const std::vector<aio::Task<void>>& ts) {
    std::string s;
    for (auto& t : ts) s += (s.empty() ? "" : ", ") + std::string(py(t.done()));
    return "[" + s + "]";
}

static aio::Coro<void> before_awoken() {
    aio::Semaphore sem(0);
    std::vector<aio::Task<void>> ts;
    for (int i = 1; i <= 4; ++i) ts.push_back(aio::create_task(acquirer(sem, "t" + std::to_string(i))));
    co_await yield();
    ts[0].cancel();
    ts[1].cancel();
    sem.release();
    co_await yield();
    co_await yield();
    out("done {} value {}", dones(ts), sem.value());
    ts[2].cancel();
    ts[3].cancel();
    co_await yield();
    out("all done {}", dones(ts));
}

static aio::Coro<void> after_awoken() {
    aio::Semaphore sem(0);
    auto t1 = aio::create_task(acquirer(sem, "t1"));
    auto t2 = aio::create_task(acquirer(sem, "t2"));
    co_await yield();
    sem.release();
    out("released: value {}", sem.value());
    t1.cancel();
    co_await yield();
    co_await yield();
    out("locked {} t2 done {} value {}", py(sem.locked()), py(t2.done()), sem.value());
}

static aio::Coro<void> c1(aio::Semaphore& sem, aio::Task<void>& t2) {
    {
        auto guard = co_await sem.scoped();
        out("c1 in");
        co_await yield();
    }
    out("c1 out; cancelling c2");
    t2.cancel();
}

static aio::Coro<void> c2(aio::Semaphore& sem) {
    auto guard = co_await sem.scoped();
    out("c2 must not get here");
}

static aio::Coro<void> release_between() {
    aio::Semaphore sem(1);
    aio::Task<void> t2;
    auto t1 = aio::create_task(c1(sem, t2));
    t2 = aio::create_task(c2(sem));
    auto res = co_await aio::gather_outcomes(t1, t2);
    auto& [r1, r2] = res;
    out("results {} {} value {} locked {}", r1.has_value() ? "NoneType" : type(r1.error()),
        r2.has_value() ? "NoneType" : type(r2.error()), sem.value(), py(sem.locked()));
    co_await sem.acquire();
    out("acquired after all, value {}", sem.value());
}

static aio::Coro<void> amain() {
    co_await before_awoken();
    co_await after_awoken();
    co_await release_between();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
