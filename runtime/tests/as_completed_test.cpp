// aio::as_completed: results in completion order, TimeoutError at the deadline.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <string>
#include <vector>
#include "close_while_pending.hpp"

using namespace std::chrono_literals;

namespace {
aio::Coro<int> completed_after(aio::Future<void> go, int v, bool fail = false) {
    co_await go;
    if (fail) throw aio::ValueError("failed " + std::to_string(v));
    co_return v;
}
}  // namespace

TEST_CASE("as_completed yields results in completion order; an exception is thrown by its await") {
    auto main = []() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        aio::Future<void> g1(loop), g2(loop), g3(loop);
        std::vector tasks{aio::create_task(completed_after(g1, 1)), aio::create_task(completed_after(g2, 2, true)),
                          aio::create_task(completed_after(g3, 3))};
        auto driver =
            aio::create_task([](aio::Future<void> a, aio::Future<void> b, aio::Future<void> c) -> aio::Coro<void> {
                for (auto* g : {&c, &b, &a}) {
                    g->set_result();
                    for (int i = 0; i < 3; ++i) co_await aio::sleep(0s);
                }
            }(g1, g2, g3));
        std::vector<std::string> got;
        auto range = aio::as_completed(tasks);
        CHECK(range.size() == 3);
        for (auto next : range) {
            try {
                got.push_back(std::to_string(co_await next));
            } catch (const aio::ValueError& e) {
                got.push_back(e.what());
            }
        }
        CHECK(got == std::vector<std::string>{"3", "failed 2", "1"});
        co_await driver;
    };
    aio::run(main());
}

TEST_CASE("as_completed: at the timeout the remaining awaits throw TimeoutError, nothing is cancelled") {
    auto main = []() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        aio::Future<void> now(loop), never(loop);
        now.set_result();
        std::vector tasks{aio::create_task(completed_after(never, 1)), aio::create_task(completed_after(now, 2)),
                          aio::create_task(completed_after(never, 3))};
        int values = 0, timeouts = 0;
        for (auto next : aio::as_completed(tasks, 1ms)) {
            try {
                int v = co_await next;  // (outside CHECK: CHECK would catch the TimeoutError)
                CHECK(v == 2);
                ++values;
            } catch (const aio::TimeoutError& e) {
                CHECK(std::string(e.what()).empty());
                ++timeouts;
            }
        }
        CHECK(values == 1);
        CHECK(timeouts == 2);
        CHECK_FALSE(tasks[0].cancelled());
        CHECK_FALSE(tasks[2].cancelled());
        never.set_result();
        co_await aio::gather(tasks);
    };
    aio::run(main());
}

TEST_CASE("as_completed wraps coroutines in tasks, drops duplicate tasks, and serves concurrent awaiters") {
    auto main = []() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        aio::Future<void> go(loop);
        std::vector<aio::Coro<int>> coros;
        coros.push_back(completed_after(go, 1));
        coros.push_back(completed_after(go, 2));
        std::vector<aio::Coro<int>> its;
        for (auto c : aio::as_completed(std::move(coros))) its.push_back(std::move(c));
        REQUIRE(its.size() == 2);
        // Two tasks wait concurrently; each gets one result.
        auto w1 = aio::create_task(std::move(its[0]));
        auto w2 = aio::create_task(std::move(its[1]));
        co_await aio::sleep(0s);
        go.set_result();
        auto [a, b] = co_await aio::gather(w1, w2);
        CHECK(a + b == 3);

        auto t = aio::create_task(completed_after(go, 5));
        std::vector dup{t, t};
        CHECK(aio::as_completed(dup).size() == 1);
        co_await t;
    };
    aio::run(main());
}

TEST_CASE("cancelling a task awaiting an as_completed coroutine leaves the result for the next one") {
    auto main = []() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        aio::Future<void> go(loop);
        std::vector tasks{aio::create_task(completed_after(go, 1))};
        auto range = aio::as_completed(tasks);
        auto it = range.begin();
        auto w = aio::create_task(*it);
        co_await aio::sleep(0s);
        w.cancel();
        CHECK_THROWS_AS(co_await w, aio::CancelledError);
        CHECK_FALSE(tasks[0].cancelled());
        go.set_result();
        CHECK(co_await *it == 1);  // another coroutine of the range takes the result
    };
    aio::run(main());
}

TEST_CASE("closing the loop during as_completed frees everything") {
    close_while_pending([]() -> aio::Coro<void> {
        aio::Future<void> never(aio::get_running_loop());
        std::vector<aio::Coro<int>> coros;
        coros.push_back(completed_after(never, 1));
        coros.push_back(completed_after(never, 2));
        for (auto next : aio::as_completed(std::move(coros), 100s)) co_await next;
    }());
}
