// Deadlines saturate: a delay too large to add to the clock means "never" (asyncio: a huge
// timeout never fires), a very negative one means "now". On the real loop, whose clock is
// the steady clock and so always well past 0.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <chrono>
#include <limits>

using namespace std::chrono_literals;

namespace {

// The task sleeps d; after a short real wait it must still be sleeping, then it is cancelled.
aio::Coro<bool> still_sleeping_after_a_while(aio::detail::SleepAwaiter (*sleeper)()) {
    auto t = aio::create_task([](aio::detail::SleepAwaiter (*s)()) -> aio::Coro<void> { co_await s(); }(sleeper));
    co_await aio::sleep(20ms);
    const bool pending = !t.done();
    t.cancel();
    bool cancelled = false;
    try {
        co_await t;
    } catch (const aio::CancelledError&) {
        cancelled = true;
    }
    co_return pending&& cancelled;
}

}  // namespace

TEST_SUITE("deadlines") {
    TEST_CASE("the saturating deadline helpers clamp at the ends of the clock") {
        const aio::TimePoint t(5s);
        CHECK(aio::deadline_after(t, aio::Duration::max()) == aio::TimePoint::max());
        CHECK(aio::deadline_after(aio::TimePoint(-5s), aio::Duration::min()) == aio::TimePoint::min());
        CHECK(aio::deadline_after(t, 2s) == aio::TimePoint(7s));
        CHECK(aio::delay_until(aio::TimePoint::min(), t) == aio::Duration::min());
        CHECK(aio::delay_until(aio::TimePoint::max(), aio::TimePoint(-5s)) == aio::Duration::max());
        CHECK(aio::to_duration(std::chrono::hours::max()) == aio::Duration::max());
        CHECK(aio::to_duration(std::chrono::hours::min()) == aio::Duration::min());
        CHECK(aio::to_duration(std::chrono::duration<double>(1e300)) == aio::Duration::max());
        CHECK(aio::to_duration(std::chrono::duration<double>(-1e300)) == aio::Duration::min());
        CHECK(aio::to_duration(std::chrono::duration<double>(std::numeric_limits<double>::infinity())) ==
              aio::Duration::max());
        CHECK(aio::to_duration(std::chrono::duration<double>(std::numeric_limits<double>::quiet_NaN())) ==
              aio::Duration::zero());
        CHECK(aio::to_duration(std::chrono::duration<double, std::milli>(1.5)) == 1500us);
        CHECK(aio::to_duration(std::chrono::duration<unsigned long long>(
                  std::numeric_limits<unsigned long long>::max())) == aio::Duration::max());
        CHECK(aio::to_duration(std::chrono::duration<long long, std::pico>(2500)) == 2ns);  // half to even
    }

    TEST_CASE("sleep(Duration::max()) on the real loop does not return: the task is still sleeping until cancelled") {
        CHECK(aio::run(still_sleeping_after_a_while([] { return aio::sleep(aio::Duration::max()); })));
    }

    TEST_CASE("sleep(hours::max()) and sleep of 1e300 seconds never return instead of overflowing") {
        CHECK(aio::run(still_sleeping_after_a_while([] { return aio::sleep(std::chrono::hours::max()); })));
        CHECK(aio::run(still_sleeping_after_a_while([] { return aio::sleep(std::chrono::duration<double>(1e300)); })));
    }

    TEST_CASE("sleep_until(TimePoint::max()) never returns and sleep_until(TimePoint::min()) yields once") {
        CHECK(aio::run(still_sleeping_after_a_while([] { return aio::sleep_until(aio::TimePoint::max()); })));
        auto amain = []() -> aio::Coro<void> { co_await aio::sleep_until(aio::TimePoint::min()); };
        aio::run(amain());
    }

    TEST_CASE("call_later(Duration::max(), f) never fires; its handle's when() is TimePoint::max()") {
        auto amain = []() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            bool fired = false;
            aio::Handle h = loop.call_later(aio::Duration::max(), [&] { fired = true; });
            CHECK(h.when() == aio::TimePoint::max());
            co_await aio::sleep(20ms);
            CHECK_FALSE(fired);
            h.cancel();
        };
        aio::run(amain());
    }

    TEST_CASE("call_later(Duration::min(), f) fires on the next pass instead of wrapping into the far future") {
        auto amain = []() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            bool fired = false;
            loop.call_later(aio::Duration::min(), [&] { fired = true; });
            co_await aio::sleep(1ms);
            CHECK(fired);
        };
        aio::run(amain());
    }

    TEST_CASE("wait_for(x, Duration::max()) waits for x and returns its result") {
        auto amain = []() -> aio::Coro<int> {
            auto work = []() -> aio::Coro<int> {
                co_await aio::sleep(5ms);
                co_return 7;
            };
            co_return co_await aio::wait_for(work(), aio::Duration::max());
        };
        CHECK(aio::run(amain()) == 7);
    }

    TEST_CASE("timeout(Duration::max()) is at TimePoint::max() and never fires") {
        auto amain = []() -> aio::Coro<int> {
            auto cm = aio::timeout(aio::Duration::max());
            CHECK(cm.when() == aio::TimePoint::max());
            co_return co_await cm.run([]() -> aio::Coro<int> {
                co_await aio::sleep(5ms);
                co_return 3;
            });
        };
        CHECK(aio::run(amain()) == 3);
    }

    TEST_CASE("wait() and as_completed() with a timeout of hours::max() wait for completion, not time out") {
        auto amain = []() -> aio::Coro<void> {
            auto work = []() -> aio::Coro<int> {
                co_await aio::sleep(5ms);
                co_return 1;
            };
            std::vector<aio::Task<int>> ts{aio::create_task(work())};
            auto [done, pending] = co_await aio::wait(ts, std::chrono::hours::max());
            CHECK(done.size() == 1);
            CHECK(pending.empty());
            std::vector<aio::Coro<int>> cs;
            cs.push_back(work());
            for (auto next : aio::as_completed(std::move(cs), std::chrono::hours::max()))
                CHECK(co_await std::move(next) == 1);
        };
        aio::run(amain());
    }

}  // TEST_SUITE
