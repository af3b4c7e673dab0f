// get_extra_info: peername and sockname of both ends agree, "socket" is the file descriptor,
// an unknown key gives the fallback (None without one).
#include <any>
#include <utility>

#include "net_pairs.hpp"

using conformance::out;
using namespace conformance::net;

using Names = std::pair<std::string, std::string>;

static aio::Coro<void> serve(aio::StreamReader reader, aio::StreamWriter writer, aio::Future<Names> seen) {
    seen.set_result(Names{writer.peername()->str(), writer.sockname()->str()});
    co_await reader.read();
    writer.close();
    co_await writer.wait_closed();
}

static aio::Coro<void> amain() {
    aio::Future<Names> seen(aio::get_running_loop());
    aio::ClientConnected handler = [seen](aio::StreamReader r, aio::StreamWriter w) { return serve(r, w, seen); };
    aio::Server server = co_await aio::start_server(std::move(handler), "127.0.0.1", 0);
    const std::uint16_t port = port_of(server);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
    const auto peer = std::any_cast<aio::SocketAddress>(writer.get_extra_info("peername"));
    const auto sock = std::any_cast<aio::SocketAddress>(writer.get_extra_info("sockname"));
    const auto [server_peer, server_sock] = co_await seen;
    out("client peername host: {} port is the server's: {}", peer.host(), py(peer.port() == port));
    out("client sockname host: {} port is ephemeral: {}", sock.host(), py(sock.port() != 0 && sock.port() != port));
    out("server sees the client as its peer: {}", py(server_peer == sock.str()));
    out("server sockname is the client's peer: {}", py(server_sock == peer.str()));
    out("socket is an int fd: {}", py(std::any_cast<int>(writer.get_extra_info("socket")) >= 0));
    out("unknown key gives the default: {}",
        std::any_cast<std::string>(writer.get_extra_info("no such key", std::string("default"))));
    out("unknown key without a default: {}", writer.get_extra_info("no such key").has_value() ? "a value" : "None");
    writer.close();
    co_await writer.wait_closed();
    server.close();
    co_await server.wait_closed();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
