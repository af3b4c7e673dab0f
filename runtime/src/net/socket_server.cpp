// The real loop's listening side (selector_events.py's _start_serving, _accept_connection,
// _accept_connection2; base_events.py's Server._start_serving).
#include "socket_server.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <chrono>

#include <fmt/format.h>

#include "aio/net/errors.hpp"
#include "socket_transport.hpp"

namespace aio::detail {

namespace {
constexpr auto accept_retry_delay = std::chrono::seconds(1);  // asyncio's ACCEPT_RETRY_DELAY
}  // namespace

std::vector<SocketAddress> SocketServer::addresses() const {
    std::vector<SocketAddress> out;
    if (is_closed()) return out;
    for (const Socket& s : sockets_) {
        try {
            out.push_back(SocketAddress::local_of(s.fd()));
        } catch (const OSError&) {}
    }
    return out;
}

void SocketServer::start_listening() {
    for (Socket& s : sockets_) {
        if (::listen(s.fd(), backlog_) < 0) throw_os_error(errno, "listen");
        watch(s.fd());
    }
}

void SocketServer::watch(int fd) {
    // The loop's callback holds the server: a server nobody holds a handle to keeps serving.
    auto self = std::static_pointer_cast<SocketServer>(shared_from_this());
    loop().add_reader(fd, [self, fd] { self->accept_ready(fd); });
}

void SocketServer::stop_listening() noexcept {
    for (Socket& s : sockets_) {
        try {
            loop().remove_reader(s.fd());
        } catch (...) {  // off the loop's thread: nothing else to stop, the socket still closes
        }
        s.close();
    }
    sockets_.clear();
}

void SocketServer::accept_ready(int fd) {
    // Called once per pass while the listener is readable: accept what is waiting, up to the
    // backlog, so a storm of connections does not cost a pass each (bpo-27906).
    for (int i = 0; i < backlog_; ++i) {
        SocketAddress peer;
        socklen_t len = SocketAddress::capacity();
        const int conn = ::accept4(fd, peer.storage(), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (conn < 0) {
            const int err = errno;
            if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == ECONNABORTED) return;
            if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
                // Linux keeps reporting the listener readable: stop watching it for a while
                // instead of spinning, and say why (there is nobody else to tell).
                ExceptionContext ctx;
                ctx.message = "socket.accept() out of system resource";
                try {
                    throw_os_error(err, "accept");
                } catch (...) {
                    ctx.exception = std::current_exception();
                }
                loop().call_exception_handler(ctx);
                loop().remove_reader(fd);
                // Held by the timer only (no handle kept: a server holding its own retry
                // would be a cycle when the loop closes first); a closed server ignores it.
                auto self = std::static_pointer_cast<SocketServer>(shared_from_this());
                loop().call_later(accept_retry_delay, [self, fd] {
                    if (self->is_serving() && !self->is_closed()) self->watch(fd);
                });
                return;
            }
            throw_os_error(err, "accept");  // the loop reports it ("Exception in callback")
        }
        peer.set_size(len);
        Socket s(conn);
        // asyncio sets up each connection in a task of its own (_accept_connection2): the
        // protocol and transport are made one pass later. A callback takes that pass here.
        auto self = std::static_pointer_cast<SocketServer>(shared_from_this());
        auto held = std::make_shared<Socket>(std::move(s));
        loop().call_soon([self, held, peer] { self->connection_accepted(std::move(*held), peer); });
    }
}

void SocketServer::connection_accepted(Socket conn, SocketAddress peer) {
    // Closed meanwhile: asyncio's transport would fail its Server._attach() assertion and the
    // connection be dropped; here it is dropped plainly.
    if (is_closed()) return;
    std::unique_ptr<Protocol> protocol;
    try {
        protocol = factory_();
        if (!protocol) throw RuntimeError("the protocol factory returned no protocol");
        SocketTransport::start(loop(), std::move(conn), std::move(protocol), shared_from_this(), peer, {});
    } catch (...) {
        // asyncio reports this only in debug mode; the connection closes (conn's destructor).
        if (loop().get_debug()) {
            ExceptionContext ctx;
            ctx.message = "Error on transport creation for incoming connection";
            ctx.exception = std::current_exception();
            loop().call_exception_handler(ctx);
        }
    }
}

}  // namespace aio::detail
