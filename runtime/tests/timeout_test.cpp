// aio::timeout / aio::timeout_at: CPython 3.12's test_timeouts.py, in C++. Deadlines that
// must fire are tiny and the blocks they interrupt sleep 100 s, so the outcome never depends
// on how loaded the machine is.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <string>
#include <vector>
#include "close_while_pending.hpp"

using namespace std::chrono_literals;

namespace {

using Log = std::vector<std::string>;

aio::Coro<void> nap(aio::Duration d) { co_await aio::sleep(d); }

std::string cause_of(const aio::TimeoutError& e) {
    try {
        std::rethrow_if_nested(e);
    } catch (...) {
        return aio::exception_type_name(std::current_exception());
    }
    return "none";
}

}  // namespace

TEST_CASE("an expired timeout turns the CancelledError into TimeoutError after the cleanup ran") {
    Log log;
    auto main = [&]() -> aio::Coro<void> {
        auto cm = aio::timeout(1ms);
        try {
            co_await cm.run([&]() -> aio::Coro<void> {
                try {
                    co_await aio::sleep(100s);
                } catch (const aio::CancelledError&) {
                    log.push_back("block cancelled");
                    throw;
                }
            });
            FAIL("no TimeoutError");
        } catch (const aio::TimeoutError& e) {
            log.push_back("TimeoutError");
            CHECK(std::string(e.what()).empty());
            CHECK(cause_of(e) == "CancelledError");
        }
        CHECK(cm.expired());
        CHECK(cm.repr() == "<Timeout [expired]>");
        CHECK(aio::current_task().cancelling() == 0);
    };
    aio::run(main());
    CHECK(log == Log{"block cancelled", "TimeoutError"});
}

TEST_CASE("a timeout never fires before its deadline") {
    auto main = []() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        for (auto d : {1ms, 5ms, 20ms}) {
            auto cm = aio::timeout(d);
            aio::TimePoint fired{};
            try {
                co_await cm.run([&]() -> aio::Coro<void> {
                    try {
                        co_await aio::sleep(100s);
                    } catch (const aio::CancelledError&) {
                        fired = loop.time();
                        throw;
                    }
                });
            } catch (const aio::TimeoutError&) {}
            CHECK(fired >= *cm.when());
        }
    };
    aio::run(main());
}

TEST_CASE("the block's value is returned when the deadline is not reached; move-only values too") {
    auto main = []() -> aio::Coro<void> {
        auto cm = aio::timeout(100s);
        auto p = co_await cm.run([]() -> aio::Coro<std::unique_ptr<int>> {
            co_await aio::sleep(0s);
            co_return std::make_unique<int>(5);
        });
        CHECK(*p == 5);
        CHECK_FALSE(cm.expired());
        CHECK(cm.repr() == "<Timeout [finished]>");
        auto never = aio::timeout(std::nullopt);
        co_await never.run(nap(1ms));
        CHECK_FALSE(never.when().has_value());
        CHECK_FALSE(never.expired());
    };
    aio::run(main());
}

TEST_CASE("nested timeouts with one deadline: the inner sees CancelledError, the outer raises") {
    Log log;
    auto main = [&]() -> aio::Coro<void> {
        auto deadline = aio::get_running_loop().time() + 1ms;
        auto outer = aio::timeout_at(deadline);
        auto inner = aio::timeout_at(deadline);
        try {
            co_await outer.run([&]() -> aio::Coro<void> {
                try {
                    co_await inner.run(nap(100s));
                } catch (const aio::CancelledError&) {
                    log.push_back("inner: CancelledError");
                    throw;
                }
            });
        } catch (const aio::TimeoutError&) {
            log.push_back("outer: TimeoutError");
        }
        CHECK(outer.expired());
        CHECK(inner.expired());
        CHECK(aio::current_task().cancelling() == 0);
    };
    aio::run(main());
    CHECK(log == Log{"inner: CancelledError", "outer: TimeoutError"});
}

TEST_CASE("an inner timeout that fires is caught inside the outer block, which goes on") {
    auto main = []() -> aio::Coro<void> {
        auto outer = aio::timeout(100s);
        bool caught = false;
        co_await outer.run([&]() -> aio::Coro<void> {
            try {
                co_await aio::timeout(1ms).run(nap(100s));
            } catch (const aio::TimeoutError&) {
                caught = true;
            }
            co_await aio::sleep(0s);  // not interrupted again
        });
        CHECK(caught);
        CHECK_FALSE(outer.expired());
    };
    aio::run(main());
}

TEST_CASE("a cancellation from elsewhere before the deadline is not converted") {
    auto main = []() -> aio::Coro<void> {
        auto cm = aio::timeout(100s);
        auto t = aio::create_task(cm.run(nap(100s)));
        co_await aio::sleep(0s);
        t.cancel("outside");
        try {
            co_await t;
            FAIL("not cancelled");
        } catch (const aio::CancelledError& e) {
            CHECK(e.message() == "outside");
        }
        CHECK_FALSE(cm.expired());
    };
    aio::run(main());
}

TEST_CASE("a cancellation from elsewhere after the timeout fired is not converted either") {
    Log log;
    auto main = [&]() -> aio::Coro<void> {
        auto cm = aio::timeout(1ms);
        auto t = aio::create_task(cm.run([&]() -> aio::Coro<void> {
            bool cancelled = false;
            try {
                co_await aio::sleep(100s);
            } catch (const aio::CancelledError&) {
                cancelled = true;
            }
            if (cancelled) {
                log.push_back("slow cleanup");
                co_await aio::sleep(100s);  // interrupted by the cancel from outside
            }
        }));
        while (!cm.expired()) co_await aio::sleep(1ms);
        for (int i = 0; i < 3; ++i) co_await aio::sleep(0s);
        t.cancel("outside");
        try {
            co_await t;
            FAIL("not cancelled");
        } catch (const aio::CancelledError& e) {
            CHECK(e.message() == "outside");
        }
        CHECK(t.cancelled());
        CHECK(cm.expired());
    };
    aio::run(main());
    CHECK(log == Log{"slow cleanup"});
}

TEST_CASE("other exceptions leave the block unchanged, expired or not") {
    auto main = []() -> aio::Coro<void> {
        auto cm = aio::timeout(100s);
        CHECK_THROWS_WITH_AS(co_await cm.run([]() -> aio::Coro<void> {
            throw aio::ValueError("mine");
            co_return;
        }()),
                             "mine", aio::ValueError);
        CHECK_FALSE(cm.expired());
        cm = aio::timeout(1ms);
        try {
            co_await cm.run([]() -> aio::Coro<void> {
                try {
                    co_await aio::sleep(100s);
                } catch (...) {}
                throw aio::ValueError("cleanup failed");
            });
        } catch (const aio::ValueError& e) {
            CHECK(std::string(e.what()) == "cleanup failed");
        }
        CHECK(cm.expired());
        CHECK(aio::current_task().cancelling() == 0);
    };
    aio::run(main());
}

TEST_CASE("reschedule moves the deadline, and is refused outside the active state") {
    auto main = []() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        auto cm = aio::timeout(1ms);
        CHECK_THROWS_WITH_AS(cm.reschedule(std::nullopt), "Timeout has not been entered", aio::RuntimeError);
        co_await cm.run([&]() -> aio::Coro<void> {
            auto later = loop.time() + 100s;
            cm.reschedule(later);
            CHECK(cm.when() == later);
            co_await aio::sleep(5ms);  // the original deadline passed: nothing happened
            cm.reschedule(std::nullopt);
            CHECK_FALSE(cm.when().has_value());
            CHECK(cm.repr() == "<Timeout [active] when=None>");
            try {
                co_await cm.run(nap(0s));
                FAIL("entered twice");
            } catch (const aio::RuntimeError& e) {
                CHECK(std::string(e.what()) == "Timeout has already been entered");
            }
        });
        CHECK_FALSE(cm.expired());
        CHECK_THROWS_WITH_AS(cm.reschedule(std::nullopt), "Cannot change state of finished Timeout", aio::RuntimeError);

        auto cm2 = aio::timeout(100s);
        try {
            co_await cm2.run([&]() -> aio::Coro<void> {
                cm2.reschedule(loop.time() - 1s);  // in the past: fires on the next pass
                co_await aio::sleep(0s);
                FAIL("not interrupted");
            });
        } catch (const aio::TimeoutError&) {}
        CHECK_THROWS_WITH_AS(cm2.reschedule(std::nullopt), "Cannot change state of expired Timeout", aio::RuntimeError);

        auto cm3 = aio::timeout(1ms);
        std::string expiring;
        co_await cm3.run([&]() -> aio::Coro<void> {
            try {
                co_await aio::sleep(100s);
            } catch (const aio::CancelledError&) {
                try {
                    cm3.reschedule(std::nullopt);
                } catch (const aio::RuntimeError& e) {
                    expiring = e.what();
                }
            }
        });
        CHECK(expiring == "Cannot change state of expiring Timeout");
    };
    aio::run(main());
}

TEST_CASE("zero and negative delays fire on the next loop pass; a block that never awaits is not interrupted") {
    auto main = []() -> aio::Coro<void> {
        for (auto d : {0s, -1s}) {
            auto cm = aio::timeout(d);
            bool reached = false;
            try {
                co_await cm.run([&]() -> aio::Coro<void> {
                    co_await aio::sleep(0s);
                    reached = true;
                });
            } catch (const aio::TimeoutError&) {}
            CHECK_FALSE(reached);
            CHECK(cm.expired());
        }
        auto cm = aio::timeout(0s);
        int v = co_await cm.run([]() -> aio::Coro<int> { co_return 3; });
        CHECK(v == 3);
        CHECK_FALSE(cm.expired());
    };
    aio::run(main());
}

TEST_CASE("timeout() needs a running loop; timeout_at() does not") {
    CHECK_THROWS_WITH_AS(aio::timeout(1s), "no running event loop", aio::RuntimeError);
    auto cm = aio::timeout_at(aio::TimePoint(5s));
    CHECK(cm.when() == aio::TimePoint(5s));
    CHECK(cm.repr() == "<Timeout [created]>");
}

TEST_CASE("closing the loop inside an active timeout frees it") {
    close_while_pending([]() -> aio::Coro<void> { co_await aio::timeout(100s).run(nap(100s)); }());
}
