// aio::Lock, following CPython 3.12's test_locks.LockTests.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sync_helpers.hpp"

using sync_test::yield;

namespace {

// Not `if (co_await ...)`: GCC 12 miscompiles a co_await in an if/while condition (the
// coroutine's body never runs).
aio::Coro<bool> take(aio::Lock& lock, std::vector<int>& result, int n) {
    bool ok = co_await lock.acquire();
    if (ok) result.push_back(n);
    co_return true;
}

aio::Coro<bool> acquire(aio::Lock& lock) { co_return co_await lock.acquire(); }

aio::Coro<void> hold_then_release(aio::Lock& lock, aio::Future<void> blocker, std::vector<std::string>& log,
                                  std::string name) {
    co_await lock.acquire();
    log.push_back(name + " acquired");
    if (blocker.valid()) co_await blocker;
    lock.release();
}

}  // namespace

TEST_CASE("Lock: acquire waits and release wakes the waiters in FIFO order") {
    aio::run([]() -> aio::Coro<void> {
        aio::Lock lock;
        std::vector<int> result;
        CHECK(co_await lock.acquire());
        auto t1 = aio::create_task(take(lock, result, 1));
        auto t2 = aio::create_task(take(lock, result, 2));
        co_await yield();
        CHECK(result.empty());
        CHECK(lock.waiters() == 2);

        lock.release();
        co_await yield();
        CHECK(result == std::vector<int>{1});
        co_await yield();
        CHECK(result == std::vector<int>{1});

        auto t3 = aio::create_task(take(lock, result, 3));
        lock.release();
        co_await yield();
        CHECK(result == std::vector<int>{1, 2});
        lock.release();
        co_await yield();
        CHECK(result == std::vector<int>{1, 2, 3});
        CHECK((t1.done() && t2.done() && t3.done()));
        CHECK(t3.result());
        lock.release();
    }());
}

TEST_CASE("Lock: release of an unlocked lock raises RuntimeError") {
    aio::Lock lock;
    CHECK_THROWS_WITH_AS(lock.release(), "Lock is not acquired.", aio::RuntimeError);
    aio::run([](aio::Lock& lock) -> aio::Coro<void> {
        co_await lock.acquire();
        CHECK(lock.locked());
        lock.release();
        CHECK_FALSE(lock.locked());
        CHECK_THROWS_WITH_AS(lock.release(), "Lock is not acquired.", aio::RuntimeError);
    }(lock));
}

TEST_CASE("Lock: a waiter cancelled before its wake-up raises CancelledError and leaves the queue") {
    aio::run([]() -> aio::Coro<void> {
        aio::Lock lock;
        co_await lock.acquire();
        auto t = aio::create_task(acquire(lock));
        aio::get_running_loop().call_soon([t]() mutable { t.cancel("stop"); });
        CHECK(co_await sync_test::outcome(t) == "CancelledError: stop");
        CHECK(lock.waiters() == 0);
        CHECK(lock.locked());  // still ours
        lock.release();
    }());
}

TEST_CASE("Lock: release skips a waiter cancelled in the same pass (cancel race)") {
    // A holds the lock, B and C wait. B is cancelled while A releases: the lock goes to C.
    aio::run([]() -> aio::Coro<void> {
        aio::Lock lock;
        std::vector<std::string> log;
        aio::Future<void> fa(aio::get_running_loop());
        auto ta = aio::create_task(hold_then_release(lock, fa, log, "A"));
        co_await yield();
        CHECK(lock.locked());
        auto tb = aio::create_task(hold_then_release(lock, {}, log, "B"));
        co_await yield();
        CHECK(lock.waiters() == 1);
        auto tc = aio::create_task(hold_then_release(lock, {}, log, "C"));
        co_await yield();
        CHECK(lock.waiters() == 2);

        fa.set_result();
        tb.cancel();
        co_await yield();
        CHECK_FALSE(lock.locked());
        CHECK(ta.done());
        CHECK(sync_test::was_cancelled(tb));
        co_await tc;
        CHECK(log == std::vector<std::string>{"A acquired", "C acquired"});
    }());
}

namespace {
aio::Coro<void> count_lock(aio::Lock& lock, int& calls, int& taken) {
    ++calls;
    co_await lock.acquire();
    ++taken;
}
}  // namespace

TEST_CASE("Lock: cancelling the first waiter and releasing at once hands the lock to one task only") {
    // bpo-32734: four acquirers, the second one cancelled as the first releases.
    aio::run([]() -> aio::Coro<void> {
        aio::Lock lock;
        int calls = 0, taken = 0;
        co_await lock.acquire();
        auto t1 = aio::create_task(count_lock(lock, calls, taken));
        auto t2 = aio::create_task(count_lock(lock, calls, taken));
        auto t3 = aio::create_task(count_lock(lock, calls, taken));
        co_await yield();
        aio::get_running_loop().call_soon([&] {
            t1.cancel();
            lock.release();
        });
        CHECK(co_await sync_test::outcome(t1) == "CancelledError: ");
        CHECK(taken == 1);
        CHECK(calls == 3);
        CHECK((t1.cancelled() && t2.done()));
        t3.cancel();
        co_await yield();
        CHECK(t3.cancelled());
    }());
}

TEST_CASE("Lock: a cancelled first waiter does not keep a newcomer from the released lock") {
    // CPython's test_finished_waiter_cancelled.
    aio::run([]() -> aio::Coro<void> {
        aio::Lock lock;
        co_await lock.acquire();
        auto tb = aio::create_task(acquire(lock));
        co_await yield();
        CHECK(lock.waiters() == 1);
        auto tc = aio::create_task(acquire(lock));
        tb.cancel();
        lock.release();
        co_await yield();
        CHECK(lock.locked());  // tc took it: only a cancelled waiter was queued
        CHECK(tb.cancelled());
        CHECK(co_await tc);
        lock.release();
    }());
}

TEST_CASE("Lock: a waiter woken then cancelled before it runs passes the wake-up on") {
    aio::run([]() -> aio::Coro<void> {
        aio::Lock lock;
        co_await lock.acquire();
        auto tb = aio::create_task(acquire(lock));
        co_await yield();
        auto tc = aio::create_task(acquire(lock));
        lock.release();  // wakes tb (its waiter is done, not cancelled)...
        tb.cancel();     // ...and tb is cancelled before it runs
        co_await yield();
        // tc queued behind tb's woken waiter; tb, cancelled, handed the wake-up to tc.
        CHECK_FALSE(lock.locked());
        CHECK(tb.cancelled());
        CHECK(lock.waiters() == 1);
        co_await yield();
        CHECK(lock.locked());
        CHECK(tc.done());
        lock.release();
    }());
}

TEST_CASE("Lock: a newcomer queues behind a woken waiter and gets the lock when that waiter is cancelled") {
    aio::run([]() -> aio::Coro<void> {
        aio::Lock lock;
        co_await lock.acquire();
        auto tb = aio::create_task(acquire(lock));
        co_await yield();
        lock.release();           // tb woken
        tb.cancel();              // and cancelled before it runs
        co_await lock.acquire();  // queues: tb's waiter is done, not cancelled; tb hands over
        CHECK(lock.locked());
        CHECK(tb.cancelled());
        CHECK(lock.waiters() == 0);
        lock.release();
    }());
}

TEST_CASE("Lock: scoped() releases in the guard's destructor, and not when acquire is cancelled") {
    aio::run([]() -> aio::Coro<void> {
        aio::Lock lock;
        {
            auto guard = co_await lock.scoped();
            CHECK(guard.owns_lock());
            CHECK(lock.locked());
        }
        CHECK_FALSE(lock.locked());
        {
            auto guard = co_await lock.scoped();
            guard.release();
            CHECK_FALSE(guard.owns_lock());
            CHECK_FALSE(lock.locked());
        }
        CHECK_FALSE(lock.locked());

        co_await lock.acquire();
        auto t = aio::create_task([](aio::Lock& l) -> aio::Coro<void> {
            auto g = co_await l.scoped();
            FAIL("must not get the lock");
        }(lock));
        co_await yield();
        t.cancel();
        co_await yield();
        CHECK(t.cancelled());
        CHECK(lock.locked());  // the cancelled scoped() did not release our hold
        lock.release();
    }());
}

TEST_CASE("Lock: a guard whose release fails reports to the loop's exception handler") {
    std::vector<std::string> reports;
    aio::run([](std::vector<std::string>& reports) -> aio::Coro<void> {
        aio::get_running_loop().set_exception_handler([&](aio::EventLoop&, const aio::ExceptionContext& ctx) {
            reports.push_back(ctx.message + " | " + aio::describe(ctx.exception));
        });
        aio::Lock lock;
        {
            auto guard = co_await lock.scoped();
            lock.release();  // behind the guard's back
        }
        CHECK_FALSE(lock.locked());
    }(reports));
    REQUIRE(reports.size() == 1);
    CHECK(reports[0] == "aio::LockGuard could not release in its destructor | RuntimeError: Lock is not acquired.");
}

TEST_CASE("Lock: the cancellation message reaches the waiter") {
    aio::run([]() -> aio::Coro<void> {
        aio::Lock lock;
        co_await lock.acquire();
        auto t = aio::create_task(acquire(lock));
        co_await yield();
        t.cancel("shutting down");
        CHECK(co_await sync_test::outcome(t) == "CancelledError: shutting down");
        lock.release();
        CHECK_FALSE(lock.locked());
    }());
}

TEST_CASE("Lock: a task cancelled before it blocks in acquire() never queues") {
    aio::run([]() -> aio::Coro<void> {
        aio::Lock lock;
        co_await lock.acquire();
        auto t = aio::create_task(acquire(lock));
        t.cancel();  // before its first step: the body never runs
        CHECK(co_await sync_test::outcome(t) == "CancelledError: ");
        CHECK(lock.waiters() == 0);
        lock.release();
    }());
}

TEST_CASE("Lock: a contended acquire() from another loop raises RuntimeError") {
    aio::Lock lock;
    aio::run([](aio::Lock& lock) -> aio::Coro<void> {
        co_await lock.acquire();
        auto t = aio::create_task(acquire(lock));  // binds the lock to this loop
        co_await yield();
        lock.release();
        co_await t;
        lock.release();
    }(lock));
    aio::run([](aio::Lock& lock) -> aio::Coro<void> {
        co_await lock.acquire();  // fast path: no loop involved, as in asyncio
        bool raised = false;
        try {
            co_await lock.acquire();
        } catch (const aio::RuntimeError& e) {
            raised = std::string(e.what()).find("bound to a different event loop") != std::string::npos;
        }
        CHECK(raised);
        CHECK(lock.waiters() == 0);
        lock.release();
    }(lock));
}

namespace {
struct Mutex {
    aio::Lock lock;
    int holders = 0;
    int max_holders = 0;
    int entries = 0;
};

aio::Coro<void> contender(Mutex& m, sync_test::SplitMix rng) {
    for (int round = 0; round < 20; ++round) {
        try {
            auto guard = co_await m.lock.scoped();
            ++m.holders;
            m.max_holders = std::max(m.max_holders, m.holders);
            ++m.entries;
            try {
                co_await yield(static_cast<int>(rng.below(3)));
            } catch (const aio::CancelledError&) {
                --m.holders;
                throw;
            }
            --m.holders;
        } catch (const aio::CancelledError&) {
            // cancelled while waiting or holding: try again
        }
    }
}

aio::Coro<void> canceller(std::vector<aio::Task<void>>& tasks, sync_test::SplitMix rng) {
    for (int i = 0; i < 60; ++i) {
        co_await yield(1 + static_cast<int>(rng.below(3)));  // every task has started by then
        auto& t = tasks[rng.below(tasks.size())];
        t.cancel();  // the task catches it and goes on
    }
}
}  // namespace

TEST_CASE("Lock: never two holders and nothing leaked, under shuffled orders and random cancellations") {
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        CAPTURE(seed);
        Mutex m;
        aio::run(
            [](Mutex& m, std::uint64_t seed) -> aio::Coro<void> {
                sync_test::SplitMix rng{seed};
                std::vector<aio::Task<void>> tasks;
                for (int i = 0; i < 5; ++i)
                    tasks.push_back(aio::create_task(contender(m, sync_test::SplitMix{rng.next()})));
                auto c = aio::create_task(canceller(tasks, sync_test::SplitMix{rng.next()}));
                co_await aio::gather_outcomes(tasks);
                c.cancel();
                co_await aio::gather_outcomes(c);
            }(m, seed),
            sync_test::shuffled(seed));
        CHECK(m.max_holders == 1);
        CHECK(m.holders == 0);
        CHECK(m.entries > 0);
        CHECK_FALSE(m.lock.locked());
        CHECK(m.lock.waiters() == 0);
    }
}
