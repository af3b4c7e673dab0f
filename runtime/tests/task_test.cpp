// aio::Task<T>: asyncio's Task (scheduling, names, results, cancellation, done-callbacks).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;

namespace {

aio::Coro<int> value(int v) { co_return v; }

aio::Coro<int> fail_with(std::string what) {
    co_await aio::sleep(0s);
    throw std::runtime_error(what);
}

}  // namespace

TEST_SUITE("task") {

TEST_CASE("result() of a pending task throws InvalidStateError") {
    auto main = []() -> aio::Coro<void> {
        auto t = aio::create_task(value(5));
        CHECK_THROWS_WITH_AS(t.result(), "Result is not set.", aio::InvalidStateError);
        CHECK_THROWS_WITH_AS(t.exception(), "Exception is not set.", aio::InvalidStateError);
        co_await t;
    };
    aio::run(main());
}

TEST_CASE("awaiting an AnyTask handle waits for the task and rethrows its exception") {
    auto main = []() -> aio::Coro<std::string> {
        aio::AnyTask ok = aio::create_task(value(1));
        co_await ok;
        CHECK(ok.done());
        aio::AnyTask failing = aio::create_task(fail_with("any failure"));
        try {
            co_await failing;
        } catch (const std::runtime_error& e) {
            co_return e.what();
        }
        co_return "no exception";
    };
    CHECK(aio::run(main()) == "any failure");
}

}  // TEST_SUITE("task")
