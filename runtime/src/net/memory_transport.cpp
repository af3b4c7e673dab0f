// aio::memory_pipe(): two transports joined by in-memory links, modelled on asyncio's
// _SelectorSocketTransport (selector_events.py, 3.12) over a socketpair: the same order of
// events, the same buffering and flow control, the link standing in for the kernel.
#include "aio/net/memory_transport.hpp"

#include <cerrno>

#include <fmt/format.h>

#include "aio/event_loop.hpp"
#include "aio/net/detail/byte_buffer.hpp"
#include "aio/net/errors.hpp"
#include "stream_context.hpp"

namespace aio {

namespace detail {

struct MemoryPipeState {
    MemoryPipeState(EventLoop& l, MemoryPipeOptions o) : loop(&l), anchor(l), options(std::move(o)) {}

    /// One direction: what one end wrote and the other has not read yet.
    struct Link {
        ByteBuffer data;
        bool eof = false;          // the writer shut its side down: EOF after the data
        bool reset = false;        // the writer aborted: a reset after the data
        bool reader_gone = false;  // the reading end is closed: writes fail with EPIPE
    };

    /// The loop may be closed (its pending callbacks were dropped) or destroyed (the anchor,
    /// a future of that loop, is then detached from it) while a transport still lives.
    bool loop_usable() const noexcept { return anchor.state()->loop() != nullptr && !loop->is_closed(); }

    EventLoop* loop;
    Future<void> anchor;  // never completed
    MemoryPipeOptions options;
    Link link[2];                                  // link[i]: written by end i, read by end 1 - i
    MemoryTransport* end[2] = {nullptr, nullptr};  // null once that end is destroyed
};

}  // namespace detail

namespace {
// asyncio's constants.LOG_THRESHOLD_FOR_CONNLOST_WRITES.
constexpr int log_threshold_for_connlost_writes = 5;

bool is_os_error(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const OSError&) {
        return true;
    } catch (...) {
        return false;
    }
}
}  // namespace

struct MemoryTransport::Private {
    explicit Private() = default;
};

MemoryTransport::MemoryTransport(Private, std::shared_ptr<detail::MemoryPipeState> pipe, int side,
                                 std::unique_ptr<Protocol> p)
    : pipe_(std::move(pipe)), side_(side), protocol_(std::move(p)) {}

MemoryTransport::~MemoryTransport() {
    pipe_->end[side_] = nullptr;
    // Dropped while open: like a socket whose fd is closed, the peer sees the end of the link.
    if (!released_) release_link();
}

std::shared_ptr<MemoryTransport> MemoryTransport::self() {
    return std::static_pointer_cast<MemoryTransport>(shared_from_this());
}

MemoryTransport* MemoryTransport::peer() const noexcept { return pipe_->end[1 - side_]; }

std::size_t MemoryTransport::incoming_size() const noexcept { return pipe_->link[1 - side_].data.size(); }

bool MemoryTransport::wants_read() const noexcept {
    if (!started_ || closing_ || paused_ || eof_received_ || conn_lost_ != 0) return false;
    const auto& in = pipe_->link[1 - side_];
    return !in.data.empty() || in.eof || in.reset;
}

// The readable socket's callback: one per pass at most, as epoll's level-triggered readiness.
void MemoryTransport::schedule_read() {
    if (read_scheduled_ || !wants_read() || !pipe_->loop_usable()) return;
    read_scheduled_ = true;
    pipe_->loop->call_soon([t = self()] { t->on_readable(); });
}

void MemoryTransport::schedule_write() {
    if (write_scheduled_ || conn_lost_ != 0 || get_write_buffer_size() == 0 || !pipe_->loop_usable()) return;
    const auto& out = pipe_->link[side_];
    if (!out.reader_gone && out.data.size() >= pipe_->options.capacity) return;  // not writable yet
    write_scheduled_ = true;
    pipe_->loop->call_soon([t = self()] { t->on_writable(); });
}

void MemoryTransport::on_connection_made() {
    made_ = true;
    protocol_->connection_made(*this);
}

void MemoryTransport::on_start_reading() {
    started_ = true;
    schedule_read();
}

void MemoryTransport::on_readable() {
    read_scheduled_ = false;
    if (!wants_read()) return;  // paused or closed since it was scheduled (asyncio cancels the handle)
    auto& in = pipe_->link[1 - side_];
    if (!in.data.empty()) {
        std::string chunk = in.data.take(pipe_->options.max_read);
        if (MemoryTransport* p = peer()) p->schedule_write();  // the read made room
        try {
            protocol_->data_received(chunk);
        } catch (...) {
            fatal_error(std::current_exception(), "Fatal error: protocol.data_received() call failed.");
            return;
        }
        schedule_read();
        return;
    }
    if (in.reset) {
        fatal_error(std::make_exception_ptr(ConnectionResetError(ECONNRESET, "recv")),
                    "Fatal read error on socket transport");
        return;
    }
    eof_received_ = true;
    bool keep_open = false;
    try {
        keep_open = protocol_->eof_received();
    } catch (...) {
        fatal_error(std::current_exception(), "Fatal error: protocol.eof_received() call failed.");
        return;
    }
    // keep_open: the protocol writes on (half-close); no more reads either way.
    if (!keep_open) close();
}

bool MemoryTransport::push(std::string_view& data) {
    auto& out = pipe_->link[side_];
    if (out.reader_gone) return false;
    const std::size_t room = pipe_->options.capacity - std::min(pipe_->options.capacity, out.data.size());
    const std::size_t n = std::min(room, data.size());
    if (n == 0) return true;
    out.data.append(data.substr(0, n));
    data.remove_prefix(n);
    if (MemoryTransport* p = peer()) p->schedule_read();
    return true;
}

void MemoryTransport::write(std::string_view data) {
    if (eof_) throw RuntimeError("Cannot call write() after write_eof()");
    if (data.empty()) return;
    if (conn_lost_ != 0) {
        // asyncio ignores writes once the connection is lost, warning after a few.
        if (conn_lost_ >= log_threshold_for_connlost_writes && pipe_->loop_usable())
            pipe_->loop->log("socket.send() raised exception.");
        ++conn_lost_;
        return;
    }
    if (get_write_buffer_size() == 0) {
        // Optimization as asyncio's: try to send now.
        if (!push(data)) {
            fatal_error(std::make_exception_ptr(BrokenPipeError(EPIPE, "send")),
                        "Fatal write error on socket transport");
            return;
        }
        if (data.empty()) return;
    }
    if (buffer_head_ == buffer_.size()) {
        buffer_.clear();
        buffer_head_ = 0;
    }
    buffer_.append(data);
    maybe_pause_protocol();
}

void MemoryTransport::flush_buffer() {
    std::string_view pending = std::string_view(buffer_).substr(buffer_head_);
    const std::size_t before = pending.size();
    if (!push(pending)) {
        buffer_.clear();
        buffer_head_ = 0;
        fatal_error(std::make_exception_ptr(BrokenPipeError(EPIPE, "send")), "Fatal write error on socket transport");
        return;
    }
    buffer_head_ += before - pending.size();
    if (buffer_head_ == buffer_.size()) {
        buffer_.clear();
        buffer_head_ = 0;
    } else if (buffer_head_ * 2 >= buffer_.size()) {
        buffer_.erase(0, buffer_head_);
        buffer_head_ = 0;
    }
}

void MemoryTransport::on_writable() {
    write_scheduled_ = false;
    if (conn_lost_ != 0 || get_write_buffer_size() == 0) return;
    flush_buffer();
    if (conn_lost_ != 0) return;  // EPIPE
    maybe_resume_protocol();      // may append to the buffer
    if (get_write_buffer_size() == 0) {
        if (closing_) {
            ++conn_lost_;  // asyncio calls connection_lost here directly
            call_connection_lost(nullptr);
        } else if (eof_) {
            shutdown_write();
        }
    } else {
        schedule_write();
    }
}

void MemoryTransport::shutdown_write() noexcept {
    pipe_->link[side_].eof = true;
    if (MemoryTransport* p = peer()) p->schedule_read();
}

void MemoryTransport::write_eof() {
    if (closing_ || eof_) return;
    eof_ = true;
    if (get_write_buffer_size() == 0) shutdown_write();
}

void MemoryTransport::set_write_buffer_limits(std::optional<std::size_t> high, std::optional<std::size_t> low) {
    // _FlowControlMixin._set_write_buffer_limits.
    std::size_t h = high ? *high : (low ? 4 * *low : 64 * 1024);
    std::size_t l = low ? *low : h / 4;
    if (h < l) throw ValueError(fmt::format("high ({}) must be >= low ({}) must be >= 0", h, l));
    high_ = h;
    low_ = l;
    maybe_pause_protocol();
}

void MemoryTransport::maybe_pause_protocol() {
    if (get_write_buffer_size() <= high_ || protocol_paused_) return;
    protocol_paused_ = true;
    try {
        protocol_->pause_writing();
    } catch (...) {
        pipe_->loop->call_exception_handler(
            detail::error_context("protocol.pause_writing() failed", std::current_exception()));
    }
}

void MemoryTransport::maybe_resume_protocol() {
    if (!protocol_paused_ || get_write_buffer_size() > low_) return;
    protocol_paused_ = false;
    try {
        protocol_->resume_writing();
    } catch (...) {
        pipe_->loop->call_exception_handler(
            detail::error_context("protocol.resume_writing() failed", std::current_exception()));
    }
}

void MemoryTransport::pause_reading() {
    if (!is_reading()) return;
    paused_ = true;
}

void MemoryTransport::resume_reading() {
    if (closing_ || !paused_) return;
    paused_ = false;
    schedule_read();
}

void MemoryTransport::close() {
    if (closing_) return;
    closing_ = true;
    if (get_write_buffer_size() == 0) {
        ++conn_lost_;
        pipe_->loop->call_soon([t = self()] { t->call_connection_lost(nullptr); });
    }
}

void MemoryTransport::abort() {
    if (!released_) aborted_ = true;
    force_close(nullptr);
}

void MemoryTransport::fatal_error(std::exception_ptr e, const char* message) {
    // asyncio reports only what is not an OSError (an OSError is the connection's fate).
    if (!is_os_error(e) && pipe_->loop_usable()) pipe_->loop->call_exception_handler(detail::error_context(message, e));
    force_close(std::move(e));
}

void MemoryTransport::force_close(std::exception_ptr e) {
    if (conn_lost_ != 0) return;
    buffer_.clear();
    buffer_head_ = 0;
    closing_ = true;
    ++conn_lost_;
    if (pipe_->loop_usable()) pipe_->loop->call_soon([t = self(), e = std::move(e)] { t->call_connection_lost(e); });
}

void MemoryTransport::call_connection_lost(std::exception_ptr e) {
    // asyncio's try/finally: the socket is closed even when connection_lost raises.
    struct Release {
        MemoryTransport* t;
        ~Release() {
            t->lost_ = true;
            t->release_link();
        }
    } release{this};
    protocol_->connection_lost(std::move(e));
}

void MemoryTransport::release_link() noexcept {
    if (released_) return;
    released_ = true;
    auto& out = pipe_->link[side_];
    (aborted_ ? out.reset : out.eof) = true;
    auto& in = pipe_->link[1 - side_];
    in.reader_gone = true;
    in.data.clear();
    if (MemoryTransport* p = peer()) {
        p->schedule_read();   // it reads the EOF or the reset
        p->schedule_write();  // its buffered bytes now meet EPIPE
    }
}

std::optional<SocketAddress> MemoryTransport::sockname() const {
    return side_ == 0 ? pipe_->options.first_address : pipe_->options.second_address;
}

std::optional<SocketAddress> MemoryTransport::peername() const {
    return side_ == 0 ? pipe_->options.second_address : pipe_->options.first_address;
}

std::any MemoryTransport::get_extra_info(std::string_view name, std::any fallback) const {
    std::optional<SocketAddress> a;
    if (name == "peername")
        a = peername();
    else if (name == "sockname")
        a = sockname();
    if (a) return std::any(*a);
    return fallback;
}

std::pair<std::shared_ptr<MemoryTransport>, std::shared_ptr<MemoryTransport>> memory_pipe(EventLoop& loop,
                                                                                          std::unique_ptr<Protocol> a,
                                                                                          std::unique_ptr<Protocol> b,
                                                                                          MemoryPipeOptions options) {
    if (!a || !b) throw ValueError("memory_pipe() needs two protocols");
    if (options.capacity == 0 || options.max_read == 0)
        throw ValueError("memory_pipe(): capacity and max_read must be at least 1");
    loop.check_not_closed("memory_pipe");
    auto pipe = std::make_shared<detail::MemoryPipeState>(loop, std::move(options));
    auto t0 = std::make_shared<MemoryTransport>(MemoryTransport::Private{}, pipe, 0, std::move(a));
    auto t1 = std::make_shared<MemoryTransport>(MemoryTransport::Private{}, pipe, 1, std::move(b));
    pipe->end[0] = t0.get();
    pipe->end[1] = t1.get();
    // asyncio's transport constructor: connection_made on the next pass, reading after it.
    loop.call_soon([t0] { t0->on_connection_made(); });
    loop.call_soon([t1] { t1->on_connection_made(); });
    loop.call_soon([t0] { t0->on_start_reading(); });
    loop.call_soon([t1] { t1->on_start_reading(); });
    return {std::move(t0), std::move(t1)};
}

}  // namespace aio
