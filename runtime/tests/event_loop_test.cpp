// aio::EventLoop: time, callbacks and timers, running and stopping, closing, errors, and the
// real-time loop's idle wait (woken by call_soon_threadsafe, no busy spinning).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support.hpp"

// The loop's internals these tests look at (not part of EventLoop's public interface).
using Access = aio::detail::EventLoopAccess;

using namespace std::chrono_literals;

namespace {

using Log = std::vector<std::string>;

/// Runs the loop until it has nothing ready, no timers and no thread work left.
void run_until_idle(aio::EventLoop& loop) {
    while (Access::ready_size(loop) > 0 || Access::timer_count(loop) > 0 || Access::thread_work_in_flight(loop) > 0) {
        loop.call_soon([&loop] { loop.stop(); });
        loop.run_forever();
    }
}

aio::Coro<void> sleep_forever(int* cleaned, Log& log) {
    aio_test::Cleanup c(cleaned);
    log.push_back("started");
    co_await aio::sleep(1h);
    log.push_back("woke");  // never: the loop closes first
}

}  // namespace

TEST_SUITE("event_loop") {
    TEST_CASE("time() never goes backwards") {
        aio::EventLoop loop;
        aio::TimePoint last = loop.time();
        int backwards = 0;
        for (int i = 0; i < 10000; ++i) {
            aio::TimePoint now = loop.time();
            if (now < last) ++backwards;
            last = now;
        }
        CHECK(backwards == 0);
    }

    TEST_CASE("a timer runs no earlier than its deadline on the loop's clock") {
        aio::EventLoop loop;
        aio::TimePoint fired{};
        aio::Handle h = loop.call_later(2ms, [&] {
            fired = loop.time();
            loop.stop();
        });
        loop.run_forever();
        CHECK(fired >= h.when());
    }

    TEST_CASE("call_soon callbacks run in FIFO order") {
        aio::EventLoop loop;
        Log log;
        for (int i = 0; i < 5; ++i) loop.call_soon([&log, i] { log.push_back(std::to_string(i)); });
        run_until_idle(loop);
        CHECK(log == Log{"0", "1", "2", "3", "4"});
    }

    TEST_CASE("stop() ends run_forever after the current pass; what that pass scheduled runs next time") {
        aio::EventLoop loop;
        Log log;
        loop.call_soon([&] {
            log.push_back("a");
            loop.call_soon([&] { log.push_back("c"); });
            loop.stop();
        });
        loop.call_soon([&] { log.push_back("b"); });
        loop.run_forever();
        log.push_back("|");
        loop.stop();
        loop.run_forever();
        log.push_back("|");
        // CPython 3.12: ['a', 'b', '|', 'c', '|']
        CHECK(log == Log{"a", "b", "|", "c", "|"});
    }

    TEST_CASE("stop() before run_forever() runs exactly one pass") {
        aio::EventLoop loop;
        Log log;
        loop.call_soon([&] {
            log.push_back("x");
            loop.call_soon([&] { log.push_back("y"); });
        });
        loop.stop();
        loop.run_forever();
        CHECK(log == Log{"x"});
        loop.stop();
        loop.run_forever();
        CHECK(log == Log{"x", "y"});
    }

    TEST_CASE("call_later and call_at fire in deadline order, whatever the order they were scheduled in") {
        aio::EventLoop loop;
        Log log;
        const aio::TimePoint t0 = loop.time();
        loop.call_later(10ms, [&] { log.push_back("10ms"); });             // due in [t0 + 10ms, now + 10ms]
        loop.call_at(loop.time() + 20ms, [&] { log.push_back("20ms"); });  // surely after it
        loop.call_at(t0 + 5ms, [&] { log.push_back("5ms"); });
        loop.call_at(t0 + 1ms, [&] { log.push_back("1ms"); });
        run_until_idle(loop);
        CHECK(log == Log{"1ms", "5ms", "10ms", "20ms"});
        CHECK(loop.time() >= t0 + 20ms);
    }

    TEST_CASE("timers with the same deadline fire in the order they were scheduled") {
        aio::EventLoop loop;
        Log log;
        const aio::TimePoint when = loop.time() + 1ms;
        for (int i = 0; i < 4; ++i) loop.call_at(when, [&log, i] { log.push_back(std::to_string(i)); });
        run_until_idle(loop);
        CHECK(log == Log{"0", "1", "2", "3"});
    }

    TEST_CASE("a cancelled callback never runs") {
        aio::EventLoop loop;
        Log log;
        loop.call_soon([&] { log.push_back("kept"); });
        aio::Handle h = loop.call_soon([&] { log.push_back("cancelled"); });
        CHECK_FALSE(h.cancelled());
        h.cancel();
        h.cancel();  // idempotent
        CHECK(h.cancelled());
        run_until_idle(loop);
        CHECK(log == Log{"kept"});
    }

    TEST_CASE("a cancelled timer never runs and leaves the loop at once") {
        aio::EventLoop loop;
        Log log;
        aio::Handle h = loop.call_later(1ms, [&] { log.push_back("cancelled"); });
        loop.call_later(2ms, [&] { log.push_back("kept"); });
        CHECK(Access::timer_count(loop) == 2);
        h.cancel();
        CHECK(Access::timer_count(loop) == 1);
        run_until_idle(loop);
        CHECK(log == Log{"kept"});
    }

    TEST_CASE("a timer handle tells its deadline") {
        aio::EventLoop loop;
        const aio::TimePoint when = loop.time() + 1h;
        aio::Handle h = loop.call_at(when, [] {});
        CHECK(h.when() == when);
        h.cancel();
        CHECK(Access::timer_count(loop) == 0);
    }

    TEST_CASE("run_until_complete returns the coroutine's result") {
        aio::EventLoop loop;
        auto coro = []() -> aio::Coro<std::string> {
            co_await aio::sleep(0s);
            co_return "result";
        };
        CHECK(loop.run_until_complete(coro()) == "result");
        CHECK_FALSE(loop.is_running());
        CHECK_FALSE(loop.is_closed());
    }

    TEST_CASE("run_until_complete of a task created before the loop runs returns its result") {
        aio::EventLoop loop;
        Log log;
        auto coro = [](Log& log) -> aio::Coro<int> {
            log.push_back("task ran");
            co_return 3;
        };
        auto t = loop.create_task(coro(log), "early");
        CHECK(log.empty());  // a task only starts when the loop runs
        CHECK(loop.run_until_complete(t) == 3);
        CHECK(log == Log{"task ran"});
    }

    TEST_CASE("run_until_complete rethrows the coroutine's exception") {
        aio::EventLoop loop;
        auto coro = []() -> aio::Coro<int> {
            co_await aio::sleep(0s);
            throw std::length_error("too long");
        };
        CHECK_THROWS_WITH_AS(loop.run_until_complete(coro()), "too long", std::length_error);
    }

    TEST_CASE("run_until_complete of an empty coroutine throws ValueError") {
        aio::EventLoop loop;
        aio::Coro<int> empty;
        CHECK_THROWS_AS(loop.run_until_complete(std::move(empty)), aio::ValueError);
    }

    TEST_CASE("run_until_complete of another loop's task throws ValueError") {
        aio::EventLoop a, b;
        auto coro = []() -> aio::Coro<int> { co_return 1; };
        auto t = a.create_task(coro());
        CHECK_THROWS_WITH_AS(b.run_until_complete(t), "run_until_complete(): the task belongs to another event loop",
                             aio::ValueError);
        CHECK(a.run_until_complete(t) == 1);
    }

    TEST_CASE("is_running() is true only while the loop runs") {
        aio::EventLoop loop;
        bool inside = false;
        CHECK_FALSE(loop.is_running());
        loop.call_soon([&] {
            inside = loop.is_running();
            loop.stop();
        });
        loop.run_forever();
        CHECK(inside);
        CHECK_FALSE(loop.is_running());
    }

    TEST_CASE("get_running_loop() is the running loop, and throws RuntimeError outside one") {
        CHECK_THROWS_WITH_AS(aio::get_running_loop(), "no running event loop", aio::RuntimeError);
        CHECK_THROWS_WITH_AS(aio::current_task(), "no running event loop", aio::RuntimeError);
        aio::EventLoop loop;
        aio::EventLoop* seen = nullptr;
        loop.call_soon([&] {
            seen = &aio::get_running_loop();
            loop.stop();
        });
        loop.run_forever();
        CHECK(seen == &loop);
        CHECK_THROWS_AS(aio::get_running_loop(), aio::RuntimeError);
    }

    TEST_CASE("running a loop that is already running raises RuntimeError") {
        aio::EventLoop loop;
        std::string error;
        loop.call_soon([&] {
            try {
                loop.run_forever();
            } catch (const aio::RuntimeError& e) {
                error = e.what();
            }
            loop.stop();
        });
        loop.run_forever();
        CHECK(error == "This event loop is already running");
    }

    TEST_CASE("running a second loop inside a running loop raises RuntimeError") {
        aio::EventLoop outer, inner;
        std::string error;
        outer.call_soon([&] {
            try {
                inner.run_forever();
            } catch (const aio::RuntimeError& e) {
                error = e.what();
            }
            outer.stop();
        });
        outer.run_forever();
        CHECK(error == "Cannot run the event loop while another loop is running");
    }

    TEST_CASE("close() destroys pending task frames, runs their RAII cleanup and reports each task") {
        aio_test::Reports reports;
        int cleaned = 0;
        Log log;
        {
            aio::EventLoop loop;
            reports.watch(loop);
            (void)loop.create_task(sleep_forever(&cleaned, log), "sleeper");
            loop.call_soon([&] { loop.stop(); });
            loop.run_forever();
            CHECK(log == Log{"started"});
            CHECK(cleaned == 0);
            CHECK(Access::timer_count(loop) == 1);
            loop.close();
            CHECK(loop.is_closed());
            CHECK(cleaned == 1);
            CHECK(Access::timer_count(loop) == 0);
            CHECK(reports.messages() == Log{"Task was destroyed but it is pending!"});
            CHECK(reports.contexts[0].task_name == "sleeper");
        }
        CHECK(cleaned == 1);  // exactly once: destroying the loop does not clean up again
        CHECK(log == Log{"started"});
        CHECK(reports.contexts.size() == 1);
    }

    TEST_CASE("destroying a loop that was never closed closes it") {
        aio_test::Reports reports;
        int cleaned = 0;
        Log log;
        {
            aio::EventLoop loop;
            reports.watch(loop);
            (void)loop.create_task(sleep_forever(&cleaned, log), "sleeper");
            loop.call_soon([&] { loop.stop(); });
            loop.run_forever();
        }
        CHECK(cleaned == 1);
        CHECK(reports.messages() == Log{"Task was destroyed but it is pending!"});
    }

    TEST_CASE("close() drops scheduled callbacks and timers without running them") {
        aio::EventLoop loop;
        Log log;
        loop.call_soon([&] { log.push_back("soon"); });
        loop.call_later(1ms, [&] { log.push_back("later"); });
        loop.close();
        CHECK(Access::ready_size(loop) == 0);
        CHECK(Access::timer_count(loop) == 0);
        CHECK(log.empty());
    }

    TEST_CASE("a closed loop rejects new work with RuntimeError") {
        aio::EventLoop loop;
        loop.close();
        loop.close();  // idempotent
        CHECK(loop.is_closed());
        CHECK_THROWS_WITH_AS(loop.call_soon([] {}), "Event loop is closed (called call_soon on a closed loop)",
                             aio::RuntimeError);
        CHECK_THROWS_AS(loop.call_later(1ms, [] {}), aio::RuntimeError);
        CHECK_THROWS_AS(loop.call_at(loop.time(), [] {}), aio::RuntimeError);
        CHECK_THROWS_AS(loop.call_soon_threadsafe([] {}), aio::RuntimeError);
        CHECK_THROWS_AS(loop.run_forever(), aio::RuntimeError);
        auto coro = []() -> aio::Coro<int> { co_return 1; };
        CHECK_THROWS_WITH_AS(loop.create_task(coro()), "Event loop is closed (called create_task on a closed loop)",
                             aio::RuntimeError);
        CHECK_THROWS_AS(loop.run_until_complete(coro()), aio::RuntimeError);
    }

    TEST_CASE("closing a running loop raises RuntimeError") {
        aio::EventLoop loop;
        std::string error;
        loop.call_soon([&] {
            try {
                loop.close();
            } catch (const aio::RuntimeError& e) {
                error = e.what();
            }
            loop.stop();
        });
        loop.run_forever();
        CHECK(error == "Cannot close a running event loop");
        CHECK_FALSE(loop.is_closed());
    }

    TEST_CASE("an exception in a callback goes to the exception handler and the loop goes on") {
        aio::EventLoop loop;
        std::vector<aio::ExceptionContext> seen;
        aio::EventLoop* handler_loop = nullptr;
        loop.set_exception_handler([&](aio::EventLoop& l, const aio::ExceptionContext& c) {
            handler_loop = &l;
            seen.push_back(c);
        });
        Log log;
        loop.call_soon([] { throw aio::ValueError("cb"); });
        loop.call_soon([&] { log.push_back("next callback ran"); });
        run_until_idle(loop);
        REQUIRE(seen.size() == 1);
        CHECK(handler_loop == &loop);
        CHECK(seen[0].message == "Exception in callback");
        CHECK(aio::describe(seen[0].exception) == "ValueError: cb");
        CHECK(seen[0].task_name.empty());
        CHECK(log == Log{"next callback ran"});
    }

    TEST_CASE("the default exception handler writes the message and the exception to the log sink") {
        aio::EventLoop loop;
        aio_test::Reports reports;
        reports.watch_log(loop);
        CHECK_FALSE(loop.get_exception_handler());
        loop.call_soon([] { throw std::runtime_error("lost?"); });
        run_until_idle(loop);
        REQUIRE(reports.lines.size() == 1);
        CHECK(reports.lines[0] == "Exception in callback\nexception: std::runtime_error: lost?");
    }

    TEST_CASE("an exception handler that throws is reported together with the original error") {
        aio::EventLoop loop;
        aio_test::Reports reports;
        reports.watch_log(loop);
        loop.set_exception_handler(
            [](aio::EventLoop&, const aio::ExceptionContext&) { throw aio::ValueError("handler broke"); });
        loop.call_soon([] { throw aio::RuntimeError("original"); });
        run_until_idle(loop);
        REQUIRE(reports.lines.size() == 2);
        CHECK(reports.lines[0] == "Unhandled error in exception handler\nexception: ValueError: handler broke");
        CHECK(reports.lines[1] == "Exception in callback\nexception: RuntimeError: original");
    }

    TEST_CASE("the debug flag is set and read with set_debug/get_debug") {
        unsetenv("AIO_DEBUG");
        aio::EventLoop loop;
        CHECK_FALSE(loop.get_debug());
        loop.set_debug(true);
        CHECK(loop.get_debug());
        loop.set_debug(false);
        CHECK_FALSE(loop.get_debug());
    }

    TEST_CASE("call_soon_threadsafe from another thread wakes a loop blocked while idle" *
              doctest::test_suite("threads")) {
        aio::EventLoop loop;
        bool woken = false;
        bool gave_up = false;
        // A safety net so a lost wake-up fails the test instead of hanging it.
        loop.call_later(30s, [&] {
            gave_up = true;
            loop.stop();
        });
        std::thread poster;
        loop.call_soon([&] {
            poster = std::thread([&loop, &woken] {
                std::this_thread::sleep_for(20ms);  // the loop is blocked by now (or soon will be)
                loop.call_soon_threadsafe([&loop, &woken] {
                    woken = true;
                    loop.stop();
                });
            });
        });
        loop.run_forever();
        poster.join();
        CHECK(woken);
        CHECK_FALSE(gave_up);
    }

    TEST_CASE("an idle loop blocks its thread instead of spinning" * doctest::test_suite("threads")) {
        aio::EventLoop loop;
        bool woken = false;
        std::thread poster;
        loop.call_soon([&] {
            poster = std::thread([&loop, &woken] {
                std::this_thread::sleep_for(250ms);
                loop.call_soon_threadsafe([&loop, &woken] {
                    woken = true;
                    loop.stop();
                });
            });
        });
        const double cpu0 = aio_test::thread_cpu_seconds();
        const auto wall0 = std::chrono::steady_clock::now();
        loop.run_forever();
        const double cpu = aio_test::thread_cpu_seconds() - cpu0;
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
        poster.join();
        REQUIRE(woken);
        CHECK(wall >= 0.25);  // causal: the wake-up was posted 250 ms after the loop started
        // A spinning loop burns its whole wait on the CPU, even on a loaded machine a good part of
        // it; a blocked one uses next to nothing (thread start-up and one pass).
        INFO("loop thread CPU time " << cpu << " s over " << wall << " s");
        CHECK(cpu < wall / 10);
    }

    TEST_CASE("an idle loop with a timer wakes at the deadline without spinning" * doctest::test_suite("threads")) {
        aio::EventLoop loop;
        const double cpu0 = aio_test::thread_cpu_seconds();
        aio::Handle h = loop.call_later(200ms, [&] { loop.stop(); });
        loop.run_forever();
        const double cpu = aio_test::thread_cpu_seconds() - cpu0;
        CHECK(loop.time() >= h.when());
        INFO("loop thread CPU time " << cpu << " s");
        CHECK(cpu < 0.02);
    }

    TEST_CASE("callbacks posted from several threads all run, each thread's in its order" *
              doctest::test_suite("threads")) {
        aio::EventLoop loop;
        constexpr int kThreads = 4, kPosts = 200;
        std::vector<std::vector<int>> seen(kThreads);
        int total = 0;
        std::vector<std::thread> posters;
        loop.call_soon([&] {
            for (int t = 0; t < kThreads; ++t)
                posters.emplace_back([&, t] {
                    for (int i = 0; i < kPosts; ++i)
                        loop.call_soon_threadsafe([&, t, i] {
                            seen[t].push_back(i);
                            if (++total == kThreads * kPosts) loop.stop();
                        });
                });
        });
        loop.run_forever();
        for (auto& p : posters) p.join();
        CHECK(total == kThreads * kPosts);
        std::vector<int> expected(kPosts);
        for (int i = 0; i < kPosts; ++i) expected[i] = i;
        for (int t = 0; t < kThreads; ++t) CHECK(seen[t] == expected);
    }

    TEST_CASE("call_soon_threadsafe on the loop's thread keeps call order with call_soon and wake-ups") {
        // asyncio appends both to _ready in call order (test_events.py's
        // test_call_soon_threadsafe_same_thread, here inside the run and with a task woken).
        aio::EventLoop loop;
        Log log;
        aio::Future<int> fut(loop);
        auto waiter = loop.create_task([](aio::Future<int>& f, Log& l) -> aio::Coro<void> {
            l.push_back("task " + std::to_string(co_await f));
        }(fut, log));
        loop.call_soon([&] {
            loop.call_soon_threadsafe([&] { log.push_back("threadsafe 1"); });
            loop.call_soon([&] { log.push_back("soon"); });
            loop.call_soon_threadsafe([&] { log.push_back("threadsafe 2"); });
            fut.set_result(7);  // wakes the task: its step queues after the posts above
            loop.call_soon_threadsafe([&] { log.push_back("threadsafe 3"); });
        });
        loop.run_until_complete(waiter);
        run_until_idle(loop);
        CHECK(log == Log{"threadsafe 1", "soon", "threadsafe 2", "task 7", "threadsafe 3"});
        // Before the loop runs: the post still goes first.
        log.clear();
        loop.call_soon_threadsafe([&] { log.push_back("threadsafe"); });
        loop.call_soon([&] { log.push_back("soon"); });
        run_until_idle(loop);
        CHECK(log == Log{"threadsafe", "soon"});
    }

    TEST_CASE("a post from another thread that happened before a call_soon runs before it" *
              doctest::test_suite("threads")) {
        aio::EventLoop loop;
        Log log;
        loop.call_soon([&] {
            log.push_back("first");
            // The thread's post happens before the call_soon below (join synchronizes).
            std::thread poster([&] { loop.call_soon_threadsafe([&] { log.push_back("threadsafe"); }); });
            poster.join();
            loop.call_soon([&] { log.push_back("soon"); });
            std::thread second([&] { loop.call_soon_threadsafe([&] { log.push_back("threadsafe 2"); }); });
            second.join();
            loop.call_soon([&] {
                log.push_back("soon 2");
                loop.stop();
            });
        });
        loop.run_forever();
        CHECK(log == Log{"first", "threadsafe", "soon", "threadsafe 2", "soon 2"});
    }

    TEST_CASE("in debug mode call_soon from another thread raises RuntimeError" * doctest::test_suite("threads")) {
        aio::EventLoop loop;
        loop.set_debug(true);
        aio_test::Reports reports;
        reports.watch_log(loop);  // debug mode may log slow callbacks; keep stderr quiet
        std::string error;
        std::thread other;
        loop.call_soon([&] {
            other = std::thread([&] {
                try {
                    loop.call_soon([] {});
                } catch (const aio::RuntimeError& e) {
                    error = e.what();
                }
                loop.call_soon_threadsafe([&] { loop.stop(); });
            });
        });
        loop.run_forever();
        other.join();
        // CPython's message, then which call and what to do instead.
        CHECK(error.rfind(
                  "Non-thread-safe operation invoked on an event loop other than the current one: loop.call_soon()",
                  0) == 0);
        CHECK(error.find("call_soon_threadsafe") != std::string::npos);
    }

    TEST_CASE("shutdown_default_executor waits for the executor's jobs" * doctest::test_suite("threads")) {
        aio::EventLoop loop;
        std::atomic<bool> job_done{false};
        bool completion_ran = false;
        loop.run_in_executor(
            [&] {
                std::this_thread::sleep_for(20ms);
                job_done = true;
            },
            [&] { completion_ran = true; });
        loop.run_until_complete(loop.shutdown_default_executor());
        CHECK(job_done);
        CHECK(loop.default_executor().is_shutdown());
        CHECK_THROWS_AS(loop.default_executor().submit([] {}), aio::RuntimeError);
        run_until_idle(loop);  // the job's completion was posted back to the loop
        CHECK(completion_ran);
        CHECK(Access::thread_work_in_flight(loop) == 0);
    }

}  // TEST_SUITE("event_loop")
