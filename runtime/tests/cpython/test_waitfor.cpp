// CPython 3.12 Lib/test/test_asyncio/test_waitfor.py, ported (README.md here). Both classes are
// IsolatedAsyncioTestCases: each method is the main task of its own loop (cpy::run: the
// simulator's loop, virtual time).
#include <doctest/doctest.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpython_support.hpp"

namespace cpy_waitfor {

using namespace std::chrono_literals;
using aio::Coro;

// The following value can be used as a very small timeout: it passes "timeout > 0".
constexpr aio::Duration epsilon = 100us;

// Task will run for this defined time, ignoring cancel requests (on the loop's clock, which
// is CPython's time.monotonic() here: the simulator's virtual time).
struct SlowTask {
    static constexpr aio::Duration task_timeout = 200ms;
    bool exited = false;
    Coro<void> run() {
        auto& loop = aio::get_running_loop();
        auto exitat = loop.time() + task_timeout;
        while (true) {
            auto tosleep = exitat - loop.time();
            if (tosleep <= aio::Duration::zero()) break;
            try {
                co_await aio::sleep(tosleep);
            } catch (const aio::CancelledError&) {}
        }
        exited = true;
    }
};

struct FooException : std::runtime_error {
    FooException() : std::runtime_error("FooException") {}
};

Coro<void> test_cancel_wait_for(std::optional<aio::Duration> timeout) {
    auto& loop = aio::get_running_loop();
    auto blocking_coroutine = [&]() -> Coro<void> {
        aio::Future<void> fut(loop);
        co_await fut;  // Block: fut result is never set
    };
    auto task = aio::create_task(blocking_coroutine());
    auto wait = aio::create_task(aio::wait_for(task, timeout));
    loop.call_soon([wait]() mutable { wait.cancel(); });
    CHECK_THROWS_AS(co_await wait, aio::CancelledError);
    // Python issue #23219: cancelling the wait must also cancel the task
    CHECK(task.cancelled());
}

// The cases stay in the namespace: the unity build joins the files of this directory.

TEST_CASE("test_waitfor.py::AsyncioWaitForTest::test_asyncio_wait_for_cancelled") {
    auto main = []() -> Coro<void> {
        SlowTask t;
        auto waitfortask = aio::create_task(aio::wait_for(t.run(), SlowTask::task_timeout * 2));
        co_await aio::sleep(0s);
        waitfortask.cancel();
        std::vector<aio::Task<void>> fs{waitfortask};
        co_await aio::wait(std::move(fs));
        CHECK(t.exited);
    };
    cpy::run(main());
}

TEST_CASE("test_waitfor.py::AsyncioWaitForTest::test_asyncio_wait_for_timeout") {
    auto main = []() -> Coro<void> {
        SlowTask t;
        try {
            co_await aio::wait_for(t.run(), SlowTask::task_timeout / 2);
        } catch (const aio::TimeoutError&) {}
        CHECK(t.exited);
    };
    cpy::run(main());
}

TEST_CASE("test_waitfor.py::AsyncioWaitForTest::test_wait_for_timeout_less_then_0_or_0_future_done") {
    auto main = []() -> Coro<void> {
        aio::Future<std::string> fut(aio::get_running_loop());
        fut.set_result("done");
        auto ret = co_await aio::wait_for(fut, 0s);
        CHECK(ret == "done");
        CHECK(fut.done());
    };
    cpy::run(main());
}

TEST_CASE("test_waitfor.py::AsyncioWaitForTest::test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started") {
    auto main = []() -> Coro<void> {
        bool foo_started = false;
        auto foo = [&]() -> Coro<void> {
            foo_started = true;
            co_return;
        };
        CHECK_THROWS_AS(co_await aio::wait_for(foo(), 0s), aio::TimeoutError);
        CHECK(foo_started == false);
    };
    cpy::run(main());
}

TEST_CASE("test_waitfor.py::AsyncioWaitForTest::test_wait_for_timeout_less_then_0_or_0") {
    for (aio::Duration timeout : {aio::Duration(0s), aio::Duration(-1s)}) {
        {
            CAPTURE(timeout.count());
            auto main = [timeout]() -> Coro<void> {
                auto& loop = aio::get_running_loop();
                std::optional<bool> foo_running;
                aio::Future<void> started(loop);
                auto foo = [&]() -> Coro<std::string> {
                    foo_running = true;
                    started.set_result();
                    try {
                        co_await aio::sleep(10s);
                    } catch (...) {
                        foo_running = false;
                        throw;
                    }
                    foo_running = false;
                    co_return "done";
                };
                auto fut = aio::create_task(foo());
                co_await started;
                CHECK_THROWS_AS(co_await aio::wait_for(fut, timeout), aio::TimeoutError);
                CHECK(fut.done());
                // it should have been cancelled due to the timeout
                CHECK(fut.cancelled());
                CHECK(foo_running == false);
            };
            cpy::run(main());
        }
    }
}

TEST_CASE("test_waitfor.py::AsyncioWaitForTest::test_wait_for") {
    auto main = []() -> Coro<void> {
        std::optional<bool> foo_running;
        auto foo = [&]() -> Coro<std::string> {
            foo_running = true;
            try {
                co_await aio::sleep(300s);  // support.LONG_TIMEOUT
            } catch (...) {
                foo_running = false;
                throw;
            }
            foo_running = false;
            co_return "done";
        };
        auto fut = aio::create_task(foo());
        CHECK_THROWS_AS(co_await aio::wait_for(fut, 100ms), aio::TimeoutError);
        CHECK(fut.done());
        // it should have been cancelled due to the timeout
        CHECK(fut.cancelled());
        CHECK(foo_running == false);
    };
    cpy::run(main());
}

TEST_CASE("test_waitfor.py::AsyncioWaitForTest::test_wait_for_blocking") {
    auto main = []() -> Coro<void> {
        auto coro = []() -> Coro<std::string> { co_return "done"; };
        auto res = co_await aio::wait_for(coro(), std::nullopt);
        CHECK(res == "done");
    };
    cpy::run(main());
}

TEST_CASE("test_waitfor.py::AsyncioWaitForTest::test_wait_for_race_condition") {
    auto main = []() -> Coro<void> {
        auto& loop = aio::get_running_loop();
        aio::Future<std::string> fut(loop);
        auto task = aio::wait_for(fut, 200ms);
        loop.call_soon([fut]() mutable { fut.set_result("ok"); });
        auto res = co_await std::move(task);
        CHECK(res == "ok");
    };
    cpy::run(main());
}

TEST_CASE("test_waitfor.py::AsyncioWaitForTest::test_wait_for_cancellation_race_condition") {
    auto main = []() -> Coro<void> {
        auto inner = []() -> Coro<int> {
            CHECK_THROWS_AS(co_await aio::sleep(1s), aio::CancelledError);
            co_return 1;
        };
        auto result = co_await aio::wait_for(inner(), 10ms);
        CHECK(result == 1);
    };
    cpy::run(main());
}

TEST_CASE("test_waitfor.py::AsyncioWaitForTest::test_wait_for_waits_for_task_cancellation") {
    auto main = []() -> Coro<void> {
        bool task_done = false;
        auto inner = [&]() -> Coro<void> {
            std::exception_ptr cancelled;
            try {
                co_await aio::sleep(10s);
            } catch (const aio::CancelledError&) {
                cancelled = std::current_exception();
            }
            if (cancelled) {  // except CancelledError: await sleep(_EPSILON); raise
                try {
                    co_await aio::sleep(epsilon);
                } catch (...) {
                    task_done = true;
                    throw;
                }
                task_done = true;
                std::rethrow_exception(cancelled);
            }
            task_done = true;
        };
        auto inner_task = aio::create_task(inner());
        std::exception_ptr exc;
        try {
            co_await aio::wait_for(inner_task, epsilon);
        } catch (const aio::TimeoutError&) {
            exc = std::current_exception();
        }
        REQUIRE(exc);
        CHECK(task_done);
        // cm.exception.__context__ is a CancelledError: wait_for raises TimeoutError from it,
        // and aio keeps that chain as the cause (aio does not track __context__ apart).
        CHECK(aio::is_cancelled_error(aio::cause(exc)));
    };
    cpy::run(main());
}

TEST_CASE("test_waitfor.py::AsyncioWaitForTest::test_wait_for_waits_for_task_cancellation_w_timeout_0") {
    auto main = []() -> Coro<void> {
        bool task_done = false;
        auto foo = [&]() -> Coro<void> {
            auto inner = [&]() -> Coro<void> {
                std::exception_ptr cancelled;
                try {
                    co_await aio::sleep(10s);
                } catch (const aio::CancelledError&) {
                    cancelled = std::current_exception();
                }
                if (cancelled) {
                    try {
                        co_await aio::sleep(epsilon);
                    } catch (...) {
                        task_done = true;
                        throw;
                    }
                    task_done = true;
                    std::rethrow_exception(cancelled);
                }
                task_done = true;
            };
            auto inner_task = aio::create_task(inner());
            co_await aio::sleep(epsilon);
            co_await aio::wait_for(inner_task, 0s);
        };
        std::exception_ptr exc;
        try {
            co_await foo();
        } catch (const aio::TimeoutError&) {
            exc = std::current_exception();
        }
        REQUIRE(exc);
        CHECK(task_done);
        // __context__: with timeout <= 0, wait_for raises TimeoutError inside the handler of
        // the CancelledError that _cancel_and_wait's task ended with. aio records no context.
        CHECK(aio::is_cancelled_error(aio::cause(exc)));
    };
    cpy::run(main());
}

TEST_CASE("test_waitfor.py::AsyncioWaitForTest::test_wait_for_reraises_exception_during_cancellation") {
    auto main = []() -> Coro<void> {
        auto foo = []() -> Coro<void> {
            auto inner = []() -> Coro<void> {
                try {
                    co_await aio::sleep(200ms);
                } catch (...) {}
                throw FooException();  // finally: raise FooException
            };
            auto inner_task = aio::create_task(inner());
            co_await aio::wait_for(inner_task, epsilon);
        };
        CHECK_THROWS_AS(co_await foo(), FooException);
    };
    cpy::run(main());
}

TEST_CASE("test_waitfor.py::AsyncioWaitForTest::test_cancel_blocking_wait_for") {
    cpy::run(test_cancel_wait_for(std::nullopt));
}

TEST_CASE("test_waitfor.py::AsyncioWaitForTest::test_cancel_wait_for") { cpy::run(test_cancel_wait_for(60s)); }

TEST_CASE("test_waitfor.py::AsyncioWaitForTest::test_wait_for_cancel_suppressed") {
    auto main = []() -> Coro<void> {
        // GH-86296: a task that suppresses CancelledError and returns a value: wait_for
        // returns the value instead of raising, as asyncio.timeout does.
        auto return_42 = []() -> Coro<int> {
            try {
                co_await aio::sleep(10s);
            } catch (const aio::CancelledError&) {
                co_return 42;
            }
            co_return 0;
        };
        auto res = co_await aio::wait_for(return_42(), 100ms);
        CHECK(res == 42);
    };
    cpy::run(main());
}

TEST_CASE("test_waitfor.py::AsyncioWaitForTest::test_wait_for_issue86296") {
    auto main = []() -> Coro<void> {
        // GH-86296: The task should get cancelled and not run to completion. inner completes
        // in one cycle of the event loop so it completes before the task is cancelled.
        auto inner = []() -> Coro<std::string> { co_return "done"; };
        auto inner_task = aio::create_task(inner());
        bool reached_end = false;
        auto wait_for_coro = [&]() -> Coro<void> {
            co_await aio::wait_for(inner_task, 100s);
            co_await aio::sleep(1s);
            reached_end = true;
        };
        auto task = aio::create_task(wait_for_coro());
        CHECK_FALSE(task.done());
        co_await aio::sleep(0s);  // Run the task
        task.cancel();
        CHECK_THROWS_AS(co_await task, aio::CancelledError);
        CHECK(inner_task.done());
        CHECK(co_await inner_task == "done");
        CHECK_FALSE(reached_end);
    };
    cpy::run(main());
}

TEST_CASE("test_waitfor.py::WaitForShieldTests::test_zero_timeout") {
    auto main = []() -> Coro<void> {
        // shield() makes a new future wrapping the task: with timeout=0 that future is
        // cancelled at once and the task it wraps keeps running.
        auto coro = []() -> Coro<std::string> {
            co_await aio::sleep(10ms);
            co_return "done";
        };
        auto task = aio::create_task(coro());
        auto shielded_task = aio::shield(task);
        CHECK_THROWS_AS(co_await aio::wait_for(shielded_task, 0s), aio::TimeoutError);
        // Task is running in background
        CHECK_FALSE(task.done());
        CHECK_FALSE(task.cancelled());
        CHECK(shielded_task.cancelled());
        // Wait for the task to complete
        co_await aio::sleep(100ms);
        CHECK(task.done());
    };
    cpy::run(main());
}

TEST_CASE("test_waitfor.py::WaitForShieldTests::test_none_timeout") {
    auto main = []() -> Coro<void> {
        auto coro = []() -> Coro<std::string> {
            co_await aio::sleep(100ms);
            co_return "done";
        };
        auto task = aio::create_task(coro());
        co_await aio::wait_for(aio::shield(task), std::nullopt);
        CHECK(task.done());
        CHECK(co_await task == "done");
    };
    cpy::run(main());
}

TEST_CASE("test_waitfor.py::WaitForShieldTests::test_shielded_timeout") {
    auto main = []() -> Coro<void> {
        auto coro = []() -> Coro<std::string> {
            co_await aio::sleep(100ms);
            co_return "done";
        };
        auto task = aio::create_task(coro());
        CHECK_THROWS_AS(co_await aio::wait_for(aio::shield(task), 10ms), aio::TimeoutError);
        CHECK_FALSE(task.done());
        CHECK_FALSE(task.cancelled());
        CHECK(co_await task == "done");
    };
    cpy::run(main());
}

}  // namespace cpy_waitfor
