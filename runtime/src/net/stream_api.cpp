// asyncio.open_connection / start_server and their Unix-socket forms (streams.py, 3.12): the
// streams' protocol handed to the loop's create_connection / create_server.
#include <memory>
#include <utility>

#include "aio/event_loop.hpp"
#include "aio/net/server.hpp"
#include "aio/net/streams.hpp"

namespace aio {

namespace {

// The factories capture the loop (which outlives its connections) and values only: the loop
// may call them after the coroutine that made them has returned (a server's).
ProtocolFactory client_factory(EventLoop& loop, StreamReader reader) {
    return
        [&loop, reader]() -> std::unique_ptr<Protocol> { return std::make_unique<StreamReaderProtocol>(loop, reader); };
}

ProtocolFactory server_factory(EventLoop& loop, ClientConnected cb, std::size_t limit) {
    if (!cb) throw ValueError("start_server() needs a client callback");
    auto shared = std::make_shared<const ClientConnected>(std::move(cb));
    if (limit == 0) throw ValueError("Limit cannot be <= 0");
    return [&loop, shared, limit]() -> std::unique_ptr<Protocol> {
        return std::make_unique<StreamReaderProtocol>(loop, StreamReader(limit), shared);
    };
}

StreamPair make_pair_of(const std::shared_ptr<Transport>& transport, const StreamReader& reader) {
    auto& protocol = static_cast<StreamReaderProtocol&>(transport->get_protocol());
    return StreamPair{reader, StreamWriter(transport, protocol, reader)};
}

}  // namespace

Coro<StreamPair> open_connection(std::string host, std::uint16_t port, StreamOptions o) {
    EventLoop& loop = get_running_loop();
    StreamReader reader(o.limit);
    std::shared_ptr<Transport> transport =
        co_await loop.create_connection(client_factory(loop, reader), std::move(host), port, std::move(o.connect));
    co_return make_pair_of(transport, reader);
}

Coro<StreamPair> open_unix_connection(std::string path, StreamOptions o) {
    EventLoop& loop = get_running_loop();
    StreamReader reader(o.limit);
    std::shared_ptr<Transport> transport =
        co_await loop.create_unix_connection(client_factory(loop, reader), std::move(path));
    co_return make_pair_of(transport, reader);
}

Coro<Server> start_server(ClientConnected cb, std::string host, std::uint16_t port, StreamServerOptions o) {
    EventLoop& loop = get_running_loop();
    co_return co_await loop.create_server(server_factory(loop, std::move(cb), o.limit), std::move(host), port,
                                          std::move(o.server));
}

Coro<Server> start_unix_server(ClientConnected cb, std::string path, StreamServerOptions o) {
    EventLoop& loop = get_running_loop();
    co_return co_await loop.create_unix_server(server_factory(loop, std::move(cb), o.limit), std::move(path),
                                               std::move(o.server));
}

}  // namespace aio
