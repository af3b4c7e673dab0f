// aio::wait_for: CPython 3.12's test_waitfor.py, in C++. Timeouts that must fire are tiny
// against 100 s sleeps; orders are forced with futures and yields.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

using namespace std::chrono_literals;

namespace {

using Log = std::vector<std::string>;

aio::Coro<int> sleepy(Log& log, std::string name, aio::Duration d, int v) {
    try {
        co_await aio::sleep(d);
    } catch (const aio::CancelledError&) {
        log.push_back(name + " cancelled");
        throw;
    }
    co_return v;
}

}  // namespace

TEST_CASE("wait_for returns the result in time, running a coroutine in the calling task") {
    auto main = []() -> aio::Coro<void> {
        auto me = aio::current_task();
        int v = co_await aio::wait_for(
            [](aio::AnyTask me) -> aio::Coro<int> {
                CHECK(aio::current_task() == me);
                co_await aio::sleep(0s);
                co_return 5;
            }(me),
            100s);
        CHECK(v == 5);
        auto p = co_await aio::wait_for(
            []() -> aio::Coro<std::unique_ptr<int>> { co_return std::make_unique<int>(6); }(), std::nullopt);
        CHECK(*p == 6);
    };
    aio::run(main());
}

TEST_CASE("at the deadline wait_for cancels the work, waits for its cleanup, throws TimeoutError") {
    Log log;
    auto main = [&]() -> aio::Coro<void> {
        try {
            co_await aio::wait_for(sleepy(log, "coro", 100s, 1), 1ms);
            FAIL("no TimeoutError");
        } catch (const aio::TimeoutError& e) {
            log.push_back("TimeoutError");
            CHECK(std::string(e.what()).empty());
        }
        auto t = aio::create_task(sleepy(log, "task", 100s, 2));
        CHECK_THROWS_AS(co_await aio::wait_for(t, 1ms), aio::TimeoutError);
        CHECK(t.cancelled());
        aio::Future<int> f(aio::get_running_loop());
        CHECK_THROWS_AS(co_await aio::wait_for(f, 1ms), aio::TimeoutError);
        CHECK(f.cancelled());
        CHECK(aio::current_task().cancelling() == 0);
    };
    aio::run(main());
    CHECK(log == Log{"coro cancelled", "TimeoutError", "task cancelled"});
}

TEST_CASE("wait_for with a zero or negative timeout") {
    auto main = []() -> aio::Coro<void> {
        bool started = false;
        auto body = [&]() -> aio::Coro<int> {
            started = true;
            co_return 1;
        };
        CHECK_THROWS_AS(co_await aio::wait_for(body(), 0s), aio::TimeoutError);
        CHECK_THROWS_AS(co_await aio::wait_for(body(), -1s), aio::TimeoutError);
        CHECK_FALSE(started);

        aio::Future<std::string> done(aio::get_running_loop());
        done.set_result("done");
        CHECK(co_await aio::wait_for(done, 0s) == "done");

        Log log;
        auto t = aio::create_task(sleepy(log, "t", 100s, 3));
        co_await aio::sleep(0s);
        try {
            co_await aio::wait_for(t, 0s);
            FAIL("no TimeoutError");
        } catch (const aio::TimeoutError& e) {
            std::string cause;
            try {
                std::rethrow_if_nested(e);
            } catch (...) {
                cause = aio::exception_type_name(std::current_exception());
            }
            CHECK(cause == "CancelledError");
        }
        CHECK(t.cancelled());
        CHECK(log == Log{"t cancelled"});
    };
    aio::run(main());
}

TEST_CASE("work that swallows the cancellation gives its value; an exception in its cleanup wins") {
    auto main = []() -> aio::Coro<void> {
        int v = co_await aio::wait_for(
            []() -> aio::Coro<int> {
                try {
                    co_await aio::sleep(100s);
                } catch (const aio::CancelledError&) {
                    co_return 42;
                }
                co_return 0;
            }(),
            1ms);
        CHECK(v == 42);
        auto failing_cleanup = []() -> aio::Coro<void> {
            try {
                co_await aio::sleep(100s);
            } catch (...) {}
            throw aio::ValueError("cleanup");
        };
        CHECK_THROWS_WITH_AS(co_await aio::wait_for(aio::create_task(failing_cleanup()), 1ms), "cleanup",
                             aio::ValueError);
    };
    aio::run(main());
}

TEST_CASE("cancelling the waiting task cancels the awaited task, with or without timeout") {
    for (std::optional<aio::Duration> timeout : {std::optional<aio::Duration>(), std::optional<aio::Duration>(100s)}) {
        Log log;
        auto main = [&]() -> aio::Coro<void> {
            auto inner = aio::create_task(sleepy(log, "inner", 100s, 1));
            auto waiter = aio::create_task(aio::wait_for(inner, timeout));
            co_await aio::sleep(0s);
            waiter.cancel();
            CHECK_THROWS_AS(co_await waiter, aio::CancelledError);
            CHECK(inner.cancelled());
        };
        aio::run(main());
        CHECK(log == Log{"inner cancelled"});
    }
}

// asyncio's cond.wait(), lock.acquire(), queue.get() and event.wait() are coroutines, so
// wait_for(cond.wait(), t) is ordinary asyncio code; aio's are awaitables, which wait_for runs
// as the coroutine awaiting them, in the calling task.
TEST_CASE("wait_for accepts the sync primitives' awaitables: Condition, Lock, Queue, Event") {
    auto main = []() -> aio::Coro<void> {
        auto& loop = aio::get_running_loop();
        aio::Condition cond;
        co_await cond.acquire();
        auto t0 = loop.time();
        CHECK_THROWS_AS(co_await aio::wait_for(cond.wait(), 50ms), aio::TimeoutError);
        CHECK(loop.time() - t0 >= 50ms);
        CHECK(cond.locked());  // wait() re-acquired the lock before the timeout raised
        CHECK(cond.waiters() == 0);
        CHECK(aio::current_task().cancelling() == 0);
        loop.call_later(10ms, [&] {
            aio::create_task([](aio::Condition& c) -> aio::Coro<void> {
                co_await c.acquire();
                c.notify();
                c.release();
            }(cond));
        });
        bool woken = co_await aio::wait_for(cond.wait(), 1s);
        CHECK(woken);
        CHECK(cond.locked());
        cond.release();

        aio::Lock lock;
        co_await lock.acquire();
        CHECK_THROWS_AS(co_await aio::wait_for(lock.acquire(), 10ms), aio::TimeoutError);
        CHECK(lock.waiters() == 0);  // the cancelled acquire left the queue
        loop.call_later(10ms, [&] { lock.release(); });
        CHECK(co_await aio::wait_for(lock.acquire(), 1s));
        CHECK(lock.locked());
        lock.release();

        aio::Queue<std::string> q;
        CHECK_THROWS_AS(co_await aio::wait_for(q.get(), 10ms), aio::TimeoutError);
        CHECK(q.getters() == 0);
        loop.call_later(10ms, [&] { q.put_nowait("item"); });
        CHECK(co_await aio::wait_for(q.get(), 1s) == "item");
        co_await aio::wait_for(q.put("again"), std::nullopt);
        CHECK(q.qsize() == 1);

        aio::Event ev;
        CHECK_THROWS_AS(co_await aio::wait_for(ev.wait(), 10ms), aio::TimeoutError);
        CHECK(ev.waiters() == 0);
        loop.call_later(10ms, [&] { ev.set(); });
        CHECK(co_await aio::wait_for(ev.wait(), 1s));

        // A timeout <= 0 wraps the awaitable in a task that never starts (asyncio's coroutine),
        // even when the event is set.
        CHECK_THROWS_AS(co_await aio::wait_for(ev.wait(), 0s), aio::TimeoutError);
        CHECK(ev.waiters() == 0);
    };
    aio::run(main());
}

TEST_CASE("gather, shield, as_completed and ensure_future accept the primitives' awaitables") {
    auto main = []() -> aio::Coro<void> {
        auto& loop = aio::get_running_loop();
        aio::Queue<int> q;
        aio::Event ev;
        loop.call_later(10ms, [&] {
            q.put_nowait(7);
            ev.set();
        });
        auto [item, set] = co_await aio::gather(q.get(), ev.wait());
        CHECK(item == 7);
        CHECK(set);

        // ensure_future: a task awaiting the awaitable, named as any other.
        aio::Lock lock;
        co_await lock.acquire();
        auto t = aio::ensure_future(lock.acquire());
        static_assert(std::is_same_v<decltype(t), aio::Task<bool>>);
        co_await aio::sleep(0s);
        CHECK(!t.done());
        CHECK(lock.waiters() == 1);
        lock.release();
        CHECK(co_await t);
        CHECK(lock.locked());
        lock.release();

        // shield: cancelling the outer future leaves the task awaiting the queue running.
        auto outer = aio::shield(q.get());
        outer.cancel();
        CHECK(outer.cancelled());
        co_await aio::sleep(0s);
        CHECK(q.getters() == 1);
        q.put_nowait(8);
        co_await aio::sleep(0s);
        co_await aio::sleep(0s);
        CHECK(q.empty());  // the shielded get() took it

        // as_completed over awaitables: completion order.
        aio::Event e1;
        aio::Event e2;
        std::vector<aio::Event::WaitAwaiter> waits;
        waits.push_back(e1.wait());
        waits.push_back(e2.wait());
        loop.call_later(10ms, [&] { e2.set(); });
        loop.call_later(20ms, [&] { e1.set(); });
        auto t0 = loop.time();
        for (auto next : aio::as_completed(std::move(waits), 1s)) CHECK(co_await next);
        CHECK(loop.time() - t0 >= 20ms);  // the later of the two events
    };
    aio::run(main());
}
