// EventLoop::set_eager_tasks: Python 3.12's eager_task_factory (tasks.py, Task.__eager_start).
// The expected orders below are what CPython 3.12.1 prints for the same programs
// (conformance/eager_tasks.py runs the whole comparison against CPython itself).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

using Log = std::vector<std::string>;

aio::Coro<int> child(Log& log, std::string tag, int yields) {
    log.push_back(tag + " step 1 as " + aio::current_task().name());
    for (int i = 0; i < yields; ++i) {
        co_await aio::sleep(0s);
        log.push_back(tag + " step " + std::to_string(i + 2));
    }
    co_return 7;
}

aio::Coro<void> fails(Log& log) {
    log.push_back("fails runs");
    throw aio::ValueError("boom");
    co_return;
}

}  // namespace

TEST_CASE("an eager task runs its first step inside create_task") {
    Log log;
    auto amain = [&]() -> aio::Coro<void> {
        aio::get_running_loop().set_eager_tasks(true);
        auto t = aio::create_task(child(log, "c", 1), "c");
        log.push_back("after create: current=" + aio::current_task().name() + " done=" + (t.done() ? "1" : "0"));
        co_await t;
        log.push_back("main end");
    };
    aio::run(amain());
    // As CPython 3.12: the given name is applied only after the eager first step.
    CHECK(log == Log{"c step 1 as Task-2", "after create: current=Task-1 done=0", "c step 2", "main end"});
}

TEST_CASE("an eager task that finishes in its first step is done when create_task returns") {
    Log log;
    auto amain = [&]() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        loop.set_eager_tasks(true);
        auto t = aio::create_task(child(log, "q", 0), "q");
        CHECK(t.done());
        CHECK(t.result() == 7);
        CHECK(t.name() == "q");
        CHECK(loop.all_tasks().size() == 1);  // only main: the finished task was never scheduled
        auto f = aio::create_task(fails(log));
        CHECK(f.done());
        CHECK_THROWS_AS(std::rethrow_exception(f.exception()), aio::ValueError);
        co_return;
    };
    aio::run(amain());
    CHECK(log == Log{"q step 1 as Task-2", "fails runs"});
}

TEST_CASE("eager start changes the order relative to scheduled start as in CPython") {
    // Python: main creates a and b, then yields; eager: a1 b1 m a2 b2; lazy: m a1 b1 a2 b2.
    for (bool eager : {true, false}) {
        Log log;
        auto amain = [&]() -> aio::Coro<void> {
            aio::get_running_loop().set_eager_tasks(eager);
            auto a = aio::create_task(child(log, "a", 1), "a");
            auto b = aio::create_task(child(log, "b", 1), "b");
            log.push_back("main yields");
            co_await aio::gather(a, b);
        };
        aio::run(amain());
        if (eager)
            CHECK(log == Log{"a step 1 as Task-2", "b step 1 as Task-3", "main yields", "a step 2", "b step 2"});
        else
            CHECK(log == Log{"main yields", "a step 1 as a", "b step 1 as b", "a step 2", "b step 2"});
    }
}

TEST_CASE("tasks created while the loop is not running start on the next pass even when eager") {
    aio::EventLoop loop;
    loop.set_eager_tasks(true);
    Log log;
    auto t = loop.create_task(child(log, "x", 0), "x");
    CHECK_FALSE(t.done());
    CHECK(log.empty());
    CHECK(loop.run_until_complete(t) == 7);
    CHECK(log == Log{"x step 1 as x"});
}

TEST_CASE("an eager task created from a plain callback starts at once") {
    Log log;
    auto amain = [&]() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        loop.set_eager_tasks(true);
        loop.call_soon([&] {
            auto t = aio::create_task(child(log, "cb", 0));
            log.push_back(std::string("in callback: done=") + (t.done() ? "1" : "0") +
                          " current=" + (aio::current_task() ? "task" : "none"));
        });
        co_await aio::sleep(0s);
    };
    aio::run(amain());
    CHECK(log == Log{"cb step 1 as Task-2", "in callback: done=1 current=none"});
}
