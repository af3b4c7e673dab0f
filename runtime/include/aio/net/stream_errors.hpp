#pragma once
// The errors of the streams (aio/net/streams.hpp), asyncio.exceptions' two stream errors.
//
//     EOFError                 Python's builtin, here only as IncompleteReadError's base
//     +-- IncompleteReadError  readexactly()/readuntil() met EOF first; partial() holds the bytes
//     LimitOverrunError        readuntil() found no separator within the reader's limit
//
// what() is Python's str(): "3 bytes read on a total of 5 expected bytes", "Separator is not
// found, and chunk exceed the limit".
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

namespace aio {

/// Python's EOFError.
struct EOFError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// asyncio.IncompleteReadError: EOF came before the expected bytes (or the separator).
class IncompleteReadError : public EOFError {
public:
    /// expected: the count readexactly() wanted; nullopt for readuntil() (Python's None).
    IncompleteReadError(std::string partial, std::optional<std::size_t> expected);
    /// The bytes read before EOF (removed from the reader's buffer).
    const std::string& partial() const noexcept { return partial_; }
    const std::optional<std::size_t>& expected() const noexcept { return expected_; }

private:
    std::string partial_;
    std::optional<std::size_t> expected_;
};

/// asyncio.LimitOverrunError: the data before the separator would exceed the reader's limit.
/// The data stays in the buffer; consumed() says how much to drop to skip it.
class LimitOverrunError : public std::runtime_error {
public:
    LimitOverrunError(const std::string& message, std::size_t consumed)
        : std::runtime_error(message), consumed_(consumed) {}
    std::size_t consumed() const noexcept { return consumed_; }

private:
    std::size_t consumed_;
};

}  // namespace aio
