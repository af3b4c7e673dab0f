#pragma once
// aio::StreamReader: asyncio.StreamReader (streams.py, 3.12), the buffered reading side of a
// connection. A StreamReaderProtocol feeds it (feed_data/feed_eof/set_exception); tasks read:
//
//     std::string line = co_await reader.readline();
//     std::string header = co_await reader.readexactly(16);
//
// As asyncio's:
//  - The buffer grows without bound, but past 2 * limit the transport's reading is paused, and
//    resumed once a read brings the buffer down to limit (and whenever a read must wait).
//  - readline()/readuntil() return at most `limit` bytes before the separator:
//    readuntil() raises LimitOverrunError (the data stays), readline() turns it into ValueError
//    and drops the line (or the whole buffer if no separator was seen).
//  - EOF before readexactly(n)'s n bytes or readuntil()'s separator: IncompleteReadError with the
//    partial bytes (which leave the buffer).
//  - After set_exception(e), every read raises e (read(0) as well, as asyncio's).
//  - One task may wait for data at a time; a second one gets RuntimeError
//    ("read() called while another coroutine is already waiting for incoming data").
//  - A cancelled read leaves the buffer as it was and no waiter behind.
//
// A StreamReader is a copyable handle: copies share one reader. The reader holds its
// transport (as asyncio's does), so a connection read by a task stays open while it reads.
// Its read coroutines hold the reader themselves, so a read may be wrapped in a task directly
// (create_task(reader.read(100))) without keeping the handle alive.
#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "aio/coro.hpp"

namespace aio {

class Transport;

namespace detail {
struct StreamReaderState;
}

class StreamReader {
public:
    /// asyncio's _DEFAULT_LIMIT: 64 KiB.
    static constexpr std::size_t default_limit = std::size_t{64} * 1024;

    /// ValueError("Limit cannot be <= 0") for limit 0.
    explicit StreamReader(std::size_t limit = default_limit);

    /// Up to n bytes as soon as any are buffered; n < 0: everything until EOF; n == 0: "" at
    /// once. "" at EOF.
    Coro<std::string> read(std::ptrdiff_t n = -1) const;
    /// Until and including "\n"; at EOF the incomplete rest (possibly ""). ValueError past the limit.
    Coro<std::string> readline() const;
    /// Exactly n bytes, or IncompleteReadError at EOF.
    Coro<std::string> readexactly(std::size_t n) const;
    /// Until and including `separator`. ValueError for an empty separator.
    Coro<std::string> readuntil(std::string_view separator = "\n") const;

    /// True when the buffer is empty and feed_eof() was called.
    bool at_eof() const noexcept;
    /// Appends to the buffer and wakes a waiting read. RuntimeError after feed_eof() (asyncio
    /// asserts).
    void feed_data(std::string_view data);
    void feed_eof();
    /// Makes every later read raise e, and wakes a waiting read with it.
    void set_exception(std::exception_ptr e);
    std::exception_ptr exception() const noexcept;
    /// The transport whose reading the reader pauses and resumes. RuntimeError("Transport
    /// already set") for a second one.
    void set_transport(std::shared_ptr<Transport> transport);

    std::size_t limit() const noexcept;
    /// Bytes buffered (len(reader._buffer)).
    std::size_t buffered() const noexcept;
    /// The bytes buffered and not yet read (asyncio's reader._buffer), valid until the next
    /// feed or read.
    std::string_view buffer() const noexcept;
    /// True while the reader has paused the transport's reading.
    bool paused() const noexcept;
    /// True while a read waits for data.
    bool has_waiter() const noexcept;

    friend bool operator==(const StreamReader& a, const StreamReader& b) noexcept { return a.s_ == b.s_; }

private:
    friend class StreamReaderProtocol;
    explicit StreamReader(std::shared_ptr<detail::StreamReaderState> s) noexcept : s_(std::move(s)) {}
    std::shared_ptr<detail::StreamReaderState> s_;
};

}  // namespace aio
