// aio::Coro<T>: asyncio's coroutine object (lazy, awaited once, result or exception).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <coroutine>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "support.hpp"

namespace {

using Log = std::vector<std::string>;

aio::Coro<int> record(Log& log, int v) {
    log.push_back("body " + std::to_string(v));
    co_return v;
}

aio::Coro<int> keeps_arg(aio_test::Cleanup, Log& log) {
    log.push_back("body");
    co_return 1;
}

aio::Coro<void> nothing(Log& log) {
    log.push_back("void body");
    co_return;
}

aio::Coro<std::unique_ptr<int>> boxed(int v) { co_return std::make_unique<int>(v); }

aio::Coro<int> thrower(int depth) {
    if (depth == 0) throw std::out_of_range("deep failure");
    co_return co_await thrower(depth - 1);
}

aio::Coro<long> chain(int n) {
    if (n == 0) co_return 0;
    co_return 1 + co_await chain(n - 1);
}

aio::Coro<int> failing_chain(int n) {
    if (n == 0) throw aio::ValueError("bottom");
    co_return co_await failing_chain(n - 1);
}

}  // namespace

TEST_SUITE("coro") {
    TEST_CASE("a coroutine's body does not run until it is awaited") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<int> {
            auto c = record(log, 7);
            log.push_back("created");
            int v = co_await std::move(c);
            log.push_back("awaited");
            co_return v;
        };
        auto c = main(log);
        CHECK(log.empty());  // not even the outer coroutine started
        CHECK(aio::run(std::move(c)) == 7);
        CHECK(log == Log{"created", "body 7", "awaited"});
    }

    TEST_CASE("a coroutine that is never awaited never runs and its frame is destroyed") {
        Log log;
        int cleaned = 0;
        {
            auto c = keeps_arg(aio_test::Cleanup(&cleaned), log);
            CHECK(c);
            CHECK(cleaned == 0);  // the argument was moved into the frame, which is alive
        }
        CHECK(cleaned == 1);  // destroying the Coro destroyed the frame and the argument in it
        CHECK(log.empty());
    }

    TEST_CASE("a moved-from coroutine is empty") {
        Log log;
        auto a = record(log, 1);
        auto b = std::move(a);
        CHECK_FALSE(a);
        CHECK(b);
        a = std::move(b);
        CHECK(a);
        CHECK_FALSE(b);
        CHECK(log.empty());
    }

    TEST_CASE("a Coro<void> runs to completion when awaited") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<void> {
            co_await nothing(log);
            log.push_back("after");
        };
        aio::run(main(log));
        CHECK(log == Log{"void body", "after"});
    }

    TEST_CASE("a named coroutine can be awaited as an lvalue") {
        Log log;
        auto main = [](Log& log) -> aio::Coro<int> {
            auto c = record(log, 3);
            co_return co_await c;
        };
        CHECK(aio::run(main(log)) == 3);
        CHECK(log == Log{"body 3"});
    }

    TEST_CASE("a move-only result is moved out of an awaited coroutine") {
        auto main = []() -> aio::Coro<int> {
            std::unique_ptr<int> p = co_await boxed(41);
            co_return *p + 1;
        };
        CHECK(aio::run(main()) == 42);
    }

    TEST_CASE("an exception propagates through nested awaits") {
        auto main = []() -> aio::Coro<std::string> {
            try {
                co_await thrower(5);
            } catch (const std::out_of_range& e) {
                co_return std::string("caught: ") + e.what();
            }
            co_return "not caught";
        };
        CHECK(aio::run(main()) == "caught: deep failure");
    }

    TEST_CASE("an exception escaping the main coroutine keeps its type") {
        CHECK_THROWS_WITH_AS(aio::run(thrower(3)), "deep failure", std::out_of_range);
    }

    TEST_CASE("a chain of 100000 nested awaits does not overflow the stack") {
        // Symmetric transfer: each await resumes the callee by a tail call, and each completion
        // resumes its caller the same way, so the native stack stays flat.
        CHECK(aio::run(chain(100000)) == 100000);
    }

    TEST_CASE("an exception thrown 50000 awaits deep reaches the top") {
        // 50000 rethrows take a second under ASan; a recursive resume overflows there from about
        // 40000 levels, so this depth still catches one.
        CHECK_THROWS_WITH_AS(aio::run(failing_chain(50000)), "bottom", aio::ValueError);
    }

    TEST_CASE("only aio awaitables are accepted by a coroutine's co_await") {
        static_assert(aio::AioAwaitable<aio::Coro<int>>);
        static_assert(aio::AioAwaitable<aio::Task<int>>);
        static_assert(aio::AioAwaitable<aio::Future<int>>);
        static_assert(aio::AioAwaitable<decltype(aio::sleep(std::chrono::seconds(0)))>);
        static_assert(!aio::AioAwaitable<std::suspend_always>);
        static_assert(aio::is_coro_v<aio::Coro<void>>);
        static_assert(!aio::is_coro_v<int>);
    }

}  // TEST_SUITE("coro")
