// The simulator's network: hosts, DNS, listeners, connects and faults (sim_network.hpp).
#include "sim_network.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>

#include <fmt/format.h>

#include "aio/net/errors.hpp"
#include "aio/sim/replay.hpp"
#include "aio/sleep.hpp"
#include "host_tags.hpp"

namespace aio::sim::net_parts {

// ---- waiting in virtual time without a task's sleep ---------------------------------------

namespace {

// A timer-backed wait: true when `change` fired first, false at the deadline. The timer goes
// with the frame (a cancelled wait leaves nothing behind).
struct TimedWait {
    EventLoop& loop;
    Future<bool> done;
    Handle timer;
    TimedWait(EventLoop& l, TimePoint deadline) : loop(l), done(l) {
        timer = loop.call_at(deadline, [f = done]() mutable {
            if (!f.done()) f.set_result(false);
        });
    }
    ~TimedWait() { timer.cancel(); }
    TimedWait(const TimedWait&) = delete;
    TimedWait& operator=(const TimedWait&) = delete;
};

Coro<void> pause_for(EventLoop& loop, Duration d) {
    TimedWait w(loop, deadline_after(loop.time(), d));
    (void)co_await w.done;
}

std::string fixed_time(TimePoint t) {
    const std::int64_t ns = t.time_since_epoch().count();
    return fmt::format("{}.{:06}s", ns / 1'000'000'000, (ns % 1'000'000'000) / 1000);
}

std::optional<std::uint16_t> parse_port(std::string_view s) {
    if (s.empty()) return std::uint16_t{0};
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(v);
}

bool is_loopback_name(std::string_view s) {
    return s.empty() || s == "localhost" || s.rfind("127.", 0) == 0 || s == "::1" || s == "0.0.0.0";
}

}  // namespace

// ---- the server side ----------------------------------------------------------------------

/// A listener of the simulated network: asyncio's Server bookkeeping (ServerCore) over a
/// (host, port) entry in the network's table while it serves.
class SimServer final : public aio::detail::ServerCore {
public:
    SimServer(EventLoop& loop, SimNetwork& net, std::uint32_t host, SocketAddress address, ProtocolFactory factory)
        : ServerCore(loop), net_(&net), host_(host), address_(std::move(address)), factory_(std::move(factory)) {
        net.bind(*this);
    }
    ~SimServer() override {
        if (net_) net_->unbind(*this);
    }
    std::vector<SocketAddress> addresses() const override {
        if (is_closed()) return {};
        return {address_};
    }
    std::uint32_t host() const noexcept { return host_; }
    std::uint16_t port() const noexcept { return address_.port(); }
    const SocketAddress& address() const noexcept { return address_; }
    const ProtocolFactory& factory() const noexcept { return factory_; }
    void forget_network() noexcept { net_ = nullptr; }

private:
    void start_listening() override { net_->listen(*this); }
    void stop_listening() noexcept override {
        if (net_) net_->unbind(*this);
        net_ = nullptr;
    }

    SimNetwork* net_;
    std::uint32_t host_;
    SocketAddress address_;
    ProtocolFactory factory_;
};

// ---- hosts --------------------------------------------------------------------------------

std::shared_ptr<void> SimHost::enter() { return enter_tag(net_->loop_, index_); }

SimNetwork::SimNetwork(EventLoop& loop, const NetConfig& cfg, NetHooks& hooks)
    : loop_(loop), cfg_(cfg), hooks_(hooks), offer_latency_(false) {
    hosts_.push_back(std::make_unique<SimHost>(*this, 0, "main", "10.0.0.1", HostStart{}));
}

SimNetwork::~SimNetwork() {
    // The loop closed with connections open: their ends vanish without callbacks.
    for (auto& [id, c] : conns_) c->discard();
    conns_.clear();
    accepted_by_.clear();
    for (auto& [key, s] : listeners_) s->forget_network();
    listeners_.clear();
    held_servers_.clear();
}

void SimNetwork::set_offer_latency(bool on) noexcept { offer_latency_ = on; }

Host& SimNetwork::add_host(std::string name, HostStart start) {
    if (name.empty()) throw ValueError("aio::sim::Network::add_host(): a host needs a name");
    for (const auto& h : hosts_)
        if (h->name() == name)
            throw ValueError(
                fmt::format("aio::sim::Network::add_host(): there is already a host called '{}' (at {}); "
                            "choose another name",
                            name, h->address()));
    const auto index = static_cast<std::uint32_t>(hosts_.size());
    if (index >= 254 * 255)
        throw ValueError("aio::sim::Network::add_host(): the simulated network has room for 64770 hosts");
    // 10.0.0.1 .. 10.0.0.254, then 10.0.1.1 ...
    const std::string address = fmt::format("10.0.{}.{}", index / 254, index % 254 + 1);
    hosts_.push_back(std::make_unique<SimHost>(*this, index, std::move(name), address, std::move(start)));
    SimHost& h = *hosts_.back();
    start_host(h);
    return h;
}

void SimNetwork::start_host(SimHost& h) {
    if (!h.start_) return;
    auto scope = enter_tag(loop_, h.index_);
    Task<void> t = loop_.create_task(h.start_(), h.name() + ":start");
    (void)t;
}

SimHost& SimNetwork::named(std::string_view name, const char* what) {
    for (const auto& h : hosts_)
        if (h->name() == name) return *h;
    std::string names;
    for (const auto& h : hosts_) names += (names.empty() ? "" : ", ") + h->name();
    throw ValueError(fmt::format("aio::sim::Network::{}(): no host called '{}' (hosts: {}); add it with add_host()",
                                 what, name, names));
}

Host& SimNetwork::host(std::string_view name) { return named(name, "host"); }

Host& SimNetwork::current_host() {
    const std::uint32_t tag = current_tag(loop_);
    return tag < hosts_.size() ? static_cast<Host&>(*hosts_[tag]) : *hosts_[0];
}

std::vector<Host*> SimNetwork::hosts() {
    std::vector<Host*> out;
    for (auto& h : hosts_) out.push_back(h.get());
    return out;
}

SimHost* SimNetwork::by_address(std::string_view address) {
    for (auto& h : hosts_)
        if (h->address() == address) return h.get();
    return nullptr;
}

SimHost* SimNetwork::resolve(std::string_view name, const SimHost& from) {
    if (is_loopback_name(name)) return hosts_[from.index_].get();
    for (auto& h : hosts_)
        if (h->name() == name || h->address() == name) return h.get();
    return nullptr;
}

std::uint16_t SimNetwork::ephemeral_port(SimHost& h) {
    for (int tries = 0; tries < 16384; ++tries) {
        const std::uint16_t p = h.next_port_;
        h.next_port_ = h.next_port_ == 65535 ? 49152 : static_cast<std::uint16_t>(h.next_port_ + 1);
        if (!listener(h.index_, p)) return p;
    }
    throw_os_error(EADDRNOTAVAIL, "connect");
}

SimServer* SimNetwork::listener(std::uint32_t host, std::uint16_t port) {
    auto it = listeners_.find({host, port});
    return it == listeners_.end() ? nullptr : it->second;
}

void SimNetwork::bind(SimServer& s) { listeners_[{s.host(), s.port()}] = &s; }

void SimNetwork::listen(SimServer& s) {
    // The network holds the server while it listens (as the real loop's reader callbacks do).
    held_servers_.push_back(std::static_pointer_cast<SimServer>(s.shared_from_this()));
}

void SimNetwork::unbind(SimServer& s) noexcept {
    auto it = listeners_.find({s.host(), s.port()});
    if (it != listeners_.end() && it->second == &s) listeners_.erase(it);
    for (auto i = held_servers_.begin(); i != held_servers_.end(); ++i)
        if (i->get() == &s) {
            // The caller (ServerCore::close) runs on the server: release it after the call.
            std::shared_ptr<SimServer> keep = std::move(*i);
            held_servers_.erase(i);
            if (!loop_.is_closed()) loop_.call_soon([keep] {});
            break;
        }
}

bool SimNetwork::blocked(std::uint32_t from, std::uint32_t to) const {
    if (from == to) return false;
    const auto key = std::minmax(from, to);
    if (partitions_.count({key.first, key.second})) return true;
    return holds_.count({from, to}) != 0;
}

Duration SimNetwork::one_way_latency() {
    std::size_t k = 0;
    if (offer_latency_) k = hooks_.decide(Choice::latency, 9, 0);
    return cfg_.latency + cfg_.latency_spread * static_cast<std::int64_t>(k) / 8;
}

std::string SimNetwork::when() const { return fixed_time(hooks_.virtual_now()); }

void SimNetwork::note_fault(std::uint32_t host, std::string words) {
    emit(TraceKind::fault, host, 0, words);
    faults_.push_back(fmt::format("t={}: {}", when(), std::move(words)));
}

std::string SimNetwork::conn_words(const Connection& c) const {
    const Endpoint& a = c.endpoint(0);
    const Endpoint& b = c.endpoint(1);
    return fmt::format("conn #{} {}:{}->{}:{}", c.id(), hosts_[a.host]->name(), a.address.port(),
                       hosts_[b.host]->name(), b.address.port());
}

std::optional<FaultKind> SimNetwork::fault_choice(const std::vector<FaultKind>& applicable) {
    const FaultPolicy& f = cfg_.faults;
    if (injected_ >= f.budget) return std::nullopt;
    std::vector<FaultKind> kinds;
    for (FaultKind k : applicable)
        if (f.kinds.has(k)) kinds.push_back(k);
    if (kinds.empty()) return std::nullopt;
    const std::size_t i = hooks_.decide(Choice::fault, kinds.size() + 1, f.rate);
    if (i == 0 || i > kinds.size()) return std::nullopt;
    ++injected_;
    return kinds[i - 1];
}

void SimNetwork::emit(TraceKind kind, std::uint32_t host, std::uint64_t flow, std::string detail) {
    if (!hooks_.tracing()) return;
    std::string d = "host=" + hosts_[host]->name();
    if (!detail.empty()) d += ' ' + detail;
    hooks_.trace(kind, host, flow, std::move(d));
}

void SimNetwork::changed() {
    std::vector<Future<bool>> waiters = std::move(waiters_);
    waiters_.clear();
    for (auto& w : waiters)
        if (!w.done()) w.set_result(true);
}

// ---- explicit controls ----------------------------------------------------------------------

void SimNetwork::partition(std::string_view a, std::string_view b) {
    const auto ia = named(a, "partition").index_, ib = named(b, "partition").index_;
    if (ia == ib) throw ValueError(fmt::format("aio::sim::Network::partition(): '{}' cannot be cut from itself", a));
    const auto key = std::minmax(ia, ib);
    ++partitions_[{key.first, key.second}];
    emit(TraceKind::partition, ia, 0, fmt::format("{}|{}", a, b));
}

void SimNetwork::repair(std::string_view a, std::string_view b) {
    const auto ia = named(a, "repair").index_, ib = named(b, "repair").index_;
    const auto key = std::minmax(ia, ib);
    auto it = partitions_.find({key.first, key.second});
    if (it == partitions_.end()) return;
    if (--it->second == 0) partitions_.erase(it);
    emit(TraceKind::repair, ia, 0, fmt::format("{}|{}", a, b));
    recheck();
    changed();
}

void SimNetwork::hold(std::string_view from, std::string_view to) {
    const auto a = named(from, "hold").index_, b = named(to, "hold").index_;
    ++holds_[{a, b}];
}

void SimNetwork::release(std::string_view from, std::string_view to) {
    const auto a = named(from, "release").index_, b = named(to, "release").index_;
    auto it = holds_.find({a, b});
    if (it == holds_.end()) return;
    if (--it->second == 0) holds_.erase(it);
    recheck();
    changed();
}

void SimNetwork::crash(std::string_view host) {
    SimHost& h = named(host, "crash");
    if (h.up_) crash_host(h);
}

void SimNetwork::crash_host(SimHost& h) {
    h.up_ = false;
    emit(TraceKind::crash, h.index_, 0, {});
    // Its listeners vanish (connects are refused from now on).
    std::vector<std::shared_ptr<SimServer>> gone;
    for (auto it = listeners_.begin(); it != listeners_.end();) {
        if (it->first.first == h.index_) {
            gone.push_back(std::static_pointer_cast<SimServer>(it->second->shared_from_this()));
            it = listeners_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto& s : gone) s->close();
    // Its ends of every connection vanish; their peers see a reset after the data in flight.
    std::vector<std::shared_ptr<Connection>> conns;
    for (auto& [id, c] : conns_) conns.push_back(c);
    for (auto& c : conns)
        for (int side = 0; side < 2; ++side)
            if (c->endpoint(side).host == h.index_ && c->side_open(side)) c->crash_side(side);
    kill_host_tasks(loop_, h.index_, h.name());
}

void SimNetwork::restart(std::string_view host) {
    SimHost& h = named(host, "restart");
    if (h.up_) throw RuntimeError(fmt::format("aio::sim::Network::restart(): host '{}' is up; crash() it first", host));
    h.up_ = true;
    emit(TraceKind::restart, h.index_, 0, {});
    changed();
    start_host(h);
}

void SimNetwork::inject_partition(std::uint32_t a, std::uint32_t b) {
    const std::string an = hosts_[a]->name(), bn = hosts_[b]->name();
    note_fault(a, fmt::format("partition {}|{} ({})", an, bn, format_duration(cfg_.partition_time)));
    partition(an, bn);
    loop_.call_later(cfg_.partition_time, [this, an, bn] { repair(an, bn); });
}

void SimNetwork::inject_crash(std::uint32_t i) {
    SimHost& h = host_at(i);
    note_fault(i, fmt::format("crash of {}", h.name()));
    crash_host(h);
    if (!h.start_) return;
    loop_.call_later(cfg_.restart_delay, [this, i] {
        SimHost& again = host_at(i);
        if (again.up_) return;  // restarted by hand meanwhile
        note_fault(i, fmt::format("restart of {}", again.name()));
        restart(again.name());
    });
}

void SimNetwork::recheck() {
    for (auto it = held_.begin(); it != held_.end();) {
        const auto [id, dir] = it->first;
        auto c = conns_.find(id);
        if (c == conns_.end()) {
            it = held_.erase(it);
            continue;
        }
        Connection& conn = *c->second;
        const bool still = blocked(conn.endpoint(dir).host, conn.endpoint(1 - dir).host) || stalled_.count({id, dir});
        if (still) {
            ++it;
            continue;
        }
        it = held_.erase(it);
        conn.release(dir);
    }
}

bool SimNetwork::fault_point(std::string_view name) {
    const FaultPolicy& f = cfg_.faults;
    if (injected_ >= f.budget || !f.kinds.has(FaultKind::point)) return false;
    if (hooks_.decide(Choice::point, 2, f.rate) == 0) return false;
    ++injected_;
    const Host& h = current_host();
    note_fault(static_cast<const SimHost&>(h).index(),
               fmt::format("fault point '{}' fired on {}", escape_text(name, true), h.name()));
    return true;
}

// ---- names --------------------------------------------------------------------------------

Coro<std::vector<AddrInfo>> SimNetwork::getaddrinfo(std::string host, std::string port, AddrInfoHints hints) {
    const SimHost& from = static_cast<SimHost&>(current_host());
    const auto p = parse_port(port);
    if (!p) throw gaierror(EAI_SERVICE, "getaddrinfo");
    if (hints.family != AF_UNSPEC && hints.family != AF_INET) {
        if (hints.family == AF_INET6) throw gaierror(EAI_ADDRFAMILY, "getaddrinfo");
        throw gaierror(EAI_FAMILY, "getaddrinfo");
    }
    SimHost* h = resolve(host, from);
    if (!h) throw gaierror(EAI_NONAME, "getaddrinfo");
    co_return std::vector<AddrInfo>{AddrInfo{AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                             (hints.flags & AI_CANONNAME) ? h->name() : std::string(),
                                             SocketAddress::ip(h->address(), *p)}};
}

// ---- connections ----------------------------------------------------------------------------

Coro<std::shared_ptr<Transport>> SimNetwork::create_connection(ProtocolFactory factory, std::string host,
                                                               std::uint16_t port, ConnectOptions options) {
    SimHost& from = static_cast<SimHost&>(current_host());
    if (options.family != AF_UNSPEC && options.family != AF_INET) throw gaierror(EAI_ADDRFAMILY, "getaddrinfo");
    SimHost* to = resolve(host, from);
    if (!to) {
        // A numeric address no host has is silence (as a partition); a name is unknown.
        SocketAddress probe;
        try {
            probe = SocketAddress::ip(host, port);
        } catch (const ValueError&) {
            throw gaierror(EAI_NONAME, "getaddrinfo");
        }
    }
    const std::string target = to ? to->address() : host;
    const SocketAddress dst = SocketAddress::ip(target, port);
    const std::uint16_t local_port = ephemeral_port(from);
    const SocketAddress src = SocketAddress::ip(from.address(), local_port);
    const std::uint64_t id = ++next_conn_;
    const std::string words =
        fmt::format("conn #{} {}:{}->{}:{}", id, from.name(), local_port, to ? to->name() : target, port);
    emit(TraceKind::net_connect, from.index_, id, words);
    const TimePoint deadline = deadline_after(hooks_.virtual_now(), cfg_.connect_timeout);
    bool refused = false;
    for (;;) {
        // Across a partition (or to an address nobody has) the SYN is lost: retransmits until
        // the link heals or the connect times out (ETIMEDOUT, as the real loop's).
        while (!to || blocked(from.index_, to->index_)) {
            TimedWait w(loop_, deadline);
            waiters_.push_back(w.done);
            if (!co_await w.done) {
                emit(TraceKind::net_refused, from.index_, id, words + " timed out");
                throw_os_error(ETIMEDOUT, "connect", fmt::format("Connect call failed {}", dst.str()));
            }
        }
        co_await pause_for(loop_, one_way_latency());  // the SYN travels
        if (blocked(from.index_, to->index_)) continue;
        // The SYN arrives: a fault opportunity.
        std::vector<FaultKind> can;
        const SimServer* listening = to->up_ ? listener(to->index_, port) : nullptr;
        if (listening && listening->is_serving()) can.push_back(FaultKind::refuse);
        if (to != &from) can.push_back(FaultKind::partition);
        if (to != &from && to->index_ != 0 && to->up_) can.push_back(FaultKind::crash);
        if (auto k = fault_choice(can)) {
            if (*k == FaultKind::refuse) {
                note_fault(to->index_, "refused " + words);
                refused = true;
            } else if (*k == FaultKind::partition) {
                inject_partition(from.index_, to->index_);
                continue;
            } else {
                inject_crash(to->index_);
            }
        }
        break;
    }
    SimServer* s = to->up_ && !refused ? listener(to->index_, port) : nullptr;
    if (s && !s->is_serving()) s = nullptr;  // bound, not listening
    if (!s) {
        co_await pause_for(loop_, one_way_latency());  // the RST travels back
        emit(TraceKind::net_refused, from.index_, id, words);
        throw_os_error(ECONNREFUSED, "connect", fmt::format("Connect call failed {}", dst.str()));
    }
    std::shared_ptr<aio::detail::ServerCore> server = s->shared_from_this();
    emit(TraceKind::net_accept, to->index_, id, words);
    std::unique_ptr<Protocol> server_protocol;
    {
        auto scope = enter_tag(loop_, to->index_);
        server_protocol = s->factory()();
    }
    if (!server_protocol) throw RuntimeError("the server's protocol factory returned no protocol");
    co_await pause_for(loop_, one_way_latency());  // the SYN-ACK travels back
    std::unique_ptr<Protocol> client_protocol = factory();
    if (!client_protocol) throw RuntimeError("the protocol factory returned no protocol");
    if (!to->up_) {
        // The server's host crashed while the SYN-ACK travelled: its end is gone.
        emit(TraceKind::net_refused, from.index_, id, words);
        throw_os_error(ECONNRESET, "connect", fmt::format("Connect call failed {}", dst.str()));
    }
    std::shared_ptr<Connection> conn =
        Connection::open(loop_, *this, id, Endpoint{from.index_, src}, Endpoint{to->index_, dst},
                         std::move(client_protocol), std::move(server_protocol), cfg_);
    conns_[id] = conn;
    server->attach();
    accepted_by_[id] = std::move(server);
    // connection_made of both ends runs on the next pass (scheduled first); then the caller.
    Future<void> made(loop_);
    loop_.call_soon([made]() mutable {
        if (!made.done()) made.set_result();
    });
    try {
        co_await made;
    } catch (...) {
        // Cancelled before the caller got its transport: nobody else can close it (asyncio's
        // _create_connection_transport closes the transport when its waiter fails).
        conn->transport(0)->close();
        throw;
    }
    co_return conn->transport(0);
}

Coro<Server> SimNetwork::create_server(ProtocolFactory factory, std::string host, std::uint16_t port,
                                       ServerOptions options) {
    SimHost& on = static_cast<SimHost&>(current_host());
    if (options.family != AF_UNSPEC && options.family != AF_INET) throw gaierror(EAI_ADDRFAMILY, "getaddrinfo");
    SimHost* h = resolve(host, on);
    if (!h && !is_loopback_name(host)) {
        SocketAddress probe;
        try {
            probe = SocketAddress::ip(host, port);
        } catch (const ValueError&) {
            throw gaierror(EAI_NONAME, "getaddrinfo");
        }
    }
    if (h != &on) {
        const SocketAddress a = SocketAddress::ip(h ? h->address() : host, port);
        throw_os_error(
            EADDRNOTAVAIL, "bind",
            fmt::format("error while attempting to bind on address {}: cannot assign requested address", a.str()));
    }
    if (port == 0) port = ephemeral_port(on);
    const SocketAddress addr = SocketAddress::ip(on.address(), port);
    if (listener(on.index_, port))
        throw_os_error(EADDRINUSE, "bind",
                       fmt::format("error while attempting to bind on address {}: address already in use", addr.str()));
    auto core = std::make_shared<SimServer>(loop_, *this, on.index_, addr, std::move(factory));
    Server server(core);
    if (options.start_serving) {
        core->start_serving();
        co_await sleep(std::chrono::seconds(0));
    }
    co_return server;
}

// ---- NetEnv -------------------------------------------------------------------------------

Duration SimNetwork::segment_latency(Connection&, int) { return one_way_latency(); }

bool SimNetwork::before_delivery(Connection& c, int dir, std::size_t bytes) {
    const std::uint32_t src = c.endpoint(dir).host, dst = c.endpoint(1 - dir).host;
    const std::pair<std::uint64_t, int> key{c.id(), dir};
    if (blocked(src, dst) || stalled_.count(key)) {
        c.hold(dir);
        held_[key] = true;
        return false;
    }
    if (injected_ >= cfg_.faults.budget) return true;  // the common case: no fault to decide
    // A FIN or RST (0 bytes) waits behind a partition or hold, but is no fault chance of its own.
    if (bytes == 0) return true;
    std::vector<FaultKind> can{FaultKind::reset, FaultKind::stall};
    if (src != dst) can.push_back(FaultKind::partition);
    if (dst != 0 && hosts_[dst]->up_) can.push_back(FaultKind::crash);
    if (c.latency_factor() == 1 && cfg_.slow_factor > 1) can.push_back(FaultKind::slow);
    const auto k = fault_choice(can);
    if (!k) return true;
    switch (*k) {
    case FaultKind::reset: {
        const std::uint64_t total = c.bytes_delivered(0) + c.bytes_delivered(1);
        note_fault(dst, fmt::format("reset of {} after {} bytes", conn_words(c), total));
        emit(TraceKind::net_reset, dst, c.id(), conn_words(c));
        c.reset();
        return false;
    }
    case FaultKind::stall: {
        note_fault(dst, fmt::format("stall of {} {}->{} ({})", conn_words(c), hosts_[src]->name(), hosts_[dst]->name(),
                                    format_duration(cfg_.stall_time)));
        stalled_[key] = deadline_after(hooks_.virtual_now(), cfg_.stall_time);
        c.hold(dir);
        held_[key] = true;
        loop_.call_later(cfg_.stall_time, [this, key] {
            stalled_.erase(key);
            recheck();
        });
        (void)bytes;
        return false;
    }
    case FaultKind::partition:
        inject_partition(src, dst);
        c.hold(dir);
        held_[key] = true;
        return false;
    case FaultKind::crash: inject_crash(dst); return false;
    case FaultKind::slow:
        note_fault(dst, fmt::format("slow link {} (x{})", conn_words(c), cfg_.slow_factor));
        c.set_latency_factor(cfg_.slow_factor);
        return true;
    default: return true;
    }
}

void SimNetwork::on_send(Connection& c, int dir, std::size_t bytes, std::uint64_t flow) {
    if (hooks_.tracing())
        emit(TraceKind::net_send, c.endpoint(dir).host, flow,
             fmt::format("conn #{} dir={} bytes={}", c.id(), dir, bytes));
}

void SimNetwork::on_deliver(Connection& c, int dir, std::size_t bytes, std::uint64_t flow) {
    if (hooks_.tracing())
        emit(TraceKind::net_deliver, c.endpoint(1 - dir).host, flow,
             fmt::format("conn #{} dir={} bytes={}", c.id(), dir, bytes));
}

void SimNetwork::on_closed(Connection& c) {
    const std::uint64_t id = c.id();
    emit(TraceKind::net_close, c.endpoint(0).host, id, conn_words(c));
    held_.erase({id, 0});
    held_.erase({id, 1});
    stalled_.erase({id, 0});
    stalled_.erase({id, 1});
    auto it = conns_.find(id);
    if (it == conns_.end()) return;
    // The connection may be in one of its own methods: release it after this pass.
    std::shared_ptr<Connection> keep = std::move(it->second);
    conns_.erase(it);
    if (!loop_.is_closed()) loop_.call_soon([keep] {});
}

void SimNetwork::enter_side(Connection& c, int side) {
    side_scopes_.push_back(enter_tag(loop_, c.endpoint(side).host));
}

void SimNetwork::leave_side(Connection&, int) noexcept {
    if (!side_scopes_.empty()) side_scopes_.pop_back();
}

void SimNetwork::on_side_gone(Connection& c, int side) noexcept {
    if (side != 1) return;
    auto it = accepted_by_.find(c.id());
    if (it == accepted_by_.end()) return;
    std::shared_ptr<aio::detail::ServerCore> s = std::move(it->second);
    accepted_by_.erase(it);
    try {
        s->detach();
    } catch (...) {  // a wait_closed() waiter's completion failed: nothing to tell
    }
}

}  // namespace aio::sim::net_parts
