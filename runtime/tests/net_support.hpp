#pragma once
// Helpers of the network tests: counting open descriptors, a listening socket on loopback with
// a port the OS chose, blocking peers driven from the test (outside the loop).
#include <doctest/doctest.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <aio/aio.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace net_test {

/// Descriptors open in this process (the directory's own descriptor and . and .. included:
/// compare two counts, never a count with a number).
inline int open_fd_count() {
    int n = 0;
    DIR* d = ::opendir("/proc/self/fd");
    REQUIRE(d != nullptr);
    while (::readdir(d)) ++n;
    ::closedir(d);
    return n;
}

/// Cancels `t` and awaits it: true when it ended with CancelledError.
template <class T>
aio::Coro<bool> cancelled_after(aio::Task<T> t) {
    t.cancel();
    try {
        co_await t;
    } catch (const aio::CancelledError&) {
        co_return true;
    }
    co_return false;
}

/// A TCP socket listening on 127.0.0.1 (port chosen by the OS), non-blocking.
inline aio::Socket listener(int backlog = 16, const char* host = "127.0.0.1") {
    const auto addr = aio::SocketAddress::ip(host, 0);
    aio::Socket s = aio::Socket::open(addr.family());
    const int one = 1;
    REQUIRE(::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
    REQUIRE(::bind(s.fd(), addr.data(), addr.size()) == 0);
    REQUIRE(::listen(s.fd(), backlog) == 0);
    return s;
}

/// A listener whose accept queue is full (listen(0) and four connects): Linux then drops
/// further SYNs, so a new connect to `address` stays in progress until cancelled.
struct FullBacklog {
    aio::Socket listening = listener(0);
    aio::SocketAddress address = aio::SocketAddress::local_of(listening.fd());
    std::vector<aio::Socket> fill;
    FullBacklog() {
        for (int i = 0; i < 4; ++i) {
            fill.push_back(aio::Socket::open(AF_INET));
            (void)::connect(fill.back().fd(), address.data(), address.size());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
};

/// A loopback port nobody listens on: bound, read, closed.
inline std::uint16_t closed_port() {
    aio::Socket s = aio::Socket::open(AF_INET);
    const auto addr = aio::SocketAddress::ip("127.0.0.1", 0);
    REQUIRE(::bind(s.fd(), addr.data(), addr.size()) == 0);
    return aio::SocketAddress::local_of(s.fd()).port();
}

/// Makes the next close() of fd send a RST (SO_LINGER with a zero timeout).
inline void linger_zero(int fd) {
    linger l{1, 0};
    REQUIRE(::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) == 0);
}

inline void set_blocking(int fd) {
    const int fl = ::fcntl(fd, F_GETFL);
    REQUIRE(::fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0);
}

/// A temporary directory for Unix-domain socket paths, removed with what is in it.
struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/aiosim-net-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        if (DIR* d = ::opendir(path.c_str())) {
            while (dirent* e = ::readdir(d)) {
                const std::string name = e->d_name;
                if (name != "." && name != "..") ::unlink((path + "/" + name).c_str());
            }
            ::closedir(d);
        }
        ::rmdir(path.c_str());
    }
    std::string file(const char* name) const { return path + "/" + name; }
};

/// A simple checksum of a byte string (FNV-1a): equal sums mean equal bytes, for the tests.
inline std::uint64_t checksum(std::string_view s, std::uint64_t h = 1469598103934665603ull) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
}

}  // namespace net_test
