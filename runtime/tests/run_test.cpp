// aio::run and aio::Runner: asyncio.run's contract (result, errors, shutdown sequence, misuse).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support.hpp"

using namespace std::chrono_literals;

namespace {

using Log = std::vector<std::string>;

aio::Coro<int> answer() {
    co_await aio::sleep(0s);
    co_return 42;
}

/// Sleeps "forever"; records its catch block and its RAII cleanup.
aio::Coro<void> background(Log& log, int* cleaned, std::string who = "bg") {
    aio_test::Cleanup c(cleaned);
    try {
        co_await aio::sleep(1h);
    } catch (const aio::CancelledError&) {
        log.push_back(who + " cancelled");
        throw;
    }
    log.push_back(who + " finished");  // never: run() cancels it first
}

aio::Coro<void> fails_in_cleanup(Log& log) {
    try {
        co_await aio::sleep(1h);
    } catch (const aio::CancelledError&) {
        log.push_back("cleanup raises");
        throw aio::RuntimeError("cleanup failed");
    }
}

/// A RunOptions whose loop is a WitnessLoop, watched by `reports` (which may be null).
aio::RunOptions witness_options(aio_test::WitnessLoop::Seen* seen, aio_test::Reports* reports = nullptr) {
    return aio::RunOptions{.loop_factory = [seen, reports]() -> std::unique_ptr<aio::EventLoop> {
        auto loop = std::make_unique<aio_test::WitnessLoop>(seen);
        if (reports) reports->watch(*loop);
        return loop;
    }};
}

/// Sets AIO_DEBUG for the scope of a test, restoring "unset" afterwards.
struct DebugEnv {
    explicit DebugEnv(const char* value) {
        if (value)
            setenv("AIO_DEBUG", value, 1);
        else
            unsetenv("AIO_DEBUG");
    }
    ~DebugEnv() { unsetenv("AIO_DEBUG"); }
};

aio::Coro<bool> loop_debug() { co_return aio::get_running_loop().get_debug(); }

}  // namespace

TEST_SUITE("run") {
    TEST_CASE("run returns the main coroutine's result") { CHECK(aio::run(answer()) == 42); }

    TEST_CASE("run returns a std::string result") {
        auto main = []() -> aio::Coro<std::string> {
            co_await aio::sleep(0s);
            co_return "text";
        };
        CHECK(aio::run(main()) == "text");
    }

    TEST_CASE("run returns a move-only result") {
        auto main = []() -> aio::Coro<std::unique_ptr<int>> {
            co_await aio::sleep(0s);
            co_return std::make_unique<int>(7);
        };
        std::unique_ptr<int> p = aio::run(main());
        REQUIRE(p);
        CHECK(*p == 7);
    }

    TEST_CASE("run of a void coroutine runs it to completion") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            co_await aio::sleep(0s);
            log.push_back("ran");
        };
        aio::run(main(log));
        CHECK(log == Log{"ran"});
    }

    TEST_CASE("run uses loop_factory to make its loop and runs the coroutine on it") {
        aio_test::WitnessLoop::Seen seen;
        int made = 0;
        aio::RunOptions opts{.loop_factory = [&]() -> std::unique_ptr<aio::EventLoop> {
            ++made;
            return std::make_unique<aio_test::WitnessLoop>(&seen);
        }};
        auto main = []() -> aio::Coro<aio::EventLoop*> { co_return &aio::get_running_loop(); };
        aio::EventLoop* used = aio::run(main(), opts);
        CHECK(made == 1);
        CHECK(used == seen.address);
        CHECK(seen.destroyed);
    }

    TEST_CASE("a loop_factory that returns no loop makes run throw ValueError") {
        aio::RunOptions opts{.loop_factory = []() -> std::unique_ptr<aio::EventLoop> { return nullptr; }};
        CHECK_THROWS_WITH_AS(aio::run(answer(), opts),
                             "aio::RunOptions::loop_factory returned no loop (a null std::unique_ptr)",
                             aio::ValueError);
    }

    TEST_CASE("run closes its loop before destroying it") {
        aio_test::WitnessLoop::Seen seen;
        CHECK(aio::run(answer(), witness_options(&seen)) == 42);
        CHECK(seen.destroyed);
        CHECK(seen.closed_when_destroyed);
        CHECK_FALSE(seen.running_when_destroyed);
    }

    TEST_CASE("run closes its loop even when the main coroutine fails") {
        aio_test::WitnessLoop::Seen seen;
        auto main = []() -> aio::Coro<int> {
            co_await aio::sleep(0s);
            throw std::logic_error("main failed");
        };
        CHECK_THROWS_WITH_AS(aio::run(main(), witness_options(&seen)), "main failed", std::logic_error);
        CHECK(seen.destroyed);
        CHECK(seen.closed_when_destroyed);
    }

    TEST_CASE("run clears the running loop when it returns or throws") {
        CHECK(aio::run(answer()) == 42);
        CHECK(aio::EventLoop::running() == nullptr);
        CHECK_THROWS_WITH_AS(aio::get_running_loop(), "no running event loop", aio::RuntimeError);
        auto main = []() -> aio::Coro<void> {
            co_await aio::sleep(0s);
            throw std::logic_error("x");
        };
        CHECK_THROWS_AS(aio::run(main()), std::logic_error);
        CHECK(aio::EventLoop::running() == nullptr);
        CHECK_THROWS_AS(aio::get_running_loop(), aio::RuntimeError);
    }

    TEST_CASE("run cancels the tasks still pending when main returns; each one's catch and RAII cleanup run once") {
        Log log;
        int cleaned = 0;
        auto main = [](Log& log, int* cleaned) -> aio::Coro<int> {
            (void)aio::create_task(background(log, cleaned, "a"));
            (void)aio::create_task(background(log, cleaned, "b"));
            co_await aio::sleep(0s);
            log.push_back("main returns");
            co_return 1;
        };
        CHECK(aio::run(main(log, &cleaned)) == 1);
        CHECK(log == Log{"main returns", "a cancelled", "b cancelled"});
        CHECK(cleaned == 2);
    }

    TEST_CASE("run waits for a cancelled task's cleanup to finish, awaits included") {
        auto slow_cleanup = [](Log& log) -> aio::Coro<void> {
            bool cancelled = false;
            try {
                co_await aio::sleep(1h);
            } catch (const aio::CancelledError&) {
                log.push_back("catch");
                cancelled = true;
            }
            if (cancelled) {
                co_await aio::sleep(1ms);  // cleanup that itself awaits
                log.push_back("cleanup done");
                throw aio::CancelledError();
            }
        };
        auto main = [](Log& log, auto slow_cleanup) -> aio::Coro<int> {
            (void)aio::create_task(slow_cleanup(log));
            co_await aio::sleep(0s);
            log.push_back("main returns");
            co_return 1;
        };
        Log log;
        CHECK(aio::run(main(log, slow_cleanup)) == 1);
        // CPython 3.12: ['main returns', 'catch', 'cleanup done']
        CHECK(log == Log{"main returns", "catch", "cleanup done"});
    }

    TEST_CASE("an exception escaping main propagates out of run after the other tasks were cancelled") {
        Log log;
        int cleaned = 0;
        auto main = [](Log& log, int* cleaned) -> aio::Coro<void> {
            (void)aio::create_task(background(log, cleaned));
            co_await aio::sleep(0s);
            log.push_back("main raises");
            throw std::out_of_range("k");
        };
        try {
            aio::run(main(log, &cleaned));
            log.push_back("run returned");
        } catch (const std::out_of_range& e) {
            log.push_back(std::string("run raised ") + e.what());
        }
        // CPython 3.12: ['main raises', 'bg cancelled', "run raised 'k'"]
        CHECK(log == Log{"main raises", "bg cancelled", "run raised k"});
        CHECK(cleaned == 1);
    }

    TEST_CASE("when main fails, run's shutdown runs with no exception in flight") {
        // run() takes main's exception from the task and rethrows it after the shutdown: the
        // cancelled tasks' catch blocks and destructors do not run inside its unwinding.
        int in_flight = -1;
        auto bg = [](int& n) -> aio::Coro<void> {
            try {
                co_await aio::sleep(1h);
            } catch (const aio::CancelledError&) {
                n = std::uncaught_exceptions();
                throw;
            }
        };
        auto main = [](auto bg, int& n) -> aio::Coro<void> {
            (void)aio::create_task(bg(n));
            co_await aio::sleep(0s);
            throw std::out_of_range("k");
        };
        CHECK_THROWS_WITH_AS(aio::run(main(bg, in_flight)), "k", std::out_of_range);
        CHECK(in_flight == 0);
    }

    TEST_CASE("an exception caught inside a task lets the other tasks finish normally") {
        auto catcher = [](Log& log) -> aio::Coro<void> {
            try {
                co_await aio::sleep(1ms);
                throw std::runtime_error("handled");
            } catch (const std::exception& e) {
                log.push_back(std::string("caught ") + e.what());
            }
        };
        auto worker = [](Log& log) -> aio::Coro<int> {
            co_await aio::sleep(3ms);
            log.push_back("worker done");
            co_return 2;
        };
        auto main = [](Log& log, auto catcher, auto worker) -> aio::Coro<int> {
            auto [a, b] = co_await aio::gather(catcher(log), worker(log));
            (void)a;
            co_return b;
        };
        Log log;
        CHECK(aio::run(main(log, catcher, worker)) == 2);
        CHECK(log == Log{"caught handled", "worker done"});
    }

    TEST_CASE("a task left pending at the end never reports completion") {
        Log log;
        int cleaned = 0;
        auto main = [](Log& log, int* cleaned) -> aio::Coro<void> {
            auto t = aio::create_task(background(log, cleaned));
            t.add_done_callback(
                [&log](aio::AnyTask t) { log.push_back(t.cancelled() ? "done: cancelled" : "done: finished"); });
            co_await aio::sleep(0s);
        };
        aio::run(main(log, &cleaned));
        CHECK(log == Log{"bg cancelled", "done: cancelled"});  // never "bg finished"
    }

    TEST_CASE("an exception raised during shutdown cleanup reaches the loop's exception handler") {
        aio_test::Reports reports;
        Log log;
        auto main = [](Log& log) -> aio::Coro<int> {
            (void)aio::create_task(fails_in_cleanup(log), "cleaner");
            co_await aio::sleep(0s);
            co_return 5;
        };
        CHECK(aio::run(main(log), reports.options()) == 5);
        CHECK(log == Log{"cleanup raises"});
        REQUIRE(reports.contexts.size() == 1);
        const auto& ctx = reports.contexts[0];
        CHECK(ctx.message == "unhandled exception during aio::run() shutdown");
        CHECK(aio::describe(ctx.exception) == "RuntimeError: cleanup failed");
        CHECK(ctx.task_name == "cleaner");
        CHECK(ctx.task_id == 2);
        REQUIRE(ctx.created_at);
        CHECK(aio_test::contains(ctx.created_at->file_name(), "run_test.cpp"));
    }

    TEST_CASE("without a handler, a shutdown cleanup error is printed by the default handler") {
        aio_test::Reports reports;
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            (void)aio::create_task(fails_in_cleanup(log));
            co_await aio::sleep(0s);
        };
        aio::run(main(log), reports.options(false, /*keep_default_handler=*/true));
        REQUIRE(reports.lines.size() == 1);
        CHECK(reports.lines[0] ==
              "unhandled exception during aio::run() shutdown\ntask: <Task name='Task-2' id=2>\n"
              "exception: RuntimeError: cleanup failed");
    }

    TEST_CASE("when main fails and a cleanup fails too, run throws main's error and reports the other") {
        aio_test::Reports reports;
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            (void)aio::create_task(fails_in_cleanup(log));
            co_await aio::sleep(0s);
            throw std::domain_error("main error");
        };
        CHECK_THROWS_WITH_AS(aio::run(main(log), reports.options()), "main error", std::domain_error);
        CHECK(reports.messages() == Log{"unhandled exception during aio::run() shutdown"});
    }

    TEST_CASE("run rethrows CancelledError when the main task is cancelled") {
        auto killer = [](aio::AnyTask victim) -> aio::Coro<void> {
            victim.cancel("killed");
            co_return;
        };
        auto main = [](auto killer) -> aio::Coro<int> {
            (void)aio::create_task(killer(aio::current_task()));
            co_await aio::sleep(1h);
            co_return 0;
        };
        std::string message = "not raised";
        try {
            aio::run(main(killer));
        } catch (const aio::CancelledError& e) {
            message = e.message();
        }
        // CPython 3.12: asyncio.run raises CancelledError('killed')
        CHECK(message == "killed");
    }

    TEST_CASE("run shuts down the default executor, waiting for thread work still running" *
              doctest::test_suite("threads")) {
        aio_test::WitnessLoop::Seen seen;
        std::atomic<bool> job_finished{false};
        auto main = [](std::atomic<bool>* job_finished) -> aio::Coro<void> {
            auto& loop = static_cast<aio_test::WitnessLoop&>(aio::get_running_loop());
            loop.executor = &loop.default_executor();
            // Nobody awaits this to_thread: run() cancels the task, then waits for the function.
            (void)aio::create_task(aio::to_thread([job_finished] {
                std::this_thread::sleep_for(30ms);
                job_finished->store(true);
            }));
            co_await aio::sleep(0s);
        };
        aio::run(main(&job_finished), witness_options(&seen));
        CHECK(job_finished.load());  // run() did not return before the thread work ended
        CHECK(seen.executor_shut_down);
        CHECK(seen.closed_when_destroyed);
    }

    TEST_CASE("nested run raises RuntimeError") {
        Log log;
        auto inner = [](Log& log) -> aio::Coro<int> {
            log.push_back("inner ran");
            co_return 1;
        };
        auto main = [](Log& log, auto inner) -> aio::Coro<std::string> {
            try {
                aio::run(inner(log));
            } catch (const aio::RuntimeError& e) {
                co_return e.what();
            }
            co_return "no error";
        };
        CHECK(aio::run(main(log, inner)) == "aio::run() cannot be called from a running event loop");
        CHECK(log.empty());  // the inner coroutine never started
    }

    TEST_CASE("nested run raises RuntimeError from a plain callback too") {
        aio::EventLoop loop;
        std::string error;
        loop.call_soon([&] {
            try {
                aio::run(answer());
            } catch (const aio::RuntimeError& e) {
                error = e.what();
            }
            loop.stop();
        });
        loop.run_forever();
        CHECK(error == "aio::run() cannot be called from a running event loop");
    }

    TEST_CASE("run inside aio::to_thread works, with that thread's own loop" * doctest::test_suite("threads")) {
        auto inner = []() -> aio::Coro<std::pair<std::string, aio::EventLoop*>> {
            co_await aio::sleep(1ms);
            co_return std::make_pair(aio::current_task().name(), &aio::get_running_loop());
        };
        auto main = [](auto inner) -> aio::Coro<void> {
            aio::EventLoop* outer = &aio::get_running_loop();
            auto [name, inner_loop] = co_await aio::to_thread([inner] { return aio::run(inner()); });
            CHECK(name == "Task-1");  // a fresh loop: its own task numbering
            CHECK(inner_loop != outer);
            CHECK(&aio::get_running_loop() == outer);
        };
        aio::run(main(inner));
    }

    TEST_CASE("two threads run their own loops at the same time" * doctest::test_suite("threads")) {
        auto ping = [](int n) -> aio::Coro<int> {
            int sum = 0;
            for (int i = 1; i <= n; ++i) {
                co_await aio::sleep(0s);
                sum += i;
            }
            co_return sum;
        };
        int a = 0, b = 0;
        std::thread t1([&] { a = aio::run(ping(1000)); });
        std::thread t2([&] { b = aio::run(ping(2000)); });
        t1.join();
        t2.join();
        CHECK(a == 500500);
        CHECK(b == 2001000);
    }

    TEST_CASE("run of an empty coroutine throws ValueError") {
        aio::Coro<int> c = answer();
        aio::Coro<int> taken = std::move(c);
        CHECK_THROWS_WITH_AS(aio::run(std::move(c)),
                             "aio::run() needs a coroutine, got an empty (moved-from) aio::Coro", aio::ValueError);
        CHECK(aio::run(std::move(taken)) == 42);
    }

    TEST_CASE("debug=nullopt takes the debug mode from AIO_DEBUG") {
        {
            DebugEnv env("1");
            CHECK(aio::debug_from_environment());
            CHECK(aio::run(loop_debug()));
        }
        {
            DebugEnv env(nullptr);
            CHECK_FALSE(aio::debug_from_environment());
            CHECK_FALSE(aio::run(loop_debug()));
        }
        {
            DebugEnv env("");  // set but empty: off, like PYTHONASYNCIODEBUG
            CHECK_FALSE(aio::run(loop_debug()));
        }
    }

    TEST_CASE("debug=true or debug=false overrides AIO_DEBUG") {
        {
            DebugEnv env(nullptr);
            CHECK(aio::run(loop_debug(), {.debug = true}));
        }
        {
            DebugEnv env("1");
            CHECK_FALSE(aio::run(loop_debug(), {.debug = false}));
        }
    }

    TEST_CASE("debug applies to a loop made by loop_factory") {
        DebugEnv env(nullptr);
        aio_test::WitnessLoop::Seen seen;
        auto opts = witness_options(&seen);
        opts.debug = true;
        CHECK(aio::run(loop_debug(), opts));
    }

    TEST_CASE("Runner runs several coroutines on one loop; a task started by one run goes on in the next") {
        Log log;
        auto ticker = [](Log& log) -> aio::Coro<void> {
            for (int i = 0;; ++i) {
                log.push_back("tick " + std::to_string(i));
                co_await aio::sleep(0s);
            }
        };
        auto first = [](Log& log, auto ticker) -> aio::Coro<aio::EventLoop*> {
            (void)aio::create_task(ticker(log), "ticker");
            co_await aio::sleep(0s);
            co_return &aio::get_running_loop();
        };
        auto second = [](Log& log) -> aio::Coro<aio::EventLoop*> {
            log.push_back("second starts");
            co_await aio::sleep(0s);
            co_return &aio::get_running_loop();
        };
        aio::EventLoop* l1 = nullptr;
        aio::EventLoop* l2 = nullptr;
        {
            aio::Runner runner;
            l1 = runner.run(first(log, ticker));
            // CPython 3.12 (asyncio.Runner): ['tick 0', 'tick 1'] then
            // ['tick 0', 'tick 1', 'tick 2', 'second starts', 'tick 3', 'tick 4']
            CHECK(log == Log{"tick 0", "tick 1"});
            l2 = runner.run(second(log));
            CHECK(&runner.get_loop() == l1);
            CHECK_FALSE(runner.get_loop().is_closed());
        }
        CHECK(l1 == l2);
        CHECK(log == Log{"tick 0", "tick 1", "tick 2", "second starts", "tick 3", "tick 4"});
    }

    TEST_CASE("Runner numbers its main tasks on its one loop") {
        aio::Runner runner;
        auto name = []() -> aio::Coro<std::string> { co_return aio::current_task().name(); };
        CHECK(runner.run(name()) == "Task-1");
        CHECK(runner.run(name()) == "Task-2");
    }

    TEST_CASE("Runner::close cancels the pending tasks, closes the loop, and makes the runner unusable") {
        Log log;
        int cleaned = 0;
        aio_test::WitnessLoop::Seen seen;
        aio::Runner runner(witness_options(&seen));
        auto start = [](Log& log, int* cleaned) -> aio::Coro<void> {
            (void)aio::create_task(background(log, cleaned));
            co_await aio::sleep(0s);
        };
        runner.run(start(log, &cleaned));
        CHECK(log.empty());
        runner.close();
        CHECK(log == Log{"bg cancelled"});
        CHECK(cleaned == 1);
        CHECK(seen.destroyed);
        CHECK(seen.closed_when_destroyed);
        runner.close();  // idempotent
        CHECK_THROWS_WITH_AS(runner.get_loop(), "aio::Runner is closed", aio::RuntimeError);
        CHECK_THROWS_AS(runner.run(answer()), aio::RuntimeError);
    }

    TEST_CASE("destroying a Runner closes it") {
        Log log;
        int cleaned = 0;
        aio_test::WitnessLoop::Seen seen;
        {
            aio::Runner runner(witness_options(&seen));
            auto start = [](Log& log, int* cleaned) -> aio::Coro<void> {
                (void)aio::create_task(background(log, cleaned));
                co_await aio::sleep(0s);
            };
            runner.run(start(log, &cleaned));
        }
        CHECK(log == Log{"bg cancelled"});
        CHECK(cleaned == 1);
        CHECK(seen.closed_when_destroyed);
    }

    TEST_CASE("Runner::run inside a running loop raises RuntimeError") {
        auto main = []() -> aio::Coro<std::string> {
            aio::Runner inner;
            try {
                inner.run(answer());
            } catch (const aio::RuntimeError& e) {
                co_return e.what();
            }
            co_return "no error";
        };
        CHECK(aio::run(main()) == "aio::Runner::run() cannot be called from a running event loop");
    }

    TEST_CASE("Runner::run of an empty coroutine throws ValueError") {
        aio::Runner runner;
        aio::Coro<int> empty;
        CHECK_THROWS_AS(runner.run(std::move(empty)), aio::ValueError);
    }

}  // TEST_SUITE("run")
