// aio::Event, following CPython 3.12's test_locks.EventTests, plus the waiter mechanics
// shared by every primitive (frames destroyed at loop close, deadlock descriptions).
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sync_helpers.hpp"

using sync_test::yield;

namespace {

aio::Coro<void> wait_and_log(aio::Event& ev, std::vector<int>& result, int n) {
    bool ok = co_await ev.wait();
    if (ok) result.push_back(n);
}

aio::Coro<bool> wait(aio::Event& ev) { co_return co_await ev.wait(); }

}  // namespace

TEST_CASE("Event: set() wakes every waiter in the order they began waiting") {
    aio::run([]() -> aio::Coro<void> {
        aio::Event ev;
        CHECK_FALSE(ev.is_set());
        std::vector<int> result;
        auto t1 = aio::create_task(wait_and_log(ev, result, 1));
        auto t2 = aio::create_task(wait_and_log(ev, result, 2));
        co_await yield();
        CHECK(result.empty());
        CHECK(ev.waiters() == 2);
        auto t3 = aio::create_task(wait_and_log(ev, result, 3));
        ev.set();
        co_await yield();
        // t3 was scheduled before set() woke t1 and t2; it finds the flag set.
        CHECK(result == std::vector<int>{3, 1, 2});
        CHECK((t1.done() && t2.done() && t3.done()));
        CHECK(ev.waiters() == 0);
    }());
}

TEST_CASE("Event: wait() on a set event returns true at once") {
    aio::run([]() -> aio::Coro<void> {
        aio::Event ev;
        ev.set();
        bool r = co_await ev.wait();
        CHECK(r);
        ev.clear();
        CHECK_FALSE(ev.is_set());
    }());
}

TEST_CASE("Event: a cancelled wait raises CancelledError and leaves no waiter") {
    aio::run([]() -> aio::Coro<void> {
        aio::Event ev;
        auto t = aio::create_task(wait(ev));
        aio::get_running_loop().call_soon([t]() mutable { t.cancel("bye"); });
        CHECK(co_await sync_test::outcome(t) == "CancelledError: bye");
        CHECK(ev.waiters() == 0);
    }());
}

TEST_CASE("Event: a waiter woken by set() but cancelled before it runs still raises CancelledError") {
    aio::run([]() -> aio::Coro<void> {
        aio::Event ev;
        auto a = aio::create_task(wait(ev));
        auto b = aio::create_task(wait(ev));
        co_await yield();
        ev.set();
        a.cancel();
        CHECK(co_await sync_test::outcome(a) == "CancelledError: ");
        CHECK(co_await b);
    }());
}

TEST_CASE("Event: clear() right after set() does not take back the wake-up") {
    aio::run([]() -> aio::Coro<void> {
        aio::Event ev;
        std::vector<int> result;
        auto t = aio::create_task(wait_and_log(ev, result, 1));
        co_await yield();
        ev.set();
        ev.clear();
        CHECK_FALSE(ev.is_set());
        ev.set();
        ev.set();
        CHECK(ev.waiters() == 1);
        co_await yield();
        CHECK(result == std::vector<int>{1});
        CHECK(ev.waiters() == 0);
        CHECK(t.done());
    }());
}

TEST_CASE("Event: a task blocked in wait() says so in deadlock descriptions") {
    aio::run([]() -> aio::Coro<void> {
        aio::Event ev;
        auto t = aio::create_task(wait(ev));
        co_await yield();
        CHECK(t.state_ptr()->waiting_description() == "aio::Event::wait()");
        ev.set();
        co_await t;
    }());
}

TEST_CASE("Event: a frame destroyed at loop close leaves the event's queue") {
    aio::Event ev;
    {
        aio::EventLoop loop;
        loop.set_log_sink([](std::string_view) {});
        auto t = loop.create_task(wait(ev));
        t.state_ptr()->log_destroy_pending = false;  // expected here
        loop.run_until_complete([]() -> aio::Coro<void> { co_await aio::sleep(std::chrono::seconds(0)); }());
        CHECK(ev.waiters() == 1);
        loop.close();  // destroys the pending task's frame and its waiter
        CHECK(ev.waiters() == 0);
        CHECK_FALSE(t.done());
    }
    ev.set();  // nobody to wake: must not touch the destroyed frame
    CHECK(ev.is_set());
}

TEST_CASE("Event: a blocking wait() from a second loop raises RuntimeError") {
    aio::Event ev;
    aio::run([](aio::Event& ev) -> aio::Coro<void> {
        auto t = aio::create_task(wait(ev));
        co_await yield();
        ev.set();
        co_await t;
    }(ev));
    ev.clear();
    aio::run([](aio::Event& ev) -> aio::Coro<void> {
        std::string err;
        try {
            co_await ev.wait();
        } catch (const aio::RuntimeError& e) {
            err = e.what();
        }
        CHECK(err.find("aio::Event::wait(): the primitive is bound to a different event loop") == 0);
        CHECK(ev.waiters() == 0);
    }(ev));
}

namespace {
aio::Coro<void> watch(aio::Event& ev, int& woke_unset, int& woke) {
    co_await ev.wait();
    if (!ev.is_set()) ++woke_unset;  // nobody clears it here: it must still be set
    ++woke;
}
}  // namespace

TEST_CASE("Event: set() wakes every waiter and none earlier, under shuffled orders and cancellations") {
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        CAPTURE(seed);
        int woke_unset = 0, woke = 0, cancelled = 0;
        aio::run(
            [](std::uint64_t seed, int& woke_unset, int& woke, int& cancelled) -> aio::Coro<void> {
                sync_test::SplitMix rng{seed};
                aio::Event ev;
                std::vector<aio::Task<void>> ts;
                for (int i = 0; i < 8; ++i) ts.push_back(aio::create_task(watch(ev, woke_unset, woke)));
                co_await yield(1 + static_cast<int>(rng.below(3)));
                ts[rng.below(ts.size())].cancel();
                co_await yield(static_cast<int>(rng.below(2)));
                ev.set();
                ts[rng.below(ts.size())].cancel();  // maybe woken already, maybe not yet run
                auto res = co_await aio::gather_outcomes(ts);
                for (auto& o : res) cancelled += o.cancelled() ? 1 : 0;
                CHECK(ev.waiters() == 0);
            }(seed, woke_unset, woke, cancelled),
            sync_test::shuffled(seed));
        CHECK(woke_unset == 0);
        CHECK(woke + cancelled == 8);
        CHECK(cancelled >= 1);
    }
}
