// aio::is_cancelled_error answers as a `catch (const aio::CancelledError&)` would.
#include <doctest/doctest.h>

#include <aio/errors.hpp>
#include <stdexcept>

namespace {
struct MyCancel : aio::CancelledError {
    using aio::CancelledError::CancelledError;
};
struct Both : std::runtime_error, MyCancel {
    Both() : std::runtime_error("both") {}
};
struct Hidden : private aio::CancelledError {};
}  // namespace

TEST_CASE("is_cancelled_error recognises CancelledError and public subclasses only") {
    CHECK(aio::is_cancelled_error(std::make_exception_ptr(aio::CancelledError("x"))));
    CHECK(aio::is_cancelled_error(std::make_exception_ptr(MyCancel("y"))));
    CHECK(aio::is_cancelled_error(std::make_exception_ptr(Both())));
    CHECK_FALSE(aio::is_cancelled_error(std::make_exception_ptr(Hidden())));
    CHECK_FALSE(aio::is_cancelled_error(std::make_exception_ptr(std::runtime_error("z"))));
    CHECK_FALSE(aio::is_cancelled_error(std::make_exception_ptr(42)));
    CHECK_FALSE(aio::is_cancelled_error(nullptr));
}
