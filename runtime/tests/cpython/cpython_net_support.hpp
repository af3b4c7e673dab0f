#pragma once
// The network helpers of CPython's test_utils for the ported network files (test_streams.cpp,
// test_sock_lowlevel.cpp): run_test_server() / run_test_unix_server(), an HTTP/1.0 server in a
// thread of its own (blocking sockets, outside any event loop), and unix_socket_path().
//
// The server answers as test_utils' WSGI app does: "GET <anything>" gets "HTTP/1.0 200 OK",
// a few headers and the body "Test message"; "POST /loop" with a Content-Length streams the
// request's body back as the response's (in chunks of at most 64 KiB, as the app reads them).
// Then it shuts its sending side down and closes the connection. One connection at a time, as
// wsgiref's server; a connection idle for 10 s is dropped (SilentWSGIServer.request_timeout).
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include <aio/aio.hpp>

namespace cpy {

/// test_utils.unix_socket_path(): a fresh path for a Unix-domain socket, unlinked when the
/// object goes.
class UnixSocketPath {
public:
    UnixSocketPath() {
        static std::atomic<int> counter{0};
        path_ = "/tmp/aiosim-cpy-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".sock";
        ::unlink(path_.c_str());
    }
    ~UnixSocketPath() { ::unlink(path_.c_str()); }
    UnixSocketPath(const UnixSocketPath&) = delete;
    UnixSocketPath& operator=(const UnixSocketPath&) = delete;
    const std::string& str() const noexcept { return path_; }

private:
    std::string path_;
};

/// test_utils.run_test_server() (TCP on 127.0.0.1, a port the OS picks) or
/// run_test_unix_server() (a Unix socket at a fresh path): serving from construction to
/// destruction. `address` is the listening address (httpd.address).
class TestHttpServer {
public:
    enum class Kind { tcp, unix_socket };
    explicit TestHttpServer(Kind kind = Kind::tcp) {
        if (kind == Kind::tcp) {
            address = aio::SocketAddress::ip("127.0.0.1", 0);
        } else {
            path_.emplace();
            address = aio::SocketAddress::unix_path(path_->str());
        }
        listen_fd_ = ::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (listen_fd_ < 0) throw std::runtime_error("TestHttpServer: socket");
        const int one = 1;
        if (kind == Kind::tcp) ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(listen_fd_, address.data(), address.size()) != 0 || ::listen(listen_fd_, 16) != 0)
            throw std::runtime_error("TestHttpServer: bind/listen");
        address = aio::SocketAddress::local_of(listen_fd_);
        if (::pipe2(stop_, O_CLOEXEC) != 0) throw std::runtime_error("TestHttpServer: pipe");
        thread_ = std::thread([this] { serve(); });
    }
    ~TestHttpServer() {
        (void)!::write(stop_[1], "x", 1);  // httpd.shutdown()
        thread_.join();
        ::close(listen_fd_);  // httpd.server_close()
        ::close(stop_[0]);
        ::close(stop_[1]);
    }
    TestHttpServer(const TestHttpServer&) = delete;
    TestHttpServer& operator=(const TestHttpServer&) = delete;

    aio::SocketAddress address;
    /// The Unix socket's path (Kind::unix_socket).
    std::string path() const { return path_ ? path_->str() : std::string(); }
    /// The TCP address's host and port (Kind::tcp).
    std::string host() const { return address.host(); }
    std::uint16_t port() const { return address.port(); }

private:
    void serve() {
        for (;;) {
            pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR) continue;
                return;
            }
            if (fds[1].revents) return;
            if (!(fds[0].revents & POLLIN)) continue;
            const int conn = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (conn < 0) continue;
            timeval timeout{10, 0};
            ::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
            ::setsockopt(conn, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
            handle(conn);
            ::shutdown(conn, SHUT_WR);  // socketserver's shutdown_request()
            ::close(conn);
        }
    }

    static bool send_all(int fd, std::string_view data) {
        while (!data.empty()) {
            const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR) continue;
                return false;
            }
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    static void handle(int fd) {
        std::string request;
        std::size_t end = std::string::npos;
        char buf[65536];
        while ((end = request.find("\r\n\r\n")) == std::string::npos) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;  // EOF or error before a whole request: nothing to answer
            request.append(buf, static_cast<std::size_t>(n));
        }
        std::string body = request.substr(end + 4);
        const std::string head = request.substr(0, end);
        const std::string_view line = std::string_view(head).substr(0, head.find("\r\n"));
        const bool loop = line.starts_with("POST /loop ");
        const std::string common =
            "HTTP/1.0 200 OK\r\nServer: WSGIServer/0.2 CPython/3.12.1\r\nContent-type: text/plain\r\n";
        if (!loop) {
            (void)send_all(fd, common + "Content-Length: 12\r\n\r\nTest message");
            return;
        }
        std::size_t size = 0;
        if (const std::size_t at = head.find("Content-Length: "); at != std::string::npos)
            size = std::strtoull(head.c_str() + at + 16, nullptr, 10);
        if (!send_all(fd, common + "\r\n")) return;
        // The app's loop(environ): read min(size, 0x10000) at a time, yield it.
        while (size > 0) {
            if (body.empty()) {
                const ssize_t n = ::recv(fd, buf, std::min<std::size_t>(size, sizeof buf), 0);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) return;
                body.assign(buf, static_cast<std::size_t>(n));
            }
            const std::size_t take = std::min(size, body.size());
            if (!send_all(fd, std::string_view(body).substr(0, take))) return;
            size -= take;
            body.clear();
        }
    }

    std::optional<UnixSocketPath> path_;
    int listen_fd_ = -1;
    int stop_[2] = {-1, -1};
    std::thread thread_;
};

/// test_utils.run_udp_echo_server(): a UDP socket on 127.0.0.1 (a port the OS picks) whose
/// thread sends each datagram (of at most 4096 bytes) back to its sender, until it gets "STOP"
/// (which the destructor sends it from its own socket). `address`: the server's address.
class UdpEchoServer {
public:
    UdpEchoServer() {
        fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) throw std::runtime_error("UdpEchoServer: socket");
        const aio::SocketAddress any = aio::SocketAddress::ip("127.0.0.1", 0);
        if (::bind(fd_, any.data(), any.size()) != 0) throw std::runtime_error("UdpEchoServer: bind");
        address = aio::SocketAddress::local_of(fd_);
        thread_ = std::thread([this] { echo_datagrams(); });
    }
    ~UdpEchoServer() {
        (void)::sendto(fd_, "STOP", 4, 0, address.data(), address.size());
        thread_.join();
        ::close(fd_);
    }
    UdpEchoServer(const UdpEchoServer&) = delete;
    UdpEchoServer& operator=(const UdpEchoServer&) = delete;

    aio::SocketAddress address;

private:
    void echo_datagrams() const {
        char buf[4096];
        for (;;) {
            aio::SocketAddress from;
            socklen_t len = aio::SocketAddress::capacity();
            const ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, from.storage(), &len);
            if (n < 0) {
                if (errno == EINTR) continue;
                return;
            }
            from.set_size(len);
            if (std::string_view(buf, static_cast<std::size_t>(n)) == "STOP") return;
            (void)::sendto(fd_, buf, static_cast<std::size_t>(n), 0, from.data(), from.size());
        }
    }

    int fd_ = -1;
    std::thread thread_;
};

}  // namespace cpy
