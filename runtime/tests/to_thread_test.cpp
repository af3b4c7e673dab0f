// aio::to_thread: asyncio.to_thread (the default executor, results and errors brought back to
// the loop's thread, cancellation of the awaiting task). All of these are in the "threads"
// suite: run them under ThreadSanitizer with `runtime_tests -ts=threads`.
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

#include "support.hpp"

using namespace std::chrono_literals;

namespace {

using Log = std::vector<std::string>;

/// Waits (at most `limit`) until flag is set; returns whether it was.
bool wait_for(const std::atomic<bool>& flag, std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!flag.load()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

}  // namespace

TEST_SUITE("threads") {
    TEST_CASE("to_thread returns the function's result") {
        auto main = []() -> aio::Coro<int> { co_return co_await aio::to_thread([] { return 6 * 7; }); };
        CHECK(aio::run(main()) == 42);
    }

    TEST_CASE("to_thread passes the arguments to the function by value") {
        auto main = []() -> aio::Coro<std::string> {
            std::string word = "ab";
            auto r = aio::to_thread(
                [](std::string s, int n) {
                    std::string out;
                    for (int i = 0; i < n; ++i) out += s;
                    return out;
                },
                word, 3);
            word = "changed";  // the call already holds its own copy
            co_return co_await std::move(r);
        };
        CHECK(aio::run(main()) == "ababab");
    }

    TEST_CASE("to_thread runs the function on another thread") {
        auto main = []() -> aio::Coro<bool> {
            auto loop_thread = std::this_thread::get_id();
            auto worker = co_await aio::to_thread([] { return std::this_thread::get_id(); });
            co_return worker != loop_thread&& std::this_thread::get_id() == loop_thread;
        };
        CHECK(aio::run(main()));
    }

    TEST_CASE("to_thread rethrows the function's exception in the awaiting task") {
        auto main = []() -> aio::Coro<std::string> {
            try {
                co_await aio::to_thread([]() -> int { throw std::range_error("from the thread"); });
            } catch (const std::range_error& e) {
                co_return e.what();
            }
            co_return "no exception";
        };
        CHECK(aio::run(main()) == "from the thread");
    }

    TEST_CASE("to_thread of a void function completes after the function ran") {
        auto main = []() -> aio::Coro<bool> {
            std::atomic<bool> ran{false};
            co_await aio::to_thread([&ran] { ran = true; });
            co_return ran.load();
        };
        CHECK(aio::run(main()));
    }

    TEST_CASE("to_thread brings back a move-only result") {
        auto main = []() -> aio::Coro<int> {
            std::unique_ptr<int> p = co_await aio::to_thread([] { return std::make_unique<int>(5); });
            co_return *p;
        };
        CHECK(aio::run(main()) == 5);
    }

    TEST_CASE("the function given to to_thread is destroyed on the loop's thread") {
        // It may hold handles that only the loop's thread may touch (their counts are not atomic).
        struct Tracked {
            std::thread::id* destroyed_on;
            explicit Tracked(std::thread::id* d) : destroyed_on(d) {}
            Tracked(Tracked&& o) noexcept : destroyed_on(std::exchange(o.destroyed_on, nullptr)) {}
            Tracked(const Tracked&) = delete;
            ~Tracked() {
                if (destroyed_on) *destroyed_on = std::this_thread::get_id();
            }
            int operator()() const { return 1; }
        };
        auto main = [](std::thread::id* destroyed_on) -> aio::Coro<bool> {
            int r = co_await aio::to_thread(Tracked(destroyed_on));
            co_return r == 1 && *destroyed_on == std::this_thread::get_id();
        };
        std::thread::id destroyed_on;
        CHECK(aio::run(main(&destroyed_on)));
    }

    TEST_CASE("the loop runs other tasks while a to_thread function blocks") {
        auto main = []() -> aio::Coro<bool> {
            std::atomic<bool> released{false};
            // The function waits for a flag that only another task of the loop sets: it can only
            // be set if the loop keeps running while the function blocks.
            auto blocked = aio::create_task(aio::to_thread([&released] { return wait_for(released); }));
            co_await aio::sleep(0s);
            co_await aio::sleep(0s);
            released = true;
            co_return co_await blocked;
        };
        CHECK(aio::run(main()));
    }

    TEST_CASE("several to_thread calls run at the same time") {
        auto main = []() -> aio::Coro<std::vector<bool>> {
            std::atomic<int> arrived{0};
            // Each function waits until both have started: serialised execution would time out.
            auto meet = [&arrived] {
                ++arrived;
                const auto end = std::chrono::steady_clock::now() + 10s;
                while (arrived.load() < 2 && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(1ms);
                return arrived.load() >= 2;
            };
            auto [a, b] = co_await aio::gather(aio::to_thread(meet), aio::to_thread(meet));
            co_return std::vector<bool>{a, b};
        };
        CHECK(aio::run(main()) == std::vector<bool>{true, true});
    }

    TEST_CASE(
        "cancelling a task that awaits to_thread raises CancelledError at once; the function runs to completion") {
        Log log;
        std::atomic<bool> function_done{false};
        auto waiter = [](Log& log, std::atomic<bool>* release, std::atomic<bool>* done) -> aio::Coro<int> {
            try {
                co_return co_await aio::to_thread([release, done] {
                    wait_for(*release);
                    std::this_thread::sleep_for(5ms);
                    done->store(true);
                    return 1;
                });
            } catch (const aio::CancelledError& e) {
                log.push_back("cancelled: " + e.message());
                throw;
            }
        };
        // Owned here, not by a coroutine frame: the function still reads it after main returns.
        std::atomic<bool> release{false};
        auto main = [](Log& log, std::atomic<bool>* release, std::atomic<bool>* done, auto waiter) -> aio::Coro<void> {
            auto t = aio::create_task(waiter(log, release, done));
            co_await aio::sleep(0s);
            co_await aio::sleep(0s);
            t.cancel("stop waiting");
            try {
                co_await t;
            } catch (const aio::CancelledError&) {
                // The function is still blocked on `release`: the cancellation did not wait for it.
                log.push_back(done->load() ? "function already done" : "function still running");
            }
            release->store(true);
            co_await aio::sleep(0s);
        };
        aio::run(main(log, &release, &function_done, waiter));
        CHECK(log == Log{"cancelled: stop waiting", "function still running"});
        CHECK(function_done.load());  // run() waited for it when shutting the executor down
    }

    TEST_CASE("a future completed through call_soon_threadsafe wakes the task that awaits it") {
        auto main = []() -> aio::Coro<int> {
            auto& loop = aio::get_running_loop();
            aio::Future<int> fut(loop);
            // Handles are loop-thread only (their count is not atomic): the producer thread gets a
            // plain pointer, and only the callback, on the loop's thread, touches the future.
            aio::Future<int>* target = &fut;
            std::thread producer([&loop, target] {
                std::this_thread::sleep_for(5ms);
                loop.call_soon_threadsafe([target] { target->set_result(99); });
            });
            int v = co_await fut;
            producer.join();
            co_return v;
        };
        CHECK(aio::run(main()) == 99);
    }

    TEST_CASE("to_thread runs the function in a copy of the awaiting task's context") {
        static aio::ContextVar<int> v("v", 0);
        auto main = []() -> aio::Coro<void> {
            v.set(7);
            auto read_and_set = [] {
                int seen = v.get();
                v.set(99);  // in the job's copy only
                return seen * 10 + v.get() / 99;
            };
            CHECK(co_await aio::to_thread(read_and_set) == 71);
            CHECK(v.get() == 7);
            // A task's to_thread sees the task's copy (taken at create_task), not later sets.
            std::atomic<bool> go{false};
            auto waits = [&go] {
                while (!go.load()) std::this_thread::sleep_for(1ms);
                return v.get();
            };
            auto t = aio::create_task(aio::to_thread(waits));
            co_await aio::sleep(0s);  // the task's first step has called to_thread
            v.set(8);
            go = true;
            CHECK(co_await t == 7);
        };
        aio::run(main());
    }

    TEST_CASE("concurrent to_thread jobs see their own task's values while tasks come and go") {
        // Threads read and set through copies that share maps with the loop's tasks: the counts
        // are atomic (ThreadSanitizer checks it in the tsan build).
        static aio::ContextVar<std::shared_ptr<int>> v("v");
        auto worker = [](int id) -> aio::Coro<int> {
            v.set(std::make_shared<int>(id));
            int ok = 0;
            for (int i = 0; i < 20; ++i) {
                auto job = [id] {
                    const bool mine = *v.get() == id;
                    v.set(std::make_shared<int>(-id));
                    return mine && *v.get() == -id;
                };
                if (co_await aio::to_thread(job)) ++ok;
                auto child = [id]() -> aio::Coro<bool> { co_return *v.get() == id; };
                if (co_await aio::create_task(child())) ++ok;
                if (*v.get() != id) ok = -1000;
            }
            co_return ok;
        };
        auto main = [&worker]() -> aio::Coro<std::vector<int>> {
            std::vector<aio::Task<int>> tasks;
            for (int id = 1; id <= 8; ++id) tasks.push_back(aio::create_task(worker(id)));
            co_return co_await aio::gather(tasks);
        };
        CHECK(aio::run(main()) == std::vector<int>(8, 40));
    }
}  // TEST_SUITE("threads")
