#pragma once
// aio::Transport and aio::Protocol: asyncio's transports and protocols, the layer under the
// streams (aio/net/streams.hpp). A transport is one connection's byte pipe, made by the loop
// (EventLoop::create_connection / create_server: on the real loop a non-blocking socket
// watched by epoll; in the simulator, next, a simulated link); a protocol is what receives its
// events. The streams are one protocol (StreamReaderProtocol); users may write their own, as
// in asyncio.
//
// Ownership (C++ has no garbage collector): a transport is held by std::shared_ptr; the loop
// holds one reference while the connection is open (until connection_lost() has been called),
// a StreamWriter holds another. The transport owns its protocol. The protocol may keep a plain
// Transport& from connection_made(): the transport outlives the protocol. A transport is always
// made by std::make_shared, so a protocol that needs a reference of its own (the streams'
// StreamReaderProtocol gives one to its StreamReader and StreamWriter) takes shared_from_this().
//
// Events, all called on the loop's thread from a callback of the loop (never from inside a
// transport method the protocol called, except pause_writing() from write()):
//   connection_made(t)   once, first;
//   data_received(data)  zero or more times; `data` is valid only during the call;
//   eof_received()       at most once, after the peer's write_eof/close: return true to keep
//                        the transport open for writing (half-close), false to close it;
//   pause_writing()      when the write buffer rises above the high-water mark,
//   resume_writing()     and when it falls to the low-water mark again;
//   connection_lost(e)   once, last; e is null on a normal close or EOF, else the error
//                        (ConnectionResetError, BrokenPipeError, ...).
#include <any>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include "aio/detail/access_observer.hpp"

namespace aio {

class Transport;
class SocketAddress;  // aio/net/address.hpp

/// asyncio.Protocol (with BaseProtocol's flow-control callbacks).
class Protocol {
public:
    virtual ~Protocol() = default;
    virtual void connection_made(Transport& transport) { (void)transport; }
    virtual void data_received(std::string_view data) { (void)data; }
    /// True: keep the transport open (the protocol will close it); false: the transport closes.
    virtual bool eof_received() { return false; }
    virtual void connection_lost(std::exception_ptr exc) { (void)exc; }
    virtual void pause_writing() {}
    virtual void resume_writing() {}
};

/// asyncio's WriteTransport + ReadTransport for a stream connection.
class Transport : public std::enable_shared_from_this<Transport> {
public:
    virtual ~Transport() { detail::touch_end(this); }

    // --- writing ------------------------------------------------------------------------
    /// Sends what it can at once and buffers the rest (never blocks). After close() or
    /// write_eof(): RuntimeError. After the connection was lost: ignored (asyncio logs a
    /// warning after 5 such writes).
    virtual void write(std::string_view data) = 0;
    virtual void writelines(std::span<const std::string_view> parts) {
        for (std::string_view p : parts) write(p);
    }
    /// Closes the write side after the buffered data is sent (shutdown(SHUT_WR)).
    virtual void write_eof() = 0;
    virtual bool can_write_eof() const noexcept = 0;
    /// Bytes buffered and not yet sent.
    virtual std::size_t get_write_buffer_size() const noexcept = 0;
    /// {low, high}.
    virtual std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept = 0;
    /// asyncio's rules: high defaults to 64 KiB (4 * low when only low is given), low to high / 4;
    /// ValueError unless high >= low >= 0.
    virtual void set_write_buffer_limits(std::optional<std::size_t> high = std::nullopt,
                                         std::optional<std::size_t> low = std::nullopt) = 0;

    // --- reading ------------------------------------------------------------------------
    virtual void pause_reading() = 0;
    virtual void resume_reading() = 0;
    virtual bool is_reading() const noexcept = 0;

    // --- closing ------------------------------------------------------------------------
    /// Sends the buffered data, then closes; connection_lost(nullptr) follows on a later pass.
    virtual void close() = 0;
    /// Closes at once, dropping the buffer; connection_lost(nullptr) follows.
    virtual void abort() = 0;
    virtual bool is_closing() const noexcept = 0;

    // --- about the connection -----------------------------------------------------------
    virtual std::optional<SocketAddress> peername() const = 0;
    virtual std::optional<SocketAddress> sockname() const = 0;
    /// asyncio's get_extra_info: "peername" and "sockname" (an aio::SocketAddress), "socket"
    /// (the file descriptor, an int; absent in the simulator); `fallback` for anything else.
    virtual std::any get_extra_info(std::string_view name, std::any fallback = {}) const = 0;

    virtual Protocol& get_protocol() noexcept = 0;
};

}  // namespace aio
