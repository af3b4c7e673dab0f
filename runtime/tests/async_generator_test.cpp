// aio::AsyncGenerator: Python's async generators (iteration, aclose with GeneratorExit, athrow,
// the "already running" errors, cancellation of the consumer, destruction while suspended,
// aio::run's shutdown_asyncgens and its error report).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support.hpp"

using namespace std::chrono_literals;

namespace {

using Log = std::vector<std::string>;

struct Note {
    Log* log;
    std::string text;
    ~Note() { log->push_back(text); }
};

aio::AsyncGenerator<int> count(Log& log, int n) {
    Note raii{&log, "raii"};
    for (int i = 0; i < n; ++i) {
        co_await aio::sleep(1ms);
        co_yield i;
    }
    log.push_back("exhausted");
}

// Cleanup that awaits, written as Python's finally (C++ forbids co_await in a catch block).
aio::AsyncGenerator<int> with_cleanup(Log& log, std::string name) {
    Note raii{&log, name + " raii"};
    std::exception_ptr exit;
    try {
        for (int i = 0;; ++i) {
            co_await aio::sleep(0s);
            co_yield i;
        }
    } catch (const aio::GeneratorExit&) {
        log.push_back(name + " GeneratorExit");
        exit = std::current_exception();
    } catch (const aio::CancelledError&) {
        log.push_back(name + " CancelledError");
        exit = std::current_exception();
    }
    log.push_back(name + " cleanup start");
    co_await aio::sleep(0s);
    log.push_back(name + " cleanup end");
    if (exit) std::rethrow_exception(exit);
}

aio::AsyncGenerator<int> failing_cleanup() {
    try {
        co_yield 1;
    } catch (const aio::GeneratorExit&) {}
    throw aio::ValueError("boom in cleanup");
}

}  // namespace

TEST_CASE("an async generator yields its values between awaits, then nullopt") {
    Log log;
    auto main = [&]() -> aio::Coro<std::vector<int>> {
        std::vector<int> got;
        auto g = count(log, 3);
        CHECK(log.empty());  // lazy: nothing ran yet
        while (auto v = co_await g.next()) got.push_back(*v);
        CHECK(g.done());
        CHECK(!(co_await g.next()));  // finished: nullopt again
        co_return got;
    };
    CHECK(aio::run(main()) == std::vector<int>{0, 1, 2});
    CHECK(log == Log{"exhausted", "raii"});
}

TEST_CASE("the range-style form visits every value") {
    Log log;
    auto main = [&]() -> aio::Coro<std::vector<int>> {
        std::vector<int> got;
        auto g = count(log, 4);
        for (auto it = co_await g.begin(); it != g.end(); co_await ++it) got.push_back(*it);
        co_return got;
    };
    CHECK(aio::run(main()) == std::vector<int>{0, 1, 2, 3});
}

TEST_CASE("a move-only value type") {
    auto gen = []() -> aio::AsyncGenerator<std::unique_ptr<int>> {
        co_yield std::make_unique<int>(7);
        co_yield std::make_unique<int>(8);
    };
    auto main = [&]() -> aio::Coro<int> {
        int sum = 0;
        auto g = gen();
        while (auto v = co_await g.next()) sum += **v;
        co_return sum;
    };
    CHECK(aio::run(main()) == 15);
}

TEST_CASE("aclose runs the cleanup (catch blocks with awaits, RAII) and finishes the generator") {
    Log log;
    auto main = [&]() -> aio::Coro<void> {
        auto g = with_cleanup(log, "g");
        CHECK(*(co_await g.next()) == 0);
        CHECK(*(co_await g.next()) == 1);
        co_await g.aclose();
        CHECK(g.done());
        log.push_back("closed");
        co_await g.aclose();  // finished: nothing
        CHECK(!(co_await g.next()));
        auto u = with_cleanup(log, "unstarted");
        co_await u.aclose();  // never started: finished, no body runs
        CHECK(!(co_await u.next()));
        log.push_back("end");
    };
    aio::run(main());
    CHECK(log == Log{"g GeneratorExit", "g cleanup start", "g cleanup end", "g raii", "closed", "end"});
}

TEST_CASE("a generator that yields during aclose: RuntimeError, and it stays suspended there") {
    Log log;
    auto gen = [&]() -> aio::AsyncGenerator<int> {
        bool exited = false;
        try {
            co_yield 1;
        } catch (const aio::GeneratorExit&) {
            exited = true;
        }
        if (exited) co_yield 3;
        log.push_back("never");
    };
    auto main = [&]() -> aio::Coro<std::string> {
        auto g = gen();
        CHECK(*(co_await g.next()) == 1);
        std::string what;
        try {
            co_await g.aclose();
        } catch (const aio::RuntimeError& e) {
            what = e.what();
        }
        CHECK(!g.done());
        g = {};  // destroyed suspended at `co_yield 3`: handed to the loop's finaliser
        co_await aio::sleep(0s);
        co_await aio::sleep(0s);
        co_return what;
    };
    aio_test::Reports reports;
    CHECK(aio::run(main(), reports.options()) == "async generator ignored GeneratorExit");
    // The finaliser's aclose threw GeneratorExit at `co_yield 3`, which ended the body quietly.
    CHECK(log.empty());
    CHECK(reports.contexts.empty());
}

TEST_CASE("athrow: caught gives the next value, ending gives nullopt, uncaught propagates") {
    auto gen = []() -> aio::AsyncGenerator<int> {
        bool caught = false;
        try {
            co_yield 1;
        } catch (const aio::ValueError&) {
            caught = true;
        }
        if (caught) co_yield 10;
        co_yield 2;
    };
    auto main2 = [&]() -> aio::Coro<void> {
        auto g = gen();
        CHECK(*(co_await g.next()) == 1);
        CHECK(*(co_await g.athrow(aio::ValueError("x"))) == 10);
        // Uncaught at `co_yield 10`: athrow throws it, the generator is finished.
        CHECK_THROWS_WITH_AS(co_await g.athrow(aio::RuntimeError("boom")), "boom", aio::RuntimeError);
        CHECK(g.done());
        // Thrown into a generator that never started: thrown by athrow, generator finished.
        auto u = gen();
        bool threw = false;
        try {
            co_await u.athrow(aio::ValueError("early"));
        } catch (const aio::ValueError&) {
            threw = true;
        }
        CHECK(threw);
        CHECK(u.done());
    };
    aio::run(main2());
    auto ends = []() -> aio::AsyncGenerator<int> {
        try {
            co_yield 1;
        } catch (const aio::ValueError&) {}
    };
    auto main3 = [&]() -> aio::Coro<bool> {
        auto g = ends();
        CHECK(*(co_await g.next()) == 1);
        auto v = co_await g.athrow(aio::ValueError("x"));  // caught, then the body ends
        co_return !v.has_value();
    };
    CHECK(aio::run(main3()));
}

TEST_CASE("anext and aclose of a generator whose step is under way: already running") {
    auto gen = []() -> aio::AsyncGenerator<int> {
        co_await aio::sleep(10ms);
        co_yield 1;
    };
    auto main = [&]() -> aio::Coro<std::vector<std::string>> {
        std::vector<std::string> errors;
        auto g = gen();
        auto first =
            aio::create_task([](aio::AsyncGenerator<int>& g) -> aio::Coro<int> { co_return *(co_await g.next()); }(g));
        co_await aio::sleep(0s);
        CHECK(g.running());
        try {
            co_await g.next();
        } catch (const aio::RuntimeError& e) {
            errors.emplace_back(e.what());
        }
        try {
            co_await g.aclose();
        } catch (const aio::RuntimeError& e) {
            errors.emplace_back(e.what());
        }
        CHECK(co_await first == 1);
        co_return errors;
    };
    CHECK(aio::run(main()) == std::vector<std::string>{"anext(): asynchronous generator is already running",
                                                       "aclose(): asynchronous generator is already running"});
}

TEST_CASE("an exception in the body reaches the consumer; the generator is then finished") {
    auto gen = []() -> aio::AsyncGenerator<int> {
        co_yield 1;
        co_await aio::sleep(0s);
        throw aio::ValueError("bad item");
    };
    auto main = [&]() -> aio::Coro<void> {
        auto g = gen();
        CHECK(*(co_await g.next()) == 1);
        CHECK_THROWS_WITH_AS(co_await g.next(), "bad item", aio::ValueError);
        CHECK(g.done());
        CHECK(!(co_await g.next()));
    };
    aio::run(main());
}

TEST_CASE("cancelling the consumer while the generator awaits unwinds the generator first") {
    Log log;
    auto main = [&]() -> aio::Coro<void> {
        auto consumer = aio::create_task([](Log& log) -> aio::Coro<void> {
            auto g = with_cleanup(log, "g");
            for (;;) {
                auto v = co_await g.next();
                log.push_back("got " + std::to_string(*v));
            }
        }(log));
        co_await aio::sleep(0s);
        co_await aio::sleep(0s);
        consumer.cancel();
        try {
            co_await consumer;
        } catch (const aio::CancelledError&) {
            log.push_back("consumer cancelled");
        }
    };
    aio::run(main());
    // The cancellation reaches the generator's `sleep(0s)`; its cleanup runs inside the
    // consumer's next(), which then throws CancelledError.
    REQUIRE(log.size() >= 5);
    CHECK(log[0] == "got 0");
    CHECK(std::find(log.begin(), log.end(), "g CancelledError") != log.end());
    CHECK(log[log.size() - 4] == "g cleanup start");
    CHECK(log[log.size() - 3] == "g cleanup end");
    CHECK(log[log.size() - 2] == "g raii");
    CHECK(log.back() == "consumer cancelled");
}

TEST_CASE("a generator destroyed while suspended is closed by a task on a later pass") {
    Log log;
    auto main = [&]() -> aio::Coro<void> {
        {
            auto g = with_cleanup(log, "g");
            CHECK(*(co_await g.next()) == 0);
        }
        log.push_back("dropped");
        co_await aio::sleep(0s);
        co_await aio::sleep(0s);
        co_await aio::sleep(0s);
        log.push_back("main end");
    };
    aio::run(main());
    CHECK(log == Log{"dropped", "g GeneratorExit", "g cleanup start", "g cleanup end", "g raii", "main end"});
}

TEST_CASE("aio::run closes the generators still suspended, after cancelling the tasks") {
    Log log;
    aio::AsyncGenerator<int> global;
    aio::AsyncGenerator<int> finished;
    auto other = [&]() -> aio::Coro<void> {
        try {
            co_await aio::sleep(10s);
        } catch (const aio::CancelledError&) {
            log.push_back("other cancelled");
            throw;
        }
    };
    auto main = [&]() -> aio::Coro<void> {
        aio::create_task(other());
        global = with_cleanup(log, "global");
        CHECK(*(co_await global.next()) == 0);
        finished = count(log, 0);
        CHECK(!(co_await finished.next()));
        co_await aio::sleep(0s);
        log.push_back("main end");
    };
    aio::run(main());
    log.push_back("after run");
    CHECK(log == Log{"exhausted", "raii", "main end", "other cancelled", "global GeneratorExit", "global cleanup start",
                     "global cleanup end", "global raii", "after run"});
    CHECK(global.done());
}

TEST_CASE("a cleanup failing at shutdown goes to the exception handler with asyncio's message") {
    aio_test::Reports reports;
    aio::AsyncGenerator<int> global;
    auto main = [&]() -> aio::Coro<void> {
        global = failing_cleanup();
        CHECK(*(co_await global.next()) == 1);
    };
    aio::run(main(), reports.options());
    REQUIRE(reports.contexts.size() == 1);
    const std::string prefix = "an error occurred during closing of asynchronous generator ";
    CHECK(reports.contexts[0].message.substr(0, prefix.size()) == prefix);
    // The generator's name: its function's signature.
    CHECK(reports.contexts[0].message.find("failing_cleanup") != std::string::npos);
    CHECK(aio::describe(reports.contexts[0].exception) == "ValueError: boom in cleanup");
}

TEST_CASE("a generator first iterated after shutdown_asyncgens is logged, and still closed by close") {
    aio_test::Reports reports;
    Log log;
    auto loop = std::make_unique<aio::EventLoop>();
    reports.watch(*loop);
    loop->run_until_complete(loop->shutdown_asyncgens());
    aio::AsyncGenerator<int> g = with_cleanup(log, "late");
    loop->run_until_complete([](aio::AsyncGenerator<int>& g) -> aio::Coro<void> { co_await g.next(); }(g));
    CHECK(reports.line_with("was scheduled after loop.shutdown_asyncgens() call")
              .find("ResourceWarning: asynchronous generator ") == 0);
    loop->close();
    g = {};  // the loop is closed: the frame is destroyed, RAII only
    CHECK(log == Log{"late raii"});
}

TEST_CASE("a generator that outlives its loop destroys its frame with RAII only") {
    Log log;
    aio::AsyncGenerator<int> keep;
    {
        auto loop = std::make_unique<aio::EventLoop>();
        keep = with_cleanup(log, "kept");
        loop->run_until_complete([](aio::AsyncGenerator<int>& g) -> aio::Coro<void> { co_await g.next(); }(keep));
    }
    CHECK(log.empty());
    keep = {};
    CHECK(log == Log{"kept raii"});
}

TEST_CASE("a generator object destroyed during its step is finished with after the step") {
    Log log;
    auto main = [&]() -> aio::Coro<void> {
        auto g = std::make_unique<aio::AsyncGenerator<int>>(with_cleanup(log, "g"));
        auto killer = aio::create_task([](std::unique_ptr<aio::AsyncGenerator<int>>& g) -> aio::Coro<void> {
            g.reset();  // while main's next() runs the generator's sleep
            co_return;
        }(g));
        auto* raw = g.get();
        CHECK(*(co_await raw->next()) == 0);  // the step completes with its value
        co_await killer;
        co_await aio::sleep(0s);
        co_await aio::sleep(0s);
        co_await aio::sleep(0s);
        log.push_back("main end");
    };
    aio::run(main());
    CHECK(log == Log{"g GeneratorExit", "g cleanup start", "g cleanup end", "g raii", "main end"});
}

TEST_CASE("a dropped generator whose cleanup throws: the finaliser task's exception is never retrieved") {
    aio_test::Reports reports;
    auto main = [&]() -> aio::Coro<void> {
        {
            auto b = failing_cleanup();
            CHECK(*(co_await b.next()) == 1);
        }
        co_await aio::sleep(0s);
        co_await aio::sleep(0s);
        co_await aio::sleep(0s);
    };
    aio::run(main(), reports.options());
    REQUIRE(reports.contexts.size() == 1);
    CHECK(reports.contexts[0].message == "Task exception was never retrieved");
    CHECK(aio::describe(reports.contexts[0].exception) == "ValueError: boom in cleanup");
}

TEST_CASE("a hundred thousand yields do not grow the stack") {
    auto gen = []() -> aio::AsyncGenerator<int> {
        for (int i = 0; i < 100000; ++i) co_yield i;
    };
    auto main = [&]() -> aio::Coro<long long> {
        long long sum = 0;
        auto g = gen();
        while (auto v = co_await g.next()) sum += *v;
        co_return sum;
    };
    CHECK(aio::run(main()) == 4999950000LL);
}

TEST_CASE("kill_tasks of a consumer while its generator awaits destroys the generator's frame once") {
    Log log;
    aio::AsyncGenerator<int> global;
    auto main = [&]() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        global = with_cleanup(log, "g");
        aio::Task<void> consumer = [&] {
            auto scope = loop.enter_tag(7);
            return aio::create_task([](aio::AsyncGenerator<int>& g) -> aio::Coro<void> {
                for (;;) co_await g.next();
            }(global));
        }();
        co_await aio::sleep(0s);  // the consumer is now inside the generator's sleep(0s)
        CHECK(global.running());
        CHECK(loop.kill_tasks(7, std::make_exception_ptr(aio::CancelledError())) == 1);
        CHECK(!global);  // the frame went with the killed chain; the object was emptied first
        log.push_back("after kill");
        CHECK(consumer.cancelled());
    };
    aio::run(main());
    CHECK(log == Log{"g raii", "after kill"});
}

TEST_CASE("an AsyncGenerator moved during its step keeps owning the frame") {
    Log log;
    auto main = [&]() -> aio::Coro<void> {
        aio::AsyncGenerator<int> a = with_cleanup(log, "g");
        aio::AsyncGenerator<int> b;
        auto mover = aio::create_task([](aio::AsyncGenerator<int>& a, aio::AsyncGenerator<int>& b) -> aio::Coro<void> {
            CHECK(a.running());
            b = std::move(a);
            co_return;
        }(a, b));
        CHECK(*(co_await a.next()) == 0);  // moved to b while this step ran
        CHECK(!a);
        CHECK(*(co_await b.next()) == 1);
        co_await mover;
        co_await b.aclose();
        log.push_back("closed");
    };
    aio::run(main());
    CHECK(log == Log{"g GeneratorExit", "g cleanup start", "g cleanup end", "g raii", "closed"});
}
