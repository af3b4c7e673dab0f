// EventLoop::shutdown_default_executor(timeout) (Python 3.13's): a hung executor job is reported
// after the timeout and abandoned, not waited for; the job finishing later, after the loop was
// closed and destroyed, touches nothing of it. In the "threads" suite (ThreadSanitizer).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "support.hpp"

using namespace std::chrono_literals;

namespace {

bool eventually(const auto& pred, std::chrono::milliseconds limit = 20s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

}  // namespace

TEST_SUITE("threads") {
    TEST_CASE("shutdown_default_executor(timeout) reports a hung job and returns; the job ends after the loop") {
        aio_test::Reports reports;
        std::atomic<bool> release{false};
        std::atomic<bool> job_started{false};
        std::atomic<bool> job_ended{false};
        auto done_ran = std::make_shared<std::atomic<bool>>(false);
        auto shared = std::make_shared<int>(5);  // what job and done share
        {
            auto loop = std::make_unique<aio::EventLoop>();
            reports.watch(*loop);
            loop->run_in_executor(
                [&, shared] {
                    job_started = true;
                    while (!release.load()) std::this_thread::sleep_for(1ms);
                    job_ended = true;
                },
                [done_ran, shared] { *done_ran = true; });
            REQUIRE(eventually([&] { return job_started.load(); }));
            const auto t0 = std::chrono::steady_clock::now();
            loop->run_until_complete(loop->shutdown_default_executor(50ms));
            const auto waited = std::chrono::steady_clock::now() - t0;
            CHECK(waited >= 50ms);
            CHECK(waited < 10s);
            REQUIRE(reports.contexts.size() == 1);
            CHECK(reports.contexts[0].message ==
                  "The executor did not finishing joining its threads within 0.05 seconds.");
            CHECK(!reports.contexts[0].exception);
            CHECK(!job_ended.load());
            loop->close();  // does not join the abandoned workers
            CHECK(aio::detail::executors_being_abandoned() == 1);
        }  // the loop is destroyed while the job still runs
        release = true;
        CHECK(eventually([] { return aio::detail::executors_being_abandoned() == 0; }));
        CHECK(job_ended.load());
        CHECK(!done_ran->load());        // its completion was dropped: the loop was gone
        CHECK(shared.use_count() == 1);  // job and done were destroyed (on the worker thread)
    }

    TEST_CASE("shutdown_default_executor(timeout) waits for jobs that finish in time and runs their completions") {
        aio_test::Reports reports;
        std::atomic<int> done_count{0};
        auto loop = std::make_unique<aio::EventLoop>();
        reports.watch(*loop);
        for (int i = 0; i < 3; ++i)
            loop->run_in_executor([] { std::this_thread::sleep_for(20ms); }, [&] { ++done_count; });
        loop->run_until_complete(loop->shutdown_default_executor(10s));
        CHECK(done_count.load() == 3);
        CHECK(reports.contexts.empty());
        loop->close();
        CHECK(aio::detail::executors_being_abandoned() == 0);
    }

    TEST_CASE("a cancelled shutdown_default_executor abandons the executor instead of blocking the loop") {
        std::atomic<bool> release{false};
        std::atomic<bool> started{false};
        auto main = [&]() -> aio::Coro<bool> {
            aio::EventLoop& loop = aio::get_running_loop();
            loop.run_in_executor(
                [&] {
                    started = true;
                    while (!release.load()) std::this_thread::sleep_for(1ms);
                },
                [] {});
            while (!started.load()) co_await aio::sleep(1ms);
            auto t = aio::create_task(loop.shutdown_default_executor());
            co_await aio::sleep(10ms);
            t.cancel();
            try {
                co_await t;
            } catch (const aio::CancelledError&) {
                co_return true;
            }
            co_return false;
        };
        CHECK(aio::run(main()));  // run's own shutdown finds no executor to wait for
        release = true;
        CHECK(eventually([] { return aio::detail::executors_being_abandoned() == 0; }));
    }
}
