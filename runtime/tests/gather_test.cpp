// aio::gather and aio::gather_outcomes: asyncio.gather (return_exceptions False and True).
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <aio/aio.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "support.hpp"

using namespace std::chrono_literals;

namespace {

using Log = std::vector<std::string>;

/// Yields `passes` times, logs, returns n: completion order is set by `passes`, not by time.
aio::Coro<int> after_passes(Log& log, int n, int passes) {
    for (int i = 0; i < passes; ++i) co_await aio::sleep(0s);
    log.push_back("done " + std::to_string(n));
    co_return n;
}

aio::Coro<int> fail_after_passes(Log& log, int passes, std::string what) {
    for (int i = 0; i < passes; ++i) co_await aio::sleep(0s);
    log.push_back("raises " + what);
    throw aio::ValueError(what);
}

aio::Coro<int> cancellable(Log& log, int n) {
    try {
        co_await aio::sleep(1h);
    } catch (const aio::CancelledError& e) {
        log.push_back("cancelled " + std::to_string(n) + (e.message().empty() ? "" : ": " + e.message()));
        throw;
    }
    co_return n;
}

}  // namespace

TEST_SUITE("gather") {
    TEST_CASE("gather returns a tuple of results in argument order whatever the completion order") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            auto [a, b, c, d] = co_await aio::gather(after_passes(log, 0, 3), after_passes(log, 1, 2),
                                                     after_passes(log, 2, 1), after_passes(log, 3, 0));
            log.push_back(fmt::format("[{}, {}, {}, {}]", a, b, c, d));
        };
        aio::run(main(log));
        // CPython 3.12: ['done 3', 'done 2', 'done 1', 'done 0', '[0, 1, 2, 3]']
        CHECK(log == Log{"done 3", "done 2", "done 1", "done 0", "[0, 1, 2, 3]"});
    }

    TEST_CASE("gather accepts tasks and coroutines of different result types") {
        auto text = []() -> aio::Coro<std::string> { co_return "text"; };
        auto nothing = []() -> aio::Coro<void> { co_return; };
        auto main = [](auto text, auto nothing) -> aio::Coro<void> {
            Log log;
            auto t = aio::create_task(after_passes(log, 5, 1));
            auto [s, v, n] = co_await aio::gather(text(), nothing(), t);
            static_assert(std::is_same_v<decltype(v), std::monostate>);
            CHECK(s == "text");
            CHECK(n == 5);
        };
        aio::run(main(text, nothing));
    }

    TEST_CASE("gather moves move-only results out") {
        auto boxed = [](int v) -> aio::Coro<std::unique_ptr<int>> {
            co_await aio::sleep(0s);
            co_return std::make_unique<int>(v);
        };
        auto main = [](auto boxed) -> aio::Coro<int> {
            auto [a, b] = co_await aio::gather(boxed(1), boxed(2));
            co_return *a * 10 + *b;
        };
        CHECK(aio::run(main(boxed)) == 12);
    }

    TEST_CASE("the range form returns a vector in argument order whatever the completion order") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<std::vector<int>> {
            std::vector<aio::Coro<int>> coros;
            for (int i = 0; i < 5; ++i) coros.push_back(after_passes(log, i, 4 - i));
            co_return co_await aio::gather(std::move(coros));
        };
        CHECK(aio::run(main(log)) == std::vector<int>{0, 1, 2, 3, 4});
        CHECK(log == Log{"done 4", "done 3", "done 2", "done 1", "done 0"});
    }

    TEST_CASE("the range form accepts tasks") {
        auto main = []() -> aio::Coro<std::vector<int>> {
            Log log;
            std::vector<aio::Task<int>> tasks;
            for (int i = 0; i < 3; ++i) tasks.push_back(aio::create_task(after_passes(log, i * i, 3 - i)));
            co_return co_await aio::gather(tasks);
        };
        CHECK(aio::run(main()) == std::vector<int>{0, 1, 4});
    }

    TEST_CASE("gather of an empty range completes at once with an empty vector") {
        auto main = []() -> aio::Coro<std::size_t> {
            auto v = co_await aio::gather(std::vector<aio::Coro<int>>{});
            co_return v.size() + 1;
        };
        CHECK(aio::run(main()) == 1);
    }

    TEST_CASE("a task passed twice to gather appears twice in the result") {
        auto main = []() -> aio::Coro<std::vector<int>> {
            Log log;
            auto t = aio::create_task(after_passes(log, 7, 0));
            auto [a, b] = co_await aio::gather(t, t);
            co_return std::vector<int>{a, b};
        };
        // CPython 3.12: [7, 7]
        CHECK(aio::run(main()) == std::vector<int>{7, 7});
    }

    TEST_CASE("gather of already-finished tasks completes with their results") {
        auto main = []() -> aio::Coro<void> {
            Log log;
            auto a = aio::create_task(after_passes(log, 1, 0));
            auto b = aio::create_task(after_passes(log, 2, 0));
            co_await aio::sleep(0s);
            REQUIRE(a.done());
            REQUIRE(b.done());
            auto g = aio::gather(b, a);
            CHECK(g.done());  // as CPython 3.12: finished children are processed inside gather()
            auto [x, y] = co_await g;
            CHECK(x == 2);
            CHECK(y == 1);
        };
        aio::run(main());
    }

    TEST_CASE("a failing child makes gather raise its exception and does not cancel its siblings") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            auto ok = aio::create_task(after_passes(log, 1, 4));
            auto bad = aio::create_task(fail_after_passes(log, 1, "boom"));
            try {
                co_await aio::gather(ok, bad);
                log.push_back("gather returned");
            } catch (const aio::ValueError& e) {
                log.push_back(std::string("gather raised ") + e.what());
            }
            log.push_back(ok.done() ? "ok done" : "ok still running");
            log.push_back("ok result " + std::to_string(co_await ok));
            CHECK_FALSE(ok.cancelled());
        };
        aio::run(main(log));
        // CPython 3.12: ['bad raises', 'gather raised boom', 'a done? False', 'ok1', 'a result 1']
        CHECK(log == Log{"raises boom", "gather raised boom", "ok still running", "done 1", "ok result 1"});
    }

    TEST_CASE("the first failure wins when several children fail") {
        auto main = []() -> aio::Coro<std::string> {
            Log log;
            try {
                co_await aio::gather(fail_after_passes(log, 2, "second"), fail_after_passes(log, 1, "first"));
            } catch (const aio::ValueError& e) {
                co_return e.what();
            }
            co_return "no error";
        };
        CHECK(aio::run(main()) == "first");
    }

    TEST_CASE("a cancelled child makes gather raise CancelledError; the other children go on") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            auto a = aio::create_task(after_passes(log, 10, 5));
            auto b = aio::create_task(cancellable(log, 2));
            auto g = aio::gather(a, b);
            co_await aio::sleep(0s);
            b.cancel("child cancelled");
            try {
                co_await g;
            } catch (const aio::CancelledError& e) {
                log.push_back("gather raised CancelledError: " + e.message() + (a.done() ? " a done" : " a running"));
            }
            co_await a;
        };
        aio::run(main(log));
        // CPython 3.12: "gather raised CancelledError ('child cancelled',) a.done=False", 'done 10'
        CHECK(log == Log{"cancelled 2: child cancelled", "gather raised CancelledError: child cancelled a running",
                         "done 10"});
    }

    TEST_CASE("gather_outcomes returns each child's value or exception and does not throw") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            auto c = aio::create_task(cancellable(log, 1));
            auto d = aio::create_task(after_passes(log, 5, 0));
            auto g = aio::gather_outcomes(c, d, fail_after_passes(log, 0, "v"));
            co_await aio::sleep(0s);
            c.cancel("cc");
            auto [oc, od, ov] = co_await g;
            CHECK_FALSE(oc.has_value());
            CHECK(oc.cancelled());
            CHECK(od.has_value());
            CHECK(od.value() == 5);
            CHECK(od.error() == nullptr);
            CHECK_FALSE(ov.has_value());
            CHECK_FALSE(ov.cancelled());
            CHECK(aio::describe(ov.error()) == "ValueError: v");
            CHECK_THROWS_WITH_AS(ov.value(), "v", aio::ValueError);
        };
        aio::run(main(log));
    }

    TEST_CASE("the range form of gather_outcomes keeps argument order") {
        auto main = []() -> aio::Coro<std::string> {
            Log log;
            std::vector<aio::Coro<int>> coros;
            coros.push_back(after_passes(log, 1, 2));
            coros.push_back(fail_after_passes(log, 1, "x"));
            coros.push_back(after_passes(log, 3, 0));
            auto outcomes = co_await aio::gather_outcomes(std::move(coros));
            std::string out;
            for (auto& o : outcomes) out += o.has_value() ? std::to_string(o.value()) : aio::describe(o.error());
            out += "|";
            co_return out;
        };
        CHECK(aio::run(main()) == "1ValueError: x3|");
    }

    TEST_CASE("cancelling the gather cancels every child and raises CancelledError") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            auto g = aio::gather(cancellable(log, 1), cancellable(log, 2));
            co_await aio::sleep(0s);
            CHECK(g.cancel("stop"));
            try {
                co_await g;
            } catch (const aio::CancelledError& e) {
                log.push_back("gather cancelled: " + e.message());
            }
            CHECK_FALSE(g.cancelled());  // CPython 3.12 too: the gather ends with a CancelledError exception
            CHECK(g.done());
            CHECK_FALSE(g.cancel());
        };
        aio::run(main(log));
        // CPython 3.12: ['cancelled1', 'cancelled2', "gather cancelled ('stop',)"]
        CHECK(log == Log{"cancelled 1: stop", "cancelled 2: stop", "gather cancelled: stop"});
    }

    TEST_CASE("cancelling gather_outcomes still raises CancelledError") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            auto g = aio::gather_outcomes(cancellable(log, 1), cancellable(log, 2));
            co_await aio::sleep(0s);
            g.cancel();
            try {
                co_await g;
                log.push_back("outcomes returned");
            } catch (const aio::CancelledError& e) {
                log.push_back("gather cancelled: '" + e.message() + "'");
            }
        };
        aio::run(main(log));
        // CPython 3.12: ['cancelled1', 'cancelled2', 'gather cancelled ()']
        CHECK(log == Log{"cancelled 1", "cancelled 2", "gather cancelled: ''"});
    }

    TEST_CASE("cancelling the task that awaits a gather cancels the children") {
        Log log;
        auto waiter = [](Log& log) -> aio::Coro<void> {
            try {
                co_await aio::gather(cancellable(log, 1), cancellable(log, 2));
            } catch (const aio::CancelledError&) {
                log.push_back("waiter cancelled");
                throw;
            }
        };
        auto main = [](Log& log, auto waiter) -> aio::Coro<void> {
            auto t = aio::create_task(waiter(log));
            co_await aio::sleep(0s);
            co_await aio::sleep(0s);
            t.cancel();
            try {
                co_await t;
            } catch (const aio::CancelledError&) {
                log.push_back("main sees cancelled");
            }
        };
        aio::run(main(log, waiter));
        // CPython 3.12: ['cancelled1', 'cancelled2', 'waiter cancelled', 'main sees cancelled']
        CHECK(log == Log{"cancelled 1", "cancelled 2", "waiter cancelled", "main sees cancelled"});
    }

    TEST_CASE("gather of coroutines names its children Task-N on the running loop") {
        auto main = []() -> aio::Coro<std::tuple<std::string, std::string>> {
            auto name = []() -> aio::Coro<std::string> { co_return aio::current_task().name(); };
            co_return co_await aio::gather(name(), name());
        };
        CHECK(aio::run(main()) == std::tuple<std::string, std::string>{"Task-2", "Task-3"});
    }

}  // TEST_SUITE("gather")
