#pragma once
// The errors of aio's I/O: Python's OSError hierarchy, as asyncio's network calls raise it.
//
//     OSError (std::system_error: code() is the errno, operation() the call that failed)
//     +-- ConnectionError
//     |   +-- BrokenPipeError         EPIPE, ESHUTDOWN
//     |   +-- ConnectionAbortedError  ECONNABORTED
//     |   +-- ConnectionRefusedError  ECONNREFUSED
//     |   +-- ConnectionResetError    ECONNRESET
//     +-- gaierror                    getaddrinfo(3) failures (code() in gai_category())
//
// throw_os_error(errno, operation) picks the subclass from the errno, as Python does.
#include <string>
#include <system_error>

namespace aio {

/// Python's OSError. what() is Python's str(): "[Errno 111] Connection refused", or with a
/// detail as asyncio gives one, "[Errno 111] Connect call failed ('127.0.0.1', 9)".
class OSError : public std::system_error {
public:
    /// `detail` replaces strerror(err) in what() when not empty.
    OSError(int err, std::string operation, std::string detail = {});
    OSError(std::error_code code, std::string operation, std::string what)
        : std::system_error(code), operation_(std::move(operation)), what_(std::move(what)) {}
    /// The errno value.
    int errno_value() const noexcept { return code().value(); }
    /// The call that failed: "connect", "recv", "epoll_ctl", ...
    const std::string& operation() const noexcept { return operation_; }
    const char* what() const noexcept override { return what_.c_str(); }

private:
    std::string operation_;
    std::string what_;
};

struct ConnectionError : OSError {
    using OSError::OSError;
};
struct BrokenPipeError : ConnectionError {
    using ConnectionError::ConnectionError;
};
struct ConnectionAbortedError : ConnectionError {
    using ConnectionError::ConnectionError;
};
struct ConnectionRefusedError : ConnectionError {
    using ConnectionError::ConnectionError;
};
struct ConnectionResetError : ConnectionError {
    using ConnectionError::ConnectionError;
};

/// The error category of getaddrinfo(3)'s EAI_* codes (message: gai_strerror).
const std::error_category& gai_category() noexcept;

/// socket.gaierror: name resolution failed. code() holds the EAI_* value in gai_category().
struct gaierror : OSError {
    gaierror(int eai_code, std::string operation);
};

/// Throws the OSError subclass Python raises for errno `err` (ECONNREFUSED:
/// ConnectionRefusedError, ...), with what() "[Errno N] strerror" as Python's str(OSError).
[[noreturn]] void throw_os_error(int err, std::string operation, std::string detail = {});

}  // namespace aio
