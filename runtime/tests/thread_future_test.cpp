// aio::ThreadFuture (concurrent.futures.Future), aio::run_coroutine_threadsafe and
// aio::wrap_future: the states, blocking result(timeout), callbacks on the completing thread,
// and the hand-over between a loop and other threads, both ways. In the "threads" suite (run
// under ThreadSanitizer).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace thread_future_test {

using namespace std::chrono_literals;

aio::Coro<void> forever() {
    aio::Future<void> never(aio::get_running_loop());
    co_await never;
}

aio::Coro<void> one_pass() { co_await aio::sleep(0s); }

// Runs the loop until `done` (set by another thread) or 10 s of real time.
aio::Coro<void> until(const std::atomic<bool>& done) {
    const auto end = std::chrono::steady_clock::now() + 10s;
    while (!done.load() && std::chrono::steady_clock::now() < end) co_await aio::sleep(1ms);
}

TEST_SUITE("threads") {
    TEST_CASE("ThreadFuture: pending, cancelled") {
        aio::ThreadFuture<int> f;
        CHECK_FALSE(f.done());
        CHECK_FALSE(f.running());
        int called = 0;
        f.add_done_callback([&](const aio::ThreadFuture<int>& g) {
            CHECK(g == f);
            ++called;
        });
        CHECK(f.cancel());
        CHECK(called == 1);
        CHECK(f.cancelled());
        CHECK(f.done());
        CHECK(f.cancel());  // cancelled already: true, no second call
        CHECK(called == 1);
        CHECK_THROWS_AS(f.result(), aio::CancelledError);
        CHECK_THROWS_AS(f.exception(0s), aio::CancelledError);
        CHECK_THROWS_AS(f.set_result(1), aio::InvalidStateError);
        CHECK_FALSE(f.set_running_or_notify_cancel());
        // A callback added once done runs at once.
        f.add_done_callback([&](const aio::ThreadFuture<int>&) { ++called; });
        CHECK(called == 2);
    }

    TEST_CASE("ThreadFuture: running cannot be cancelled; result, exception") {
        aio::ThreadFuture<std::string> f;
        CHECK(f.set_running_or_notify_cancel());
        CHECK(f.running());
        CHECK_THROWS_AS(f.set_running_or_notify_cancel(), aio::InvalidStateError);
        CHECK_FALSE(f.cancel());
        CHECK_THROWS_AS(f.result(0s), aio::TimeoutError);
        f.set_result("ok");
        CHECK(f.done());
        CHECK_FALSE(f.cancel());
        CHECK(f.result() == "ok");
        CHECK(f.exception() == nullptr);
        CHECK_THROWS_AS(f.set_result("again"), aio::InvalidStateError);

        aio::ThreadFuture<void> g;
        auto e = std::make_exception_ptr(std::logic_error("boom"));
        g.set_exception(e);
        CHECK(g.exception() == e);
        CHECK_THROWS_AS(g.result(), std::logic_error);
        CHECK_THROWS_AS(g.set_exception(e), aio::InvalidStateError);
    }

    TEST_CASE("ThreadFuture: result() blocks until another thread sets it; callbacks run there") {
        aio::ThreadFuture<int> f;
        std::thread::id cb_thread;
        f.add_done_callback([&](const aio::ThreadFuture<int>&) { cb_thread = std::this_thread::get_id(); });
        CHECK_THROWS_AS(f.result(1ms), aio::TimeoutError);
        std::thread setter([f]() mutable {
            std::this_thread::sleep_for(5ms);
            f.set_result(7);
        });
        const auto setter_id = setter.get_id();
        CHECK(f.result() == 7);  // no timeout: waits
        setter.join();
        CHECK(cb_thread == setter_id);
        CHECK(f.result(0s) == 7);
    }

    TEST_CASE("run_coroutine_threadsafe: cancelling the thread future cancels the task") {
        aio::EventLoop loop;
        std::atomic<bool> done{false};
        bool got_cancel = false;
        auto body = [](bool& got_cancel) -> aio::Coro<int> {
            try {
                co_await forever();
            } catch (const aio::CancelledError&) {
                got_cancel = true;
                throw;
            }
            co_return 0;
        };
        std::thread worker([&] {
            auto f = aio::run_coroutine_threadsafe(body(got_cancel), loop);
            CHECK_THROWS_AS(f.result(20ms), aio::TimeoutError);  // the task is waiting
            CHECK(f.cancel());
            CHECK_THROWS_AS(f.result(), aio::CancelledError);
            done = true;
        });
        loop.run_until_complete(until(done));
        worker.join();
        loop.run_until_complete(one_pass());  // the cancel posted by the thread future
        loop.run_until_complete(one_pass());
        CHECK(got_cancel);
        for (const auto& t : loop.all_tasks()) CHECK(t.done());
    }

    TEST_CASE("run_coroutine_threadsafe: a move-only result, and an exception") {
        aio::EventLoop loop;
        std::atomic<bool> done{false};
        auto make = []() -> aio::Coro<std::unique_ptr<int>> {
            co_await aio::sleep(1ms);
            co_return std::make_unique<int>(5);
        };
        auto fail = []() -> aio::Coro<void> {
            co_await aio::sleep(0s);
            throw std::out_of_range("nope");
        };
        std::thread worker([&] {
            auto f = aio::run_coroutine_threadsafe(make(), loop);
            CHECK(*f.result(10s) == 5);
            auto g = aio::run_coroutine_threadsafe(fail(), loop);
            CHECK_THROWS_AS(g.result(10s), std::out_of_range);
            CHECK(g.exception() != nullptr);
            done = true;
        });
        loop.run_until_complete(until(done));
        worker.join();
        CHECK_THROWS_AS(aio::run_coroutine_threadsafe(aio::Coro<void>{}, loop), aio::ValueError);
    }

    TEST_CASE("run_coroutine_threadsafe: a loop closed first cancels the thread future") {
        // Closed before the coroutine became a task, and closed with the task pending: both
        // cancel the future (asyncio leaves it pending; result() would hang).
        auto loop = std::make_unique<aio::EventLoop>();
        std::vector<std::string> reports;  // "Task was destroyed but it is pending!"
        loop->set_exception_handler(
            [&](aio::EventLoop&, const aio::ExceptionContext& c) { reports.push_back(c.message); });
        aio::ThreadFuture<void> never_started;
        aio::ThreadFuture<void> pending;
        std::thread([&] { pending = aio::run_coroutine_threadsafe(forever(), *loop); }).join();
        loop->run_until_complete(one_pass());
        CHECK_FALSE(pending.done());
        std::thread([&] { never_started = aio::run_coroutine_threadsafe(forever(), *loop); }).join();
        loop->close();
        CHECK(pending.cancelled());
        CHECK(never_started.cancelled());
        CHECK(reports.size() == 1);
        std::thread([&] {
            CHECK_THROWS_AS(aio::run_coroutine_threadsafe(forever(), *loop), aio::RuntimeError);
        }).join();
    }

    TEST_CASE("wrap_future: a task awaits what another thread sets; cancelling it cancels the thread future") {
        aio::EventLoop loop;
        aio::ThreadFuture<std::string> job;
        std::thread setter;
        auto main = [&]() -> aio::Coro<std::string> {
            auto fut = aio::wrap_future(job);  // the running loop
            setter = std::thread([job]() mutable {
                std::this_thread::sleep_for(2ms);
                if (job.set_running_or_notify_cancel()) job.set_result("from a thread");
            });
            co_return co_await fut;
        };
        CHECK(loop.run_until_complete(main()) == "from a thread");
        setter.join();

        aio::ThreadFuture<int> other;
        auto f = aio::wrap_future(other, loop);
        f.cancel();
        loop.run_until_complete(one_pass());
        CHECK(other.cancelled());
        CHECK(f.cancelled());
    }

    TEST_CASE("wrap_future: an exception; a thread future completed after the loop closed") {
        auto loop = std::make_unique<aio::EventLoop>();
        aio::ThreadFuture<int> failing;
        auto f = aio::wrap_future(failing, *loop);
        std::thread([failing]() mutable {
            failing.set_exception(std::make_exception_ptr(std::out_of_range("x")));
        }).join();
        auto wait = [](aio::Future<int> f) -> aio::Coro<int> { co_return co_await f; };
        CHECK_THROWS_AS(loop->run_until_complete(wait(f)), std::out_of_range);

        aio::ThreadFuture<int> late;
        auto g = aio::wrap_future(late, *loop);
        loop->close();
        std::thread([late]() mutable { late.set_result(1); }).join();  // not delivered, nothing touched
        CHECK_FALSE(g.done());
        loop.reset();
    }
}

}  // namespace thread_future_test
