// aio::sleep and aio::sleep_until: asyncio.sleep (sleep(0) yields exactly one pass).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <string>
#include <vector>

#include "support.hpp"

// The loop's internals these tests look at (not part of EventLoop's public interface).
using Access = aio::detail::EventLoopAccess;

using namespace std::chrono_literals;

namespace {

using Log = std::vector<std::string>;

aio::Coro<void> stepper(Log& log, std::string who, int steps, aio::Duration each) {
    for (int i = 0; i < steps; ++i) {
        log.push_back(who + std::to_string(i));
        co_await aio::sleep(each);
    }
}

}  // namespace

TEST_SUITE("sleep") {
    TEST_CASE("sleep(0s) yields exactly once: two tasks interleave step by step") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            co_await aio::gather(stepper(log, "a", 3, 0s), stepper(log, "b", 3, 0s));
        };
        aio::run(main(log));
        // CPython 3.12: ['a0', 'b0', 'a1', 'b1', 'a2', 'b2']
        CHECK(log == Log{"a0", "b0", "a1", "b1", "a2", "b2"});
    }

    TEST_CASE("a negative sleep yields once, like sleep(0s)") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            co_await aio::gather(stepper(log, "a", 2, -5ms), stepper(log, "b", 2, 0s));
        };
        aio::run(main(log));
        CHECK(log == Log{"a0", "b0", "a1", "b1"});
    }

    TEST_CASE("sleep(0s) lets a callback scheduled before it run first") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            aio::get_running_loop().call_soon([&log] { log.push_back("callback"); });
            co_await aio::sleep(0s);
            log.push_back("after sleep");
        };
        aio::run(main(log));
        CHECK(log == Log{"callback", "after sleep"});
    }

    TEST_CASE("a sleep ends no earlier than its deadline on the loop's clock") {
        auto main = []() -> aio::Coro<bool> {
            auto& loop = aio::get_running_loop();
            const aio::TimePoint before = loop.time();
            co_await aio::sleep(3ms);
            co_return loop.time() >= before + 3ms;
        };
        CHECK(aio::run(main()));
    }

    TEST_CASE("sleepers wake in deadline order") {
        Log log;
        auto sleeper = [](Log& log, aio::TimePoint when, std::string who) -> aio::Coro<void> {
            co_await aio::sleep_until(when);
            log.push_back(who);
        };
        auto main = [](Log& log, auto sleeper) -> aio::Coro<void> {
            // One base time for every deadline, so the order is set by the deadlines alone.
            const aio::TimePoint t0 = aio::get_running_loop().time();
            co_await aio::gather(sleeper(log, t0 + 20ms, "20ms"), sleeper(log, t0 + 10ms, "10ms"),
                                 sleeper(log, t0 + 15ms, "15ms"), sleeper(log, t0 + 5ms, "5ms"));
        };
        aio::run(main(log, sleeper));
        CHECK(log == Log{"5ms", "10ms", "15ms", "20ms"});
    }

    TEST_CASE("a longer sleep started later wakes later") {
        Log log;
        auto sleeper = [](Log& log, aio::Duration d, std::string who) -> aio::Coro<void> {
            co_await aio::sleep(d);
            log.push_back(who);
        };
        auto main = [](Log& log, auto sleeper) -> aio::Coro<void> {
            auto first = aio::create_task(sleeper(log, 1ms, "short"));
            co_await aio::sleep(0s);  // the short sleep has started
            co_await sleeper(log, 5ms, "long");
            co_await first;
        };
        aio::run(main(log, sleeper));
        CHECK(log == Log{"short", "long"});
    }

    TEST_CASE("sleep_until a time already passed yields once") {
        Log log;
        auto late = [](Log& log) -> aio::Coro<void> {
            log.push_back("late0");
            co_await aio::sleep_until(aio::get_running_loop().time() - 1s);
            log.push_back("late1");
        };
        auto main = [](Log& log, auto late) -> aio::Coro<void> {
            co_await aio::gather(late(log), stepper(log, "b", 2, 0s));
        };
        aio::run(main(log, late));
        CHECK(log == Log{"late0", "b0", "late1", "b1"});
    }

    TEST_CASE("other tasks run while a task sleeps") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            auto slow = aio::create_task(stepper(log, "slow", 2, 1h));
            co_await stepper(log, "fast", 3, 0s);
            CHECK_FALSE(slow.done());
            slow.cancel();
        };
        aio::run(main(log));
        // The awaited coroutine starts at once, inside main's step; the task on the next pass.
        CHECK(log == Log{"fast0", "slow0", "fast1", "fast2"});
    }

    TEST_CASE("cancelling a sleeping task raises CancelledError at the sleep and removes its timer") {
        Log log;
        auto sleeper = [](Log& log) -> aio::Coro<void> {
            try {
                co_await aio::sleep(1h);
                log.push_back("woke");
            } catch (const aio::CancelledError& e) {
                log.push_back("cancelled at sleep: " + e.message());
                throw;
            }
        };
        auto main = [](Log& log, auto sleeper) -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            auto t = aio::create_task(sleeper(log));
            co_await aio::sleep(0s);
            CHECK(Access::timer_count(loop) == 1);
            t.cancel("wake up");
            CHECK(Access::timer_count(loop) == 0);  // at once, not when the hour is over
            CHECK_THROWS_AS(co_await t, aio::CancelledError);
        };
        aio::run(main(log, sleeper));
        CHECK(log == Log{"cancelled at sleep: wake up"});
    }

    TEST_CASE("a task cancelled while its sleep(0s) is pending raises CancelledError at the sleep") {
        Log log;
        auto yielder = [](Log& log) -> aio::Coro<void> {
            try {
                log.push_back("before");
                co_await aio::sleep(0s);
                log.push_back("after");
            } catch (const aio::CancelledError&) {
                log.push_back("cancelled at sleep(0)");
                throw;
            }
        };
        auto main = [](Log& log, auto yielder) -> aio::Coro<void> {
            auto t = aio::create_task(yielder(log));
            co_await aio::sleep(0s);  // t ran up to its sleep(0s)
            t.cancel();
            CHECK_THROWS_AS(co_await t, aio::CancelledError);
        };
        aio::run(main(log, yielder));
        CHECK(log == Log{"before", "cancelled at sleep(0)"});
    }

    TEST_CASE("awaiting a sleep outside a task raises RuntimeError") {
        aio::EventLoop loop;
        std::string error;
        loop.call_soon([&] {
            auto op = aio::sleep(1ms).operator co_await();  // what co_await would run
            try {
                op.await_suspend(std::noop_coroutine());
            } catch (const aio::RuntimeError& e) {
                error = e.what();
            }
            loop.stop();
        });
        loop.run_forever();
        CHECK(aio_test::contains(error, "aio::sleep() must be awaited inside an aio task"));
    }

}  // TEST_SUITE("sleep")
