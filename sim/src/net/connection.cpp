// net_parts::Connection and its transports: asyncio's _SelectorSocketTransport rules (as
// aio::memory_pipe keeps them, runtime/src/net/memory_transport.cpp) over two links with latency.
#include "connection.hpp"

#include <algorithm>
#include <cerrno>
#include <exception>

#include <fmt/format.h>

#include "aio/errors.hpp"
#include "aio/event_loop.hpp"
#include "aio/net/errors.hpp"

namespace aio::sim::net_parts {

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

ExceptionContext error_context(const char* message, std::exception_ptr e) {
    ExceptionContext ctx;
    ctx.message = message;
    ctx.exception = std::move(e);
    return ctx;
}

std::exception_ptr reset_error(const char* op) { return std::make_exception_ptr(ConnectionResetError(ECONNRESET, op)); }
// NetEnv::enter_side/leave_side around a call into a side's protocol.
struct SideScope {
    Connection& c;
    int side;
    SideScope(Connection& conn, int s) : c(conn), side(s) { c.env().enter_side(c, side); }
    ~SideScope() { c.env().leave_side(c, side); }
    SideScope(const SideScope&) = delete;
    SideScope& operator=(const SideScope&) = delete;
};

}  // namespace

// ---- the transport -----------------------------------------------------------------------

class LinkTransport final : public Transport {
public:
    LinkTransport(std::shared_ptr<Connection> conn, int side, std::unique_ptr<Protocol> p)
        : conn_(std::move(conn)), side_(side), protocol_(std::move(p)) {}
    ~LinkTransport() override;
    LinkTransport(const LinkTransport&) = delete;
    LinkTransport& operator=(const LinkTransport&) = delete;

    void write(std::string_view data) override;
    void write_eof() override;
    bool can_write_eof() const noexcept override { return true; }
    std::size_t get_write_buffer_size() const noexcept override { return buffer_.size(); }
    std::pair<std::size_t, std::size_t> get_write_buffer_limits() const noexcept override { return {low_, high_}; }
    void set_write_buffer_limits(std::optional<std::size_t> high = std::nullopt,
                                 std::optional<std::size_t> low = std::nullopt) override;

    void pause_reading() override;
    void resume_reading() override;
    bool is_reading() const noexcept override { return !closing_ && !paused_; }

    void close() override;
    void abort() override;
    bool is_closing() const noexcept override { return closing_; }

    std::optional<SocketAddress> peername() const override { return conn_->endpoint_[1 - side_].address; }
    std::optional<SocketAddress> sockname() const override { return conn_->endpoint_[side_].address; }
    std::any get_extra_info(std::string_view name, std::any fallback = {}) const override;
    Protocol& get_protocol() noexcept override { return *protocol_; }

    std::shared_ptr<LinkTransport> self() { return std::static_pointer_cast<LinkTransport>(shared_from_this()); }
    void on_connection_made();
    void on_start_reading();
    bool wants_read() const noexcept;
    void schedule_read();
    void schedule_write();
    /// Hands what arrived to the protocol (one step: data, or the reset, or the EOF).
    void read_ready();
    /// The host crashed: no callback ever again.
    void vanish() noexcept;
    /// discard(): gone without a word, and without a FIN.
    void drop_silently() noexcept {
        vanish();
        released_ = true;
    }
    bool vanished() const noexcept { return vanished_; }

private:
    static void on_read_entry(void* tag);
    static void on_write_entry(void* tag);
    void write_ready();
    void flush_buffer();
    void maybe_pause_protocol();
    void maybe_resume_protocol();
    void shutdown_write();
    void fatal_error(std::exception_ptr e, const char* message);
    void force_close(std::exception_ptr e);
    void call_connection_lost(std::exception_ptr e);
    void release() noexcept;
    Connection::Direction& out() const noexcept { return conn_->dir_[side_]; }
    Connection::Direction& in() const noexcept { return conn_->dir_[1 - side_]; }
    EventLoop& loop() const noexcept { return *conn_->loop_; }

    friend class Connection;

    std::shared_ptr<Connection> conn_;
    int side_;
    std::unique_ptr<Protocol> protocol_;
    detail::ByteBuffer buffer_;  // written, not yet in the link
    std::size_t high_ = std::size_t{64} * 1024;
    std::size_t low_ = std::size_t{16} * 1024;
    int conn_lost_ = 0;  // asyncio's _conn_lost: >0 once connection_lost is scheduled
    bool protocol_paused_ = false;
    bool started_ = false;  // reading has started (after connection_made)
    bool closing_ = false;
    bool paused_ = false;
    bool eof_ = false;           // write_eof() called
    bool eof_received_ = false;  // the peer's EOF was handed to eof_received()
    bool aborted_ = false;       // abort(): the peer sees a reset
    bool released_ = false;      // the "socket" closed: release_side() done
    bool vanished_ = false;      // crashed or discarded: silent
    bool read_scheduled_ = false;
    bool write_scheduled_ = false;
    // The read and write wake-ups' arguments (distinct, so removing one keeps the other).
    struct Tag {
        LinkTransport* self;
    } read_tag_{this}, write_tag_{this};
};

LinkTransport::~LinkTransport() {
    if (conn_->loop_usable()) {
        if (read_scheduled_) conn_->loop_->remove_ready(&read_tag_);
        if (write_scheduled_) conn_->loop_->remove_ready(&write_tag_);
    }
    conn_->end_[side_] = nullptr;
    release();  // dropped while open: as a closed socket, the peer sees the end of the link
}

void LinkTransport::on_connection_made() {
    if (vanished_) return;
    SideScope scope(*conn_, side_);
    protocol_->connection_made(*this);
}

void LinkTransport::on_start_reading() {
    if (vanished_) return;
    started_ = true;
    schedule_read();
}

bool LinkTransport::wants_read() const noexcept {
    if (!started_ || closing_ || paused_ || conn_lost_ != 0 || vanished_) return false;
    const auto& i = in();
    return i.unread != 0 || i.rst_arrived || (i.fin_arrived && !eof_received_);
}

void LinkTransport::schedule_read() {
    if (read_scheduled_ || !wants_read() || !conn_->loop_usable()) return;
    read_scheduled_ = true;
    loop().push_ready({&LinkTransport::on_read_entry, &read_tag_, nullptr});
}

void LinkTransport::on_read_entry(void* tag) {
    LinkTransport* t = static_cast<Tag*>(tag)->self;
    t->read_scheduled_ = false;
    if (!t->wants_read()) return;  // paused or closed since (asyncio cancels the handle)
    auto keep = t->self();
    t->read_ready();
}

void LinkTransport::read_ready() {
    auto& i = in();
    if (i.unread != 0) {
        const std::size_t n = i.unread;
        i.scratch.assign(i.bytes.view().data(), n);
        i.bytes.consume(n);
        i.unread = 0;
        i.read += n;
        conn_->consumed(i, n);
        try {
            SideScope scope(*conn_, side_);
            protocol_->data_received(i.scratch);
        } catch (...) {
            fatal_error(std::current_exception(), "Fatal error: protocol.data_received() call failed.");
            return;
        }
        schedule_read();  // a FIN or RST behind the data: on the next pass
        return;
    }
    if (i.rst_arrived) {
        fatal_error(reset_error("recv"), "Fatal read error on socket transport");
        return;
    }
    eof_received_ = true;
    bool keep_open = false;
    try {
        SideScope scope(*conn_, side_);
        keep_open = protocol_->eof_received();
    } catch (...) {
        fatal_error(std::current_exception(), "Fatal error: protocol.eof_received() call failed.");
        return;
    }
    if (!keep_open) close();  // keep_open: half-close, the protocol writes on
}

void LinkTransport::schedule_write() {
    if (write_scheduled_ || conn_lost_ != 0 || buffer_.empty() || !conn_->loop_usable()) return;
    if (conn_->window_full(side_)) return;  // not writable yet
    write_scheduled_ = true;
    loop().push_ready({&LinkTransport::on_write_entry, &write_tag_, nullptr});
}

void LinkTransport::on_write_entry(void* tag) {
    LinkTransport* t = static_cast<Tag*>(tag)->self;
    t->write_scheduled_ = false;
    if (t->conn_lost_ != 0 || t->buffer_.empty()) return;
    auto keep = t->self();
    t->write_ready();
}

void LinkTransport::write_ready() {
    flush_buffer();
    if (conn_lost_ != 0) return;  // EPIPE
    maybe_resume_protocol();      // may write more
    if (buffer_.empty()) {
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

void LinkTransport::flush_buffer() {
    std::string_view pending = buffer_.view();
    const std::size_t before = pending.size();
    if (!conn_->push(side_, pending)) {
        buffer_.clear();
        fatal_error(std::make_exception_ptr(BrokenPipeError(EPIPE, "send")), "Fatal write error on socket transport");
        return;
    }
    buffer_.consume(before - pending.size());
}

void LinkTransport::write(std::string_view data) {
    if (eof_) throw RuntimeError("Cannot call write() after write_eof()");
    // asyncio would append to a closing transport's buffer; the contract (transport.hpp) and
    // the socket transport refuse it.
    if (closing_ && conn_lost_ == 0) throw RuntimeError("Cannot call write() after close()");
    if (data.empty()) return;
    if (conn_lost_ != 0) {
        // asyncio ignores writes once the connection is lost, warning after a few.
        if (conn_lost_ >= log_threshold_for_connlost_writes && !vanished_ && conn_->loop_usable())
            loop().log("socket.send() raised exception.");
        ++conn_lost_;
        return;
    }
    if (buffer_.empty()) {
        // asyncio's optimization: try to send now.
        if (!conn_->push(side_, data)) {
            fatal_error(std::make_exception_ptr(BrokenPipeError(EPIPE, "send")),
                        "Fatal write error on socket transport");
            return;
        }
        if (data.empty()) return;
    }
    buffer_.append(data);
    maybe_pause_protocol();
}

void LinkTransport::shutdown_write() { conn_->send_control(side_, Connection::Kind::fin); }

void LinkTransport::write_eof() {
    if (closing_ || eof_) return;
    eof_ = true;
    if (buffer_.empty()) shutdown_write();
}

void LinkTransport::set_write_buffer_limits(std::optional<std::size_t> high, std::optional<std::size_t> low) {
    // _FlowControlMixin._set_write_buffer_limits.
    std::size_t h = high ? *high : (low ? 4 * *low : std::size_t{64} * 1024);
    std::size_t l = low ? *low : h / 4;
    if (h < l) throw ValueError(fmt::format("high ({}) must be >= low ({}) must be >= 0", h, l));
    high_ = h;
    low_ = l;
    maybe_pause_protocol();
}

void LinkTransport::maybe_pause_protocol() {
    if (buffer_.size() <= high_ || protocol_paused_) return;
    protocol_paused_ = true;
    try {
        SideScope scope(*conn_, side_);
        protocol_->pause_writing();
    } catch (...) {
        loop().call_exception_handler(error_context("protocol.pause_writing() failed", std::current_exception()));
    }
}

void LinkTransport::maybe_resume_protocol() {
    if (!protocol_paused_ || buffer_.size() > low_) return;
    protocol_paused_ = false;
    try {
        SideScope scope(*conn_, side_);
        protocol_->resume_writing();
    } catch (...) {
        loop().call_exception_handler(error_context("protocol.resume_writing() failed", std::current_exception()));
    }
}

void LinkTransport::pause_reading() {
    if (!is_reading()) return;
    paused_ = true;
}

void LinkTransport::resume_reading() {
    if (closing_ || !paused_) return;
    paused_ = false;
    schedule_read();
}

void LinkTransport::close() {
    if (closing_) return;
    closing_ = true;
    if (buffer_.empty()) {
        ++conn_lost_;
        loop().call_soon([t = self()] { t->call_connection_lost(nullptr); });
    }
}

void LinkTransport::abort() {
    if (!released_) aborted_ = true;
    force_close(nullptr);
}

void LinkTransport::fatal_error(std::exception_ptr e, const char* message) {
    // asyncio reports only what is not an OSError (an OSError is the connection's fate).
    if (!is_os_error(e) && conn_->loop_usable()) loop().call_exception_handler(error_context(message, e));
    force_close(std::move(e));
}

void LinkTransport::force_close(std::exception_ptr e) {
    if (conn_lost_ != 0) return;
    buffer_.clear();
    closing_ = true;
    ++conn_lost_;
    if (conn_->loop_usable()) loop().call_soon([t = self(), e = std::move(e)] { t->call_connection_lost(e); });
}

void LinkTransport::call_connection_lost(std::exception_ptr e) {
    if (vanished_) return;
    // asyncio's try/finally: the socket is closed even when connection_lost raises.
    struct Release {
        LinkTransport* t;
        ~Release() { t->release(); }
    } release{this};
    SideScope scope(*conn_, side_);
    protocol_->connection_lost(std::move(e));
}

void LinkTransport::release() noexcept {
    if (released_) return;
    released_ = true;
    conn_->release_side(side_, aborted_);
}

void LinkTransport::vanish() noexcept {
    vanished_ = true;
    closing_ = true;
    if (conn_lost_ == 0) ++conn_lost_;
    buffer_.clear();
    if (conn_->loop_usable()) {
        if (read_scheduled_) conn_->loop_->remove_ready(&read_tag_);
        if (write_scheduled_) conn_->loop_->remove_ready(&write_tag_);
    }
    read_scheduled_ = write_scheduled_ = false;
}

std::any LinkTransport::get_extra_info(std::string_view name, std::any fallback) const {
    if (name == "connection") return std::any(conn_->id());  // its number (deadlock reports)
    if (name == "peername") return std::any(*peername());
    if (name == "sockname") return std::any(*sockname());
    return fallback;
}

// ---- the connection ----------------------------------------------------------------------

void Connection::SegmentRing::push_back(const Segment& s) {
    if (size_ == buf_.size()) {
        std::vector<Segment> nb(buf_.empty() ? 16 : buf_.size() * 2);
        for (std::size_t k = 0; k < size_; ++k) nb[k] = (*this)[k];
        buf_ = std::move(nb);
        head_ = 0;
    }
    buf_[(head_ + size_) & (buf_.size() - 1)] = s;
    ++size_;
}

Connection::Connection(Private, EventLoop& loop, NetEnv& env, std::uint64_t id, Endpoint client, Endpoint server,
                       const NetConfig& config)
    : loop_(&loop),
      env_(&env),
      anchor_(loop),
      id_(id),
      endpoint_{std::move(client), std::move(server)},
      window_(config.window),
      segment_(std::min<std::size_t>(config.segment, UINT32_MAX)) {
    for (int d = 0; d < 2; ++d) {
        dir_[d].conn = this;
        dir_[d].dir = d;
        dir_[d].timer.on_expire = {&Connection::on_timer, &dir_[d], nullptr};
        dir_[d].timer.io = true;  // a delivery: a real selector returns for it at once (no batching)
    }
}

Connection::~Connection() {
    for (auto& L : dir_) disarm(L);
}

std::shared_ptr<Connection> Connection::open(EventLoop& loop, NetEnv& env, std::uint64_t id, Endpoint client,
                                             Endpoint server, std::unique_ptr<Protocol> client_protocol,
                                             std::unique_ptr<Protocol> server_protocol, const NetConfig& config) {
    if (!client_protocol || !server_protocol) throw ValueError("Connection::open() needs two protocols");
    if (config.window == 0 || config.segment == 0)
        throw ValueError(
            fmt::format("a simulated connection needs a window and a segment size of at least 1 byte "
                        "(window={}, segment={})",
                        config.window, config.segment));
    loop.check_not_closed("Connection::open");
    auto c = std::make_shared<Connection>(Private{}, loop, env, id, std::move(client), std::move(server), config);
    for (int s = 0; s < 2; ++s) {
        c->keep_[s] = std::make_shared<LinkTransport>(c, s, std::move(s == 0 ? client_protocol : server_protocol));
        c->end_[s] = c->keep_[s].get();
    }
    // asyncio's transport constructor: connection_made on the next pass, reading after it.
    auto t0 = c->keep_[0], t1 = c->keep_[1];
    loop.call_soon([t0] { t0->on_connection_made(); });
    loop.call_soon([t1] { t1->on_connection_made(); });
    loop.call_soon([t0] { t0->on_start_reading(); });
    loop.call_soon([t1] { t1->on_start_reading(); });
    return c;
}

std::shared_ptr<Transport> Connection::transport(int side) const {
    if (LinkTransport* t = end_[side]) return t->shared_from_this();
    return nullptr;
}

bool Connection::loop_usable() const noexcept { return anchor_.state()->loop() != nullptr && !loop_->is_closed(); }

void Connection::arm(Direction& L) {
    if (L.armed || L.held || L.segs.empty() || !loop_usable()) return;
    L.armed = true;
    loop_->add_timer(&L.timer, L.segs.front().when);
}

void Connection::disarm(Direction& L) noexcept {
    if (!L.armed) return;
    L.armed = false;
    if (!loop_usable()) return;
    if (L.timer.scheduled())
        loop_->remove_timer(&L.timer);
    else
        loop_->remove_ready(&L);  // fired: its entry waits in the ready queue
}

void Connection::drop_link(Direction& L) noexcept {
    disarm(L);
    L.segs.clear();
    L.bytes.clear();
    L.unread = 0;
    L.fin_arrived = L.rst_arrived = false;
}

void Connection::add_segment(Direction& L, std::uint32_t len, Kind kind) {
    Duration lat = env_->segment_latency(*this, L.dir);
    if (lat < Duration::zero()) lat = Duration::zero();
    if (factor_ != 1) {
        std::int64_t r;
        lat =
            __builtin_mul_overflow(lat.count(), static_cast<std::int64_t>(factor_), &r) ? Duration::max() : Duration(r);
    }
    const TimePoint when = std::max(L.last_when, deadline_after(loop_->time(), lat));
    L.last_when = when;
    const std::uint64_t flow = (id_ << 32) | ++flows_;
    const bool was_empty = L.segs.empty();
    L.segs.push_back({when, lat, flow, len, kind});
    L.sent += len;
    env_->on_send(*this, L.dir, len, flow);
    if (was_empty) arm(L);
}

bool Connection::window_full(int side) const noexcept {
    const Direction& L = dir_[side];
    return !L.reader_gone && !L.sink && !reset_ && L.bytes.size() >= window_;
}

bool Connection::push(int side, std::string_view& data) {
    Direction& L = dir_[side];
    if (L.reader_gone) return false;
    if (L.sink || reset_) {  // towards a crashed host: accepted, and lost
        L.sent += data.size();
        data = {};
        return true;
    }
    const std::size_t room = window_ - std::min(window_, L.bytes.size());
    std::size_t n = std::min(room, data.size());
    if (n == 0) return true;
    L.bytes.append(data.substr(0, n));
    data.remove_prefix(n);
    while (n != 0) {
        const std::size_t len = std::min(n, segment_);
        add_segment(L, static_cast<std::uint32_t>(len), Kind::data);
        n -= len;
    }
    return true;
}

void Connection::send_control(int side, Kind kind) {
    Direction& L = dir_[side];
    if (reset_ || L.reader_gone || L.sink) return;
    bool& sent = kind == Kind::fin ? L.fin_sent : L.rst_sent;
    if (sent || L.rst_sent) return;
    sent = true;
    add_segment(L, 0, kind);
}

void Connection::on_timer(void* d) {
    Direction& L = *static_cast<Direction*>(d);
    L.armed = false;
    Connection& c = *L.conn;
    auto keep = c.shared_from_this();
    c.deliver(L);
}

void Connection::deliver(Direction& L) {
    if (L.held || L.segs.empty()) return;
    const Segment s = L.segs.front();
    const bool now = env_->before_delivery(*this, L.dir, s.kind == Kind::data ? s.len : 0);
    // The env may have reset the connection or crashed the reader: the segment is gone.
    if (L.segs.empty() || L.segs.front().flow != s.flow) return;
    if (!now) {
        // Held: release() re-arms. Else (the env crashed the writer, or did nothing) it is
        // offered again on the next pass.
        if (!L.held && !L.armed && loop_usable()) {
            L.armed = true;
            loop_->add_timer(&L.timer, loop_->time());
        }
        return;
    }
    L.segs.pop_front();
    switch (s.kind) {
    case Kind::data:
        L.unread += s.len;
        L.delivered += s.len;
        break;
    case Kind::fin: L.fin_arrived = true; break;
    case Kind::rst: L.rst_arrived = true; break;
    }
    env_->on_deliver(*this, L.dir, s.len, s.flow);
    LinkTransport* reader = end_[1 - L.dir];
    if (reader && reader->wants_read()) {
        auto keep = reader->self();
        reader->read_ready();
    }
    arm(L);
}

void Connection::consumed(Direction& L, std::size_t n) noexcept {
    (void)n;
    if (LinkTransport* w = end_[L.dir]) w->schedule_write();
}

void Connection::hold(int dir) {
    Direction& L = dir_[dir];
    L.held = true;
    disarm(L);
}

void Connection::release(int dir) {
    Direction& L = dir_[dir];
    if (!L.held) return;
    L.held = false;
    const TimePoint now = loop_->time();
    TimePoint prev = TimePoint::min();
    for (std::size_t k = 0; k < L.segs.size(); ++k) {
        Segment& s = L.segs[k];
        s.when = std::max(prev, deadline_after(now, s.latency));
        prev = s.when;
    }
    if (!L.segs.empty()) L.last_when = prev;
    arm(L);
}

void Connection::set_latency_factor(std::uint32_t factor) {
    if (factor == 0) throw ValueError("set_latency_factor(): the factor must be at least 1");
    factor_ = factor;
}

void Connection::reset() {
    if (reset_ || closed()) return;
    auto keep = shared_from_this();
    reset_ = true;
    for (auto& L : dir_) drop_link(L);
    for (LinkTransport* t : end_)
        if (t && !t->vanished_ && !t->released_) t->force_close(reset_error("Connection reset by peer"));
}

void Connection::crash_side(int side) {
    LinkTransport* t = end_[side];
    if (gone_[side] || !t || t->vanished_) return;
    auto keep = shared_from_this();
    t->vanish();
    // What it sent stays in flight, then the peer sees a reset (unless it was reset already).
    send_control(side, Kind::rst);
    Direction& in = dir_[1 - side];
    drop_link(in);
    in.sink = true;
    if (LinkTransport* p = end_[1 - side]) p->schedule_write();  // its buffered bytes are lost too
    t->released_ = true;
    // The connection's reference goes on the next pass: the caller may be inside that transport.
    if (std::shared_ptr<LinkTransport> ref = std::move(keep_[side]); ref && loop_usable())
        loop_->call_soon([ref = std::move(ref)] {});
    side_gone(side);
}

void Connection::discard() noexcept {
    std::shared_ptr<Connection> keep = weak_from_this().lock();  // the last transport may hold the last reference
    for (auto& L : dir_) drop_link(L);
    gone_[0] = gone_[1] = true;
    closed_reported_ = true;
    for (LinkTransport* t : end_)
        if (t) t->drop_silently();
    std::shared_ptr<LinkTransport> k0 = std::move(keep_[0]), k1 = std::move(keep_[1]);
}

void Connection::release_side(int side, bool aborted) noexcept {
    if (gone_[side]) return;
    if (!reset_) {
        try {
            send_control(side, aborted ? Kind::rst : Kind::fin);
        } catch (...) {
            // An env that throws from segment_latency/on_send: report it, the close goes on.
            if (loop_usable())
                loop_->call_exception_handler(
                    error_context("the simulated network failed to send a FIN", std::current_exception()));
        }
    }
    Direction& in = dir_[1 - side];
    drop_link(in);
    in.reader_gone = true;
    if (LinkTransport* p = end_[1 - side]) p->schedule_write();   // its buffered bytes meet EPIPE
    std::shared_ptr<LinkTransport> ref = std::move(keep_[side]);  // dropped after side_gone()
    side_gone(side);
}

void Connection::side_gone(int side) noexcept {
    gone_[side] = true;
    env_->on_side_gone(*this, side);
    if (!closed() || closed_reported_) return;
    closed_reported_ = true;
    for (auto& L : dir_) drop_link(L);
    try {
        env_->on_closed(*this);
    } catch (...) {
        if (loop_usable())
            loop_->call_exception_handler(error_context("NetEnv::on_closed() failed", std::current_exception()));
    }
}

}  // namespace aio::sim::net_parts
