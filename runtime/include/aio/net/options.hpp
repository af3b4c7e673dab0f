#pragma once
// The options of the loop's connection calls (EventLoop::create_connection, create_server and
// their Unix-socket forms), asyncio's keyword arguments of the same names. The streams
// (aio/net/streams.hpp) take these too, plus their own `limit`.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace aio {

struct ConnectOptions {
    /// AF_UNSPEC (0), AF_INET or AF_INET6: which addresses of `host` to try.
    int family = 0;
    /// Bind the socket to this (host, port) before connecting.
    std::optional<std::pair<std::string, std::uint16_t>> local_addr = std::nullopt;
};

struct ServerOptions {
    /// AF_UNSPEC (0: every address `host` resolves to), AF_INET or AF_INET6.
    int family = 0;
    /// listen(2)'s backlog; asyncio's default.
    int backlog = 100;
    /// SO_REUSEADDR (asyncio's default on POSIX).
    bool reuse_address = true;
    /// SO_REUSEPORT.
    bool reuse_port = false;
    /// Start accepting at once (asyncio's start_serving=True); else start_serving()/serve_forever().
    bool start_serving = true;
};

}  // namespace aio
