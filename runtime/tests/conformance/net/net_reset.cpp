// Reset by the peer mid-read: the server sets SO_LINGER 0 and aborts (a RST, not a FIN); the
// client's pending read raises ConnectionResetError, later reads raise it again, and so does
// drain().
#include <sys/socket.h>

#include <any>

#include "net_pairs.hpp"

using conformance::out;
using namespace conformance::net;

static aio::Coro<void> serve(aio::StreamReader reader, aio::StreamWriter writer) {
    writer.write("hello\n");
    co_await writer.drain();
    co_await reader.readline();  // the client has read the greeting
    // SO_LINGER with a zero timeout: close() sends a RST instead of a FIN.
    const int fd = std::any_cast<int>(writer.get_extra_info("socket"));
    const linger lin{.l_onoff = 1, .l_linger = 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, sizeof lin);
    writer.transport().abort();
}

static aio::Coro<void> amain() {
    aio::Server server = co_await aio::start_server(serve, "127.0.0.1", 0);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port_of(server));
    out("greeting: {}", bytes_repr(co_await reader.readline()));
    writer.write("ok\n");
    try {
        const std::string data = co_await reader.read(100);
        out("read returned {}", bytes_repr(data));
    } catch (const aio::ConnectionResetError& e) {
        out("{}: {}", conformance::type(std::current_exception()), e.what());
    }
    out("exception(): {}", conformance::type(reader.exception()));
    try {
        co_await reader.readline();
    } catch (const aio::ConnectionResetError& e) {
        out("again {}: {}", conformance::type(std::current_exception()), e.what());
    }
    try {
        writer.write("more");
        co_await writer.drain();
        out("drain after reset: no error");
    } catch (const aio::ConnectionResetError& e) {
        out("drain: {}: {}", conformance::type(std::current_exception()), e.what());
    }
    writer.close();
    server.close();
    co_await server.wait_closed();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
