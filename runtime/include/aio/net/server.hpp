#pragma once
// aio::Server: asyncio.Server with 3.12.1's semantics, what EventLoop::create_server (and the
// streams' start_server) return. A handle to shared state: copies drive the same server, and
// the loop keeps the state alive while it listens, so dropping every handle does not stop it
// (as in asyncio, where the loop's reader callbacks reference the server).
//
//     aio::Server s = co_await loop.create_server(factory, "127.0.0.1", 0);
//     auto port = s.sockets()[0].port();          // the port the OS chose
//     co_await aio::serving(s, [&](aio::Server& s) -> aio::Coro<void> { ... });  // async with
//
// close() stops listening (the listening sockets close) and leaves the connections open;
// wait_closed() returns once the server is closed AND every connection it accepted has
// called connection_lost (3.12.1: in either order; before 3.12 it returned early).
// serve_forever() starts serving if needed and waits until cancelled; cancelling it closes
// the server and waits for wait_closed() before CancelledError goes on.
//
// A Server belongs to its loop's thread; it must not be used after its loop was destroyed.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "aio/coro.hpp"
#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "aio/net/address.hpp"

namespace aio {

namespace detail {

/// What a Server handle drives: asyncio's Server bookkeeping (serving, closed, the count of
/// attached connections, the wait_closed() waiters, serve_forever's future). Where the
/// connections come from is a subclass's: the real loop's listening sockets
/// (src/net/socket_server.cpp); the simulator's own.
class ServerCore : public std::enable_shared_from_this<ServerCore> {
public:
    explicit ServerCore(EventLoop& loop) : loop_(&loop) {}
    virtual ~ServerCore() = default;
    ServerCore(const ServerCore&) = delete;
    ServerCore& operator=(const ServerCore&) = delete;

    EventLoop& loop() const noexcept { return *loop_; }
    bool is_serving() const noexcept { return serving_; }
    bool is_closed() const noexcept { return closed_; }
    /// asyncio's Server._start_serving(): starts listening once.
    void start_serving();
    void close();
    /// A connection made by this server begins / ends (its connection_lost ran).
    void attach() noexcept { ++active_; }
    void detach();
    std::size_t active_connections() const noexcept { return active_; }
    /// The bound addresses; empty once closed (asyncio's Server.sockets is () then).
    virtual std::vector<SocketAddress> addresses() const = 0;
    /// asyncio's repr: "<Server sockets=(('127.0.0.1', 8888),)>".
    std::string repr() const;

    static Coro<void> wait_closed(std::shared_ptr<ServerCore> self);
    static Coro<void> serve_forever(std::shared_ptr<ServerCore> self);
    static Coro<void> start_serving_and_yield(std::shared_ptr<ServerCore> self);

protected:
    /// Listen and accept (called once, by start_serving()).
    virtual void start_listening() = 0;
    /// Stop accepting and close the listening endpoints (called once, by close()).
    virtual void stop_listening() noexcept = 0;

private:
    void wakeup();

    EventLoop* loop_;
    std::size_t active_ = 0;
    // Waiters of wait_closed(); nullopt once both conditions held (asyncio's `_waiters = None`).
    std::optional<std::vector<Future<void>>> waiters_{std::in_place};
    Future<void> serving_forever_;
    bool serving_ = false;
    bool closed_ = false;
};

}  // namespace detail

class Server {
public:
    Server() = default;  // no server (a moved-from handle is one too)
    explicit Server(std::shared_ptr<detail::ServerCore> core) noexcept : core_(std::move(core)) {}

    /// Stop listening; the connections stay. Idempotent.
    void close() { core_->close(); }
    /// Returns when the server is closed and every connection is gone (3.12.1).
    Coro<void> wait_closed() { return detail::ServerCore::wait_closed(core_); }
    /// Starts accepting (a server made with start_serving=false), then yields one pass so the
    /// listening watches are in place (asyncio's `await sleep(0)`).
    Coro<void> start_serving() { return detail::ServerCore::start_serving_and_yield(core_); }
    /// Serves until cancelled; RuntimeError when already awaited by another serve_forever() or
    /// when the server is closed.
    Coro<void> serve_forever() { return detail::ServerCore::serve_forever(core_); }
    bool is_serving() const noexcept { return core_->is_serving(); }
    /// The listening addresses (with the port the OS chose); empty after close().
    std::vector<SocketAddress> sockets() const { return core_->addresses(); }
    EventLoop& get_loop() const noexcept { return core_->loop(); }

    explicit operator bool() const noexcept { return static_cast<bool>(core_); }
    const std::shared_ptr<detail::ServerCore>& core() const noexcept { return core_; }

private:
    std::shared_ptr<detail::ServerCore> core_;
};

namespace detail {
template <class F>
using serving_result_t = typename std::invoke_result_t<F&, Server&>::value_type;
}  // namespace detail

/// Python's `async with server: ...`: co_awaits body(s), then close() and wait_closed(), also
/// when the body throws or is cancelled (the body's exception then goes on). body returns an
/// aio::Coro<R> (or another awaitable with a value_type); serving returns its R.
template <class F>
auto serving(Server& s, F body) -> Coro<detail::serving_result_t<F>> {
    using R = detail::serving_result_t<F>;
    std::exception_ptr failed;
    std::optional<std::conditional_t<std::is_void_v<R>, int, R>> result;
    try {
        if constexpr (std::is_void_v<R>) {
            co_await body(s);
            result.emplace(0);
        } else {
            result.emplace(co_await body(s));
        }
    } catch (...) {
        failed = std::current_exception();
    }
    s.close();
    co_await s.wait_closed();
    if (failed) std::rethrow_exception(failed);
    if constexpr (std::is_void_v<R>)
        co_return;
    else
        co_return std::move(*result);
}

}  // namespace aio
