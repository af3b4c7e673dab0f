// drain() after close(): 3.12 yields once so connection_lost runs, then raises
// ConnectionResetError('Connection lost'); wait_closed returns, twice; our own close feeds EOF
// to our reader.
#include "net_pairs.hpp"

using conformance::out;
using namespace conformance::net;

static aio::Coro<void> serve(aio::StreamReader reader, aio::StreamWriter writer) {
    co_await reader.read();
    writer.close();
    co_await writer.wait_closed();
}

static aio::Coro<void> amain() {
    aio::Server server = co_await aio::start_server(serve, "127.0.0.1", 0);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port_of(server));
    out("is_closing before close(): {}", py(writer.is_closing()));
    writer.close();
    out("is_closing after close(): {}", py(writer.is_closing()));
    try {
        co_await writer.drain();
        out("drain after close(): no error");
    } catch (const aio::ConnectionResetError& e) {
        out("drain after close(): {}: {}", conformance::type(std::current_exception()), e.what());
    }
    co_await writer.wait_closed();
    out("wait_closed returned");
    co_await writer.wait_closed();
    out("wait_closed again returned");
    out("reader at_eof after our close: {}", py(reader.at_eof()));
    server.close();
    co_await server.wait_closed();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
