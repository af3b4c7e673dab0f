#pragma once
// aio::scenario::Execution: everything one run of a scenario produced, as an oracle sees it.
//
// Lines are kept in the order they were printed, without their newlines. A run whose body
// threw has `escaped` set, exit status 1, and the report of that exception as its last two
// error lines (the last one is aio::describe(escaped), e.g.
// "RuntimeError: aio::run() cannot be called from a running event loop").
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace aio::scenario {

struct Execution {
    std::vector<std::string> lines;   ///< standard output (ctx.print)
    std::vector<std::string> errors;  ///< standard error (ctx.error, loop reports, the escape)
    int exit_status = 0;              ///< the body's return value; 1 if an exception escaped
    std::exception_ptr escaped;       ///< the exception that escaped the body, or null

    /// True if `line` was printed on standard output.
    bool printed(std::string_view line) const noexcept;
    /// How many times `line` was printed on standard output.
    std::size_t count(std::string_view line) const noexcept;
    /// The last standard output line; empty if there is none.
    std::string_view last_line() const noexcept;
    /// The last standard error line; empty if there is none.
    std::string_view last_error() const noexcept;
    /// aio::describe(escaped) ("RuntimeError: message"), or empty if nothing escaped.
    std::string escaped_description() const;
};

}  // namespace aio::scenario
