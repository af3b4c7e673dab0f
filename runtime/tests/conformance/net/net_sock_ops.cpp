// The loop's low-level socket calls on non-blocking sockets: sock_accept, sock_connect,
// sock_sendall, sock_recv, sock_recv_into, a receive that waits for data, and b'' at EOF.
#include <fcntl.h>
#include <sys/socket.h>

#include <span>

#include "net_pairs.hpp"

using namespace std::chrono_literals;
using conformance::out;
using namespace conformance::net;

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    aio::Socket ls = aio::Socket::open(AF_INET, SOCK_STREAM, 0);
    const aio::SocketAddress loopback = aio::SocketAddress::ip("127.0.0.1", 0);
    ::bind(ls.fd(), loopback.data(), loopback.size());
    ::listen(ls.fd(), 10);
    const aio::SocketAddress addr = aio::SocketAddress::local_of(ls.fd());

    aio::Socket cs = aio::Socket::open(AF_INET, SOCK_STREAM, 0);
    // The Python twin accepts in a task and connects in main; here main accepts (the accepted
    // socket is move-only) and a task connects: the same two calls, concurrently.
    auto connecting = aio::create_task(loop.sock_connect(cs.fd(), addr));
    auto [conn, peer] = co_await loop.sock_accept(ls.fd());
    co_await connecting;
    out("accepted the client: {}", py(peer.str() == aio::SocketAddress::local_of(cs.fd()).str()));
    out("accepted socket is non-blocking: {}", py((::fcntl(conn.fd(), F_GETFL) & O_NONBLOCK) != 0));

    std::string pings;
    for (int i = 0; i < 1000; ++i) pings += "ping";
    co_await loop.sock_sendall(cs.fd(), pings);
    std::string got;
    while (got.size() < 4000) got += co_await loop.sock_recv(conn.fd(), 4096);
    out("server received {} bytes, all pings: {}", got.size(), py(got == pings));

    char buf[16];
    co_await loop.sock_sendall(conn.fd(), "pong");
    const std::size_t n = co_await loop.sock_recv_into(cs.fd(), std::span<char>(buf));
    out("sock_recv_into: {} {}", n, bytes_repr(std::string_view(buf, n)));

    // A receive waits until data comes.
    auto receiving = aio::create_task(loop.sock_recv(cs.fd(), 100));
    co_await aio::sleep(100ms);
    out("receive waiting: {}", py(!receiving.done()));
    co_await loop.sock_sendall(conn.fd(), "late");
    out("received: {}", bytes_repr(co_await receiving));

    conn.close();
    out("at EOF: {}", bytes_repr(co_await loop.sock_recv(cs.fd(), 100)));
    cs.close();
    ls.close();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
