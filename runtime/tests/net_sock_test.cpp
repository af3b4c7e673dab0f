// The low-level socket layer: aio::SocketAddress (Python's address reprs), aio::Socket (RAII,
// non-blocking, close-on-exec) and the loop's sock_* calls (asyncio's sock_connect,
// sock_accept, sock_recv, sock_recv_into, sock_sendall): results, asyncio's errors and
// messages, partial sends, EOF, reset, no SIGPIPE, and cancellation leaving neither a watch
// nor a descriptor behind.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <csignal>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <aio/aio.hpp>
#include <cstring>
#include <string>
#include <thread>

#include "net_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using net_test::cancelled_after;
using net_test::open_fd_count;

namespace {

aio::Coro<std::string> recv_all(int fd) {
    std::string got;
    for (;;) {
        std::string part = co_await aio::get_running_loop().sock_recv(fd, 4096);
        if (part.empty()) co_return got;
        got += part;
    }
}

aio::Coro<void> accept_one(int listen_fd) { (void)co_await aio::get_running_loop().sock_accept(listen_fd); }
aio::Coro<void> recv_some(int fd) { (void)co_await aio::get_running_loop().sock_recv(fd, 16); }
aio::Coro<void> connect_to(int fd, aio::SocketAddress a) { co_await aio::get_running_loop().sock_connect(fd, a); }

}  // namespace

TEST_SUITE("net sock") {
    TEST_CASE("SocketAddress: IPv4, IPv6 and Unix addresses print as Python's repr") {
        const auto a = aio::SocketAddress::ip("127.0.0.1", 8888);
        CHECK(a.family() == AF_INET);
        CHECK(a.host() == "127.0.0.1");
        CHECK(a.port() == 8888);
        CHECK(a.str() == "('127.0.0.1', 8888)");
        CHECK(a.size() == sizeof(sockaddr_in));

        const auto b = aio::SocketAddress::ip("::1", 8888);
        CHECK(b.family() == AF_INET6);
        CHECK(b.host() == "::1");
        CHECK(b.str() == "('::1', 8888, 0, 0)");
        CHECK(aio::SocketAddress::ip("0:0::1", 1).host() == "::1");  // normalised as inet_ntop

        const auto u = aio::SocketAddress::unix_path("/tmp/x.sock");
        CHECK(u.family() == AF_UNIX);
        CHECK(u.path() == "/tmp/x.sock");
        CHECK(u.str() == "'/tmp/x.sock'");
        CHECK(u.port() == 0);
        CHECK(u.host().empty());
        CHECK(aio::SocketAddress::unix_path("it's").str() == "\"it's\"");
        CHECK(aio::SocketAddress::unix_path(std::string("\0abs", 4)).str() == "b'\\x00abs'");
        CHECK(aio::SocketAddress::unix_path(std::string("\0abs", 4)).path() == std::string("\0abs", 4));
        CHECK(aio::SocketAddress().str() == "None");
        CHECK(aio::SocketAddress().family() == AF_UNSPEC);

        CHECK(a == aio::SocketAddress::ip("127.0.0.1", 8888));
        CHECK_FALSE(a == aio::SocketAddress::ip("127.0.0.1", 8889));
        CHECK_FALSE(a == b);
    }

    TEST_CASE("SocketAddress: a name is not an address; a long Unix path is Python's OSError") {
        CHECK_THROWS_WITH_AS(aio::SocketAddress::ip("localhost", 80),
                             "'localhost' is not a numeric IPv4 or IPv6 address", aio::ValueError);
        CHECK_THROWS_AS(aio::SocketAddress::ip("", 80), aio::ValueError);
        CHECK_THROWS_AS(aio::SocketAddress::ip("1.2.3.4.5", 80), aio::ValueError);
        const std::string fits(sizeof(sockaddr_un{}.sun_path) - 1, 'x');
        CHECK(aio::SocketAddress::unix_path(fits).path() == fits);
        CHECK_THROWS_WITH_AS(aio::SocketAddress::unix_path(fits + "x"), "AF_UNIX path too long", aio::OSError);
    }

    TEST_CASE("Socket: owns its descriptor, non-blocking and close-on-exec; release() gives it up") {
        const int before = open_fd_count();
        int raw = -1;
        {
            aio::Socket s = aio::Socket::open(AF_INET);
            REQUIRE(s);
            CHECK((::fcntl(s.fd(), F_GETFL) & O_NONBLOCK) != 0);
            CHECK((::fcntl(s.fd(), F_GETFD) & FD_CLOEXEC) != 0);
            CHECK(open_fd_count() == before + 1);
            aio::Socket moved = std::move(s);
            CHECK_FALSE(s);
            CHECK(moved);
            aio::Socket other = aio::Socket::open(AF_UNIX);
            other = std::move(moved);  // closes other's own descriptor
            CHECK(open_fd_count() == before + 1);
            raw = other.release();
            CHECK_FALSE(other);
        }
        CHECK(open_fd_count() == before + 1);  // released: still open
        CHECK(::close(raw) == 0);
        CHECK(open_fd_count() == before);
        CHECK_THROWS_AS(aio::Socket::open(12345), aio::OSError);  // EAFNOSUPPORT
    }

    TEST_CASE("local_of/peer_of; peer_of an unconnected socket is ENOTCONN") {
        aio::Socket l = net_test::listener();
        const auto la = aio::SocketAddress::local_of(l.fd());
        CHECK(la.host() == "127.0.0.1");
        CHECK(la.port() != 0);
        try {
            (void)aio::SocketAddress::peer_of(l.fd());
            FAIL("no error");
        } catch (const aio::OSError& e) {
            CHECK(e.errno_value() == ENOTCONN);
            CHECK(e.operation() == "getpeername");
        }
    }

    TEST_CASE("sock_connect, sock_accept, sock_sendall, sock_recv over TCP: bytes and addresses") {
        aio::Socket l = net_test::listener();
        const auto server_addr = aio::SocketAddress::local_of(l.fd());
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            aio::Socket c = aio::Socket::open(AF_INET);
            co_await loop.sock_connect(c.fd(), server_addr);
            auto [conn, peer] = co_await loop.sock_accept(l.fd());
            CHECK((::fcntl(conn.fd(), F_GETFL) & O_NONBLOCK) != 0);
            CHECK((::fcntl(conn.fd(), F_GETFD) & FD_CLOEXEC) != 0);
            CHECK(peer == aio::SocketAddress::local_of(c.fd()));
            CHECK(aio::SocketAddress::peer_of(c.fd()) == server_addr);

            co_await loop.sock_sendall(c.fd(), "hello, server");
            CHECK(co_await loop.sock_recv(conn.fd(), 5) == "hello");  // at most n bytes
            char buf[64];
            const std::size_t n = co_await loop.sock_recv_into(conn.fd(), std::span<char>(buf, sizeof buf));
            CHECK(std::string(buf, n) == ", server");
            co_await loop.sock_sendall(conn.fd(), "");  // empty: returns at once
            co_await loop.sock_sendall(conn.fd(), "bye");
            ::shutdown(conn.fd(), SHUT_WR);
            CHECK(co_await recv_all(c.fd()) == "bye");  // then EOF: empty
            CHECK(co_await loop.sock_recv_into(c.fd(), std::span<char>(buf, sizeof buf)) == 0);
            CHECK(loop.fd_driver("test").watch_count() == 0);
        }());
    }

    TEST_CASE("sock_recv waits in epoll until another thread's peer sends") {
        int sv[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
        aio::Socket a(sv[0]), b(sv[1]);
        std::string got;
        aio::run([&]() -> aio::Coro<void> {
            std::thread writer([&] {
                std::this_thread::sleep_for(20ms);
                REQUIRE(::write(b.fd(), "late", 4) == 4);
            });
            got = co_await aio::get_running_loop().sock_recv(a.fd(), 100);
            writer.join();
        }());
        CHECK(got == "late");
    }

    TEST_CASE("a refused connection: ConnectionRefusedError 'Connect call failed (host, port)'") {
        const std::uint16_t port = net_test::closed_port();
        const int before = open_fd_count();
        aio::run([&]() -> aio::Coro<void> {
            aio::Socket c = aio::Socket::open(AF_INET);
            try {
                co_await aio::get_running_loop().sock_connect(c.fd(), aio::SocketAddress::ip("127.0.0.1", port));
                FAIL("connected");
            } catch (const aio::ConnectionRefusedError& e) {
                CHECK(e.errno_value() == ECONNREFUSED);
                CHECK(std::string(e.what()) == fmt::format("[Errno 111] Connect call failed ('127.0.0.1', {})", port));
                CHECK(aio::describe(std::current_exception()).find("Connect call failed") != std::string::npos);
            }
            CHECK(aio::get_running_loop().fd_driver("test").watch_count() == 0);
        }());
        CHECK(open_fd_count() == before);
    }

    TEST_CASE("a Unix connect that fails at once says strerror, as Python's connect()") {
        net_test::TempDir dir;
        aio::run([&]() -> aio::Coro<void> {
            aio::Socket c = aio::Socket::open(AF_UNIX);
            try {
                co_await aio::get_running_loop().sock_connect(c.fd(), aio::SocketAddress::unix_path(dir.file("none")));
                FAIL("connected");
            } catch (const aio::OSError& e) {
                CHECK(e.errno_value() == ENOENT);
                CHECK(std::string(e.what()) == "[Errno 2] No such file or directory");
            }
        }());
    }

    TEST_CASE("sock_sendall of 8 MiB into a small send buffer: partial sends, all bytes arrive in order") {
        int sv[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
        aio::Socket a(sv[0]), b(sv[1]);
        const int small = 4096;
        REQUIRE(::setsockopt(a.fd(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);
        std::string data(8 << 20, '\0');
        for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 7919) >> 8);
        std::string got;
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            auto reader = aio::create_task(recv_all(b.fd()));
            co_await loop.sock_sendall(a.fd(), data);
            ::shutdown(a.fd(), SHUT_WR);
            got = co_await reader;
        }());
        CHECK(got.size() == data.size());
        CHECK(net_test::checksum(got) == net_test::checksum(data));
    }

    TEST_CASE("a peer's reset: sock_recv raises ConnectionResetError") {
        aio::Socket l = net_test::listener();
        const auto addr = aio::SocketAddress::local_of(l.fd());
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            aio::Socket c = aio::Socket::open(AF_INET);
            co_await loop.sock_connect(c.fd(), addr);
            auto [conn, peer] = co_await loop.sock_accept(l.fd());
            net_test::linger_zero(conn.fd());
            conn.close();  // RST
            try {
                (void)co_await loop.sock_recv(c.fd(), 10);
                FAIL("no error");
            } catch (const aio::ConnectionResetError& e) {
                CHECK(std::string(e.what()) == "[Errno 104] Connection reset by peer");
                CHECK(e.operation() == "recv");
            }
        }());
    }

    TEST_CASE("sending to a closed peer is an error, never SIGPIPE (the default disposition kills)") {
        struct sigaction old {};
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        ::sigaction(SIGPIPE, &dfl, &old);
        int sv[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
        aio::Socket a(sv[0]), b(sv[1]);
        b.close();
        bool raised = false;
        aio::run([&]() -> aio::Coro<void> {
            try {
                co_await aio::get_running_loop().sock_sendall(a.fd(), "into the void");
            } catch (const aio::BrokenPipeError& e) {
                raised = e.errno_value() == EPIPE;
            }
        }());
        ::sigaction(SIGPIPE, &old, nullptr);
        CHECK(raised);
    }

    TEST_CASE("cancelled sock_accept and sock_recv leave no watch and no descriptor") {
        aio::Socket l = net_test::listener();
        int sv[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
        aio::Socket a(sv[0]), b(sv[1]);
        const int before = open_fd_count();
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            auto& d = loop.fd_driver("test");
            const std::size_t base = d.watch_count();
            auto t1 = aio::create_task(accept_one(l.fd()));
            auto t2 = aio::create_task(recv_some(a.fd()));
            co_await aio::sleep(10ms);
            CHECK(d.watch_count() == base + 2);
            CHECK(co_await cancelled_after(t1));
            CHECK(co_await cancelled_after(t2));
            CHECK(d.watch_count() == base);
        }());
        CHECK(open_fd_count() == before);
    }

    TEST_CASE("a connection arriving together with the cancellation is not leaked") {
        // The listener is readable when the cancel comes: the accept's wake-up is queued, the
        // cancellation wins, and the pending connection stays in the backlog (not accepted).
        aio::Socket l = net_test::listener();
        const auto addr = aio::SocketAddress::local_of(l.fd());
        const int before = open_fd_count();
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            auto t = aio::create_task(accept_one(l.fd()));
            co_await aio::sleep(0s);  // t waits in epoll
            aio::Socket c = aio::Socket::open(AF_INET);
            (void)::connect(c.fd(), addr.data(), addr.size());
            pollfd p{l.fd(), POLLIN, 0};
            REQUIRE(::poll(&p, 1, 1000) == 1);  // the listener is readable now
            // The next pass polls epoll and queues t's wake-up after our step, which cancels.
            co_await aio::sleep(0s);
            CHECK_FALSE(t.done());
            CHECK(co_await cancelled_after(t));
            CHECK(loop.fd_driver("test").watch_count() == 0);
            // The connection is still there to accept.
            auto [conn, peer] = co_await loop.sock_accept(l.fd());
            CHECK(peer == aio::SocketAddress::local_of(c.fd()));
        }());
        CHECK(open_fd_count() == before);
    }

    TEST_CASE("a connect that cannot complete (backlog full) can be cancelled: no watch, no descriptor") {
        const net_test::FullBacklog full;  // a connect to it stays in progress
        const aio::SocketAddress& addr = full.address;
        const int before = open_fd_count();
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            aio::Socket c = aio::Socket::open(AF_INET);
            auto t = aio::create_task(connect_to(c.fd(), addr));
            co_await aio::sleep(50ms);
            CHECK_FALSE(t.done());
            CHECK(loop.fd_driver("test").watch_count() == 1);
            CHECK(co_await cancelled_after(t));
            CHECK(loop.fd_driver("test").watch_count() == 0);
        }());
        CHECK(open_fd_count() == before);
    }

    TEST_CASE("a descriptor closed while a sock_recv waits on it: cancelling still removes the watch") {
        int sv[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
        aio::Socket b(sv[1]);
        aio::run([&]() -> aio::Coro<void> {
            auto& d = aio::get_running_loop().fd_driver("test");
            auto t = aio::create_task(recv_some(sv[0]));
            co_await aio::sleep(0s);
            CHECK(d.watch_count() == 1);
            ::close(sv[0]);  // the kernel drops it from epoll; the task would wait forever
            co_await aio::sleep(5ms);
            CHECK_FALSE(t.done());
            CHECK(co_await cancelled_after(t));
            CHECK(d.watch_count() == 0);
        }());
    }

    TEST_CASE("sock_* on a bad descriptor: OSError EBADF at once") {
        aio::run([&]() -> aio::Coro<void> {
            try {
                (void)co_await aio::get_running_loop().sock_recv(-1, 10);
                FAIL("no error");
            } catch (const aio::OSError& e) {
                CHECK(e.errno_value() == EBADF);
            }
        }());
    }
}
