// aio::shield: the inner work survives the cancellation of its awaiter.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <memory>
#include <string>
#include <vector>
#include "close_while_pending.hpp"

using namespace std::chrono_literals;

namespace {
aio::Coro<int> after(aio::Future<void> go, int v) {
    co_await go;
    co_return v;
}
}  // namespace

TEST_CASE("cancelling the awaiter of a shield leaves the inner task running") {
    auto main = []() -> aio::Coro<void> {
        aio::Future<void> go(aio::get_running_loop());
        auto inner = aio::create_task(after(go, 7));
        auto awaiter = aio::create_task(
            [](aio::Task<int> inner) -> aio::Coro<int> { co_return co_await aio::shield(inner); }(inner));
        co_await aio::sleep(0s);
        awaiter.cancel();
        CHECK_THROWS_AS(co_await awaiter, aio::CancelledError);
        CHECK_FALSE(inner.done());
        go.set_result();
        CHECK(co_await inner == 7);
    };
    aio::run(main());
}

TEST_CASE("wait_for on a shield times out without cancelling the inner task") {
    auto main = []() -> aio::Coro<void> {
        aio::Future<void> go(aio::get_running_loop());
        auto inner = aio::create_task(after(go, 8));
        CHECK_THROWS_AS(co_await aio::wait_for(aio::shield(inner), 1ms), aio::TimeoutError);
        CHECK_FALSE(inner.done());
        go.set_result();
        CHECK(co_await inner == 8);
    };
    aio::run(main());
}

TEST_CASE("shield passes on the inner outcome: value, exception, cancellation") {
    auto main = []() -> aio::Coro<void> {
        CHECK(co_await aio::shield([]() -> aio::Coro<std::string> {
                  co_await aio::sleep(0s);
                  co_return "v";
              }()) == "v");
        CHECK_THROWS_WITH_AS(co_await aio::shield([]() -> aio::Coro<void> {
                                 co_await aio::sleep(0s);
                                 throw aio::ValueError("inner");
                             }()),
                             "inner", aio::ValueError);
        auto inner = aio::create_task([]() -> aio::Coro<void> { co_await aio::sleep(100s); }());
        auto outer = aio::shield(inner);
        co_await aio::sleep(0s);
        inner.cancel();
        CHECK_THROWS_AS(co_await outer, aio::CancelledError);
        CHECK(outer.cancelled());
        CHECK(aio::current_task().cancelling() == 0);
        // Move-only results are moved into the outer future.
        auto p = co_await aio::shield([]() -> aio::Coro<std::unique_ptr<int>> {
            co_await aio::sleep(0s);
            co_return std::make_unique<int>(9);
        }());
        CHECK(*p == 9);
    };
    aio::run(main());
}

TEST_CASE("shield of work already done completes at once with the same outcome") {
    auto main = []() -> aio::Coro<void> {
        auto t = aio::create_task([]() -> aio::Coro<int> { co_return 3; }());
        co_await aio::sleep(0s);
        REQUIRE(t.done());
        auto outer = aio::shield(t);
        CHECK(outer.done());
        CHECK(co_await outer == 3);
        auto c = aio::create_task([]() -> aio::Coro<int> { co_return 4; }());
        c.cancel("gone");
        co_await aio::sleep(0s);
        auto oc = aio::shield(c);
        CHECK(oc.cancelled());
        try {
            co_await oc;
        } catch (const aio::CancelledError& e) {
            CHECK(e.message() == "gone");
        }
    };
    aio::run(main());
}

TEST_CASE("closing the loop while a shielded task and its awaiter are pending frees them") {
    close_while_pending([]() -> aio::Coro<void> {
        auto inner = aio::create_task([]() -> aio::Coro<int> {
            co_await aio::sleep(100s);
            co_return 1;
        }());
        co_await aio::shield(inner);
    }());
}
