// The error types (errors.hpp) and aio::describe(), the one way reports name an exception.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <exception>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace {

template <class E>
std::exception_ptr make(E e) {
    return std::make_exception_ptr(std::move(e));
}

}  // namespace

TEST_SUITE("errors") {
    TEST_CASE("CancelledError is not a std::exception, so catch (const std::exception&) cannot swallow it") {
        static_assert(!std::is_base_of_v<std::exception, aio::CancelledError>);
        std::string caught_by = "nothing";
        try {
            try {
                throw aio::CancelledError("stop");
            } catch (const std::exception&) {
                caught_by = "std::exception";
            }
        } catch (const aio::CancelledError& e) {
            caught_by = "CancelledError: " + e.message();
        }
        CHECK(caught_by == "CancelledError: stop");
    }

    TEST_CASE("a cancellation passes through a task's catch (const std::exception&)") {
        auto victim = []() -> aio::Coro<std::string> {
            try {
                co_await aio::sleep(std::chrono::hours(1));
            } catch (const std::exception&) {
                co_return "swallowed by std::exception";
            }
            co_return "slept";
        };
        auto main = [](auto victim) -> aio::Coro<bool> {
            auto t = aio::create_task(victim());
            co_await aio::sleep(std::chrono::seconds(0));
            t.cancel();
            try {
                co_await t;
            } catch (const aio::CancelledError&) {
                co_return t.cancelled();
            }
            co_return false;
        };
        CHECK(aio::run(main(victim)));
    }

    TEST_CASE("the other error types derive from their std counterparts") {
        static_assert(std::is_base_of_v<std::runtime_error, aio::RuntimeError>);
        static_assert(std::is_base_of_v<std::invalid_argument, aio::ValueError>);
        static_assert(std::is_base_of_v<std::runtime_error, aio::TimeoutError>);
        static_assert(std::is_base_of_v<std::logic_error, aio::InvalidStateError>);
        static_assert(std::is_base_of_v<std::runtime_error, aio::ExceptionGroup>);
        CHECK_THROWS_WITH_AS(throw aio::RuntimeError("r"), "r", std::runtime_error);
        CHECK_THROWS_WITH_AS(throw aio::ValueError("v"), "v", std::invalid_argument);
        CHECK_THROWS_WITH_AS(throw aio::TimeoutError(), "", std::runtime_error);
        CHECK_THROWS_WITH_AS(throw aio::InvalidStateError("i"), "i", std::logic_error);
    }

    TEST_CASE("CancelledError carries the cancel message, empty by default") {
        CHECK(aio::CancelledError().message().empty());
        CHECK(std::string(aio::CancelledError().what()).empty());
        CHECK(aio::CancelledError("why").message() == "why");
        CHECK(std::string(aio::CancelledError("why").what()) == "why");
    }

    TEST_CASE("ExceptionGroup keeps its exceptions in order") {
        // what() is Python's str(eg): the message and the count; message() is eg.message.
        aio::ExceptionGroup g("unhandled errors in a TaskGroup",
                              {make(aio::ValueError("a")), make(std::out_of_range("b"))});
        CHECK(std::string(g.what()) == "unhandled errors in a TaskGroup (2 sub-exceptions)");
        CHECK(g.message() == "unhandled errors in a TaskGroup");
        REQUIRE(g.exceptions().size() == 2);
        CHECK(aio::describe(g.exceptions()[0]) == "ValueError: a");
        CHECK(aio::describe(g.exceptions()[1]) == "std::out_of_range: b");
    }

    TEST_CASE("describe() names aio's errors as Python does and other exceptions by their C++ type") {
        CHECK(aio::describe(make(aio::RuntimeError("no running event loop"))) == "RuntimeError: no running event loop");
        CHECK(aio::describe(make(aio::ValueError("bad"))) == "ValueError: bad");
        CHECK(aio::describe(make(aio::TimeoutError())) == "TimeoutError");
        CHECK(aio::describe(make(aio::InvalidStateError("Result is not set."))) ==
              "InvalidStateError: Result is not set.");
        CHECK(aio::describe(make(aio::ExceptionGroup("eg", {make(aio::ValueError("x"))}))) ==
              "ExceptionGroup: eg (1 sub-exception)");
        CHECK(aio::describe(make(aio::CancelledError())) == "CancelledError");
        CHECK(aio::describe(make(aio::CancelledError("bye"))) == "CancelledError: bye");
        CHECK(aio::describe(make(std::out_of_range("idx"))) == "std::out_of_range: idx");
        CHECK(aio::describe(make(42)) == "int");
        CHECK(aio::describe(nullptr) == "<no exception>");
    }

    TEST_CASE("exception_type_name and exception_message are the two halves of describe()") {
        auto e = make(aio::ValueError("bad value"));
        CHECK(aio::exception_type_name(e) == "ValueError");
        CHECK(aio::exception_message(e) == "bad value");
        auto c = make(aio::CancelledError("msg"));
        CHECK(aio::exception_type_name(c) == "CancelledError");
        CHECK(aio::exception_message(c) == "msg");
    }

    TEST_CASE("is_cancelled_error recognises only CancelledError") {
        CHECK(aio::is_cancelled_error(make(aio::CancelledError())));
        CHECK_FALSE(aio::is_cancelled_error(make(aio::RuntimeError("x"))));
        CHECK_FALSE(aio::is_cancelled_error(make(1)));
        CHECK_FALSE(aio::is_cancelled_error(nullptr));
    }

}  // TEST_SUITE("errors")
