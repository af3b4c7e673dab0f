// asyncio's _SelectorSocketTransport (selector_events.py) on the loop's fd driver; see
// socket_transport.hpp for the shape, the comments here say where and why it differs.
#include "socket_transport.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include <fmt/format.h>

#include "aio/net/errors.hpp"
#include "aio/net/server.hpp"

namespace aio::detail {

namespace {

// Bytes per recv(). asyncio's _SelectorTransport.max_size is 256 KiB; we read 64 KiB: the
// receive buffer, the kernel's copy out of the socket and the StreamReader's copy then stay in
// the L2 cache, which made a 1 GiB loopback transfer 1.24x faster (median of 5 rounds of
// tools/bench/net_compare.py, side by side) for 4x the recv() calls; 32 and 128 KiB were slower. What data_received() gets per call was never fixed (the OS decides) and a
// busy socket is read once per loop pass either way.
constexpr std::size_t max_read = std::size_t{64} * 1024;
constexpr unsigned log_threshold_for_connlost_writes = 5;
constexpr std::size_t max_iov = 64;  // pieces per sendmsg; IOV_MAX is 1024, 64 covers any burst

bool would_block(int err) noexcept { return err == EAGAIN || err == EWOULDBLOCK; }

std::exception_ptr os_error(int err, const char* op) {
    try {
        throw_os_error(err, op);
    } catch (...) {
        return std::current_exception();
    }
}

bool is_os_error(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const OSError&) {
        return true;
    } catch (...) {
        return false;
    }
}

// One buffer per thread for recv(): data_received() sees the bytes only during the call, and
// a loop runs its callbacks one at a time, so 1,000 connections need 64 KiB, not 64 MiB.
char* read_buffer() {
    thread_local std::unique_ptr<char[]> buf(new char[max_read]);
    return buf.get();
}

void set_nodelay(int fd) noexcept {
    // asyncio's _set_nodelay: TCP only (a Unix socket refuses the option).
    const SocketAddress local = [&] {
        try {
            return SocketAddress::local_of(fd);
        } catch (...) {
            return SocketAddress();
        }
    }();
    if (local.family() != AF_INET && local.family() != AF_INET6) return;
    const int one = 1;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

std::shared_ptr<SocketTransport> SocketTransport::start(EventLoop& loop, Socket sock,
                                                        std::unique_ptr<Protocol> protocol,
                                                        std::shared_ptr<ServerCore> server,
                                                        std::optional<SocketAddress> peer,
                                                        std::function<void()> on_made) {
    auto t = std::make_shared<SocketTransport>(loop, std::move(sock), std::move(protocol), std::move(server),
                                               std::move(peer));
    loop.attach_transport(t->fd_, t);
    // The three hops of asyncio's __init__: connection_made, then reading (only once the
    // protocol knows its transport), then the waiter.
    loop.call_soon([t] { t->protocol_->connection_made(*t); });
    loop.call_soon([t] {
        if (t->is_reading() && !t->eof_received_) t->watch_read();
    });
    if (on_made) loop.call_soon(std::move(on_made));
    return t;
}

SocketTransport::SocketTransport(EventLoop& loop, Socket sock, std::unique_ptr<Protocol> protocol,
                                 std::shared_ptr<ServerCore> server, std::optional<SocketAddress> peer)
    : loop_(&loop),
      driver_(&loop.fd_driver("socket transport")),
      sock_(std::move(sock)),
      fd_(sock_.fd()),
      protocol_(std::move(protocol)),
      server_(std::move(server)),
      peer_(std::move(peer)) {
    try {
        local_ = SocketAddress::local_of(fd_);
    } catch (const OSError&) {}
    if (!peer_) {
        try {
            peer_ = SocketAddress::peer_of(fd_);
        } catch (const OSError&) {}
    }
    set_nodelay(fd_);
    if (server_) server_->attach();
}

SocketTransport::~SocketTransport() {
    // Normally gone already (connection_lost unwatched); here when the loop closed first or
    // the transport was never started.
    if (reading_) driver_->unwatch(fd_, seam::FdDriver::Interest::read);
    if (writing_) driver_->unwatch(fd_, seam::FdDriver::Interest::write);
}

void SocketTransport::loop_closed() noexcept {
    unwatch_read();
    unwatch_write();
    buffer_.clear();
    head_ = buffered_ = 0;
    closing_ = true;
    ++conn_lost_;
    sock_.close();
    server_.reset();  // the server's count no longer matters: nothing awaits on a closed loop
    loop_ = nullptr;  // the transport may outlive the loop (a StreamWriter kept)
}

// ---- watches ------------------------------------------------------------------------------

void SocketTransport::watch_read() {
    if (reading_) return;
    driver_->watch(fd_, seam::FdDriver::Interest::read, {&SocketTransport::on_readable, this, nullptr});
    reading_ = true;
}
void SocketTransport::unwatch_read() noexcept {
    if (!reading_) return;
    driver_->unwatch(fd_, seam::FdDriver::Interest::read);
    loop_->remove_ready(this);  // a readiness queued on this pass
    reading_ = false;
}
void SocketTransport::watch_write() {
    if (writing_) return;
    driver_->watch(fd_, seam::FdDriver::Interest::write, {&SocketTransport::on_writable, &write_tag_, nullptr});
    writing_ = true;
}
void SocketTransport::unwatch_write() noexcept {
    if (!writing_) return;
    driver_->unwatch(fd_, seam::FdDriver::Interest::write);
    loop_->remove_ready(&write_tag_);
    writing_ = false;
}

// Each holds a reference while it runs: flush_some() may end in call_connection_lost(), which
// drops the loop's reference, possibly the last.
void SocketTransport::on_readable(void* self) {
    auto keep = static_cast<SocketTransport*>(self)->shared_from_this();
    keep->read_ready();
}
void SocketTransport::on_writable(void* tag) {
    auto keep = static_cast<WriteTag*>(tag)->self->shared_from_this();
    keep->write_ready();
}

// ---- reading ------------------------------------------------------------------------------

void SocketTransport::read_ready() {
    if (conn_lost_) return;
    char* buf = read_buffer();
    ssize_t n;
    do n = ::recv(fd_, buf, max_read, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (would_block(errno)) return;
        fatal_error(os_error(errno, "recv"), "Fatal read error on socket transport");
        return;
    }
    if (n == 0) {
        on_eof();
        return;
    }
    try {
        protocol_->data_received(std::string_view(buf, static_cast<std::size_t>(n)));
    } catch (...) {
        fatal_error(std::current_exception(), "Fatal error: protocol.data_received() call failed.");
    }
}

void SocketTransport::on_eof() {
    eof_received_ = true;
    if (loop_->get_debug()) loop_->log(fmt::format("<SocketTransport fd={}> received EOF", fd_));
    bool keep_open;
    try {
        keep_open = protocol_->eof_received();
    } catch (...) {
        fatal_error(std::current_exception(), "Fatal error: protocol.eof_received() call failed.");
        return;
    }
    // Kept open: the protocol may still write, but nothing more can be read.
    if (keep_open)
        unwatch_read();
    else
        close_internal();
}

void SocketTransport::pause_reading() {
    if (!is_reading()) return;
    paused_ = true;
    unwatch_read();
}

void SocketTransport::resume_reading() {
    if (closing_ || !paused_) return;
    paused_ = false;
    // Unlike asyncio, not after EOF: a second recv() of 0 would call eof_received() twice.
    if (!eof_received_) watch_read();
}

// ---- writing ------------------------------------------------------------------------------

void SocketTransport::check_writable(const char* what) const {
    if (eof_) throw RuntimeError(fmt::format("Cannot call {}() after write_eof()", what));
    if (user_closed_ && !conn_lost_) throw RuntimeError(fmt::format("Cannot call {}() after close()", what));
}

void SocketTransport::write(std::string_view data) {
    check_writable("write");
    if (data.empty()) return;
    if (conn_lost_) {
        if (conn_lost_ >= log_threshold_for_connlost_writes && loop_) loop_->log("socket.send() raised exception.");
        ++conn_lost_;
        return;
    }
    if (buffered_ == 0) {
        // Try at once: most writes fit in the kernel's buffer and never touch ours.
        ssize_t n;
        do n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            if (!would_block(errno)) {
                fatal_error(os_error(errno, "send"), "Fatal write error on socket transport");
                return;
            }
            n = 0;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
        if (data.empty()) return;
        watch_write();
    }
    append(data);
    maybe_pause_protocol();
}

void SocketTransport::writelines(std::span<const std::string_view> parts) {
    check_writable("writelines");
    if (conn_lost_) {
        for (std::string_view p : parts)
            if (!p.empty()) ++conn_lost_;
        return;
    }
    const std::size_t before = buffered_;
    for (std::string_view p : parts) append(p);
    if (buffered_ == before) return;
    if (!flush_some()) return;
    if (buffered_) {
        watch_write();
        // asyncio 3.12.1's writelines does not check the high-water mark (a later write does);
        // we do here, so a single big writelines() pauses the protocol too.
        maybe_pause_protocol();
    }
}

void SocketTransport::append(std::string_view data) {
    if (data.empty()) return;
    buffer_.emplace_back(data);
    buffered_ += data.size();
}

void SocketTransport::consume(std::size_t n) noexcept {
    buffered_ -= n;
    while (n) {
        const std::size_t left = buffer_.front().size() - head_;
        if (left <= n) {
            n -= left;
            buffer_.pop_front();
            head_ = 0;
        } else {
            head_ += n;
            n = 0;
        }
    }
}

bool SocketTransport::flush_some() {
    iovec iov[max_iov];
    std::size_t k = 0;
    for (auto it = buffer_.begin(); it != buffer_.end() && k < max_iov; ++it, ++k) {
        const std::size_t off = k == 0 ? head_ : 0;
        iov[k].iov_base = it->data() + off;
        iov[k].iov_len = it->size() - off;
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = k;
    ssize_t n;
    do n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (would_block(errno)) return true;
        const int err = errno;
        unwatch_write();
        buffer_.clear();
        head_ = buffered_ = 0;
        fatal_error(os_error(err, "send"), "Fatal write error on socket transport");
        return false;
    }
    consume(static_cast<std::size_t>(n));
    maybe_resume_protocol();  // may write more
    if (buffered_ == 0) {
        unwatch_write();
        if (closing_) {
            call_connection_lost(nullptr);
            return false;
        }
        if (eof_) ::shutdown(fd_, SHUT_WR);
    }
    return true;
}

void SocketTransport::write_ready() {
    if (conn_lost_ || buffered_ == 0) return;
    (void)flush_some();
}

void SocketTransport::write_eof() {
    if (closing_ || eof_) return;
    eof_ = true;
    if (buffered_ == 0 && ::shutdown(fd_, SHUT_WR) < 0) throw_os_error(errno, "shutdown");
}

void SocketTransport::set_write_buffer_limits(std::optional<std::size_t> high, std::optional<std::size_t> low) {
    std::size_t h, l;
    if (high)
        h = *high;
    else
        h = low ? 4 * *low : std::size_t{64} * 1024;
    l = low ? *low : h / 4;
    if (!(h >= l)) throw ValueError(fmt::format("high ({}) must be >= low ({}) must be >= 0", h, l));
    high_ = h;
    low_ = l;
    maybe_pause_protocol();
}

void SocketTransport::maybe_pause_protocol() {
    if (buffered_ <= high_ || protocol_paused_) return;
    protocol_paused_ = true;
    try {
        protocol_->pause_writing();
    } catch (...) {
        ExceptionContext ctx;
        ctx.message = "protocol.pause_writing() failed";
        ctx.exception = std::current_exception();
        loop_->call_exception_handler(ctx);
    }
}

void SocketTransport::maybe_resume_protocol() {
    if (!protocol_paused_ || buffered_ > low_) return;
    protocol_paused_ = false;
    try {
        protocol_->resume_writing();
    } catch (...) {
        ExceptionContext ctx;
        ctx.message = "protocol.resume_writing() failed";
        ctx.exception = std::current_exception();
        loop_->call_exception_handler(ctx);
    }
}

// ---- closing ------------------------------------------------------------------------------

void SocketTransport::close() {
    if (closing_) return;
    user_closed_ = true;
    close_internal();
}

void SocketTransport::close_internal() {
    if (closing_) return;
    closing_ = true;
    unwatch_read();
    if (buffered_ == 0) {
        ++conn_lost_;
        unwatch_write();
        schedule_connection_lost(nullptr);
    }
}

void SocketTransport::force_close(std::exception_ptr exc) {
    if (conn_lost_) return;
    if (buffered_) {
        buffer_.clear();
        head_ = buffered_ = 0;
        unwatch_write();
    }
    if (!closing_) {
        closing_ = true;
        unwatch_read();
    }
    ++conn_lost_;
    schedule_connection_lost(std::move(exc));
}

void SocketTransport::fatal_error(std::exception_ptr exc, const char* message) {
    if (!is_os_error(exc)) {
        ExceptionContext ctx;
        ctx.message = message;
        ctx.exception = exc;
        loop_->call_exception_handler(ctx);
    } else if (loop_->get_debug()) {
        loop_->log(fmt::format("<SocketTransport fd={}>: {}: {}", fd_, message, describe(exc)));
    }
    force_close(std::move(exc));
}

void SocketTransport::schedule_connection_lost(std::exception_ptr exc) {
    loop_->call_soon([t = shared_from_this(), exc = std::move(exc)] { t->call_connection_lost(exc); });
}

void SocketTransport::call_connection_lost(std::exception_ptr exc) {
    auto keep = shared_from_this();  // the loop's reference goes below
    if (!conn_lost_) ++conn_lost_;   // the direct call of a close() whose buffer just drained
    unwatch_read();
    unwatch_write();
    std::exception_ptr failed;
    try {
        protocol_->connection_lost(std::move(exc));
    } catch (...) {
        failed = std::current_exception();  // to the loop's handler, after the cleanup (asyncio's finally)
    }
    sock_.close();
    if (auto server = std::move(server_)) server->detach();
    loop_->detach_transport(fd_);
    if (failed) std::rethrow_exception(failed);
}

std::any SocketTransport::get_extra_info(std::string_view name, std::any fallback) const {
    if (name == "peername") return peer_ ? std::any(*peer_) : std::any();
    if (name == "sockname") return local_ ? std::any(*local_) : std::any();
    if (name == "socket") return sock_ ? std::any(sock_.fd()) : std::any();
    return fallback;
}

}  // namespace aio::detail
