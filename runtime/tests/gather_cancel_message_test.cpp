#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <chrono>
#include <string>

using namespace std::chrono_literals;

namespace {
aio::Coro<void> sleep_long() { co_await aio::sleep(10s); }
aio::Coro<int> cancel_self_then_return() {
    aio::current_task().cancel("late");
    co_return 1;
}
aio::Coro<void> body() {
    auto a = aio::create_task(sleep_long());
    auto b = aio::create_task(cancel_self_then_return());
    co_await aio::sleep(0s);
    a.cancel("stop");
    auto [ra, rb] = co_await aio::gather_outcomes(a, b);
    REQUIRE(ra.cancelled());
    REQUIRE(rb.cancelled());
    // As asyncio.gather(return_exceptions=True): a fresh CancelledError carrying the task's
    // _cancel_message, which only a task cancelled as its coroutine returned still has.
    CHECK(aio::exception_message(ra.error()) == "");
    CHECK(aio::exception_message(rb.error()) == "late");
    // Awaiting the task itself re-raises the CancelledError its coroutine ended with.
    std::string direct = "none";
    try {
        co_await a;
    } catch (const aio::CancelledError& e) {
        direct = e.message();
    }
    CHECK(direct == "stop");
}
}  // namespace

TEST_CASE("gather_outcomes gives a cancelled child's CancelledError as asyncio.gather does") { aio::run(body()); }
