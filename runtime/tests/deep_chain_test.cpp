// Chains of tasks and coroutines: what cancelling, shutting down and closing them does. The
// same walks at a million links are in stress/stress_test.cpp; these cases pin the semantics.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "support.hpp"

using namespace std::chrono_literals;

namespace {

/// Appends its name to *log when destroyed: shows the order in which frames were destroyed.
struct Mark {
    std::vector<std::string>* log;
    std::string name;
    ~Mark() { log->push_back(name); }
};

aio::Coro<void> wait_event(aio::Event& e) { co_await e.wait(); }
aio::Coro<void> wait_task(aio::Task<void> t) { co_await t; }

}  // namespace

TEST_CASE("aio::run's cleanup asks each pending task of a chain to cancel once") {
    // asyncio's cleanup calls cancel() on every task, and each call walks on through what the
    // task awaits, so the k-th task of a chain is asked k times (and n tasks take n*n/2 steps).
    constexpr std::size_t n = 4;
    std::vector<aio::Task<void>> tasks;
    aio::Event never;
    std::vector<int> cancelling(n, -1);
    auto link = [&](std::size_t i) -> aio::Coro<void> {
        try {
            if (i + 1 < n)
                co_await tasks[i + 1];
            else
                co_await never.wait();
        } catch (const aio::CancelledError&) {
            cancelling[i] = aio::current_task().cancelling();
            throw;
        }
    };
    auto amain = [&]() -> aio::Coro<void> {
        for (std::size_t i = 0; i < n; ++i) tasks.push_back(aio::create_task(link(i)));
        co_await aio::sleep(0s);
    };
    aio::run(amain());
    CHECK(cancelling == std::vector<int>(n, 1));
    for (auto& t : tasks) CHECK(t.cancelled());
}

TEST_CASE("aio::run's cleanup still cancels a task that another one awaits and that is asked again later") {
    // The head is cancelled first; the walk reaches the tail through the head. A second task
    // awaiting the tail is cancelled too, and the tail is not asked a second time.
    aio::Event never;
    aio::Task<void> tail;
    int tail_cancelling = -1;
    std::vector<std::string> done;
    auto wait_tail = [&](std::string name) -> aio::Coro<void> {
        try {
            co_await tail;
        } catch (const aio::CancelledError&) {
            done.push_back(name);
            throw;
        }
    };
    auto tail_body = [&]() -> aio::Coro<void> {
        try {
            co_await never.wait();
        } catch (const aio::CancelledError&) {
            tail_cancelling = aio::current_task().cancelling();
            throw;
        }
    };
    auto amain = [&]() -> aio::Coro<void> {
        auto head = aio::create_task(wait_tail("head"));
        tail = aio::create_task(tail_body());
        auto other = aio::create_task(wait_tail("other"));
        co_await aio::sleep(0s);
    };
    aio::run(amain());
    CHECK(tail.cancelled());
    CHECK(tail_cancelling == 1);
    std::sort(done.begin(), done.end());
    CHECK(done == std::vector<std::string>{"head", "other"});
}

TEST_CASE("cancel() of a task awaiting a task awaiting a task answers true and counts one request each") {
    aio::Event never;
    aio::Task<void> a, b, c;
    auto amain = [&]() -> aio::Coro<void> {
        c = aio::create_task(wait_event(never));
        b = aio::create_task(wait_task(c));
        a = aio::create_task(wait_task(b));
        co_await aio::sleep(0s);
        CHECK(a.cancel("stop"));
        CHECK(a.cancelling() == 1);
        CHECK(b.cancelling() == 1);
        CHECK(c.cancelling() == 1);
        CHECK(b.cancel());  // b still awaits c: the request goes on to c, as in asyncio
        CHECK(b.cancelling() == 2);
        CHECK(c.cancelling() == 2);
        CHECK(a.cancelling() == 1);
        try {
            co_await c;
        } catch (const aio::CancelledError&) {}
        CHECK(c.cancelled());
        try {
            co_await a;
        } catch (const aio::CancelledError&) {}
        CHECK(a.cancelled());
        CHECK(!a.cancel());  // done: false
    };
    aio::run(amain());
}

TEST_CASE("close() destroys a suspended chain of coroutines innermost frame first") {
    std::vector<std::string> log;
    std::unique_ptr<aio::Future<int>> leaf;
    auto inner = [&]() -> aio::Coro<int> {
        Mark m{&log, "inner"};
        co_return co_await *leaf;
    };
    auto middle = [&]() -> aio::Coro<int> {
        Mark m{&log, "middle"};
        co_return co_await inner();
    };
    auto outer = [&]() -> aio::Coro<int> {
        Mark m{&log, "outer"};
        co_return co_await middle();
    };
    {
        aio::EventLoop loop;
        aio_test::Reports reports;
        reports.watch(loop);
        auto starter = [&]() -> aio::Coro<void> {
            leaf = std::make_unique<aio::Future<int>>(aio::get_running_loop());
            (void)aio::create_task(outer());
            co_await aio::sleep(0s);
        };
        loop.run_until_complete(starter());
        loop.close();
        CHECK(log == std::vector<std::string>{"inner", "middle", "outer"});
    }
}

TEST_CASE("close() destroys a coroutine awaited through a named Coro once") {
    int cleanups = 0;
    std::unique_ptr<aio::Future<int>> leaf;
    auto child = [&](aio_test::Cleanup) -> aio::Coro<int> { co_return co_await *leaf; };
    auto parent = [&]() -> aio::Coro<int> {
        aio_test::Cleanup mine(&cleanups);
        aio::Coro<int> c = child(aio_test::Cleanup(&cleanups));
        co_return co_await c;  // an lvalue: c outlives the await
    };
    {
        aio::EventLoop loop;
        aio_test::Reports reports;
        reports.watch(loop);
        auto starter = [&]() -> aio::Coro<void> {
            leaf = std::make_unique<aio::Future<int>>(aio::get_running_loop());
            (void)aio::create_task(parent());
            co_await aio::sleep(0s);
        };
        loop.run_until_complete(starter());
        loop.close();
        CHECK(cleanups == 2);
    }
}

TEST_CASE("close() after an awaited coroutine returned destroys only the frames still alive") {
    std::vector<std::string> log;
    std::unique_ptr<aio::Future<int>> leaf;
    auto quick = [&]() -> aio::Coro<int> {
        Mark m{&log, "quick"};
        co_return 1;
    };
    auto waits = [&]() -> aio::Coro<int> {
        Mark m{&log, "waits"};
        co_return co_await *leaf;
    };
    auto body = [&]() -> aio::Coro<int> {
        Mark m{&log, "body"};
        int a = co_await quick();
        co_return a + co_await waits();
    };
    {
        aio::EventLoop loop;
        aio_test::Reports reports;
        reports.watch(loop);
        auto starter = [&]() -> aio::Coro<void> {
            leaf = std::make_unique<aio::Future<int>>(aio::get_running_loop());
            (void)aio::create_task(body());
            co_await aio::sleep(0s);
        };
        loop.run_until_complete(starter());
        CHECK(log == std::vector<std::string>{"quick"});
        loop.close();
        CHECK(log == std::vector<std::string>{"quick", "waits", "body"});
    }
}
