// aio::Barrier, following CPython 3.12's test_locks.BarrierTests.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "sync_helpers.hpp"

using sync_test::yield;

namespace {

aio::Coro<std::size_t> pass(aio::Barrier& b) { co_return co_await b.wait(); }

aio::Coro<std::string> pass_or_error(aio::Barrier& b) {
    try {
        std::size_t i = co_await b.wait();
        co_return std::to_string(i);
    } catch (const aio::BrokenBarrierError& e) {
        co_return std::string("broken: ") + e.what();
    }
}

}  // namespace

TEST_CASE("Barrier: parties must be positive") {
    CHECK_THROWS_WITH_AS(aio::Barrier(0), "parties must be > 0", aio::ValueError);
    CHECK_THROWS_WITH_AS(aio::Barrier(-3), "parties must be > 0", aio::ValueError);
    aio::Barrier b(4);
    CHECK(b.parties() == 4);
    CHECK(b.n_waiting() == 0);
    CHECK_FALSE(b.broken());
    CHECK(b.state() == aio::Barrier::State::filling);
}

TEST_CASE("Barrier: the last arrival releases everyone, each with a distinct index") {
    aio::run([]() -> aio::Coro<void> {
        aio::Barrier b(3);
        auto t1 = aio::create_task(pass(b));
        auto t2 = aio::create_task(pass(b));
        co_await yield();
        CHECK(b.n_waiting() == 2);
        auto t3 = aio::create_task(pass(b));
        auto [i1, i2, i3] = co_await aio::gather(t1, t2, t3);
        std::vector<std::size_t> idx{i1, i2, i3};
        std::sort(idx.begin(), idx.end());
        CHECK(idx == std::vector<std::size_t>{0, 1, 2});
        CHECK(i3 == 2);  // the last to arrive does not wait
        CHECK(b.n_waiting() == 0);
        CHECK(b.state() == aio::Barrier::State::filling);
        // and it can be used again
        auto [j1, j2, j3] = co_await aio::gather(pass(b), pass(b), pass(b));
        CHECK(j1 + j2 + j3 == 3);
    }());
}

TEST_CASE("Barrier: a single-party barrier never blocks") {
    aio::run([]() -> aio::Coro<void> {
        aio::Barrier b(1);
        CHECK(co_await b.wait() == 0);
        CHECK(co_await b.wait() == 0);
    }());
}

TEST_CASE("Barrier: abort breaks waiting and later parties with BrokenBarrierError") {
    aio::run([]() -> aio::Coro<void> {
        aio::Barrier b(3);
        auto t1 = aio::create_task(pass_or_error(b));
        auto t2 = aio::create_task(pass_or_error(b));
        co_await yield();
        co_await b.abort();
        CHECK(b.broken());
        CHECK(b.n_waiting() == 0);
        CHECK(co_await t1 == "broken: Abort or reset of barrier");
        CHECK(co_await t2 == "broken: Abort or reset of barrier");
        CHECK(co_await pass_or_error(b) == "broken: Barrier aborted");
        co_await b.reset();
        CHECK_FALSE(b.broken());
        auto [a, c, d] = co_await aio::gather(pass_or_error(b), pass_or_error(b), pass_or_error(b));
        CHECK(a + c + d == "012");  // indexes follow arrival order
    }());
}

TEST_CASE("Barrier: reset breaks the current waiters, which can then meet again") {
    aio::run([]() -> aio::Coro<void> {
        aio::Barrier b(2);
        auto t1 = aio::create_task(pass_or_error(b));
        co_await yield();
        co_await b.reset();
        CHECK(b.state() == aio::Barrier::State::resetting);
        CHECK(co_await t1 == "broken: Abort or reset of barrier");
        CHECK(b.state() == aio::Barrier::State::filling);  // the last one out refilled it
        auto [x, y] = co_await aio::gather(pass(b), pass(b));
        CHECK(x + y == 1);
    }());
}

TEST_CASE("Barrier: a cancelled party is no longer counted and the barrier is not broken") {
    aio::run([]() -> aio::Coro<void> {
        aio::Barrier b(3);
        auto t1 = aio::create_task(pass(b));
        auto t2 = aio::create_task(pass(b));
        co_await yield();
        CHECK(b.n_waiting() == 2);
        t1.cancel();
        co_await yield();
        CHECK(t1.cancelled());
        CHECK(b.n_waiting() == 1);
        CHECK_FALSE(b.broken());
        auto t3 = aio::create_task(pass(b));
        auto t4 = aio::create_task(pass(b));
        co_await aio::gather(t2, t3, t4);
        CHECK(b.n_waiting() == 0);
    }());
}

TEST_CASE("Barrier: a party released but cancelled before it runs raises, and the barrier drains") {
    aio::run([]() -> aio::Coro<void> {
        aio::Barrier b(3);
        auto t1 = aio::create_task(pass(b));
        auto t2 = aio::create_task(pass(b));
        co_await yield();
        auto t3 = aio::create_task(pass(b));
        co_await yield();  // t3 trips it: t1 and t2 are notified
        CHECK(b.state() == aio::Barrier::State::draining);
        t1.cancel();
        CHECK(co_await sync_test::outcome(t1) == "CancelledError: ");
        CHECK(co_await t3 == 2);
        co_await t2;
        CHECK(b.state() == aio::Barrier::State::filling);
        CHECK(b.n_waiting() == 0);
    }());
}

namespace {
struct Rounds {
    aio::Barrier b{4};
    std::vector<int> arrived = std::vector<int>(5, 0);  // per round
    std::vector<std::vector<std::size_t>> indexes = std::vector<std::vector<std::size_t>>(5);
    int early = 0;  // a party passed before every party of its round had arrived
};

aio::Coro<void> party(Rounds& r, sync_test::SplitMix rng) {
    for (int round = 0; round < 5; ++round) {
        co_await yield(static_cast<int>(rng.below(3)));
        ++r.arrived[round];
        std::size_t i = co_await r.b.wait();
        if (r.arrived[round] != 4) ++r.early;
        r.indexes[round].push_back(i);
    }
}
}  // namespace

TEST_CASE("Barrier: every cycle lets its parties through together with indexes 0..n-1, under shuffled orders") {
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        CAPTURE(seed);
        Rounds r;
        aio::run(
            [](Rounds& r, std::uint64_t seed) -> aio::Coro<void> {
                sync_test::SplitMix rng{seed};
                std::vector<aio::Task<void>> ts;
                for (int i = 0; i < 4; ++i) ts.push_back(aio::create_task(party(r, sync_test::SplitMix{rng.next()})));
                co_await aio::gather(ts);
            }(r, seed),
            sync_test::shuffled(seed));
        CHECK(r.early == 0);
        for (auto& idx : r.indexes) {
            std::sort(idx.begin(), idx.end());
            CHECK(idx == std::vector<std::size_t>{0, 1, 2, 3});
        }
        CHECK(r.b.n_waiting() == 0);
        CHECK(r.b.state() == aio::Barrier::State::filling);
    }
}
