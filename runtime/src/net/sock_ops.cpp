// The loop's low-level socket calls (asyncio's sock_connect, sock_accept, sock_recv,
// sock_recv_into, sock_sendall, sock_recvfrom, sock_recvfrom_into, sock_sendto). Each tries the
// system call at once and waits for readiness only when it would block, as asyncio does. The
// wait is detail::wait_readable/wait_writable: cancelling the awaiting task removes the watch,
// and nothing else is registered, so a cancelled call leaves neither a watch nor (accept: the
// new descriptor is an aio::Socket from the moment it exists) a descriptor behind.
//
// EINTR: a call interrupted by a signal is retried at once, except connect(2), whose
// connection then goes on in the background (retrying would say EALREADY): it waits for
// writability like EINPROGRESS, as asyncio does (bpo-23618).
#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>

#include <fmt/format.h>

#include "aio/event_loop.hpp"
#include "aio/net/address.hpp"
#include "aio/net/errors.hpp"
#include "aio/net/socket.hpp"
#include "aio/detail/fd_wait.hpp"

namespace aio {

namespace {
bool would_block(int err) noexcept { return err == EAGAIN || err == EWOULDBLOCK; }

// asyncio's debug-mode check (selector_events.py): a blocking socket would block the loop.
void check_nonblocking(const EventLoop& loop, int fd) {
    if (!loop.get_debug()) return;
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0 && (flags & O_NONBLOCK) == 0) throw ValueError("the socket must be non-blocking");
}
}  // namespace

Coro<void> EventLoop::sock_connect(int fd, SocketAddress address) {
    check_thread("loop.sock_connect()");
    ensure_fd_no_transport(fd);
    check_nonblocking(*this, fd);
    if (::connect(fd, address.data(), address.size()) == 0) co_return;
    const int err = errno;
    // A Unix-domain connect says EAGAIN when the listener's backlog is full; asyncio then
    // waits for writability too (BlockingIOError).
    if (err != EINPROGRESS && err != EINTR && !would_block(err)) throw_os_error(err, "connect");
    for (;;) {
        co_await detail::wait_writable(fd, "loop.sock_connect()");
        int so_error = 0;
        socklen_t len = sizeof so_error;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) < 0) throw_os_error(errno, "getsockopt");
        if (so_error == 0) co_return;
        // Still in progress (a spurious wake-up): wait again, as asyncio's BlockingIOError.
        if (so_error == EINPROGRESS || so_error == EALREADY || so_error == EINTR || would_block(so_error)) continue;
        throw_os_error(so_error, "connect", fmt::format("Connect call failed {}", address.str()));
    }
}

Coro<std::pair<Socket, SocketAddress>> EventLoop::sock_accept(int fd) {
    check_thread("loop.sock_accept()");
    ensure_fd_no_transport(fd);
    check_nonblocking(*this, fd);
    for (;;) {
        SocketAddress peer;
        socklen_t len = SocketAddress::capacity();
        const int conn = ::accept4(fd, peer.storage(), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (conn >= 0) {
            peer.set_size(len);
            co_return std::pair<Socket, SocketAddress>(Socket(conn), peer);
        }
        const int err = errno;
        if (err == EINTR) continue;
        if (!would_block(err)) throw_os_error(err, "accept");
        co_await detail::wait_readable(fd, "loop.sock_accept()");
    }
}

Coro<std::string> EventLoop::sock_recv(int fd, std::size_t n) {
    check_thread("loop.sock_recv()");
    ensure_fd_no_transport(fd);
    check_nonblocking(*this, fd);
    std::string out(n, '\0');
    for (;;) {
        const ssize_t got = ::recv(fd, out.data(), n, 0);
        if (got >= 0) {
            out.resize(static_cast<std::size_t>(got));
            co_return out;
        }
        const int err = errno;
        if (err == EINTR) continue;
        if (!would_block(err)) throw_os_error(err, "recv");
        co_await detail::wait_readable(fd, "loop.sock_recv()");
    }
}

Coro<std::size_t> EventLoop::sock_recv_into(int fd, std::span<char> buf) {
    check_thread("loop.sock_recv_into()");
    ensure_fd_no_transport(fd);
    check_nonblocking(*this, fd);
    for (;;) {
        const ssize_t got = ::recv(fd, buf.data(), buf.size(), 0);
        if (got >= 0) co_return static_cast<std::size_t>(got);
        const int err = errno;
        if (err == EINTR) continue;
        if (!would_block(err)) throw_os_error(err, "recv");
        co_await detail::wait_readable(fd, "loop.sock_recv_into()");
    }
}

Coro<void> EventLoop::sock_sendall(int fd, std::string_view data) {
    check_thread("loop.sock_sendall()");
    ensure_fd_no_transport(fd);
    check_nonblocking(*this, fd);
    std::size_t pos = 0;
    // One send even for empty data, as asyncio: an error on the socket is still reported.
    // MSG_NOSIGNAL: a peer that went away is EPIPE (BrokenPipeError), never SIGPIPE.
    for (;;) {
        const ssize_t sent = ::send(fd, data.data() + pos, data.size() - pos, MSG_NOSIGNAL);
        if (sent >= 0) {
            pos += static_cast<std::size_t>(sent);
            if (pos == data.size()) co_return;
            continue;  // a partial send: the rest may fit at once
        }
        const int err = errno;
        if (err == EINTR) continue;
        if (!would_block(err)) throw_os_error(err, "send");
        co_await detail::wait_writable(fd, "loop.sock_sendall()");
    }
}

Coro<std::pair<std::string, SocketAddress>> EventLoop::sock_recvfrom(int fd, std::size_t bufsize) {
    check_thread("loop.sock_recvfrom()");
    ensure_fd_no_transport(fd);
    check_nonblocking(*this, fd);
    std::string out(bufsize, '\0');
    for (;;) {
        SocketAddress from;
        socklen_t len = SocketAddress::capacity();
        const ssize_t got = ::recvfrom(fd, out.data(), bufsize, 0, from.storage(), &len);
        if (got >= 0) {
            from.set_size(len);
            out.resize(static_cast<std::size_t>(got));
            co_return std::pair<std::string, SocketAddress>(std::move(out), from);
        }
        const int err = errno;
        if (err == EINTR) continue;
        if (!would_block(err)) throw_os_error(err, "recvfrom");
        co_await detail::wait_readable(fd, "loop.sock_recvfrom()");
    }
}

Coro<std::pair<std::size_t, SocketAddress>> EventLoop::sock_recvfrom_into(int fd, std::span<char> buf,
                                                                          std::size_t nbytes) {
    check_thread("loop.sock_recvfrom_into()");
    ensure_fd_no_transport(fd);
    check_nonblocking(*this, fd);
    if (nbytes == 0) nbytes = buf.size();
    if (nbytes > buf.size()) throw ValueError("nbytes is greater than the length of the buffer");
    for (;;) {
        SocketAddress from;
        socklen_t len = SocketAddress::capacity();
        const ssize_t got = ::recvfrom(fd, buf.data(), nbytes, 0, from.storage(), &len);
        if (got >= 0) {
            from.set_size(len);
            co_return std::pair<std::size_t, SocketAddress>(static_cast<std::size_t>(got), from);
        }
        const int err = errno;
        if (err == EINTR) continue;
        if (!would_block(err)) throw_os_error(err, "recvfrom");
        co_await detail::wait_readable(fd, "loop.sock_recvfrom_into()");
    }
}

Coro<std::size_t> EventLoop::sock_sendto(int fd, std::string_view data, SocketAddress address) {
    check_thread("loop.sock_sendto()");
    ensure_fd_no_transport(fd);
    check_nonblocking(*this, fd);
    for (;;) {
        const ssize_t sent = ::sendto(fd, data.data(), data.size(), MSG_NOSIGNAL, address.data(), address.size());
        if (sent >= 0) co_return static_cast<std::size_t>(sent);
        const int err = errno;
        if (err == EINTR) continue;
        if (!would_block(err)) throw_os_error(err, "sendto");
        co_await detail::wait_writable(fd, "loop.sock_sendto()");
    }
}

}  // namespace aio
