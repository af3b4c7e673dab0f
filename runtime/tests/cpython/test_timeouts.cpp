// CPython 3.12 Lib/test/test_asyncio/test_timeouts.py, ported (README.md here). The class is an
// IsolatedAsyncioTestCase: each method runs as the main task of its own loop (cpy::run, the
// simulator's loop, virtual time), except the two that block the loop's thread in time.sleep(),
// which run on the real loop.
#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>

#include "cpython_support.hpp"

namespace cpy_timeouts {

using namespace std::chrono_literals;
using aio::Coro;

Coro<void> sleep_for(aio::Duration d) { co_await aio::sleep(d); }

// The loop time as Python sees it: seconds.
aio::TimePoint now() { return aio::get_running_loop().time(); }

// The cases stay in the namespace: the unity build joins the files of this directory.

TEST_CASE("test_timeouts.py::TimeoutTests::test_timeout_basic") {
    auto main = []() -> Coro<void> {
        auto cm = aio::timeout(10ms);
        CHECK_THROWS_AS(co_await cm.run(sleep_for(10s)), aio::TimeoutError);
        CHECK(cm.expired());
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_timeout_at_basic") {
    auto main = []() -> Coro<void> {
        auto deadline = now() + 10ms;
        auto cm = aio::timeout_at(deadline);
        CHECK_THROWS_AS(co_await cm.run(sleep_for(10s)), aio::TimeoutError);
        CHECK(cm.expired());
        CHECK(cm.when() == deadline);
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_nested_timeouts") {
    auto main = []() -> Coro<void> {
        bool cancelled = false;
        auto deadline = now() + 10ms;
        auto cm1 = aio::timeout_at(deadline);
        auto cm2 = aio::timeout_at(deadline);
        CHECK_THROWS_AS(co_await cm1.run([&]() -> Coro<void> {
            // Only the topmost context manager should raise TimeoutError
            try {
                co_await cm2.run(sleep_for(10s));
            } catch (const aio::CancelledError&) {
                cancelled = true;
                throw;
            }
        }),
                        aio::TimeoutError);
        CHECK(cancelled);
        CHECK(cm1.expired());
        CHECK(cm2.expired());
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_waiter_cancelled") {
    auto main = []() -> Coro<void> {
        bool cancelled = false;
        CHECK_THROWS_AS(co_await aio::timeout(10ms).run([&]() -> Coro<void> {
            try {
                co_await aio::sleep(10s);
            } catch (const aio::CancelledError&) {
                cancelled = true;
                throw;
            }
        }),
                        aio::TimeoutError);
        CHECK(cancelled);
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_timeout_not_called") {
    auto main = []() -> Coro<void> {
        auto cm = aio::timeout(10s);
        co_await cm.run(sleep_for(10ms));
        auto t1 = now();
        CHECK_FALSE(cm.expired());
        CHECK(cm.when() > t1);
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_timeout_disabled") {
    auto main = []() -> Coro<void> {
        auto cm = aio::timeout(std::nullopt);
        co_await cm.run(sleep_for(10ms));
        CHECK_FALSE(cm.expired());
        CHECK_FALSE(cm.when().has_value());
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_timeout_at_disabled") {
    auto main = []() -> Coro<void> {
        auto cm = aio::timeout_at(std::nullopt);
        co_await cm.run(sleep_for(10ms));
        CHECK_FALSE(cm.expired());
        CHECK_FALSE(cm.when().has_value());
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_timeout_zero") {
    auto main = []() -> Coro<void> {
        auto t0 = now();
        auto cm = aio::timeout(0s);
        CHECK_THROWS_AS(co_await cm.run(sleep_for(10s)), aio::TimeoutError);
        auto t1 = now();
        CHECK(cm.expired());
        CHECK(t0 <= *cm.when());
        CHECK(*cm.when() <= t1);
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_timeout_zero_sleep_zero") {
    auto main = []() -> Coro<void> {
        auto t0 = now();
        auto cm = aio::timeout(0s);
        CHECK_THROWS_AS(co_await cm.run(sleep_for(0s)), aio::TimeoutError);
        auto t1 = now();
        CHECK(cm.expired());
        CHECK(t0 <= *cm.when());
        CHECK(*cm.when() <= t1);
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_timeout_in_the_past_sleep_zero") {
    auto main = []() -> Coro<void> {
        auto t0 = now();
        auto cm = aio::timeout(-11s);
        CHECK_THROWS_AS(co_await cm.run(sleep_for(0s)), aio::TimeoutError);
        auto t1 = now();
        CHECK(cm.expired());
        CHECK(t0 >= *cm.when());
        CHECK(*cm.when() <= t1);
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_foreign_exception_passed") {
    auto main = []() -> Coro<void> {
        auto cm = aio::timeout(10ms);
        CHECK_THROWS_AS(co_await cm.run([]() -> Coro<void> {
            throw std::out_of_range("KeyError");  // raise KeyError
            co_return;
        }),
                        std::out_of_range);
        CHECK_FALSE(cm.expired());
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_foreign_exception_on_timeout") {
    auto main = []() -> Coro<void> {
        auto crash = []() -> Coro<void> {
            try {
                co_await aio::sleep(1s);
            } catch (...) {}
            throw std::domain_error("division by zero");  // finally: 1/0
        };
        CHECK_THROWS_AS(co_await aio::timeout(10ms).run(crash), std::domain_error);
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_foreign_cancel_doesnt_timeout_if_not_expired") {
    auto main = []() -> Coro<void> {
        auto cm = aio::timeout(10s);
        CHECK_THROWS_AS(co_await cm.run([]() -> Coro<void> {
            aio::current_task().cancel();
            co_await aio::sleep(10s);
        }),
                        aio::CancelledError);
        CHECK_FALSE(cm.expired());
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_outer_task_is_not_cancelled") {
    auto main = []() -> Coro<void> {
        auto outer = []() -> Coro<void> {
            CHECK_THROWS_AS(co_await aio::timeout(1ms).run(sleep_for(10s)), aio::TimeoutError);
        };
        auto task = aio::create_task(outer());
        co_await task;
        CHECK_FALSE(task.cancelled());
        CHECK(task.done());
    };
    cpy::run(main());
}

// time.sleep() blocks the loop's thread: on the real loop, with real (short) sleeps.
TEST_CASE("test_timeouts.py::TimeoutTests::test_nested_timeouts_concurrent") {
    auto main = []() -> Coro<void> {
        CHECK_THROWS_AS(co_await aio::timeout(2ms).run([]() -> Coro<void> {
            // The inner block's assertRaises(TimeoutError) lets the CancelledError through.
            co_await aio::timeout(100ms).run([]() -> Coro<void> {
                std::this_thread::sleep_for(10ms);  // Pretend we crunch some numbers.
                co_await aio::sleep(1s);
            });
            FAIL("the inner block returned");
        }),
                        aio::TimeoutError);
    };
    aio::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_nested_timeouts_loop_busy") {
    auto main = []() -> Coro<void> {
        // After the inner timeout is an expensive operation which should be stopped by the outer.
        auto& loop = aio::get_running_loop();
        loop.slow_callback_duration = 10s;  // Disable a message about long running task
        auto t0 = now();
        CHECK_THROWS_AS(co_await aio::timeout(100ms).run([]() -> Coro<void> {  // (1)
            // with self.assertRaises(TimeoutError): lets any other exception through. Both
            // deadlines pass while the loop is busy, both timeouts cancel the task, so (2) sees
            // a cancellation that is not only its own and lets the CancelledError go (as
            // CPython 3.12.1 does: this assertRaises never sees a TimeoutError).
            try {
                co_await aio::timeout(10ms).run([]() -> Coro<void> {  // (2)
                    std::this_thread::sleep_for(100ms);               // Pretend the loop is busy for a while.
                    co_await aio::sleep(1s);
                });
                FAIL("no exception from (2)");
            } catch (const aio::TimeoutError&) {}
            // TimeoutError was caught by (2)
            co_await aio::sleep(10s);  // This sleep should be interrupted by (1)
        }),
                        aio::TimeoutError);
        auto t1 = now();
        CHECK(t0 <= t1);
        CHECK(t1 <= t0 + 1s);
    };
    aio::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_reschedule") {
    auto main = []() -> Coro<void> {
        auto& loop = aio::get_running_loop();
        aio::Future<aio::Timeout> fut(loop);
        auto deadline1 = now() + 10s;
        auto deadline2 = deadline1 + 20s;
        auto f = [&]() -> Coro<void> {
            auto cm = aio::timeout_at(deadline1);
            co_await cm.run([&]() -> Coro<void> {
                fut.set_result(cm);
                co_await aio::sleep(50s);
            });
        };
        auto task = aio::create_task(f());
        aio::Timeout cm = co_await fut;
        CHECK(cm.when() == deadline1);
        cm.reschedule(deadline2);
        CHECK(cm.when() == deadline2);
        cm.reschedule(std::nullopt);
        CHECK_FALSE(cm.when().has_value());
        task.cancel();
        CHECK_THROWS_AS(co_await task, aio::CancelledError);
        CHECK_FALSE(cm.expired());
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_repr_active") {
    auto main = []() -> Coro<void> {
        auto cm = aio::timeout(10s);
        co_await cm.run([&]() -> Coro<void> {
            CHECK(std::regex_match(cm.repr(), std::regex(R"(<Timeout \[active\] when=\d+\.\d*>)")));
            co_return;
        });
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_repr_expired") {
    auto main = []() -> Coro<void> {
        auto cm = aio::timeout(10ms);
        CHECK_THROWS_AS(co_await cm.run(sleep_for(10s)), aio::TimeoutError);
        CHECK(cm.repr() == "<Timeout [expired]>");
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_repr_finished") {
    auto main = []() -> Coro<void> {
        auto cm = aio::timeout(10s);
        co_await cm.run(sleep_for(0s));
        CHECK(cm.repr() == "<Timeout [finished]>");
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_repr_disabled") {
    auto main = []() -> Coro<void> {
        auto cm = aio::timeout(std::nullopt);
        co_await cm.run([&]() -> Coro<void> {
            CHECK(cm.repr() == "<Timeout [active] when=None>");
            co_return;
        });
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_nested_timeout_in_finally") {
    auto main = []() -> Coro<void> {
        CHECK_THROWS_AS(co_await aio::timeout(10ms).run([]() -> Coro<void> {
            std::exception_ptr pending;
            try {
                co_await aio::sleep(1s);
            } catch (...) {
                pending = std::current_exception();
            }
            // finally: (C++ cannot co_await in a catch block: the exception is kept and rethrown)
            CHECK_THROWS_AS(co_await aio::timeout(10ms).run(sleep_for(10s)), aio::TimeoutError);
            if (pending) std::rethrow_exception(pending);
        }),
                        aio::TimeoutError);
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_timeout_after_cancellation") {
    auto main = []() -> Coro<void> {
        try {
            aio::current_task().cancel();
            co_await aio::sleep(1s);  // work which will be cancelled
        } catch (const aio::CancelledError&) {}
        // finally:
        CHECK_THROWS_AS(co_await aio::timeout(0s).run(sleep_for(1s)), aio::TimeoutError);  // some cleanup
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_cancel_in_timeout_after_cancellation") {
    auto main = []() -> Coro<void> {
        try {
            aio::current_task().cancel();
            co_await aio::sleep(1s);  // work which will be cancelled
        } catch (const aio::CancelledError&) {}
        // finally:
        CHECK_THROWS_AS(co_await aio::timeout(1s).run([]() -> Coro<void> {
            aio::current_task().cancel();
            co_await aio::sleep(2s);  // some cleanup
        }),
                        aio::CancelledError);
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_timeout_exception_cause") {
    auto main = []() -> Coro<void> {
        std::exception_ptr exc;
        try {
            co_await aio::timeout(0s).run(sleep_for(1s));
        } catch (const aio::TimeoutError&) {
            exc = std::current_exception();
        }
        REQUIRE(exc);
        CHECK(aio::is_cancelled_error(aio::cause(exc)));  // isinstance(exc.__cause__, CancelledError)
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_timeout_already_entered") {
    auto main = []() -> Coro<void> {
        auto cm = aio::timeout(10ms);
        co_await cm.run([&]() -> Coro<void> {
            try {
                co_await cm.run([]() -> Coro<void> { co_return; });
                FAIL("no RuntimeError");
            } catch (const aio::RuntimeError& e) {
                CHECK(cpy::contains(e.what(), "has already been entered"));
            }
        });
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_timeout_double_enter") {
    auto main = []() -> Coro<void> {
        auto cm = aio::timeout(10ms);
        co_await cm.run([]() -> Coro<void> { co_return; });
        try {
            co_await cm.run([]() -> Coro<void> { co_return; });
            FAIL("no RuntimeError");
        } catch (const aio::RuntimeError& e) {
            CHECK(cpy::contains(e.what(), "has already been entered"));
        }
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_timeout_finished") {
    auto main = []() -> Coro<void> {
        auto cm = aio::timeout(10ms);
        co_await cm.run([]() -> Coro<void> { co_return; });
        try {
            cm.reschedule(now() + 20ms);
            FAIL("no RuntimeError");
        } catch (const aio::RuntimeError& e) {
            CHECK(cpy::contains(e.what(), "finished"));
        }
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_timeout_expired") {
    auto main = []() -> Coro<void> {
        auto cm = aio::timeout(10ms);
        CHECK_THROWS_AS(co_await cm.run(sleep_for(1s)), aio::TimeoutError);
        try {
            cm.reschedule(now() + 20ms);
            FAIL("no RuntimeError");
        } catch (const aio::RuntimeError& e) {
            CHECK(cpy::contains(e.what(), "expired"));
        }
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_timeout_expiring") {
    auto main = []() -> Coro<void> {
        auto cm = aio::timeout(10ms);
        co_await cm.run([&]() -> Coro<void> {
            CHECK_THROWS_AS(co_await aio::sleep(1s), aio::CancelledError);
            try {
                cm.reschedule(now() + 20ms);
                FAIL("no RuntimeError");
            } catch (const aio::RuntimeError& e) {
                CHECK(cpy::contains(e.what(), "expiring"));
            }
        });
    };
    cpy::run(main());
}

TEST_CASE("test_timeouts.py::TimeoutTests::test_timeout_not_entered") {
    auto main = []() -> Coro<void> {
        auto cm = aio::timeout(10ms);
        try {
            cm.reschedule(now() + 20ms);
            FAIL("no RuntimeError");
        } catch (const aio::RuntimeError& e) {
            CHECK(cpy::contains(e.what(), "has not been entered"));
        }
        co_return;
    };
    cpy::run(main());
}

}  // namespace cpy_timeouts
