// aio::Task<T>: asyncio's Task (scheduling, names, results, cancellation, done-callbacks).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "support.hpp"

using namespace std::chrono_literals;

namespace {

using Log = std::vector<std::string>;

aio::Coro<int> step_twice(Log& log, int n) {
    log.push_back("start " + std::to_string(n));
    co_await aio::sleep(0s);
    log.push_back("end " + std::to_string(n));
    co_return n;
}

aio::Coro<int> value(int v) { co_return v; }

aio::Coro<int> fail_with(std::string what) {
    co_await aio::sleep(0s);
    throw std::runtime_error(what);
}

aio::Coro<std::string> my_name() { co_return aio::current_task().name(); }

aio::Coro<void> sleep_long(Log& log, std::string who) {
    try {
        co_await aio::sleep(1h);
    } catch (const aio::CancelledError& e) {
        log.push_back(who + " cancelled: " + e.message());
        throw;
    }
    log.push_back(who + " woke");
}

}  // namespace

TEST_SUITE("task") {
    TEST_CASE("create_task schedules the task to start on the next pass, not inline") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            auto t = aio::create_task(step_twice(log, 1));
            log.push_back("after create");
            co_await aio::sleep(0s);
            log.push_back("after yield");
            co_await t;
        };
        aio::run(main(log));
        // CPython 3.12: ['after create', 'start 1', 'after yield', 'end 1']
        CHECK(log == Log{"after create", "start 1", "after yield", "end 1"});
    }

    TEST_CASE("a task runs to completion even when every handle to it is dropped") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            (void)aio::create_task(step_twice(log, 1));
            co_await aio::sleep(0s);
            co_await aio::sleep(0s);
            log.push_back("main end");
        };
        aio::run(main(log));
        CHECK(log == Log{"start 1", "end 1", "main end"});
    }

    TEST_CASE("default task names are Task-1, Task-2, ... counting every task of the loop") {
        auto main = []() -> aio::Coro<Log> {
            Log names{aio::current_task().name()};
            auto a = aio::create_task(value(1));
            auto b = aio::create_task(value(2), "named");
            auto c = aio::create_task(value(3));
            names.push_back(a.name());
            names.push_back(b.name());
            names.push_back(c.name());
            co_await aio::gather(a, b, c);
            co_return names;
        };
        // CPython 3.12 (its C Task) also gives a named task a number: the next unnamed one is Task-4.
        CHECK(aio::run(main()) == Log{"Task-1", "Task-2", "named", "Task-4"});
    }

    TEST_CASE("task names restart at Task-1 on a new loop") {
        auto main = []() -> aio::Coro<Log> {
            auto t = aio::create_task(my_name());
            std::string child = co_await t;
            co_return Log{aio::current_task().name(), child};
        };
        CHECK(aio::run(main()) == Log{"Task-1", "Task-2"});
        CHECK(aio::run(main()) == Log{"Task-1", "Task-2"});
    }

    TEST_CASE("id is the task's creation number on its loop") {
        auto main = []() -> aio::Coro<std::vector<std::uint64_t>> {
            auto a = aio::create_task(value(1), "a");
            auto b = aio::create_task(value(2));
            co_await aio::gather(a, b);
            co_return std::vector<std::uint64_t>{aio::current_task().id(), a.id(), b.id()};
        };
        CHECK(aio::run(main()) == std::vector<std::uint64_t>{1, 2, 3});
    }

    TEST_CASE("set_name renames a task, as seen from inside it") {
        auto main = []() -> aio::Coro<std::string> {
            auto t = aio::create_task(my_name(), "before");
            t.set_name("after");
            co_return co_await t;
        };
        CHECK(aio::run(main()) == "after");
    }

    TEST_CASE("copies of a task handle refer to the same task") {
        auto main = []() -> aio::Coro<void> {
            auto t = aio::create_task(value(4), "original");
            aio::Task<int> copy = t;
            aio::AnyTask any = t;
            CHECK(copy == t);
            CHECK(any == t);
            copy.set_name("renamed");
            CHECK(t.name() == "renamed");
            CHECK(any.name() == "renamed");
            CHECK(co_await copy == 4);
            CHECK(t.done());
            CHECK(t.result() == 4);
            CHECK_FALSE(aio::AnyTask(aio::create_task(value(5))) == t);
        };
        aio::run(main());
    }

    TEST_CASE("a finished task is done and holds its result") {
        auto main = []() -> aio::Coro<void> {
            auto t = aio::create_task(value(5));
            CHECK_FALSE(t.done());
            co_await aio::sleep(0s);
            CHECK(t.done());
            CHECK_FALSE(t.cancelled());
            CHECK(t.result() == 5);
            CHECK(t.exception() == nullptr);
            CHECK(co_await t == 5);
        };
        aio::run(main());
    }

    TEST_CASE("result() of a pending task throws InvalidStateError") {
        auto main = []() -> aio::Coro<void> {
            auto t = aio::create_task(value(5));
            CHECK_THROWS_WITH_AS(t.result(), "Result is not set.", aio::InvalidStateError);
            CHECK_THROWS_WITH_AS(t.exception(), "Exception is not set.", aio::InvalidStateError);
            co_await t;
        };
        aio::run(main());
    }

    TEST_CASE("a failed task's exception() returns the exception and result() rethrows it") {
        auto main = []() -> aio::Coro<void> {
            auto t = aio::create_task(fail_with("broken"));
            co_await aio::sleep(0s);
            co_await aio::sleep(0s);
            REQUIRE(t.done());
            CHECK_FALSE(t.cancelled());
            CHECK(aio::describe(t.exception()) == "std::runtime_error: broken");
            CHECK_THROWS_WITH_AS(t.result(), "broken", std::runtime_error);
        };
        aio::run(main());
    }

    TEST_CASE("several tasks may await one task and each gets its result") {
        auto waiter = [](aio::Task<int> t) -> aio::Coro<int> { co_return co_await t * 10; };
        auto main = [](Log& log, auto waiter) -> aio::Coro<std::vector<int>> {
            auto shared = aio::create_task(step_twice(log, 4));
            auto [a, b, c] = co_await aio::gather(waiter(shared), waiter(shared), waiter(shared));
            int direct = co_await shared;
            co_return std::vector<int>{a, b, c, direct};
        };
        Log log;
        CHECK(aio::run(main(log, waiter)) == std::vector<int>{40, 40, 40, 4});
        CHECK(log == Log{"start 4", "end 4"});
    }

    TEST_CASE("a task's exception is rethrown in every awaiter") {
        auto waiter = [](aio::Task<int> t) -> aio::Coro<std::string> {
            try {
                co_await t;
            } catch (const std::runtime_error& e) {
                co_return e.what();
            }
            co_return "no exception";
        };
        auto main = [](auto waiter) -> aio::Coro<std::vector<std::string>> {
            auto failing = aio::create_task(fail_with("shared failure"));
            auto [a, b] = co_await aio::gather(waiter(failing), waiter(failing));
            co_return std::vector<std::string>{a, b};
        };
        CHECK(aio::run(main(waiter)) == std::vector<std::string>{"shared failure", "shared failure"});
    }

    TEST_CASE("a move-only task result is moved to its awaiter") {
        auto make = []() -> aio::Coro<std::unique_ptr<std::string>> {
            co_await aio::sleep(0s);
            co_return std::make_unique<std::string>("moved");
        };
        auto main = [](auto make) -> aio::Coro<std::string> {
            auto t = aio::create_task(make());
            std::unique_ptr<std::string> p = co_await t;
            co_return *p;
        };
        CHECK(aio::run(main(make)) == "moved");
    }

    TEST_CASE("a Task<void> completes and can be awaited") {
        auto body = [](Log& log) -> aio::Coro<void> {
            co_await aio::sleep(0s);
            log.push_back("void task ran");
        };
        auto main = [](Log& log, auto body) -> aio::Coro<void> {
            auto t = aio::create_task(body(log));
            co_await t;
            CHECK(t.done());
            t.result();  // does not throw
            log.push_back("awaited");
        };
        Log log;
        aio::run(main(log, body));
        CHECK(log == Log{"void task ran", "awaited"});
    }

    TEST_CASE("a task cancelled before it starts never runs its body") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<std::string> {
            auto t = aio::create_task(step_twice(log, 1));
            CHECK(t.cancel("too early"));
            try {
                co_await t;
            } catch (const aio::CancelledError& e) {
                CHECK(t.cancelled());
                co_return "awaiter got: " + e.message();
            }
            co_return "no cancellation";
        };
        CHECK(aio::run(main(log)) == "awaiter got: too early");
        CHECK(log.empty());
    }

    TEST_CASE("cancel(msg) raises CancelledError with that message inside the task and in its awaiter") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            auto t = aio::create_task(sleep_long(log, "sleeper"));
            co_await aio::sleep(0s);
            CHECK(t.cancel("bye"));
            CHECK(t.cancelling() == 1);
            CHECK_FALSE(t.done());  // the cancellation is delivered on the task's next step
            try {
                co_await t;
            } catch (const aio::CancelledError& e) {
                log.push_back("awaiter: " + e.message());
            }
            CHECK(t.cancelled());
            CHECK_FALSE(t.cancel());  // already done
            CHECK_THROWS_AS(t.result(), aio::CancelledError);
            CHECK_THROWS_AS(t.exception(), aio::CancelledError);
        };
        aio::run(main(log));
        // CPython 3.12: inner args ('bye',), outer args ('bye',)
        CHECK(log == Log{"sleeper cancelled: bye", "awaiter: bye"});
    }

    TEST_CASE("a task that catches CancelledError and returns normally is not cancelled") {
        auto swallow = []() -> aio::Coro<std::string> {
            try {
                co_await aio::sleep(1h);
            } catch (const aio::CancelledError&) {
                co_return "swallowed";
            }
            co_return "slept";
        };
        auto main = [](auto swallow) -> aio::Coro<void> {
            auto t = aio::create_task(swallow());
            co_await aio::sleep(0s);
            t.cancel();
            CHECK(co_await t == "swallowed");
            CHECK_FALSE(t.cancelled());
            // As in CPython 3.12: the request is still counted until uncancel() withdraws it.
            CHECK(t.cancelling() == 1);
            CHECK(t.uncancel() == 0);
            CHECK(t.cancelling() == 0);
        };
        aio::run(main(swallow));
    }

    TEST_CASE("cancelling() counts cancel requests and uncancel() withdraws one") {
        auto main = []() -> aio::Coro<void> {
            auto t = aio::create_task(value(1));
            CHECK(t.cancelling() == 0);
            CHECK(t.cancel());
            CHECK(t.cancel());
            CHECK(t.cancelling() == 2);
            CHECK(t.uncancel() == 1);
            CHECK(t.cancelling() == 1);
            CHECK_THROWS_AS(co_await t, aio::CancelledError);
            CHECK(t.cancelled());
            CHECK(t.uncancel() == 0);
            CHECK(t.uncancel() == 0);  // never below zero
        };
        aio::run(main());
    }

    TEST_CASE("cancelling a task that awaits another task cancels the awaited task too") {
        Log log;
        auto outer = [](Log& log, aio::Task<void> inner) -> aio::Coro<void> {
            try {
                co_await inner;
            } catch (const aio::CancelledError& e) {
                log.push_back("outer cancelled: " + e.message());
                throw;
            }
        };
        auto main = [](Log& log, auto outer) -> aio::Coro<void> {
            auto i = aio::create_task(sleep_long(log, "inner"));
            auto o = aio::create_task(outer(log, i));
            co_await aio::sleep(0s);
            o.cancel("m");
            try {
                co_await o;
            } catch (const aio::CancelledError& e) {
                log.push_back("main sees: " + e.message());
            }
            CHECK(i.cancelled());
            CHECK(o.cancelled());
        };
        aio::run(main(log, outer));
        // CPython 3.12: inner ('m',), outer ('m',), main ('m',)
        CHECK(log == Log{"inner cancelled: m", "outer cancelled: m", "main sees: m"});
    }

    TEST_CASE("done-callbacks run on a later pass, in registration order, and receive the task") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            auto t = aio::create_task(value(1));
            t.add_done_callback(
                [&log, t](aio::AnyTask done) { log.push_back(done == t ? "cb1 same task" : "cb1 other"); });
            t.add_done_callback([&log](aio::AnyTask) { log.push_back("cb2"); });
            co_await aio::sleep(0s);
            co_await t;
            log.push_back("awaiter");
            t.add_done_callback([&log](aio::AnyTask) { log.push_back("late"); });  // already done: still later
            log.push_back("after add");
            co_await aio::sleep(0s);
            log.push_back("after yield");
        };
        aio::run(main(log));
        // CPython 3.12: ['awaiter', 'after add', 'cb1 True', 'cb2', 'late', 'after yield']
        CHECK(log == Log{"awaiter", "after add", "cb1 same task", "cb2", "late", "after yield"});
    }

    TEST_CASE("awaiting an AnyTask handle waits for the task and rethrows its exception") {
        auto main = []() -> aio::Coro<std::string> {
            aio::AnyTask ok = aio::create_task(value(1));
            co_await ok;
            CHECK(ok.done());
            aio::AnyTask failing = aio::create_task(fail_with("any failure"));
            try {
                co_await failing;
            } catch (const std::runtime_error& e) {
                co_return e.what();
            }
            co_return "no exception";
        };
        CHECK(aio::run(main()) == "any failure");
    }

    TEST_CASE("a task awaiting itself raises RuntimeError") {
        auto main = []() -> aio::Coro<std::string> {
            try {
                co_await aio::current_task();
            } catch (const aio::RuntimeError& e) {
                co_return e.what();
            }
            co_return "no error";
        };
        CHECK(aio::run(main()) == "Task cannot await on itself: 'Task-1'");
    }

    TEST_CASE("awaiting a task of another loop raises RuntimeError") {
        aio_test::Reports other_reports;
        aio::EventLoop other;
        other_reports.watch(other);
        int cleaned = 0;
        auto foreign_body = [](int* cleaned) -> aio::Coro<int> {
            aio_test::Cleanup c(cleaned);
            co_return 1;
        };
        auto foreign = other.create_task(foreign_body(&cleaned), "foreign");
        auto main = [](aio::Task<int> foreign) -> aio::Coro<std::string> {
            try {
                co_await foreign;
            } catch (const aio::RuntimeError& e) {
                co_return e.what();
            }
            co_return "no error";
        };
        CHECK(aio::run(main(foreign)) ==
              "co_await in Task 'Task-1': Task 'foreign' is attached to a different event loop; a task or future can "
              "only "
              "be awaited on the loop that created it: create it on this loop, or hand its result over with "
              "loop.call_soon_threadsafe()");
        CHECK_FALSE(foreign.done());
        other.close();
        CHECK(cleaned == 0);                    // never started: closing destroys the frame before the body ran
        CHECK(other_reports.contexts.empty());  // our handle still keeps it
        foreign = {};
        CHECK(other_reports.messages() == Log{"Task was destroyed but it is pending!"});
        CHECK(other_reports.contexts[0].task_name == "foreign");
    }

    TEST_CASE("a task handle outlives its loop and keeps the result") {
        auto main = []() -> aio::Coro<aio::Task<int>> {
            auto t = aio::create_task(value(9));
            co_await t;
            co_return t;
        };
        aio::Task<int> t = aio::run(main());
        CHECK(t.done());
        CHECK(t.result() == 9);
        CHECK_THROWS_WITH_AS(t.get_loop(), "the task's event loop was destroyed", aio::RuntimeError);
    }

    TEST_CASE("get_loop() of a task is the loop that runs it") {
        auto main = []() -> aio::Coro<bool> {
            auto t = aio::create_task(value(1));
            co_await t;
            co_return &t.get_loop() == &aio::get_running_loop() && &aio::current_task().get_loop() == &t.get_loop();
        };
        CHECK(aio::run(main()));
    }

    TEST_CASE("current_task() is the task whose step is running") {
        auto main = []() -> aio::Coro<void> {
            auto me = aio::current_task();
            REQUIRE(me);
            CHECK(me.name() == "Task-1");
            auto child = aio::create_task(my_name(), "child");
            CHECK(co_await child == "child");
            CHECK(aio::current_task() == me);
        };
        aio::run(main());
    }

    TEST_CASE("current_task() in a plain callback is an empty handle") {
        auto main = []() -> aio::Coro<bool> {
            bool empty = false;
            aio::get_running_loop().call_soon([&empty] { empty = !aio::current_task(); });
            co_await aio::sleep(0s);
            co_return empty;
        };
        CHECK(aio::run(main()));
    }

    TEST_CASE("an empty task handle throws RuntimeError when used") {
        aio::AnyTask none;
        CHECK_FALSE(none);
        CHECK_THROWS_AS(none.name(), aio::RuntimeError);
        CHECK_THROWS_AS(none.done(), aio::RuntimeError);
    }

    TEST_CASE("all_tasks lists the pending tasks in creation order") {
        // The log outlives the run: a and b log their cancellation during run()'s cleanup.
        auto main = [](Log& log) -> aio::Coro<Log> {
            auto a = aio::create_task(sleep_long(log, "a"), "a");
            auto done = aio::create_task(value(1), "done");
            auto b = aio::create_task(sleep_long(log, "b"), "b");
            co_await done;
            Log names;
            for (auto& t : aio::get_running_loop().all_tasks()) names.push_back(t.name());
            a.cancel();
            b.cancel();
            co_return names;
        };
        Log log;
        CHECK(aio::run(main(log)) == Log{"Task-1", "a", "b"});
        CHECK(log == Log{"a cancelled: ", "b cancelled: "});
    }

}  // TEST_SUITE("task")
