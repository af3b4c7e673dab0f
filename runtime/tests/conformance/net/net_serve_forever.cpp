// serve_forever on a server created with start_serving off: not serving before, serving under
// serve_forever, and cancelling it closes the server (refused afterwards; wait_closed returns).
#include "net_pairs.hpp"

using namespace std::chrono_literals;
using conformance::out;
using namespace conformance::net;

static aio::Coro<void> serve(aio::StreamReader, aio::StreamWriter writer) {
    writer.write("hi\n");
    co_await writer.drain();
    writer.close();
    co_await writer.wait_closed();
}

static aio::Coro<void> serve_forever(aio::Server* server) { co_await server->serve_forever(); }

static aio::Coro<void> amain() {
    aio::Server server = co_await aio::start_server(serve, "127.0.0.1", 0, {.server = {.start_serving = false}});
    const std::uint16_t port = port_of(server);
    out("serving before start: {}", py(server.is_serving()));
    auto forever = aio::create_task(serve_forever(&server));
    co_await aio::sleep(100ms);
    out("serving under serve_forever: {}", py(server.is_serving()));
    {
        auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
        out("greeting: {}", bytes_repr(co_await reader.readline()));
        writer.close();
        co_await writer.wait_closed();
    }
    forever.cancel();
    try {
        co_await forever;
    } catch (const aio::CancelledError&) {
        out("serve_forever cancelled: {}", py(forever.cancelled()));
    }
    out("serving after cancel: {}", py(server.is_serving()));
    try {
        co_await aio::open_connection("127.0.0.1", port);
    } catch (const aio::ConnectionRefusedError&) {
        out("refused after cancel");
    }
    co_await server.wait_closed();
    out("wait_closed returned");
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
