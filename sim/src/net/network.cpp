// The simulator's network: hosts, DNS, listeners, connects and faults (sim_network.hpp).
#include "sim_network.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>

#include <fmt/format.h>

#include "aio/net/errors.hpp"
#include "aio/net/memory_transport.hpp"
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

void SimNetwork::note_fault(std::string words) { faults_.push_back(fmt::format("t={}: {}", when(), words)); }

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
    changed();
}

void SimNetwork::crash(std::string_view host) {
    SimHost& h = named(host, "crash");
    if (!h.up_) return;
    h.up_ = false;
    emit(TraceKind::crash, h.index_, 0, {});
    for (auto it = listeners_.begin(); it != listeners_.end();) {
        if (it->first.first == h.index_) {
            SimServer* s = it->second;
            it = listeners_.erase(it);
            s->close();
        } else {
            ++it;
        }
    }
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

bool SimNetwork::fault_point(std::string_view) { return false; }

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
    auto timed_out = [&] {
        emit(TraceKind::net_refused, from.index_, id, words + " timed out");
        throw_os_error(ETIMEDOUT, "connect", fmt::format("Connect call failed {}", dst.str()));
    };
    for (;;) {
        // Across a partition (or to an address nobody has) the SYN is lost: retransmits until
        // the link heals or the connect times out.
        while (!to || blocked(from.index_, to->index_)) {
            TimedWait w(loop_, deadline);
            waiters_.push_back(w.done);
            if (!co_await w.done) timed_out();
        }
        co_await pause_for(loop_, one_way_latency());  // the SYN travels
        if (blocked(from.index_, to->index_)) continue;
        break;
    }
    SimServer* s = to->up_ ? listener(to->index_, port) : nullptr;
    if (s && !s->is_serving()) s = nullptr;  // bound, not listening
    if (!s) {
        co_await pause_for(loop_, one_way_latency());  // the RST travels back
        emit(TraceKind::net_refused, from.index_, id, words);
        throw_os_error(ECONNREFUSED, "connect", fmt::format("Connect call failed {}", dst.str()));
    }
    std::shared_ptr<SimServer> server = std::static_pointer_cast<SimServer>(s->shared_from_this());
    emit(TraceKind::net_accept, to->index_, id, words);
    std::unique_ptr<Protocol> server_protocol;
    {
        auto scope = enter_tag(loop_, to->index_);
        server_protocol = server->factory()();
    }
    if (!server_protocol) throw RuntimeError("the server's protocol factory returned no protocol");
    co_await pause_for(loop_, one_way_latency());  // the SYN-ACK travels back
    std::unique_ptr<Protocol> client_protocol = factory();
    if (!client_protocol) throw RuntimeError("the protocol factory returned no protocol");
    MemoryPipeOptions mo;
    mo.capacity = cfg_.window;
    mo.max_read = cfg_.segment;
    mo.first_address = src;
    mo.second_address = dst;
    auto [client, accepted] = memory_pipe(loop_, std::move(client_protocol), std::move(server_protocol), mo);
    links_.push_back(accepted);
    // connection_made of both ends runs on the next pass (scheduled first); then the caller.
    Future<void> made(loop_);
    loop_.call_soon([made]() mutable {
        if (!made.done()) made.set_result();
    });
    co_await made;
    co_return client;
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

}  // namespace aio::sim::net_parts
