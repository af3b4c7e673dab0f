// Tasks and futures of another loop: every way of awaiting one refuses it with RuntimeError at
// once (a plain co_await and each combinator), instead of hanging the real loop (the other loop
// never runs the callbacks) or misleading the simulator's deadlock report.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <string>
#include <vector>

#include "support.hpp"

using namespace std::chrono_literals;

namespace {

aio::Coro<int> forever() {
    co_await aio::sleep(1h);
    co_return 1;
}

aio::Coro<int> counted(aio_test::Cleanup c) {
    (void)c;
    co_return 2;
}

aio::Coro<int> seven() { co_return 7; }

/// A loop that is not running, with a pending task and a pending future on it.
struct Foreign {
    aio_test::Reports reports;  // outlives the loop: closing it reports the pending task
    aio::EventLoop loop;
    aio::Task<int> task;
    aio::Future<int> future;
    Foreign() : task(loop.create_task(forever(), "foreign")), future(loop) { reports.watch(loop); }
};

const std::string kForeign = "is attached to a different event loop";

/// The RuntimeError `body` raised inside a fresh real-time loop's main task, or "no error";
/// also checks that nothing was left running on that loop.
template <class F>
std::string refusal(F body) {
    auto main = [](F body) -> aio::Coro<std::string> {
        std::string what = "no error";
        try {
            co_await body();
        } catch (const aio::RuntimeError& e) {
            what = e.what();
        }
        CHECK(aio::get_running_loop().all_tasks().size() == 1);  // only main: nothing was started
        co_return what;
    };
    return aio::run(main(std::move(body)));
}

bool names(const std::string& what, const std::string& fn, const std::string& object) {
    return what.find(fn) == 0 && what.find(object) != std::string::npos && what.find(kForeign) != std::string::npos &&
           what.find("call_soon_threadsafe") != std::string::npos;
}

}  // namespace

TEST_CASE("a plain co_await of a future of another loop raises RuntimeError naming it") {
    Foreign f;
    auto what = refusal([&]() -> aio::Coro<void> { co_await f.future; });
    CHECK(names(what, "co_await in Task 'Task-1'", "a Future"));
}

TEST_CASE("gather of a task of another loop raises RuntimeError and starts none of the other arguments") {
    Foreign f;
    int cleaned = 0;
    auto what =
        refusal([&]() -> aio::Coro<void> { co_await aio::gather(counted(aio_test::Cleanup(&cleaned)), f.task); });
    CHECK(names(what, "aio::gather()", "Task 'foreign'"));
    CHECK(cleaned == 1);  // the coroutine argument was destroyed unstarted, not wrapped in a task
    CHECK_FALSE(f.task.done());
}

TEST_CASE("gather_outcomes of a future of another loop's task raises RuntimeError") {
    Foreign f;
    auto what = refusal([&]() -> aio::Coro<void> { co_await aio::gather_outcomes(seven(), f.task); });
    CHECK(names(what, "aio::gather_outcomes()", "Task 'foreign'"));
}

TEST_CASE("the range forms of gather and gather_outcomes refuse a task of another loop") {
    Foreign f;
    auto what = refusal([&]() -> aio::Coro<void> {
        std::vector<aio::Task<int>> ts{aio::create_task(seven()), f.task};
        std::exception_ptr err;
        try {
            co_await aio::gather(ts);
        } catch (...) {
            err = std::current_exception();
        }
        co_await ts[0];  // let our own task finish: only main may be left
        if (err) std::rethrow_exception(err);
    });
    CHECK(names(what, "aio::gather()", "Task 'foreign'"));
    what = refusal([&]() -> aio::Coro<void> {
        std::vector<aio::Task<int>> ts{f.task};
        co_await aio::gather_outcomes(ts);
    });
    CHECK(names(what, "aio::gather_outcomes()", "Task 'foreign'"));
}

TEST_CASE("gather refuses a task of another loop even when that task is done") {
    Foreign f;
    auto t = f.loop.create_task(seven(), "finished");
    f.loop.run_until_complete(t);
    auto what = refusal([&]() -> aio::Coro<void> { co_await aio::gather(t); });
    CHECK(names(what, "aio::gather()", "Task 'finished'"));
}

TEST_CASE("wait of a task or future of another loop raises RuntimeError") {
    Foreign f;
    auto what = refusal([&]() -> aio::Coro<void> {
        std::vector<aio::Task<int>> ts{f.task};
        co_await aio::wait(ts);
    });
    CHECK(names(what, "aio::wait()", "Task 'foreign'"));
    what = refusal([&]() -> aio::Coro<void> {
        std::vector<aio::Future<int>> fs{f.future};
        co_await aio::wait(fs, 1s, aio::FIRST_COMPLETED);
    });
    CHECK(names(what, "aio::wait()", "a Future"));
}

TEST_CASE("wait_for of a task of another loop raises RuntimeError, whatever the timeout, and cancels nothing") {
    Foreign f;
    for (std::optional<aio::Duration> timeout : {std::optional<aio::Duration>(1s), std::optional<aio::Duration>(0s),
                                                 std::optional<aio::Duration>(std::nullopt)}) {
        auto what = refusal([&]() -> aio::Coro<void> { co_await aio::wait_for(f.task, timeout); });
        CHECK(names(what, "aio::wait_for()", "Task 'foreign'"));
        what = refusal([&]() -> aio::Coro<void> { co_await aio::wait_for(f.future, timeout); });
        CHECK(names(what, "aio::wait_for()", "a Future"));
    }
    CHECK(f.task.cancelling() == 0);
    CHECK_FALSE(f.future.done());
}

TEST_CASE("shield of a task or future of another loop raises RuntimeError") {
    Foreign f;
    auto what = refusal([&]() -> aio::Coro<void> { co_await aio::shield(f.task); });
    CHECK(names(what, "aio::shield()", "Task 'foreign'"));
    what = refusal([&]() -> aio::Coro<void> { co_await aio::shield(f.future); });
    CHECK(names(what, "aio::shield()", "a Future"));
}

TEST_CASE("as_completed of a task or future of another loop raises RuntimeError") {
    Foreign f;
    auto what = refusal([&]() -> aio::Coro<void> {
        std::vector<aio::Task<int>> ts{f.task};
        for (auto next : aio::as_completed(ts)) co_await next;
    });
    CHECK(names(what, "aio::as_completed()", "Task 'foreign'"));
    what = refusal([&]() -> aio::Coro<void> {
        std::vector<aio::Future<int>> fs{f.future};
        for (auto next : aio::as_completed(fs, 1s)) co_await next;
    });
    CHECK(names(what, "aio::as_completed()", "a Future"));
}

TEST_CASE("a TaskGroup entered on one loop refuses create_task from a task of another loop") {
    aio_test::Reports reports;
    aio::Runner runner(reports.options());
    aio::TaskGroup tg;
    // The group is entered on the runner's loop and left open (its task waits for the event).
    aio::Event stop;
    auto holder = runner.get_loop().create_task(tg.run([&]() -> aio::Coro<void> { co_await stop.wait(); }), "holder");
    runner.run([]() -> aio::Coro<void> { co_await aio::sleep(0s); }());
    auto what = refusal([&]() -> aio::Coro<void> {
        tg.create_task(seven());
        co_return;
    });
    CHECK(what.find("TaskGroup") == 0);
    CHECK(what.find("different event loop") != std::string::npos);
    CHECK(tg.size() == 0);
    stop.set();
    runner.run([](aio::Task<void> h) -> aio::Coro<void> { co_await h; }(holder));
}
