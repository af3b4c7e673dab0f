#pragma once
// The simulator's network (network.hpp's Network on a SimLoop): hosts, the simulated DNS, the
// listeners, connects, and the faults. The SimLoop owns one and forwards its getaddrinfo,
// create_connection and create_server to it; the network asks the loop's decision source
// through NetHooks (latency 'l', fault 'f', fault point 'b') and records trace events there.
//
// Hosts are numbered in add order from 0 ("main", 10.0.0.1); a host's number is the tag
// (EventLoop task tags) of its tasks, so the main task (tag 0) runs on "main".
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "aio/net/server.hpp"
#include "aio/sim/decision.hpp"
#include "aio/sim/net_config.hpp"
#include "aio/sim/network.hpp"
#include "aio/sim/trace.hpp"
#include "connection.hpp"

namespace aio::sim::net_parts {

/// What the network needs of its loop.
class NetHooks {
public:
    virtual ~NetHooks() = default;
    /// Asks the decision source (0 when the run offers no choice); n >= 2.
    virtual std::size_t decide(Choice kind, std::size_t n, std::uint32_t rate) = 0;
    virtual TimePoint virtual_now() const noexcept = 0;
    virtual bool tracing() const noexcept = 0;
    /// A network trace event; `detail` starts with "host=NAME".
    virtual void trace(TraceKind kind, std::uint32_t host, std::uint64_t flow, std::string detail) = 0;
};

class SimNetwork;
class SimServer;

class SimHost final : public Host {
public:
    SimHost(SimNetwork& net, std::uint32_t index, std::string name, std::string address, HostStart start)
        : Host(std::move(name), std::move(address)), net_(&net), index_(index), start_(std::move(start)) {}
    bool up() const noexcept override { return up_; }
    std::uint32_t index() const noexcept { return index_; }

private:
    friend class SimNetwork;
    std::shared_ptr<void> enter() override;

    SimNetwork* net_;
    std::uint32_t index_;
    HostStart start_;
    bool up_ = true;
    std::uint16_t next_port_ = 49152;  // client ends and port-0 servers
};

class SimNetwork final : public Network, public NetEnv {
public:
    SimNetwork(EventLoop& loop, const NetConfig& cfg, NetHooks& hooks);
    ~SimNetwork() override;

    // --- Network --------------------------------------------------------------------------
    Host& add_host(std::string name, HostStart start = {}) override;
    Host& host(std::string_view name) override;
    Host& current_host() override;
    std::vector<Host*> hosts() override;
    bool simulated() const noexcept override { return true; }
    void partition(std::string_view a, std::string_view b) override;
    void repair(std::string_view a, std::string_view b) override;
    void crash(std::string_view host) override;
    void restart(std::string_view host) override;
    void hold(std::string_view from, std::string_view to) override;
    void release(std::string_view from, std::string_view to) override;

    // --- the loop's I/O calls -------------------------------------------------------------
    Coro<std::vector<AddrInfo>> getaddrinfo(std::string host, std::string port, AddrInfoHints hints);
    Coro<std::shared_ptr<Transport>> create_connection(ProtocolFactory factory, std::string host, std::uint16_t port,
                                                       ConnectOptions options);
    Coro<Server> create_server(ProtocolFactory factory, std::string host, std::uint16_t port, ServerOptions options);
    /// fault_point(name) on this network.
    bool fault_point(std::string_view name);

    /// Whether segment and connect latencies are decisions ('l'); set by the loop.
    void set_offer_latency(bool on) noexcept;
    /// The injected faults so far, in words (RunRecord::faults).
    const std::vector<std::string>& faults() const noexcept { return faults_; }

    // --- NetEnv: what the connections ask ---------------------------------------------------
    Duration segment_latency(Connection& c, int dir) override;
    bool before_delivery(Connection& c, int dir, std::size_t bytes) override;
    void on_send(Connection& c, int dir, std::size_t bytes, std::uint64_t flow) override;
    void on_deliver(Connection& c, int dir, std::size_t bytes, std::uint64_t flow) override;
    void on_closed(Connection& c) override;
    void enter_side(Connection& c, int side) override;
    void leave_side(Connection& c, int side) noexcept override;
    void on_side_gone(Connection& c, int side) noexcept override;

    // --- for SimServer ----------------------------------------------------------------------
    /// A server is bound at creation (bind), serves after listen(), and unbinds when closed or
    /// destroyed.
    void bind(SimServer& s);
    void listen(SimServer& s);
    void unbind(SimServer& s) noexcept;

private:
    friend class SimHost;
    struct Link;

    SimHost& host_at(std::uint32_t i) { return *hosts_[i]; }
    SimHost& named(std::string_view name, const char* what);
    SimHost* by_address(std::string_view address);
    /// The host a name or numeric address means, seen from `from` ("", "localhost", 127.x: itself).
    SimHost* resolve(std::string_view name, const SimHost& from);
    SimServer* listener(std::uint32_t host, std::uint16_t port);
    std::uint16_t ephemeral_port(SimHost& h);
    bool blocked(std::uint32_t from, std::uint32_t to) const;
    Duration one_way_latency();
    void start_host(SimHost& h);
    /// At a fault opportunity: asks 'f' among the kinds of `applicable` the policy allows,
    /// while the budget lasts; the kind injected, if any (counted).
    std::optional<FaultKind> fault_choice(const std::vector<FaultKind>& applicable);
    void inject_partition(std::uint32_t a, std::uint32_t b);
    void inject_crash(std::uint32_t h);
    void crash_host(SimHost& h);
    /// Releases the held directions that nothing blocks any more.
    void recheck();
    std::string conn_words(const Connection& c) const;
    void note_fault(std::uint32_t host, std::string words);
    void changed();
    std::string when() const;
    void emit(TraceKind kind, std::uint32_t host, std::uint64_t flow, std::string detail);

    EventLoop& loop_;
    const NetConfig& cfg_;
    NetHooks& hooks_;
    bool offer_latency_;
    std::vector<std::unique_ptr<SimHost>> hosts_;
    std::map<std::pair<std::uint32_t, std::uint16_t>, SimServer*> listeners_;
    std::map<std::pair<std::uint32_t, std::uint32_t>, int> partitions_;  // (low, high) -> count
    std::map<std::pair<std::uint32_t, std::uint32_t>, int> holds_;       // (from, to) -> count
    // The listening servers, held while they listen.
    std::vector<std::shared_ptr<SimServer>> held_servers_;
    // Connects waiting across a partition: completed (true) when a partition heals, a hold is
    // released or a host restarts, so they look again.
    std::vector<Future<bool>> waiters_;
    // The open connections by id (until on_closed), and the server each accepted end counts in.
    std::map<std::uint64_t, std::shared_ptr<Connection>> conns_;
    std::map<std::uint64_t, std::shared_ptr<aio::detail::ServerCore>> accepted_by_;
    // Directions held because a partition, a hold or a stall blocks them; stalls until when.
    std::map<std::pair<std::uint64_t, int>, bool> held_;
    std::map<std::pair<std::uint64_t, int>, TimePoint> stalled_;
    // enter_side's tag scopes, innermost last.
    std::vector<std::shared_ptr<void>> side_scopes_;
    std::uint64_t next_conn_ = 0;
    std::uint32_t injected_ = 0;
    std::vector<std::string> faults_;
};

}  // namespace aio::sim::net_parts
