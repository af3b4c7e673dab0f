// aio::Future<T>: asyncio's Future (results set later, wake-ups on a later pass, misuse).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "support.hpp"

using namespace std::chrono_literals;

namespace {
using Log = std::vector<std::string>;
}

TEST_SUITE("future") {
    TEST_CASE("set_result wakes the awaiting task on a later pass") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<int> {
            auto& loop = aio::get_running_loop();
            aio::Future<int> fut(loop);
            loop.call_soon([&log, fut]() mutable {
                fut.set_result(3);
                log.push_back("result set");
                aio::get_running_loop().call_soon([&log] { log.push_back("callback after set"); });
            });
            int v = co_await fut;
            log.push_back("awaiter woke");
            co_return v;
        };
        CHECK(aio::run(main(log)) == 3);
        // The wake-up is a done-callback scheduled by set_result, so it runs before anything
        // scheduled after set_result (asyncio's Future.__schedule_callbacks).
        CHECK(log == Log{"result set", "awaiter woke", "callback after set"});
    }

    TEST_CASE("a future's result, exception and state follow asyncio") {
        aio::EventLoop loop;
        aio::Future<std::string> f(loop);
        CHECK(f.valid());
        CHECK_FALSE(f.done());
        CHECK_THROWS_WITH_AS(f.result(), "Result is not set.", aio::InvalidStateError);
        CHECK_THROWS_WITH_AS(f.exception(), "Exception is not set.", aio::InvalidStateError);
        f.set_result("value");
        CHECK(f.done());
        CHECK(f.result() == "value");
        CHECK(f.exception() == nullptr);
        CHECK_THROWS_AS(f.set_result("again"), aio::InvalidStateError);
        CHECK_THROWS_AS(f.set_exception(std::make_exception_ptr(aio::ValueError("x"))), aio::InvalidStateError);
        CHECK_FALSE(f.cancel());
    }

    TEST_CASE("a failed future rethrows its exception from result() and in its awaiter") {
        auto main = []() -> aio::Coro<std::string> {
            aio::Future<int> f(aio::get_running_loop());
            f.set_exception(std::make_exception_ptr(std::overflow_error("too big")));
            CHECK(aio::describe(f.exception()) == "std::overflow_error: too big");
            CHECK_THROWS_WITH_AS(f.result(), "too big", std::overflow_error);
            try {
                co_await f;
            } catch (const std::overflow_error& e) {
                co_return e.what();
            }
            co_return "no exception";
        };
        CHECK(aio::run(main()) == "too big");
    }

    TEST_CASE("set_exception of a null exception_ptr throws ValueError") {
        aio::EventLoop loop;
        aio::Future<void> f(loop);
        CHECK_THROWS_AS(f.set_exception(nullptr), aio::ValueError);
        CHECK_FALSE(f.done());
    }

    TEST_CASE("cancelling a future raises CancelledError with the message in its awaiter") {
        auto main = []() -> aio::Coro<std::string> {
            auto& loop = aio::get_running_loop();
            aio::Future<void> f(loop);
            loop.call_soon([f]() mutable { f.cancel("called off"); });
            try {
                co_await f;
            } catch (const aio::CancelledError& e) {
                CHECK(f.cancelled());
                co_return e.message();
            }
            co_return "not cancelled";
        };
        CHECK(aio::run(main()) == "called off");
    }

    TEST_CASE("cancelling the task that awaits a future cancels the future") {
        auto main = []() -> aio::Coro<bool> {
            aio::Future<int> f(aio::get_running_loop());
            auto waiter = [](aio::Future<int> f) -> aio::Coro<int> { co_return co_await f; };
            auto t = aio::create_task(waiter(f));
            co_await aio::sleep(0s);
            t.cancel();
            CHECK_THROWS_AS(co_await t, aio::CancelledError);
            co_return f.cancelled();
        };
        CHECK(aio::run(main()));
    }

    TEST_CASE("a future's done-callbacks run on a later pass, in order, with the future") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            aio::Future<int> f(aio::get_running_loop());
            f.add_done_callback(
                [&log](aio::Future<int> done) { log.push_back("cb1 " + std::to_string(done.result())); });
            f.add_done_callback([&log](aio::Future<int>) { log.push_back("cb2"); });
            f.set_result(8);
            log.push_back("set");
            co_await aio::sleep(0s);
            log.push_back("after yield");
        };
        aio::run(main(log));
        CHECK(log == Log{"set", "cb1 8", "cb2", "after yield"});
    }

}  // TEST_SUITE("future")

namespace {
void count_done(aio::AnyTask) {}
aio::Coro<void> yield_once() { co_await aio::sleep(0s); }
struct Tagged {
    std::vector<int>* log;
    int tag;
    void operator()(aio::AnyTask) const { log->push_back(tag); }
    friend bool operator==(const Tagged&, const Tagged&) = default;
};
aio::Coro<void> remove_task_callbacks(std::vector<int>& log, std::size_t& removed_fn, std::size_t& removed_done) {
    auto t = aio::create_task(yield_once());
    t.add_done_callback(&count_done);
    t.add_done_callback(Tagged{&log, 1});
    t.add_done_callback(&count_done);
    t.add_done_callback(Tagged{&log, 2});
    removed_fn = t.remove_done_callback(&count_done);
    CHECK(t.remove_done_callback(Tagged{&log, 3}) == 0);
    CHECK(t.remove_done_callback(Tagged{&log, 1}) == 1);
    co_await t;
    removed_done = t.remove_done_callback(Tagged{&log, 2});  // already scheduled: nothing to remove
    co_await aio::sleep(0s);
}
}  // namespace

TEST_CASE("Task::remove_done_callback removes the equal callbacks of that type and counts them") {
    std::vector<int> log;
    std::size_t removed_fn = 0, removed_done = 9;
    aio::run(remove_task_callbacks(log, removed_fn, removed_done));
    CHECK(removed_fn == 2);
    CHECK(removed_done == 0);
    CHECK(log == std::vector<int>{2});
}
