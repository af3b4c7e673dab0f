// read(n): read(0) is b'' at once, read(100) returns what is buffered, read() collects until
// EOF, and every read at EOF returns b''.
#include "net_pairs.hpp"

using conformance::out;
using namespace conformance::net;

static aio::Coro<void> serve(aio::StreamReader reader, aio::StreamWriter writer) {
    writer.write("abcdefghij");
    co_await writer.drain();
    co_await reader.readline();  // the client's go-ahead
    writer.write("klmnopqrstuvwxyz");
    co_await writer.drain();
    writer.close();
    co_await writer.wait_closed();
}

static aio::Coro<void> amain() {
    aio::Server server = co_await aio::start_server(serve, "127.0.0.1", 0);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port_of(server));
    out("read(0): {}", bytes_repr(co_await reader.read(0)));
    out("read(3): {}", bytes_repr(co_await reader.readexactly(3)));
    out("read(100): {}", bytes_repr(co_await reader.read(100)));
    writer.write("go\n");
    out("read(-1): {}", bytes_repr(co_await reader.read(-1)));
    out("at_eof: {}", py(reader.at_eof()));
    out("read(-1) again: {}", bytes_repr(co_await reader.read()));
    out("read(5) at EOF: {}", bytes_repr(co_await reader.read(5)));
    out("readline at EOF: {}", bytes_repr(co_await reader.readline()));
    writer.close();
    co_await writer.wait_closed();
    server.close();
    co_await server.wait_closed();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
