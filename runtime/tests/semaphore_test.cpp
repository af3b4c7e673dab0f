// aio::Semaphore and aio::BoundedSemaphore, following CPython 3.12's test_locks.SemaphoreTests.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sync_helpers.hpp"

using sync_test::yield;

namespace {

aio::Coro<bool> acquire(aio::Semaphore& sem) { co_return co_await sem.acquire(); }

aio::Coro<void> take(aio::Semaphore& sem, std::vector<int>& result, int n) {
    co_await sem.acquire();
    result.push_back(n);
}

}  // namespace

TEST_CASE("Semaphore: a negative initial value raises ValueError") {
    CHECK_THROWS_WITH_AS(aio::Semaphore(-1), "Semaphore initial value must be >= 0", aio::ValueError);
    CHECK_THROWS_WITH_AS(aio::BoundedSemaphore(-1), "Semaphore initial value must be >= 0", aio::ValueError);
    aio::Semaphore zero(0);
    CHECK(zero.locked());
    CHECK(zero.value() == 0);
}

TEST_CASE("Semaphore: acquire counts down, blocks at zero, and release hands units out in FIFO order") {
    aio::run([]() -> aio::Coro<void> {
        aio::Semaphore sem(3);
        CHECK(sem.value() == 3);
        CHECK(co_await sem.acquire());
        CHECK(co_await sem.acquire());
        CHECK_FALSE(sem.locked());
        std::vector<int> result;
        auto t1 = aio::create_task(take(sem, result, 1));
        auto t2 = aio::create_task(take(sem, result, 2));
        auto t3 = aio::create_task(take(sem, result, 3));
        auto t4 = aio::create_task(take(sem, result, 4));
        co_await yield();
        CHECK(result == std::vector<int>{1});
        CHECK(sem.locked());
        CHECK(sem.value() == 0);
        CHECK(sem.waiters() == 3);
        sem.release();
        sem.release();
        CHECK(sem.value() == 0);  // both units handed to woken waiters already
        co_await yield();
        CHECK(result == std::vector<int>{1, 2, 3});
        sem.release();
        co_await yield();
        CHECK(result == std::vector<int>{1, 2, 3, 4});
        co_await aio::gather(t1, t2, t3, t4);
        for (int i = 0; i < 6; ++i) sem.release();
        CHECK(sem.value() == 6);  // a plain Semaphore has no bound
    }());
}

TEST_CASE("Semaphore: waiters cancelled before their wake-up do not swallow a release") {
    // CPython's test_acquire_cancel_before_awoken.
    aio::run([]() -> aio::Coro<void> {
        aio::Semaphore sem(0);
        auto t1 = aio::create_task(acquire(sem));
        auto t2 = aio::create_task(acquire(sem));
        auto t3 = aio::create_task(acquire(sem));
        auto t4 = aio::create_task(acquire(sem));
        co_await yield();
        t1.cancel();
        t2.cancel();
        sem.release();
        co_await yield();
        co_await yield();
        CHECK(t1.cancelled());
        CHECK(t2.cancelled());
        CHECK(t3.done());
        CHECK_FALSE(t4.done());
        t4.cancel();
        co_await yield();
        CHECK(t4.cancelled());
        CHECK(sem.value() == 0);
    }());
}

TEST_CASE("Semaphore: a waiter woken then cancelled before it runs gives its unit to the next") {
    // CPython's test_acquire_hang.
    aio::run([]() -> aio::Coro<void> {
        aio::Semaphore sem(0);
        auto t1 = aio::create_task(acquire(sem));
        auto t2 = aio::create_task(acquire(sem));
        co_await yield();
        sem.release();  // t1 woken, the unit is reserved for it
        CHECK(sem.value() == 0);
        t1.cancel();
        co_await yield();
        co_await yield();
        CHECK(t1.cancelled());
        CHECK(t2.done());
        CHECK(sem.locked());
        CHECK(sem.value() == 0);
    }());
}

TEST_CASE("Semaphore: a newcomer does not overtake a queued waiter (3.12 fairness)") {
    aio::run([]() -> aio::Coro<void> {
        aio::Semaphore sem(0);
        std::vector<int> result;
        auto t1 = aio::create_task(take(sem, result, 1));
        co_await yield();
        sem.release();  // value goes to t1, which has not run yet
        auto t2 = aio::create_task(take(sem, result, 2));
        sem.release();  // a second unit, while t1's wake-up is pending
        co_await yield();
        co_await yield();
        CHECK(result == std::vector<int>{1, 2});
        CHECK(sem.value() == 0);
        co_await aio::gather(t1, t2);
    }());
}

TEST_CASE("Semaphore: scoped() releases its unit, also when the body throws") {
    aio::run([]() -> aio::Coro<void> {
        aio::Semaphore sem(1);
        try {
            auto guard = co_await sem.scoped();
            CHECK(sem.locked());
            throw std::runtime_error("boom");
        } catch (const std::runtime_error&) {}
        CHECK(sem.value() == 1);
        {
            auto g1 = co_await sem.scoped();
            auto g2 = std::move(g1);
            CHECK_FALSE(g1.owns_lock());
            CHECK(g2.owns_lock());
        }
        CHECK(sem.value() == 1);
    }());
}

TEST_CASE("BoundedSemaphore: release above the initial value raises ValueError") {
    aio::BoundedSemaphore sem(2);
    CHECK_THROWS_WITH_AS(sem.release(), "BoundedSemaphore released too many times", aio::ValueError);
    CHECK(sem.value() == 2);
    aio::run([](aio::BoundedSemaphore& sem) -> aio::Coro<void> {
        co_await sem.acquire();
        sem.release();
        CHECK_THROWS_WITH_AS(sem.release(), "BoundedSemaphore released too many times", aio::ValueError);
        // Through the base class too: release() is virtual, as in Python.
        aio::Semaphore& base = sem;
        CHECK_THROWS_AS(base.release(), aio::ValueError);
    }(sem));
}

TEST_CASE("BoundedSemaphore: a guard's failing release is reported, not thrown") {
    std::vector<std::string> reports;
    aio::run([](std::vector<std::string>& reports) -> aio::Coro<void> {
        aio::get_running_loop().set_exception_handler([&](aio::EventLoop&, const aio::ExceptionContext& ctx) {
            reports.push_back(aio::describe(ctx.exception));
        });
        aio::BoundedSemaphore sem(1);
        {
            auto guard = co_await sem.scoped();
            sem.release();  // behind the guard's back: the guard's release overflows
        }
        CHECK(sem.value() == 1);
    }(reports));
    CHECK(reports == std::vector<std::string>{"ValueError: BoundedSemaphore released too many times"});
}

namespace {
struct Slots {
    aio::BoundedSemaphore sem{3};
    int holders = 0;
    int max_holders = 0;
};

aio::Coro<void> user(Slots& s, sync_test::SplitMix rng) {
    for (int round = 0; round < 15; ++round) {
        try {
            auto guard = co_await s.sem.scoped();
            ++s.holders;
            s.max_holders = std::max(s.max_holders, s.holders);
            try {
                co_await yield(static_cast<int>(rng.below(3)));
            } catch (const aio::CancelledError&) {
                --s.holders;
                throw;
            }
            --s.holders;
        } catch (const aio::CancelledError&) {}
    }
}

aio::Coro<void> interrupt(std::vector<aio::Task<void>>& tasks, sync_test::SplitMix rng) {
    for (;;) {
        co_await yield(1 + static_cast<int>(rng.below(3)));  // every task has started by then
        tasks[rng.below(tasks.size())].cancel();
    }
}
}  // namespace

TEST_CASE("Semaphore: at most `value` holders and every unit returned, under shuffled orders and cancellations") {
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        CAPTURE(seed);
        Slots s;
        aio::run(
            [](Slots& s, std::uint64_t seed) -> aio::Coro<void> {
                sync_test::SplitMix rng{seed};
                std::vector<aio::Task<void>> tasks;
                for (int i = 0; i < 7; ++i) tasks.push_back(aio::create_task(user(s, sync_test::SplitMix{rng.next()})));
                auto c = aio::create_task(interrupt(tasks, sync_test::SplitMix{rng.next()}));
                co_await aio::gather_outcomes(tasks);
                c.cancel();
                co_await aio::gather_outcomes(c);
            }(s, seed),
            sync_test::shuffled(seed));
        CHECK(s.max_holders <= 3);
        CHECK(s.max_holders >= 1);
        CHECK(s.holders == 0);
        CHECK(s.sem.value() == 3);
        CHECK(s.sem.waiters() == 0);
    }
}
