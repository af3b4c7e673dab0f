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

namespace {
struct NotStd {};
}  // namespace

TEST_CASE("make_exception_group: ExceptionGroup when every member is a std::exception, else BaseExceptionGroup") {
    auto all_std = aio::make_exception_group("m", {make(aio::ValueError("v")), make(std::out_of_range("o"))});
    try {
        std::rethrow_exception(all_std);
    } catch (const aio::ExceptionGroup& g) {
        CHECK(g.message() == "m");
        CHECK(g.exceptions().size() == 2);
        CHECK(std::string(g.what()) == "m (2 sub-exceptions)");
        CHECK(std::string(static_cast<const aio::BaseExceptionGroup&>(g).what()) == "m (2 sub-exceptions)");
    }
    CHECK(aio::describe(all_std) == "ExceptionGroup: m (2 sub-exceptions)");

    auto mixed = aio::make_exception_group("m", {make(aio::ValueError("v")), make(NotStd{})});
    bool base = false, exc = false;
    try {
        std::rethrow_exception(mixed);
    } catch (const std::exception&) {
        exc = true;
    } catch (const aio::BaseExceptionGroup& g) {
        base = true;
        CHECK(g.exceptions().size() == 2);
        CHECK(std::string(g.what()) == "m (2 sub-exceptions)");
    }
    CHECK(base);
    CHECK_FALSE(exc);
    CHECK(aio::describe(mixed) == "BaseExceptionGroup: m (2 sub-exceptions)");
    CHECK(aio::exception_type_name(aio::make_exception_group("k", {make(aio::CancelledError())})) ==
          "BaseExceptionGroup");
}

TEST_CASE("aio::cause is the exception a std::nested_exception carries (Python's __cause__), else null") {
    std::exception_ptr chained;
    try {
        try {
            throw aio::CancelledError("why");
        } catch (...) {
            std::throw_with_nested(aio::TimeoutError());
        }
    } catch (const aio::TimeoutError& e) {
        chained = std::current_exception();
        CHECK(aio::is_cancelled_error(aio::cause(e)));
    }
    CHECK(aio::is_cancelled_error(aio::cause(chained)));
    CHECK(aio::cause(make(aio::ValueError("plain"))) == nullptr);
    CHECK(aio::cause(std::exception_ptr()) == nullptr);
    CHECK(aio::cause(aio::ValueError("plain")) == nullptr);
    CHECK(aio::cause(aio::CancelledError()) == nullptr);  // not polymorphic: no cause
}

namespace {
// Python's view of an exception for the group tests: "a[ValueError1, b[ValueError3]]".
std::string show(const std::exception_ptr& e) {
    if (!e) return "None";
    if (const auto* g = aio::as_group(e)) {
        std::string out = g->message() + "[";
        for (std::size_t i = 0; i < g->exceptions().size(); ++i) out += (i ? ", " : "") + show(g->exceptions()[i]);
        return out + "]";
    }
    return aio::exception_type_name(e) + aio::exception_message(e);
}
std::exception_ptr
nested_group() {  // ExceptionGroup('a', [ValueError(1), ExceptionGroup('b', [TypeError(2), ValueError(3)]), TypeError(4)])
    auto b = aio::make_exception_group("b", {make(std::invalid_argument("2")), make(aio::ValueError("3"))});
    return aio::make_exception_group("a", {make(aio::ValueError("1")), b, make(std::invalid_argument("4"))});
}
}  // namespace

// The expected strings are CPython 3.12.1's (TypeError is std::invalid_argument here).
TEST_CASE("split/subgroup walk nested groups as Python's; a group kept whole is the same object") {
    auto eg = nested_group();
    auto [m, r] = aio::split<aio::ValueError>(eg);
    CHECK(show(m) == "a[ValueError1, b[ValueError3]]");
    CHECK(show(r) == "a[b[std::invalid_argument2], std::invalid_argument4]");
    auto by_message = [](const std::exception_ptr& e) {
        const auto* g = aio::as_group(e);
        return g && g->message() == "b";
    };
    CHECK(show(aio::subgroup(eg, by_message)) == "a[b[std::invalid_argument2, ValueError3]]");
    CHECK(aio::subgroup<aio::ExceptionGroup>(eg) == eg);  // the condition holds for the group itself
    CHECK(aio::subgroup<aio::QueueFull>(eg) == nullptr);
    auto [all, none] = aio::split<std::exception>(eg);
    CHECK(all == eg);
    CHECK(none == nullptr);
}

TEST_CASE("ExceptStar: except* clauses take their parts, the rest is rethrown; a bare exception is wrapped") {
    aio::ExceptStar x(nested_group());
    auto g = x.match<aio::ValueError>();
    CHECK(show(g) == "a[ValueError1, b[ValueError3]]");
    CHECK(x.match<aio::ValueError>() == nullptr);  // already taken
    CHECK_THROWS_AS(x.rethrow_rest(), aio::ExceptionGroup);
    CHECK(show(x.rest()) == "a[b[std::invalid_argument2], std::invalid_argument4]");
    CHECK(show(x.match<std::invalid_argument>()) == "a[b[std::invalid_argument2], std::invalid_argument4]");
    CHECK(x.rest() == nullptr);
    x.rethrow_rest();  // nothing left: no throw

    aio::ExceptStar bare(make(aio::ValueError("5")));
    CHECK(bare.match<aio::TimeoutError>() == nullptr);
    CHECK(show(bare.match<aio::ValueError>()) == "[ValueError5]");  // try: raise ValueError(5) except* ValueError as g
    aio::ExceptStar unmatched(make(aio::ValueError("6")));
    CHECK(unmatched.match<aio::TimeoutError>() == nullptr);
    CHECK_THROWS_AS(unmatched.rethrow_rest(), aio::ValueError);  // re-raised as it was, not wrapped
    auto base = aio::ExceptStar(make(NotStd{})).match<NotStd>();
    CHECK(aio::exception_type_name(base) == "BaseExceptionGroup");
}
