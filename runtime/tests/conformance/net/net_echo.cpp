// An echo server and client over TCP: start_server on an OS-chosen port, open_connection,
// readline round trips (an empty line too), then both sides close and wait.
#include "net_pairs.hpp"

using conformance::out;
using namespace conformance::net;

static aio::Coro<void> handle(aio::StreamReader reader, aio::StreamWriter writer) {
    while (true) {
        const std::string line = co_await reader.readline();
        if (line.empty()) break;
        writer.write("echo: " + line);
        co_await writer.drain();
    }
    writer.close();
    co_await writer.wait_closed();
}

static aio::Coro<void> amain() {
    aio::Server server = co_await aio::start_server(handle, "127.0.0.1", 0);
    const std::uint16_t port = port_of(server);
    out("listening on an OS-chosen port: {}", py(port != 0));
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
    for (const std::string word : {"hello", "world", "", "last one"}) {
        writer.write(word + "\n");
        co_await writer.drain();
        out("reply: {}", bytes_repr(co_await reader.readline()));
    }
    writer.close();
    co_await writer.wait_closed();
    out("client closed: {}", py(writer.is_closing()));
    server.close();
    co_await server.wait_closed();
    out("server closed: {}", py(!server.is_serving()));
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
