// Which CancelledError reaches the await point of a task cancelled twice before it runs again:
// as in asyncio, the wait that was cancelled first raises its own error (the first cancel's
// message); only a task with no wait to cancel (a bare yield, not started) gets the last one.
// The differential pair conformance/cancel/cancel_twice covers every kind of wait against CPython.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <string>

#include "support.hpp"

using namespace std::chrono_literals;

namespace {

aio::Coro<void> sleep_one_hour() { co_await aio::sleep(1h); }

/// The message of the CancelledError the task ended with.
aio::Coro<std::string> message_of(aio::Task<void> t) {
    try {
        co_await t;
    } catch (const aio::CancelledError& e) {
        co_return e.message();
    }
    co_return "not cancelled";
}

/// Starts wait() in a task, lets the loop run `passes` passes (until the task and whatever it
/// awaits are waiting), then cancels it twice; the message its CancelledError carries.
template <class Wait>
std::string twice(Wait wait, int passes = 1) {
    return aio::run([](Wait wait, int passes) -> aio::Coro<std::string> {
        auto t = aio::create_task(wait());
        for (int i = 0; i < passes; ++i) co_await aio::sleep(0s);
        t.cancel("first");
        t.cancel("second");
        CHECK(t.cancelling() == 2);
        co_return co_await message_of(t);
    }(std::move(wait), passes));
}

}  // namespace

TEST_CASE("a sleeping task cancelled twice before it runs raises the first cancel's message") {
    CHECK(twice([]() -> aio::Coro<void> { co_await aio::sleep(1h); }) == "first");
}

TEST_CASE("a task waiting on a future cancelled twice before it runs raises the first cancel's message") {
    aio::Runner runner;
    auto& loop = runner.get_loop();
    aio::Future<void> fut(loop);
    auto r = runner.run([](aio::Future<void> fut) -> aio::Coro<std::string> {
        auto t = aio::create_task([](aio::Future<void> f) -> aio::Coro<void> { co_await f; }(fut));
        co_await aio::sleep(0s);
        t.cancel("first");
        t.cancel("second");
        co_return co_await message_of(t);
    }(fut));
    CHECK(r == "first");
}

TEST_CASE("a task waiting on a task, a gather or a sync primitive cancelled twice raises the first message") {
    // Two passes: the awaited tasks must have started (an unstarted one takes the last message).
    CHECK(twice([]() -> aio::Coro<void> { co_await aio::create_task(sleep_one_hour()); }, 2) == "first");
    CHECK(twice(
              []() -> aio::Coro<void> {
                  co_await aio::gather(aio::create_task(sleep_one_hour()), aio::create_task(sleep_one_hour()));
              },
              2) == "first");
    CHECK(twice([]() -> aio::Coro<void> {
              aio::Event ev;
              co_await ev.wait();
          }) == "first");
    CHECK(twice([]() -> aio::Coro<void> {
              aio::Queue<int> q;
              co_await q.get();
          }) == "first");
}

TEST_CASE("a task at a bare yield cancelled twice raises the last cancel's message, as in asyncio") {
    CHECK(twice([]() -> aio::Coro<void> { co_await aio::sleep(0s); }) == "second");
}

TEST_CASE("a task woken by a failed future and cancelled before it runs retrieves the future's exception") {
    aio_test::Reports reports;
    auto r = aio::run(
        []() -> aio::Coro<std::string> {
            aio::Future<void> fut(aio::get_running_loop());
            auto t = aio::create_task([](aio::Future<void> f) -> aio::Coro<void> { co_await f; }(fut));
            co_await aio::sleep(0s);
            fut.set_exception(std::make_exception_ptr(aio::ValueError("x")));
            t.cancel("c");
            co_return co_await message_of(t);
        }(),
        reports.options());
    CHECK(r == "c");
    CHECK(reports.contexts.empty());  // no "Future exception was never retrieved"
}
