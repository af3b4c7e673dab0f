#pragma once
// The error types of aio, one for each asyncio exception that the runtime raises.
//
// CancelledError is deliberately NOT derived from std::exception: like asyncio's
// CancelledError (a BaseException), it must not be swallowed by a
// `catch (const std::exception&)` written for ordinary failures. Catch it by name,
// clean up, and rethrow.
#include <cstddef>
#include <exception>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace aio {

/// Thrown into a task at its current await point when the task is cancelled.
class CancelledError {
public:
    CancelledError() = default;
    explicit CancelledError(std::string message) : message_(std::move(message)) {}
    /// The message given to cancel(msg); empty when none was given.
    const std::string& message() const noexcept { return message_; }
    const char* what() const noexcept { return message_.c_str(); }

private:
    std::string message_;
};

/// Python's KeyboardInterrupt: what aio::run() and Runner::run() raise when Ctrl-C (SIGINT)
/// cancelled the main task (run.hpp). Like Python's (a BaseException, not an Exception) and like
/// CancelledError, it is deliberately NOT a std::exception, so that a
/// `catch (const std::exception&)` written for ordinary failures does not swallow it. what() is
/// empty, as Python's str(KeyboardInterrupt()); describe() gives "KeyboardInterrupt".
class KeyboardInterrupt {
public:
    const char* what() const noexcept { return ""; }
};

/// Python's GeneratorExit: what AsyncGenerator::aclose() (async_generator.hpp) throws into the
/// generator at the co_yield where it is suspended, so that its catch blocks and RAII cleanup run.
/// Like Python's (a BaseException) it is deliberately NOT a std::exception: a
/// `catch (const std::exception&)` in the generator does not swallow it. A generator that catches
/// it must finish (co_return or rethrow); one that co_yields again makes aclose() throw
/// RuntimeError("async generator ignored GeneratorExit"). describe() gives "GeneratorExit".
class GeneratorExit {
public:
    const char* what() const noexcept { return ""; }
};

/// asyncio's RuntimeError: misuse of the loop (nested run, no running loop, closed loop, ...).
struct RuntimeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// asyncio's ValueError: a bad argument (an empty coroutine, a bad name, ...).
struct ValueError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

/// Python's LookupError: ContextVar::get() of a variable with no value and no default.
struct LookupError : std::out_of_range {
    using std::out_of_range::out_of_range;
};

/// asyncio's TimeoutError, raised by timeout() and wait_for().
struct TimeoutError : std::runtime_error {
    using std::runtime_error::runtime_error;
    TimeoutError() : std::runtime_error("") {}
};

/// asyncio's InvalidStateError: result() of a pending future, set_result() twice, ...
struct InvalidStateError : std::logic_error {
    using std::logic_error::logic_error;
};

/// asyncio's BrokenBarrierError (a RuntimeError): Barrier::wait() on an aborted barrier, or
/// in a wait interrupted by abort() or reset().
struct BrokenBarrierError : RuntimeError {
    using RuntimeError::RuntimeError;
};

/// asyncio's QueueFull: put_nowait() on a full aio::Queue.
struct QueueFull : std::runtime_error {
    QueueFull() : std::runtime_error("put_nowait(): the queue is full (it holds maxsize items)") {}
};

/// asyncio's QueueEmpty: get_nowait() on an empty aio::Queue.
struct QueueEmpty : std::runtime_error {
    QueueEmpty() : std::runtime_error("get_nowait(): the queue is empty") {}
};

namespace detail {
inline std::string group_text(const std::string& message, std::size_t n) {
    return message + (n == 1 ? " (1 sub-exception)" : " (" + std::to_string(n) + " sub-exceptions)");
}
}  // namespace detail

/// Python's BaseExceptionGroup: a group with a member that is not an Exception. Here that is a
/// member not derived from std::exception (CancelledError, KeyboardInterrupt, a user's own
/// type); like them, BaseExceptionGroup is not a std::exception. ExceptionGroup derives from
/// it, so `catch (const aio::BaseExceptionGroup&)` catches both, as `except BaseExceptionGroup`
/// does. what() (str(eg)) appends the count: "unhandled errors in a TaskGroup
/// (2 sub-exceptions)"; message() is the bare message (eg.message).
class BaseExceptionGroup {
public:
    BaseExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions)
        : what_(detail::group_text(message, exceptions.size())),
          message_(std::move(message)),
          exceptions_(std::move(exceptions)) {}
    virtual ~BaseExceptionGroup() = default;
    BaseExceptionGroup(const BaseExceptionGroup&) = default;
    BaseExceptionGroup& operator=(const BaseExceptionGroup&) = default;
    const std::string& message() const noexcept { return message_; }
    const std::vector<std::exception_ptr>& exceptions() const noexcept { return exceptions_; }
    virtual const char* what() const noexcept { return what_.c_str(); }

private:
    std::string what_;
    std::string message_;
    std::vector<std::exception_ptr> exceptions_;
};

/// asyncio's ExceptionGroup, raised by TaskGroup with every child failure in order, when each
/// of them is a std::exception (Python: an Exception); otherwise TaskGroup raises a
/// BaseExceptionGroup (make_exception_group).
class ExceptionGroup : public std::runtime_error, public BaseExceptionGroup {
public:
    ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions)
        : std::runtime_error(detail::group_text(message, exceptions.size())),
          BaseExceptionGroup(std::move(message), std::move(exceptions)) {}
    const char* what() const noexcept override { return std::runtime_error::what(); }
};

/// True when e holds a std::exception (Python: an Exception, not only a BaseException).
inline bool is_std_exception(const std::exception_ptr& e) noexcept {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception&) {
        return true;
    } catch (...) {
        return false;
    }
}

/// BaseExceptionGroup(message, exceptions) as Python builds it: an ExceptionGroup when every
/// member is a std::exception, else a BaseExceptionGroup.
inline std::exception_ptr make_exception_group(std::string message, std::vector<std::exception_ptr> exceptions) {
    bool all_std = true;
    for (const auto& e : exceptions) all_std = all_std && is_std_exception(e);
    if (all_std) return std::make_exception_ptr(ExceptionGroup(std::move(message), std::move(exceptions)));
    return std::make_exception_ptr(BaseExceptionGroup(std::move(message), std::move(exceptions)));
}

/// "RuntimeError: message" for aio's own types (named as Python names them), "std::out_of_range:
/// message" for other std exceptions, "CancelledError" (with ": message" if any) for
/// cancellation. Used by every report the runtime prints, so messages look alike.
std::string describe(std::exception_ptr e);

/// Just the type part of describe(): "RuntimeError", "CancelledError", "std::runtime_error".
std::string exception_type_name(std::exception_ptr e);

/// Just the message part of describe().
std::string exception_message(std::exception_ptr e);

/// Python's __cause__: the exception `e` was raised from, null if none. aio's chained errors
/// (the TimeoutError of timeout() and wait_for(), raised from the CancelledError) carry it as
/// a std::nested_exception, as does anything thrown with std::throw_with_nested.
inline std::exception_ptr cause(const std::exception_ptr& e) noexcept {
    if (!e) return nullptr;
    try {
        std::rethrow_exception(e);
    } catch (const std::nested_exception& n) {
        return n.nested_ptr();
    } catch (...) {
        return nullptr;
    }
}
/// The same for a caught exception object: `catch (const aio::TimeoutError& e) { aio::cause(e); }`.
template <class E>
std::exception_ptr cause(const E& e) noexcept {
    if constexpr (std::is_polymorphic_v<E>) {
        if (const auto* n = dynamic_cast<const std::nested_exception*>(&e)) return n->nested_ptr();
    }
    return nullptr;
}

/// True when e holds a CancelledError.
bool is_cancelled_error(std::exception_ptr e) noexcept;

}  // namespace aio
