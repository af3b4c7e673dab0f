// aio::wait_for: CPython 3.12's test_waitfor.py, in C++. Timeouts that must fire are tiny
// against 100 s sleeps; orders are forced with futures and yields.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <memory>
#include <string>
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
