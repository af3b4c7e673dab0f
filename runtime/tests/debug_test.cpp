// Debug mode and the reports nothing else can receive: slow callbacks (over 100 ms of real
// time), tasks destroyed while pending, exceptions never retrieved, each naming the task and,
// in debug mode, where it was created.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <aio/aio.hpp>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support.hpp"

using namespace std::chrono_literals;

namespace {

using Log = std::vector<std::string>;

/// "debug_test.cpp:LINE" as a task created on that line reports it.
std::string here(int line) { return fmt::format("{}:{}", __FILE__, line); }

/// The seconds in "... took 0.153 seconds", or -1.
double took_seconds(const std::string& line) {
    auto at = line.rfind(" took ");
    if (at == std::string::npos) return -1;
    return std::strtod(line.c_str() + at + 6, nullptr);
}

aio::Coro<void> blocks_for(std::chrono::milliseconds d) {
    std::this_thread::sleep_for(d);  // a step that hogs the loop
    co_return;
}

aio::Coro<void> fails(std::string what) {
    co_await aio::sleep(0s);
    throw std::runtime_error(what);
}

aio::Coro<void> sleeps_forever() { co_await aio::sleep(1h); }

}  // namespace

TEST_SUITE("debug") {
    TEST_CASE("in debug mode a task step over 100 ms is logged with the task's name and creation place") {
        aio_test::Reports reports;
        int line = 0;
        auto main = [](int* line) -> aio::Coro<void> {
            *line = __LINE__ + 1;
            auto t = aio::create_task(blocks_for(150ms), "slowpoke");
            co_await t;
        };
        aio::run(main(&line), reports.options(true));
        const std::string l = reports.line_with("slowpoke");
        INFO(l);
        CHECK(aio_test::contains(l, fmt::format("Executing <Task name='slowpoke' created at {}> took ", here(line))));
        CHECK(took_seconds(l) >= 0.15 - 1e-9);  // the step blocked at least that long
        CHECK(aio_test::contains(l, " seconds"));
        CHECK(reports.line_with("Task-1").empty());  // the main task's steps were quick
    }

    TEST_CASE("in debug mode a slow plain callback is logged") {
        aio_test::Reports reports;
        aio::EventLoop loop;
        reports.watch(loop);
        loop.set_debug(true);
        loop.slow_callback_duration = 10ms;
        loop.call_soon([] { std::this_thread::sleep_for(20ms); });
        loop.call_soon([&] { loop.stop(); });
        loop.run_forever();
        REQUIRE(reports.lines.size() == 1);
        CHECK(aio_test::contains(reports.lines[0], "Executing <Handle callback> took "));
        CHECK(took_seconds(reports.lines[0]) >= 0.02 - 1e-9);
    }

    TEST_CASE("slow_callback_duration sets the threshold of the slow-callback warning") {
        aio_test::Reports reports;
        aio::EventLoop loop;
        reports.watch(loop);
        loop.set_debug(true);
        loop.slow_callback_duration = 5ms;
        auto t = loop.create_task(blocks_for(10ms), "over");
        loop.run_until_complete(t);
        CHECK_FALSE(reports.line_with("Executing <Task name='over'").empty());
    }

    TEST_CASE("without debug mode slow callbacks are not logged") {
        aio_test::Reports reports;
        aio::EventLoop loop;
        reports.watch(loop);
        loop.set_debug(false);
        loop.slow_callback_duration = 1ms;
        auto t = loop.create_task(blocks_for(5ms), "quiet");
        loop.run_until_complete(t);
        CHECK(reports.lines.empty());
    }

    TEST_CASE("in debug mode a task destroyed while pending is reported with its creation place") {
        aio_test::Reports reports;
        aio::EventLoop loop;
        reports.watch_log(loop);  // the default handler, writing to our sink
        loop.set_debug(true);
        const int line = __LINE__ + 1;
        (void)loop.create_task(sleeps_forever(), "lost");
        loop.stop();
        loop.run_forever();  // one pass: the task is now asleep
        loop.close();
        REQUIRE(reports.lines.size() == 1);
        const std::string expected_start = fmt::format(
            "Task was destroyed but it is pending!\ntask: <Task name='lost' id=1>\ncreated at: {} in ", here(line));
        INFO(reports.lines[0]);
        CHECK(reports.lines[0].rfind(expected_start, 0) == 0);
    }

    TEST_CASE("without debug mode the pending-task report omits the creation place") {
        aio_test::Reports reports;
        aio::EventLoop loop;
        reports.watch_log(loop);
        loop.set_debug(false);
        (void)loop.create_task(sleeps_forever(), "lost");
        loop.stop();
        loop.run_forever();
        loop.close();
        CHECK(reports.lines == Log{"Task was destroyed but it is pending!\ntask: <Task name='lost' id=1>"});
    }

    TEST_CASE("the pending-task report gives the handler the task and where it was created") {
        aio_test::Reports reports;
        aio::EventLoop loop;
        reports.watch(loop);
        const int line = __LINE__ + 1;
        (void)loop.create_task(sleeps_forever(), "lost");
        loop.stop();
        loop.run_forever();
        loop.close();
        REQUIRE(reports.contexts.size() == 1);
        const auto& ctx = reports.contexts[0];
        CHECK(ctx.message == "Task was destroyed but it is pending!");
        CHECK(ctx.task_name == "lost");
        CHECK(ctx.task_id == 1);
        CHECK(ctx.exception == nullptr);
        REQUIRE(ctx.created_at);
        CHECK(fmt::format("{}:{}", ctx.created_at->file_name(), ctx.created_at->line()) == here(line));
    }

    TEST_CASE(
        "in debug mode a task exception never retrieved is reported with the task, the exception and the creation "
        "place") {
        aio_test::Reports reports;
        int line = 0;
        auto main = [](int* line) -> aio::Coro<void> {
            *line = __LINE__ + 1;
            (void)aio::create_task(fails("nobody listens"));
            for (int i = 0; i < 3; ++i) co_await aio::sleep(0s);
        };
        aio::run(main(&line), reports.options(true, /*keep_default_handler=*/true));
        REQUIRE(reports.lines.size() == 1);
        const std::string expected_start = fmt::format(
            "Task exception was never retrieved\ntask: <Task name='Task-2' id=2>\n"
            "exception: std::runtime_error: nobody listens\ncreated at: {} in ",
            here(line));
        INFO(reports.lines[0]);
        CHECK(reports.lines[0].rfind(expected_start, 0) == 0);
    }

    TEST_CASE("without debug mode the never-retrieved report omits the creation place") {
        aio_test::Reports reports;
        auto main = []() -> aio::Coro<void> {
            (void)aio::create_task(fails("nobody listens"), "orphan");
            for (int i = 0; i < 3; ++i) co_await aio::sleep(0s);
        };
        aio::run(main(), reports.options(false, /*keep_default_handler=*/true));
        CHECK(reports.lines == Log{"Task exception was never retrieved\ntask: <Task name='orphan' id=2>\n"
                                   "exception: std::runtime_error: nobody listens"});
    }

    TEST_CASE("a task exception is reported when its last handle goes, not before") {
        aio_test::Reports reports;
        auto main = [](aio_test::Reports& reports) -> aio::Coro<void> {
            auto t = aio::create_task(fails("late"), "held");
            for (int i = 0; i < 3; ++i) co_await aio::sleep(0s);
            CHECK(t.done());
            CHECK(reports.contexts.empty());  // still retrievable through our handle
            t = {};
            CHECK(reports.messages() == Log{"Task exception was never retrieved"});
        };
        aio::run(main(reports), reports.options());
        REQUIRE(reports.contexts.size() == 1);
        CHECK(reports.contexts[0].task_name == "held");
        CHECK(aio::describe(reports.contexts[0].exception) == "std::runtime_error: late");
    }

    TEST_CASE("a task exception that was awaited or fetched is not reported") {
        aio_test::Reports reports;
        auto main = []() -> aio::Coro<void> {
            auto awaited = aio::create_task(fails("awaited"));
            auto fetched = aio::create_task(fails("fetched"));
            try {
                co_await awaited;
            } catch (const std::runtime_error&) {}
            co_await aio::sleep(0s);
            CHECK(fetched.done());
            CHECK(fetched.exception() != nullptr);
        };
        aio::run(main(), reports.options(true));
        CHECK(reports.contexts.empty());
        CHECK(reports.lines.empty());
    }

    TEST_CASE("a cancelled task is not reported as an unretrieved exception") {
        aio_test::Reports reports;
        auto main = []() -> aio::Coro<void> {
            auto t = aio::create_task(sleeps_forever());
            co_await aio::sleep(0s);
            t.cancel();
            co_await aio::sleep(0s);
            co_await aio::sleep(0s);
        };
        aio::run(main(), reports.options(true));
        CHECK(reports.contexts.empty());
    }

    TEST_CASE("a future exception never retrieved is reported") {
        aio_test::Reports reports;
        auto main = []() -> aio::Coro<void> {
            {
                aio::Future<int> f(aio::get_running_loop());
                f.set_exception(std::make_exception_ptr(aio::ValueError("unseen")));
            }
            co_return;
        };
        aio::run(main(), reports.options());
        REQUIRE(reports.contexts.size() == 1);
        CHECK(reports.contexts[0].message == "Future exception was never retrieved");
        CHECK(aio::describe(reports.contexts[0].exception) == "ValueError: unseen");
        CHECK(reports.contexts[0].task_name.empty());
    }

}  // TEST_SUITE("debug")
