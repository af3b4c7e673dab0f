// CPython 3.12 Lib/test/test_asyncio/test_runners.py, ported (README.md here). CPython's
// BaseTest gives asyncio.run() a mocked BaseEventLoop through an event loop policy; here the
// runs get simulator loops through RunOptions::loop_factory (aio has no policy). The SIGINT
// cases (test_interrupt_*) run on the real loop (signals are file descriptor events there),
// with SIGINT at its default disposition for their duration (doctest has its own handler while
// a case runs), raise(SIGINT) standing for _thread.interrupt_main().
#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <thread>
#include <memory>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpython_support.hpp"

namespace cpy_runners {

using namespace std::chrono_literals;
using aio::Coro;

struct ZeroDivisionError : std::runtime_error {
    ZeroDivisionError() : std::runtime_error("division by zero") {}
};

// A loop factory that counts its calls, keeps the last loop's address (valid while that loop
// lives) and notes when a loop it made was destroyed (closed: a Runner owns its loop).
struct Factory {
    int calls = 0;
    int destroyed = 0;
    aio::EventLoop* last = nullptr;
    aio::RunOptions options(std::optional<bool> debug = std::nullopt) {
        return aio::RunOptions{.debug = debug, .loop_factory = [this]() -> std::unique_ptr<aio::EventLoop> {
                                   ++calls;
                                   auto loop = std::make_unique<aio::sim::SimLoop>(
                                       aio::sim::Config{}, [this](aio::sim::RunRecord&&) { ++destroyed; });
                                   last = loop.get();
                                   return loop;
                               }};
    }
};

// Sets (or unsets) AIO_DEBUG, aio's PYTHONASYNCIODEBUG, for the life of the object.
struct DebugEnv {
    explicit DebugEnv(bool on) {
        if (on)
            ::setenv("AIO_DEBUG", "1", 1);
        else
            ::unsetenv("AIO_DEBUG");
    }
    ~DebugEnv() { ::unsetenv("AIO_DEBUG"); }
    DebugEnv(const DebugEnv&) = delete;
    DebugEnv& operator=(const DebugEnv&) = delete;
};

Coro<void> check_debug(bool expected) {
    CHECK(aio::get_running_loop().get_debug() == expected);
    co_return;
}

// SIGINT at SIG_DFL while the object lives (as in a fresh program: aio::Runner then installs
// its Ctrl-C handler), doctest's handler again afterwards.
struct SigintDefault {
    struct sigaction saved {};
    SigintDefault() {
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        ::sigaction(SIGINT, &dfl, &saved);
    }
    ~SigintDefault() { ::sigaction(SIGINT, &saved, nullptr); }
    SigintDefault(const SigintDefault&) = delete;
    SigintDefault& operator=(const SigintDefault&) = delete;
};

void interrupt_self() { ::raise(SIGINT); }

Coro<std::string> sleep_then_done() {
    co_await aio::sleep(0s);
    co_return "done";
}

Coro<void> append(std::vector<int>& ret, int arg) {
    ret.push_back(arg);
    co_return;
}

// The cases stay in the namespace: the unity build joins the files of this directory.

TEST_CASE("test_runners.py::RunTests::test_asyncio_run_return") {
    auto main = []() -> Coro<int> {
        co_await aio::sleep(0s);
        co_return 42;
    };
    Factory f;
    CHECK(aio::run(main(), f.options()) == 42);
    CHECK(f.destroyed == 1);  // BaseTest.tearDown: the loop is closed
}

TEST_CASE("test_runners.py::RunTests::test_asyncio_run_raises") {
    auto main = []() -> Coro<void> {
        co_await aio::sleep(0s);
        throw aio::ValueError("spam");
    };
    Factory f;
    try {
        aio::run(main(), f.options());
        FAIL("no ValueError");
    } catch (const aio::ValueError& e) {
        CHECK(std::string(e.what()) == "spam");
    }
    CHECK(f.destroyed == 1);
}

TEST_CASE("test_runners.py::RunTests::test_asyncio_run_debug") {
    Factory f;
    aio::run(check_debug(false), f.options(false));
    aio::run(check_debug(true), f.options(true));
    {
        DebugEnv env(true);  // mock.patch('asyncio.coroutines._is_debug_mode', lambda: True)
        aio::run(check_debug(true), f.options());
        aio::run(check_debug(false), f.options(false));
    }
    {
        DebugEnv env(false);
        aio::run(check_debug(true), f.options(true));
        aio::run(check_debug(false), f.options());
    }
}

TEST_CASE("test_runners.py::RunTests::test_asyncio_run_from_running_loop") {
    auto inner = []() -> Coro<void> { co_return; };
    auto main = [&]() -> Coro<void> {
        aio::run(inner(), cpy::sim_options());
        co_return;
    };
    try {
        aio::run(main(), cpy::sim_options());
        FAIL("no RuntimeError");
    } catch (const aio::RuntimeError& e) {
        CHECK(cpy::contains(e.what(), "cannot be called from a running"));
    }
}

TEST_CASE("test_runners.py::RunTests::test_asyncio_run_cancels_hanging_tasks") {
    std::optional<aio::Task<void>> lo_task;
    auto leftover = []() -> Coro<void> { co_await aio::sleep(100ms); };
    auto main = [&]() -> Coro<int> {
        lo_task = aio::create_task(leftover());
        co_return 123;
    };
    CHECK(aio::run(main(), cpy::sim_options()) == 123);
    CHECK(lo_task->done());
}

TEST_CASE("test_runners.py::RunTests::test_asyncio_run_reports_hanging_tasks_errors") {
    std::optional<aio::Task<void>> lo_task;
    std::vector<aio::ExceptionContext> calls;
    auto leftover = []() -> Coro<void> {
        bool cancelled = false;
        try {
            co_await aio::sleep(100ms);
        } catch (const aio::CancelledError&) {
            cancelled = true;
        }
        if (cancelled) throw ZeroDivisionError();  // except CancelledError: 1 / 0
    };
    auto main = [&]() -> Coro<int> {
        aio::get_running_loop().set_exception_handler(
            [&](aio::EventLoop&, const aio::ExceptionContext& c) { calls.push_back(c); });
        lo_task = aio::create_task(leftover());
        co_return 123;
    };
    CHECK(aio::run(main(), cpy::sim_options()) == 123);
    CHECK(lo_task->done());
    REQUIRE(calls.size() == 1);  // assert_called_with: the last call
    CHECK(std::regex_search(calls.back().message, std::regex("run.*shutdown")));
    CHECK(calls.back().task_id == lo_task->id());  // 'task': lo_task
    CHECK(cpy::as<ZeroDivisionError>(calls.back().exception) != nullptr);
}

struct FancyExit : std::runtime_error {
    FancyExit() : std::runtime_error("FancyExit") {}
};

aio::AsyncGenerator<int> fidget() {
    for (;;) {
        co_yield 1;
        co_await aio::sleep(1s);
    }
}

TEST_CASE("test_runners.py::RunTests::test_asyncio_run_closes_gens_after_hanging_tasks_errors") {
    std::optional<aio::AsyncGenerator<int>> spinner;
    std::optional<aio::Task<void>> lazyboy;
    auto spin = [&]() -> Coro<void> {
        spinner.emplace(fidget());
        bool cancelled = false;
        try {
            while (co_await spinner->next()) {}
        } catch (const aio::CancelledError&) {
            cancelled = true;
        }
        if (cancelled) throw ZeroDivisionError();  // except CancelledError: 1 / 0
    };
    auto main = [&]() -> Coro<void> {
        // loop.call_exception_handler = mock.Mock(): the shutdown's report is silenced.
        aio::get_running_loop().set_exception_handler([](aio::EventLoop&, const aio::ExceptionContext&) {});
        lazyboy = aio::create_task(spin());
        throw FancyExit();
        co_return;
    };
    bool raised = false;
    try {
        aio::run(main(), cpy::sim_options());
    } catch (const FancyExit&) {
        raised = true;
    }
    CHECK(raised);
    REQUIRE(lazyboy.has_value());
    CHECK(lazyboy->done());
    // spin's first step ran before run()'s stop (the main task's done-callback comes a pass later)
    REQUIRE(spinner.has_value());
    CHECK(spinner->done());  // spinner.ag_frame is None
    CHECK_FALSE(spinner->running());
}

TEST_CASE("test_runners.py::RunTests::test_asyncio_run_loop_factory") {
    Factory f;
    aio::EventLoop* seen = nullptr;
    auto main = [&]() -> Coro<void> {
        seen = &aio::get_running_loop();
        co_return;
    };
    aio::run(main(), f.options());
    CHECK(f.calls == 1);  // factory.assert_called_once_with()
    CHECK(seen == f.last);
}

TEST_CASE("test_runners.py::RunnerTests::test_non_debug") {
    Factory f;
    aio::Runner runner(f.options(false));
    CHECK_FALSE(runner.get_loop().get_debug());
}

TEST_CASE("test_runners.py::RunnerTests::test_debug") {
    Factory f;
    aio::Runner runner(f.options(true));
    CHECK(runner.get_loop().get_debug());
}

TEST_CASE("test_runners.py::RunnerTests::test_custom_factory") {
    Factory f;
    aio::Runner runner(f.options());
    CHECK(&runner.get_loop() == f.last);
    CHECK(f.calls == 1);
}

TEST_CASE("test_runners.py::RunnerTests::test_run") {
    Factory f;
    {
        aio::Runner runner(f.options());
        CHECK(runner.run(sleep_then_done()) == "done");
        runner.close();  // the end of `with asyncio.Runner() as runner:`
        try {
            runner.get_loop();
            FAIL("no RuntimeError");
        } catch (const aio::RuntimeError& e) {
            CHECK(cpy::contains(e.what(), "Runner is closed"));
        }
    }
    CHECK(f.destroyed == 1);  // loop.is_closed(): the Runner closed and released its loop
}

TEST_CASE("test_runners.py::RunnerTests::test_explicit_close") {
    Factory f;
    aio::Runner runner(f.options());
    runner.get_loop();
    runner.close();
    try {
        runner.get_loop();
        FAIL("no RuntimeError");
    } catch (const aio::RuntimeError& e) {
        CHECK(cpy::contains(e.what(), "Runner is closed"));
    }
    CHECK(f.destroyed == 1);
}

TEST_CASE("test_runners.py::RunnerTests::test_double_close") {
    Factory f;
    aio::Runner runner(f.options());
    runner.get_loop();
    runner.close();
    CHECK(f.destroyed == 1);
    // the second call is no-op
    runner.close();
    CHECK(f.destroyed == 1);
}

TEST_CASE("test_runners.py::RunnerTests::test_second_with_block_raises") {
    std::vector<int> ret;
    Factory f;
    aio::Runner runner(f.options());
    runner.run(append(ret, 1));
    runner.close();
    try {
        runner.run(append(ret, 2));  // the second `with runner:` block
        FAIL("no RuntimeError");
    } catch (const aio::RuntimeError& e) {
        CHECK(cpy::contains(e.what(), "Runner is closed"));
    }
    CHECK(ret == std::vector<int>{1});
}

TEST_CASE("test_runners.py::RunnerTests::test_run_keeps_context") {
    aio::ContextVar<int> cvar("cvar", -1);
    auto f = [&](int val) -> Coro<int> {
        const int old = cvar.get();
        co_await aio::sleep(0s);
        (void)cvar.set(val);
        co_return old;
    };
    auto get_context = []() -> Coro<aio::Context> { co_return aio::copy_context(); };
    aio::Runner runner(cpy::sim_options());
    CHECK(-1 == runner.run(f(1)));
    CHECK(1 == runner.run(f(2)));
    CHECK(std::optional<int>(2) == runner.run(get_context()).get(cvar));
    runner.close();
}

TEST_CASE("test_runners.py::RunnerTests::test_recursive_run") {
    Factory f;
    aio::Runner runner(f.options());
    auto g = []() -> Coro<void> { co_return; };
    auto coro = [&]() -> Coro<void> {
        runner.run(g());  // the coroutine g() is destroyed unstarted (Python warns "never awaited")
        co_return;
    };
    try {
        runner.run(coro());
        FAIL("no RuntimeError");
    } catch (const aio::RuntimeError& e) {
        CHECK(cpy::contains(e.what(), "Runner::run() cannot be called from a running event loop"));
    }
}

TEST_CASE("test_runners.py::RunnerTests::test_interrupt_call_soon") {
    // The only case when task is not suspended by waiting a future or another task
    auto coro = []() -> Coro<void> {
        bool cancelled = false;
        try {
            while (true) co_await aio::sleep(0s);
        } catch (const aio::CancelledError&) {
            cancelled = true;
        }
        CHECK(cancelled);
        throw aio::CancelledError();
    };
    SigintDefault sigint;
    aio::Runner runner;
    runner.get_loop().call_later(10ms, interrupt_self);
    CHECK_THROWS_AS(runner.run(coro()), aio::KeyboardInterrupt);
}

TEST_CASE("test_runners.py::RunnerTests::test_interrupt_wait") {
    // interrupting when waiting a future cancels both future and main task
    auto coro = [](aio::Future<int> fut) -> Coro<void> {
        CHECK_THROWS_AS(co_await fut, aio::CancelledError);
        throw aio::CancelledError();
    };
    SigintDefault sigint;
    aio::Runner runner;
    aio::Future<int> fut(runner.get_loop());
    runner.get_loop().call_later(10ms, interrupt_self);
    CHECK_THROWS_AS(runner.run(coro(fut)), aio::KeyboardInterrupt);
    CHECK(fut.cancelled());
}

TEST_CASE("test_runners.py::RunnerTests::test_interrupt_cancelled_task") {
    // interrupting cancelled main task doesn't raise KeyboardInterrupt
    auto subtask = [](aio::AnyTask task) -> Coro<void> {
        co_await aio::sleep(0s);
        task.cancel();
        interrupt_self();
    };
    auto coro = [&]() -> Coro<void> {
        auto t = aio::create_task(subtask(aio::current_task()));
        co_await aio::sleep(10s);
    };
    SigintDefault sigint;
    aio::Runner runner;
    CHECK_THROWS_AS(runner.run(coro()), aio::CancelledError);
}

TEST_CASE("test_runners.py::RunnerTests::test_signal_install_not_supported_ok") {
    // signal.signal() can throw if the "main thread" doesn't have signals enabled: patched to
    // raise in CPython; here the Runner runs on a thread that is not the main one, where aio
    // installs no SIGINT handler, and the run must work all the same.
    auto coro = []() -> Coro<void> { co_return; };
    bool ran = false;
    std::thread th([&] {
        aio::Runner runner;
        runner.run(coro());
        ran = true;
    });
    th.join();
    CHECK(ran);
}

}  // namespace cpy_runners
