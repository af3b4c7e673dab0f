#pragma once
// asyncio.streams: open_connection()/start_server() and their Unix-socket forms over the
// running loop's create_connection()/create_server(), StreamReader (stream_reader.hpp),
// StreamWriter (stream_writer.hpp), their protocol (stream_protocol.hpp) and errors
// (stream_errors.hpp); and memory_streams(): a connected pair of streams over
// aio::memory_pipe(), on any loop, for tests.
//
//     aio::Server server = co_await aio::start_server(handle_client, "127.0.0.1", 0);
//     auto [reader, writer] = co_await aio::open_connection("127.0.0.1", server.sockets()[0].port());
//
// start_server() runs the callback as a task for each connection; an exception it ends with is
// reported to the loop's exception handler and closes that connection.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "aio/coro.hpp"
#include "aio/net/memory_transport.hpp"
#include "aio/net/options.hpp"
#include "aio/net/server.hpp"
#include "aio/net/stream_errors.hpp"
#include "aio/net/stream_protocol.hpp"
#include "aio/net/stream_reader.hpp"
#include "aio/net/stream_writer.hpp"

namespace aio {

/// One end of a stream connection: what open_connection() returns.
using StreamPair = std::pair<StreamReader, StreamWriter>;

/// open_connection()'s keywords: the reader's limit, and create_connection()'s options.
struct StreamOptions {
    std::size_t limit = StreamReader::default_limit;
    ConnectOptions connect = {};
};
/// start_server()'s keywords: each reader's limit, and create_server()'s options.
struct StreamServerOptions {
    std::size_t limit = StreamReader::default_limit;
    ServerOptions server = {};
};

/// asyncio.open_connection(host, port): connects with the running loop's create_connection().
Coro<StreamPair> open_connection(std::string host, std::uint16_t port, StreamOptions options = {});
/// asyncio.open_unix_connection(path). (options.connect does not apply to Unix sockets.)
Coro<StreamPair> open_unix_connection(std::string path, StreamOptions options = {});
/// asyncio.start_server(cb, host, port): listens with the running loop's create_server(); cb
/// runs as a task per connection. host "" is every interface, port 0 one the OS picks.
Coro<Server> start_server(ClientConnected cb, std::string host, std::uint16_t port, StreamServerOptions options = {});
/// asyncio.start_unix_server(cb, path).
Coro<Server> start_unix_server(ClientConnected cb, std::string path, StreamServerOptions options = {});

/// Two stream ends connected by a memory_pipe() on `loop`, each reader with `limit`. Usable at
/// once: writes wait in the link until the transports' connection_made has run.
std::pair<StreamPair, StreamPair> memory_streams(EventLoop& loop, MemoryPipeOptions options = {},
                                                 std::size_t limit = StreamReader::default_limit);

}  // namespace aio
