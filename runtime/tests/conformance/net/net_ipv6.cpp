// IPv6 loopback: a server on ::1 (AF_INET6, a four-field address), an echo over it, and ::1
// with family AF_INET (gaierror from getaddrinfo).
#include <sys/socket.h>

#include "net_pairs.hpp"

using conformance::out;
using namespace conformance::net;

static aio::Coro<void> serve(aio::StreamReader reader, aio::StreamWriter writer) {
    writer.write("v6: " + co_await reader.readline());
    co_await writer.drain();
    writer.close();
    co_await writer.wait_closed();
}

static aio::Coro<void> amain() {
    aio::Server server = co_await aio::start_server(serve, "::1", 0);
    const aio::SocketAddress addr = server.sockets().at(0);
    out("family: {}", addr.family() == AF_INET6 ? "AF_INET6" : "not AF_INET6");
    // str() is Python's repr of the address: ('::1', PORT, 0, 0), four fields.
    const std::string text = replace_all(addr.str(), std::to_string(addr.port()), "PORT");
    out("server host: {} address has 4 fields: {}", addr.host(), py(text == "('::1', PORT, 0, 0)"));
    {
        auto [reader, writer] = co_await aio::open_connection("::1", addr.port());
        writer.write("hello\n");
        out("reply: {}", bytes_repr(co_await reader.readline()));
        const aio::SocketAddress peer = *writer.peername();
        out("peername: {} {} {}", peer.host(), py(peer.port() == addr.port()),
            replace_all(peer.str(), fmt::format("('::1', {}, ", peer.port()), "("));
        writer.close();
        co_await writer.wait_closed();
    }
    server.close();
    co_await server.wait_closed();
    try {
        co_await aio::open_connection("::1", addr.port(), {.connect = {.family = AF_INET}});
    } catch (const aio::OSError&) {
        out("::1 with family AF_INET: {}", conformance::type(std::current_exception()));
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
