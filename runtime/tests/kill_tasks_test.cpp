// Task tags (EventLoop::TagScope, current_tag) and EventLoop::kill_tasks: a killed task runs no
// further step, its frame is destroyed at once (RAII runs, catch blocks do not), and its future
// completes with the kill's exception. The simulator's hosts are built on these.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "support.hpp"

using namespace std::chrono_literals;
using aio_test::Cleanup;

namespace {

using aio_test::crash;
using aio_test::Crash;
using aio_test::passes;
using aio_test::spawn;
using aio_test::value_after;
using aio_test::what_of;

aio::Coro<void> nothing() { co_return; }

std::size_t timers(const aio::EventLoop& loop) { return aio::detail::EventLoopAccess::timer_count(loop); }

/// Sleeps an hour in a try block, logging whatever of it runs after the await.
aio::Coro<void> sleeper(int& cleanups, std::vector<std::string>& log) {
    Cleanup c{&cleanups};
    try {
        co_await aio::sleep(1h);
        log.push_back("after the await");
    } catch (...) {
        log.push_back("catch block");
        throw;
    }
    log.push_back("end");
}

}  // namespace

// ---- tags -----------------------------------------------------------------------------------

namespace {
aio::Coro<void> record_tags(std::vector<std::uint32_t>& seen) {
    aio::EventLoop& loop = aio::get_running_loop();
    seen.push_back(loop.current_tag());
    auto child = aio::create_task(nothing());
    seen.push_back(child.tag());
    {
        auto scope = loop.enter_tag(3);
        auto scoped = aio::create_task(nothing());
        seen.push_back(scoped.tag());
        seen.push_back(loop.current_tag());
        co_await scoped;  // (the scope is open across this await only in this test's single task)
    }
    seen.push_back(loop.current_tag());
    co_await child;
}
}  // namespace

TEST_CASE("a task's tag is its creator's, 0 outside any task, and a TagScope's while one is open") {
    aio::EventLoop loop;
    CHECK(loop.current_tag() == 0);
    auto outside = loop.create_task(nothing());
    CHECK(outside.tag() == 0);
    std::vector<std::uint32_t> seen;
    aio::Task<void> t;
    {
        auto scope = loop.enter_tag(7);
        CHECK(loop.current_tag() == 7);
        {
            auto inner = loop.enter_tag(9);
            CHECK(loop.current_tag() == 9);
            CHECK(loop.create_task(nothing()).tag() == 9);
        }
        CHECK(loop.current_tag() == 7);
        t = loop.create_task(record_tags(seen));
    }
    CHECK(loop.current_tag() == 0);
    CHECK(t.tag() == 7);
    loop.run_until_complete(t);
    CHECK(seen == std::vector<std::uint32_t>{7, 7, 3, 3, 7});
}

namespace {
aio::Coro<void> eager_child(std::vector<std::uint32_t>& seen) {
    aio::EventLoop& loop = aio::get_running_loop();
    seen.push_back(loop.current_tag());  // during the eager first step: the child's own tag
    seen.push_back(aio::create_task(nothing()).tag());
    co_await aio::sleep(0s);
}
aio::Coro<void> eager_parent(std::vector<std::uint32_t>& seen) {
    aio::EventLoop& loop = aio::get_running_loop();
    aio::Task<void> child;
    {
        auto scope = loop.enter_tag(3);
        child = aio::create_task(eager_child(seen));
        seen.push_back(loop.current_tag());  // the scope is back after the eager step
    }
    seen.push_back(loop.current_tag());
    seen.push_back(child.tag());
    co_await child;
}
}  // namespace

TEST_CASE("an eager task created under a scope runs its first step with its own tag, and the scope is restored") {
    aio::EventLoop loop;
    loop.set_eager_tasks(true);
    std::vector<std::uint32_t> seen;
    aio::Task<void> t;
    {
        auto scope = loop.enter_tag(7);
        t = loop.create_task(eager_parent(seen));  // the loop is not running: not eager
    }
    loop.run_until_complete(t);
    CHECK(seen == std::vector<std::uint32_t>{3, 3, 3, 7, 3});
}

// ---- the kill itself ----------------------------------------------------------------------

TEST_CASE("kill_tasks destroys the frames of the tasks with the tag at once, without running another step") {
    aio_test::Reports reports;
    int cleanups = 0;
    std::vector<std::string> log;
    std::vector<std::string> callbacks;
    aio::run(
        [&]() -> aio::Coro<void> {
            aio::EventLoop& loop = aio::get_running_loop();
            auto v1 = spawn(5, sleeper(cleanups, log), "v1");
            auto v2 = spawn(5, sleeper(cleanups, log), "v2");
            auto other = spawn(6, value_after(4, 42));
            v1.add_done_callback([&](aio::AnyTask t) { callbacks.push_back(t.name() + " done"); });
            co_await passes(2);
            CHECK(timers(loop) == 2);

            CHECK(loop.kill_tasks(5, crash()) == 2);
            CHECK(cleanups == 2);      // RAII in the frames ran, inside kill_tasks
            CHECK(log.empty());        // no catch block, nothing after the await
            CHECK(timers(loop) == 0);  // the sleeps' timers went with the frames
            CHECK(v1.done());
            CHECK_FALSE(v1.cancelled());
            CHECK(callbacks.empty());  // done-callbacks run on a later pass
            CHECK(loop.kill_tasks(5, crash()) == 0);

            // An awaiter of another tag gets the kill's exception.
            std::string got;
            try {
                co_await v2;
            } catch (const Crash& e) {
                got = e.what();
            }
            CHECK(got == "host down");
            co_await passes(1);
            CHECK(callbacks == std::vector<std::string>{"v1 done"});
            // Other tags run on.
            CHECK_FALSE(other.done());
            CHECK(co_await other == 42);
        }(),
        reports.options());
    // Nothing reported: a kill's exception counts as retrieved (v1's was never awaited).
    CHECK(reports.messages().empty());
    CHECK(log.empty());
}

TEST_CASE("kill_tasks with a CancelledError leaves the killed tasks cancelled") {
    aio::run([]() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        auto t = spawn(5, passes(100));
        co_await passes(1);
        CHECK(loop.kill_tasks(5, std::make_exception_ptr(aio::CancelledError("killed"))) == 1);
        CHECK(t.cancelled());
        bool cancelled = false;
        try {
            co_await t;
        } catch (const aio::CancelledError& e) {
            cancelled = std::string(e.what()) == "killed";
        }
        CHECK(cancelled);
    }());
}

TEST_CASE("kill_tasks refuses a null exception") {
    aio::EventLoop loop;
    CHECK_THROWS_AS(loop.kill_tasks(1, nullptr), aio::ValueError);
}

namespace {
aio::Coro<void> holding(Cleanup, std::vector<std::string>& log) {
    log.push_back("started");
    co_return;
}
}  // namespace

TEST_CASE("a task not yet started is killed without running at all; its coroutine's parameters are destroyed") {
    int cleanups = 0;
    std::vector<std::string> log;
    aio::run([&]() -> aio::Coro<void> {
        auto t = spawn(5, holding(Cleanup{&cleanups}, log));
        CHECK(cleanups == 0);
        CHECK(aio::get_running_loop().kill_tasks(5, crash()) == 1);
        CHECK(t.done());
        CHECK(what_of(t.exception()) == "host down");
        co_await passes(1);
    }());
    CHECK(cleanups == 1);
    CHECK(log.empty());
}

namespace {
// Kills its own tag inside its step: the step goes on until the task suspends, then it is
// killed (nothing after that await runs).
aio::Coro<void> self_killer(int& cleanups, std::vector<std::string>& log, std::size_t& killed) {
    Cleanup c{&cleanups};
    co_await aio::sleep(0s);
    killed = aio::get_running_loop().kill_tasks(5, crash());
    log.push_back(fmt::format("still running, {} cleanups", cleanups));
    try {
        co_await aio::sleep(0s);
        log.push_back("after the await");
    } catch (...) {
        log.push_back("catch block");
        throw;
    }
}
}  // namespace

TEST_CASE("a task that kills its own tag finishes its step, then is killed") {
    aio_test::Reports reports;
    int cleanups = 0;
    std::vector<std::string> log;
    std::size_t killed = 0;
    aio::run(
        [&]() -> aio::Coro<void> {
            int sibling_cleanups = 0;
            std::vector<std::string> sibling_log;
            auto sibling = spawn(5, sleeper(sibling_cleanups, sibling_log));
            auto t = spawn(5, self_killer(cleanups, log, killed));
            try {
                co_await t;
            } catch (const Crash&) {
                log.push_back("awaiter got the crash");
            }
            CHECK(sibling.done());
            CHECK(sibling_cleanups == 1);
            CHECK(sibling_log.empty());
        }(),
        reports.options());
    CHECK(killed == 2);
    CHECK(cleanups == 1);
    CHECK(log == std::vector<std::string>{"still running, 0 cleanups", "awaiter got the crash"});
    CHECK(reports.messages().empty());
}

namespace {
aio::Coro<void> eager_killer(std::vector<std::string>& log) {
    aio::get_running_loop().kill_tasks(5, crash());
    log.push_back("child after kill_tasks");
    co_await aio::sleep(0s);
    log.push_back("child after its await");
}
aio::Coro<void> eager_creator(std::vector<std::string>& log, aio::Task<void>& child) {
    co_await aio::sleep(0s);
    child = aio::create_task(eager_killer(log));  // its first step runs here, and kills tag 5
    log.push_back("parent after create_task");
    co_await aio::sleep(0s);
    log.push_back("parent after its await");
}
}  // namespace

TEST_CASE("kill_tasks during an eager first step waits for the steps under way: the child's, then its creator's") {
    aio_test::Reports reports;
    std::vector<std::string> log;
    aio::Task<void> child;
    aio::run(
        [&]() -> aio::Coro<void> {
            aio::get_running_loop().set_eager_tasks(true);
            auto parent = spawn(5, eager_creator(log, child));
            co_await passes(3);
            CHECK(parent.done());
            CHECK(child.done());
            CHECK(what_of(parent.exception()) == "host down");
            CHECK(what_of(child.exception()) == "host down");
        }(),
        reports.options());
    CHECK(log == std::vector<std::string>{"child after kill_tasks", "parent after create_task"});
    CHECK(reports.messages().empty());
}

namespace {
aio::Coro<void> await_future(aio::Future<int> f, std::vector<std::string>& log) {
    int v = co_await f;
    log.push_back(fmt::format("got {}", v));
}
}  // namespace

TEST_CASE("a killed task's wake-up already queued is dropped (the task and its handles are gone)") {
    std::vector<std::string> log;
    aio::run([&]() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        aio::Future<int> f(loop);
        spawn(5, await_future(f, log));  // no handle kept: the kill frees the task
        co_await passes(1);
        f.set_result(1);  // the task's step is queued now
        CHECK(loop.kill_tasks(5, crash()) == 1);
        co_await passes(3);  // under ASan: a stale step would run on freed memory
    }());
    CHECK(log.empty());
}

namespace {
aio::Coro<void> short_sleeper(std::vector<std::string>& log) {
    co_await aio::sleep(1ms);
    log.push_back("woke");
}
}  // namespace

TEST_CASE("a killed task whose sleep's timer fired before its wake-up ran does not wake") {
    for (int extra_pass : {0, 1}) {
        CAPTURE(extra_pass);
        std::vector<std::string> log;
        aio::run([&]() -> aio::Coro<void> {
            aio::EventLoop& loop = aio::get_running_loop();
            spawn(5, short_sleeper(log));
            co_await aio::sleep(0s);
            // The timer fires in the pass in which this task sees it gone from the heap: its
            // callback (which queues the task's step) runs after this step in that pass.
            while (timers(loop) != 0) co_await aio::sleep(0s);
            // With extra_pass, the callback ran: the step is queued behind this task's.
            if (extra_pass) co_await aio::sleep(0s);
            CHECK(loop.kill_tasks(5, crash()) == 1);
            co_await passes(3);
        }());
        CHECK(log.empty());
    }
}

TEST_CASE("killing the main task's tag makes run() throw the kill's exception") {
    aio_test::Reports reports;
    int cleanups = 0;
    std::vector<std::string> log;
    std::string got;
    try {
        aio::run(
            [&]() -> aio::Coro<void> {
                Cleanup c{&cleanups};
                spawn(6, passes(1000));  // another tag: cancelled by run()'s shutdown as usual
                co_await aio::sleep(0s);
                aio::get_running_loop().kill_tasks(0, crash());
                co_await aio::sleep(0s);
                log.push_back("after the await");
            }(),
            reports.options());
    } catch (const Crash& e) {
        got = e.what();
    }
    CHECK(got == "host down");
    CHECK(cleanups == 1);
    CHECK(log.empty());
    CHECK(reports.messages().empty());
}

TEST_CASE("run() ends normally with killed tasks around: nothing is reported as destroyed while pending") {
    aio_test::Reports reports;
    int cleanups = 0;
    std::vector<std::string> log;
    aio::run(
        [&]() -> aio::Coro<void> {
            for (int i = 0; i < 3; ++i) spawn(5, sleeper(cleanups, log));
            auto kept = spawn(5, sleeper(cleanups, log));
            co_await aio::sleep(0s);
            CHECK(aio::get_running_loop().kill_tasks(5, crash()) == 4);
            CHECK(kept.done());
            CHECK(aio::get_running_loop().all_tasks().size() == 1);  // the main task only
        }(),
        reports.options(true));
    CHECK(cleanups == 4);
    CHECK(log.empty());
    CHECK(reports.messages().empty());
    CHECK(reports.lines.empty());
}
