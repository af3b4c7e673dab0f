// write_eof half-close: the client sends, closes its write side (can_write_eof, writing after
// it is a RuntimeError), and still reads the server's reply until the server closes.
#include <algorithm>

#include "net_pairs.hpp"

using conformance::out;
using namespace conformance::net;

static aio::Coro<void> serve(aio::StreamReader reader, aio::StreamWriter writer) {
    std::string data = co_await reader.read();  // until the client's write_eof()
    out("server read {} bytes, then EOF: {}", data.size(), py(reader.at_eof()));
    writer.write(fmt::format("got {} bytes\n", data.size()));
    std::reverse(data.begin(), data.end());
    writer.write(data);
    co_await writer.drain();
    writer.close();
    co_await writer.wait_closed();
}

static aio::Coro<void> amain() {
    aio::Server server = co_await aio::start_server(serve, "127.0.0.1", 0);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port_of(server));
    out("can_write_eof: {}", py(writer.can_write_eof()));
    writer.write("half-");
    writer.writelines({"close", "d!"});
    writer.write_eof();
    try {
        writer.write("x");
    } catch (const aio::RuntimeError& e) {
        out("write after write_eof: RuntimeError: {}", e.what());
    }
    out("is_closing after write_eof: {}", py(writer.is_closing()));
    out("reply: {}", bytes_repr(co_await reader.readline()));
    out("rest: {}", bytes_repr(co_await reader.read()));
    writer.close();
    co_await writer.wait_closed();
    server.close();
    co_await server.wait_closed();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
