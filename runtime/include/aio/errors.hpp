#pragma once
// The error types of aio, one for each asyncio exception that the runtime raises.
//
// CancelledError is deliberately NOT derived from std::exception: like asyncio's
// CancelledError (a BaseException), it must not be swallowed by a
// `catch (const std::exception&)` written for ordinary failures. Catch it by name,
// clean up, and rethrow.
#include <exception>
#include <stdexcept>
#include <string>
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

/// asyncio's (Base)ExceptionGroup, raised by TaskGroup with every child failure in order.
/// Like Python's, what() (str(eg)) appends the count: "unhandled errors in a TaskGroup
/// (2 sub-exceptions)"; message() is the bare message (eg.message).
class ExceptionGroup : public std::runtime_error {
public:
    ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions)
        : std::runtime_error(message + (exceptions.size() == 1
                                            ? " (1 sub-exception)"
                                            : " (" + std::to_string(exceptions.size()) + " sub-exceptions)")),
          message_(std::move(message)),
          exceptions_(std::move(exceptions)) {}
    const std::string& message() const noexcept { return message_; }
    const std::vector<std::exception_ptr>& exceptions() const noexcept { return exceptions_; }

private:
    std::string message_;
    std::vector<std::exception_ptr> exceptions_;
};

/// "RuntimeError: message" for aio's own types (named as Python names them), "std::out_of_range:
/// message" for other std exceptions, "CancelledError" (with ": message" if any) for
/// cancellation. Used by every report the runtime prints, so messages look alike.
std::string describe(std::exception_ptr e);

/// Just the type part of describe(): "RuntimeError", "CancelledError", "std::runtime_error".
std::string exception_type_name(std::exception_ptr e);

/// Just the message part of describe().
std::string exception_message(std::exception_ptr e);

/// True when e holds a CancelledError.
bool is_cancelled_error(std::exception_ptr e) noexcept;

}  // namespace aio
