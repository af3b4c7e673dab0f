// A loop's non-thread-safe entry points called from another thread while it runs raise
// RuntimeError (asyncio's debug-mode _check_thread, always on here), and aio::TaskCanceller is
// the thread-safe way to cancel a task. Part of runtime_thread_tests: the TSan job runs these.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "support.hpp"

using namespace std::chrono_literals;

namespace {

constexpr int kTasks = 8;
const std::string kWrongThread = "Non-thread-safe operation invoked on an event loop other than the current one: ";

aio::Coro<std::string> sleeper() {
    try {
        co_await aio::sleep(1h);
    } catch (const aio::CancelledError& e) {
        co_return "cancelled: " + e.message();
    }
    co_return "woke";
}

/// Runs f on a worker thread (to_thread) and returns the RuntimeError it raised, or "no error".
/// (Callables are named before the co_await: GCC 12 destroys temporaries of a co_await
/// expression twice, see the README's known issues.)
aio::Coro<std::string> on_other_thread(const std::function<void()>& f) {
    auto job = [&f]() -> std::string {
        try {
            f();
        } catch (const aio::RuntimeError& e) {
            return e.what();
        }
        return "no error";
    };
    co_return co_await aio::to_thread(std::move(job));
}

using Calls = std::vector<std::pair<std::string, std::function<void()>>>;

bool refused(const std::string& what, const std::string& call) {
    return what.rfind(kWrongThread + call, 0) == 0 && what.find("canceller()") != std::string::npos;
}

}  // namespace

TEST_CASE("Task.cancel() from another thread raises RuntimeError and leaves the task alone, in debug mode or not" *
          doctest::test_suite("threads")) {
    for (bool debug : {false, true}) {
        CAPTURE(debug);
        aio_test::Reports reports;
        aio::run(
            []() -> aio::Coro<void> {
                auto t = aio::create_task(sleeper());
                co_await aio::sleep(0s);  // t sleeps now
                // Only a reference crosses the thread: copying the handle would race on its count.
                Calls calls{{"Task.cancel()", [&t] { t.cancel("lost"); }},
                            {"Task.uncancel()", [&t] { t.uncancel(); }},
                            {"Task.set_name()", [&t] { t.set_name("x"); }},
                            {"Task.add_done_callback()", [&t] { t.add_done_callback([](aio::AnyTask) {}); }},
                            {"Task.canceller()", [&t] { (void)t.canceller(); }}};
                for (auto& [name, f] : calls) {
                    CAPTURE(name);
                    std::string what = co_await on_other_thread(f);
                    CHECK(refused(what, name));
                }
                CHECK(t.cancelling() == 0);
                CHECK_FALSE(t.done());
                t.cancel("here");
                CHECK(co_await t == "cancelled: here");
            }(),
            reports.options(debug));
        CHECK(reports.contexts.empty());
    }
}

TEST_CASE("the loop's and a future's non-thread-safe methods raise RuntimeError on another thread" *
          doctest::test_suite("threads")) {
    aio_test::Reports reports;
    aio::run(
        []() -> aio::Coro<void> {
            aio::EventLoop& loop = aio::get_running_loop();
            aio::Future<int> fut(loop);
            Calls calls{{"loop.call_soon()", [&] { loop.call_soon([] {}); }},
                        {"loop.call_later()", [&] { loop.call_later(1s, [] {}); }},
                        {"loop.call_at()", [&] { loop.call_at(loop.time(), [] {}); }},
                        {"loop.create_task()", [&] { loop.create_task(sleeper()); }},
                        {"Future.set_result()", [&] { fut.set_result(1); }},
                        {"Future.set_exception()", [&] { fut.set_exception(std::make_exception_ptr(1)); }},
                        {"Future.cancel()", [&] { fut.cancel(); }},
                        {"Future.add_done_callback()", [&] { fut.add_done_callback([](aio::Future<int>) {}); }}};
            for (auto& [name, f] : calls) {
                CAPTURE(name);
                std::string what = co_await on_other_thread(f);
                CHECK(refused(what, name));
            }
            CHECK_FALSE(fut.done());
            CHECK(loop.all_tasks().size() == 1);  // the refused create_task made no task
            // The thread-safe way still works.
            std::function<void()> post = [&] { loop.call_soon_threadsafe([&fut] { fut.set_result(5); }); };
            co_await on_other_thread(post);
            CHECK(co_await fut == 5);
        }(),
        reports.options());
    CHECK(reports.contexts.empty());
}

TEST_CASE("a TaskCanceller cancels a task from another thread with its message" * doctest::test_suite("threads")) {
    auto result = aio::run([]() -> aio::Coro<std::string> {
        auto t = aio::create_task(sleeper());
        aio::TaskCanceller c = t.canceller();
        co_await aio::sleep(0s);
        // The canceller is copied into the worker and destroyed there.
        auto job = [c] { return c.cancel("from a thread"); };
        bool posted = co_await aio::to_thread(std::move(job));
        CHECK(posted);
        std::string r = co_await t;
        co_await aio::sleep(0s);            // the pass after it finished: the canceller knows
        CHECK_FALSE(c.cancel("too late"));  // the task is done: nothing is posted
        co_return r;
    }());
    CHECK(result == "cancelled: from a thread");
}

TEST_CASE("TaskCancellers on several threads cancel once each and lose nothing" * doctest::test_suite("threads")) {
    auto cancelled = aio::run([]() -> aio::Coro<int> {
        std::vector<aio::Task<std::string>> ts;
        std::vector<aio::TaskCanceller> cs;
        for (int i = 0; i < kTasks; ++i) {
            ts.push_back(aio::create_task(sleeper()));
            cs.push_back(ts.back().canceller());
        }
        co_await aio::sleep(0s);
        std::vector<std::thread> threads;
        std::atomic<int> posted{0};
        for (int i = 0; i < kTasks; ++i)
            threads.emplace_back([c = cs[i], &posted, i] {
                if (c.cancel("thread " + std::to_string(i))) ++posted;
            });
        int n = 0;
        for (int i = 0; i < kTasks; ++i)
            if (co_await ts[i] == "cancelled: thread " + std::to_string(i)) ++n;
        for (auto& th : threads) th.join();
        CHECK(posted == kTasks);
        co_return n;
    }());
    CHECK(cancelled == kTasks);
}

TEST_CASE("a TaskCanceller posts nothing once the task's loop is closed" * doctest::test_suite("threads")) {
    aio::TaskCanceller c;
    CHECK_FALSE(c.cancel());  // an empty canceller cancels nothing
    {
        aio_test::Reports reports;
        aio::EventLoop loop;
        reports.watch(loop);
        auto t = loop.create_task(sleeper(), "pending");
        c = t.canceller();  // the loop is not running: any thread may ask
        loop.close();       // destroys the pending task
    }
    bool posted = true;
    std::thread([&] { posted = c.cancel("after close"); }).join();
    CHECK_FALSE(posted);
}
