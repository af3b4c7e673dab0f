// A known bug: split brain. Two nodes, "a" (the primary) and "b" (its backup), and a "store"
// host that takes the primary's writes. The primary heartbeats the backup every 50 ms and writes
// to the store; the backup takes over (a new epoch) when it has heard no heartbeat for 400 ms,
// and from then on heartbeats the old primary, which steps down when it hears a newer epoch.
//
// When the heartbeats stop only because the link between a and b is cut (a partition, a stalled
// direction) or because the primary paused (a "GC pause": the fault_point below), the old
// primary never hears that b took over: both write, and the store accepts a's epoch-1 writes
// after b's epoch-2 ones. The observer (the main task, which reads the store's log at the end)
// finds two primaries at once. (Refused connects, resets and slow links alone, within two
// faults, do not silence the heartbeats for 400 ms; a crash of a is a legitimate takeover.)
//
// The fix (net_split_brain_fixed): a fencing token. Every write carries the writer's epoch; the
// store accepts a write only from the newest epoch it has seen (and, within one epoch, from the
// node that first wrote in it) and answers "fenced E" otherwise; the fenced node steps down. Two
// nodes may still believe they are primary for a while, but only one can act as one.
//
// Every server listens on a port the system (or the simulated network) picks, published in a
// directory. On the real loop the hosts are loopback addresses (127.0.0.N) and nothing fails,
// so no takeover happens; under the simulator `aiosim explore bug_net_split_brain --faults 2
// --fault-kinds ph` finds the bug and `aiosim shrink` reduces it to one partition a|b.
#include <aio/aio.hpp>
#include <aio/scenario.hpp>
#include <aio/sim/network.hpp>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace std::chrono_literals;
using aio::scenario::Context;

namespace {

constexpr auto kBeat = 50ms;       // the primary heartbeats and writes this often
constexpr auto kTakeover = 400ms;  // the backup takes over after this long without a heartbeat
constexpr auto kTimeout = 200ms;   // for one connect, send or answer
constexpr auto kPause = 1s;        // how long the primary stalls when fault_point fires
constexpr auto kRunFor = 1500ms;   // then the observer reads the store's log

enum class Version : bool { bug, fixed };

// Where each host's server listens (a service registry): every server takes a port the system
// (or the simulated network) chooses, so runs on the real loop never collide with anything.
using Directory = std::map<std::string, std::uint16_t, std::less<>>;

std::vector<std::string> words(std::string_view line) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\n')) ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\n') ++i;
        if (i > start) out.emplace_back(line.substr(start, i - start));
    }
    return out;
}

long number(const std::string& word) {
    long n = 0;
    for (char c : word) {
        if (c < '0' || c > '9') throw aio::ValueError("not a number: '" + word + "'");
        n = n * 10 + (c - '0');
    }
    return n;
}

// --- the store -------------------------------------------------------------------------------

struct StoreDisk {  // the store's data: outside its tasks, so it survives a crash of its host
    struct Write {
        std::string node;
        long epoch;
    };
    std::vector<Write> log;
    long epoch = 0;  // the fixed store: the newest epoch written, and who wrote in it
    std::string holder;
};

// One client connection: "write NODE EPOCH\n" -> "ok\n" (or, fixed, "fenced EPOCH\n").
aio::Coro<void> store_session(Version version, StoreDisk& disk, aio::StreamReader reader, aio::StreamWriter writer) {
    try {
        for (std::string line; !(line = co_await reader.readline()).empty();) {
            const auto w = words(line);
            if (w.size() != 3 || w[0] != "write") break;
            const long epoch = number(w[2]);
            const bool stale = epoch < disk.epoch || (epoch == disk.epoch && w[1] != disk.holder);
            if (version == Version::fixed && stale) {
                writer.write(fmt::format("fenced {}\n", disk.epoch));
            } else {
                disk.epoch = epoch;
                disk.holder = w[1];
                disk.log.push_back({w[1], epoch});
                writer.write("ok\n");
            }
            co_await writer.drain();
        }
    } catch (const std::exception&) {
        // the writer went away (reset, timeout on its side): nothing to answer
    }
    writer.close();
}

aio::Coro<void> serve_store(Version version, StoreDisk& disk, Directory& directory) {
    aio::sim::Host& host = aio::sim::network().current_host();
    aio::Server server = co_await aio::start_server(
        [version, &disk](aio::StreamReader r, aio::StreamWriter w) { return store_session(version, disk, r, w); },
        host.address(), 0);
    directory[host.name()] = server.sockets().at(0).port();
}

// --- the nodes -------------------------------------------------------------------------------

// One connection to a host's server, reopened by the next call after any failure.
class Link {
public:
    Link(std::string host, const Directory& directory) : host_(std::move(host)), directory_(directory) {}
    Link(const Link&) = delete;
    Link& operator=(const Link&) = delete;
    ~Link() { drop(); }

    // Sends `line`; with `answer`, returns the answer line. Refused, reset, closed or too slow
    // (kTimeout for each step): the connection is dropped and the error propagates.
    aio::Coro<std::string> call(std::string line, bool answer) {
        try {
            if (!conn_) {
                const auto port = directory_.find(host_);
                if (port == directory_.end())
                    throw aio::ConnectionRefusedError(ECONNREFUSED, "connect", host_ + " does not listen yet");
                conn_ = co_await aio::wait_for(aio::open_connection(host_, port->second), kTimeout);
            }
            conn_->second.write(line);
            co_await aio::wait_for(conn_->second.drain(), kTimeout);
            if (!answer) co_return std::string{};
            std::string reply = co_await aio::wait_for(conn_->first.readline(), kTimeout);
            if (reply.empty()) throw aio::ConnectionResetError(ECONNRESET, "read", "connection closed by the peer");
            co_return reply;
        } catch (...) {
            drop();
            throw;
        }
    }

private:
    void drop() noexcept {
        if (conn_) conn_->second.close();
        conn_.reset();
    }

    std::string host_;
    const Directory& directory_;
    std::optional<aio::StreamPair> conn_;
};

struct Node {  // a node's memory: lost when its host crashes (the epoch is on its disk too)
    Node(Context& c, aio::sim::Host& h, std::string n, std::string p)
        : ctx(c), host(h), name(std::move(n)), peer(std::move(p)) {}
    Context& ctx;
    aio::sim::Host& host;
    std::string name;
    std::string peer;
    bool primary = false;
    long epoch = 1;
    aio::Event beat;  // set by each heartbeat of the current primary

    void set_epoch(long e) {
        epoch = e;
        host.disk()["epoch"] = std::to_string(e);
    }
    void step_down(std::string_view why) {
        ctx.print("{} steps down: {}", name, why);
        primary = false;
    }
};

// The peer's heartbeats: "beat EPOCH\n". A newer (or, for a backup, the same) epoch is the
// current primary's: follow it. An older one is a stale primary's: ignored.
aio::Coro<void> peer_session(Node& n, aio::StreamReader reader, aio::StreamWriter writer) {
    try {
        for (std::string line; !(line = co_await reader.readline()).empty();) {
            const auto w = words(line);
            if (w.size() != 2 || w[0] != "beat") break;
            const long epoch = number(w[1]);
            if (epoch < n.epoch || (epoch == n.epoch && n.primary)) continue;
            if (n.primary) n.step_down(fmt::format("{} is primary at epoch {}", n.peer, epoch));
            n.set_epoch(epoch);
            n.beat.set();
        }
    } catch (const std::exception&) {
        // the primary's connection broke: it reconnects, or the backup takes over
    }
    writer.close();
}

aio::Coro<void> wait_beat(Node& n) { co_await n.beat.wait(); }

// One round of the primary: heartbeat the peer, write to the store.
aio::Coro<void> act_as_primary(Node& n, Link& to_peer, Link& to_store) {
    const long epoch = n.epoch;  // "I am the primary at this epoch"
    try {
        co_await to_peer.call(fmt::format("beat {}\n", epoch), false);
    } catch (const std::exception&) {
        // the backup is unreachable: keep serving (the bug: nothing stops a cut-off primary)
    }
    if (co_await aio::sim::fault_point("primary pauses")) co_await aio::sleep(kPause);  // a GC pause
    try {
        const auto reply = words(co_await to_store.call(fmt::format("write {} {}\n", n.name, epoch), true));
        if (reply.size() == 2 && reply[0] == "fenced") {  // only the fixed store fences
            if (number(reply[1]) > n.epoch) n.set_epoch(number(reply[1]));
            if (n.primary) n.step_down(fmt::format("the store fenced epoch {}", epoch));
        }
    } catch (const std::exception&) {
        // the store is unreachable: try again next round
    }
}

aio::Coro<void> run_node(Context& ctx, Directory& directory, std::string name, std::string peer) {
    aio::sim::Host& host = aio::sim::network().current_host();
    // A node that booted before (a restart after a crash) comes back as a backup.
    const bool rebooted = !host.disk().emplace("booted", "yes").second;
    Node n(ctx, host, name, peer);
    n.primary = name == "a" && !rebooted;
    if (auto it = host.disk().find("epoch"); it != host.disk().end()) n.epoch = number(it->second);
    aio::Server server = co_await aio::start_server(
        [&n](aio::StreamReader r, aio::StreamWriter w) { return peer_session(n, r, w); }, host.address(), 0);
    directory[name] = server.sockets().at(0).port();
    Link to_peer(peer, directory);
    Link to_store("store", directory);
    for (;;) {
        if (!n.primary) {
            bool heard = true;
            try {
                co_await aio::wait_for(wait_beat(n), kTakeover);
            } catch (const aio::TimeoutError&) {
                heard = false;
            }
            n.beat.clear();
            if (heard || n.primary) continue;
            n.primary = true;
            n.set_epoch(n.epoch + 1);
            ctx.print("{} takes over at epoch {}: no heartbeat from {}", name, n.epoch, peer);
        }
        co_await act_as_primary(n, to_peer, to_store);
        co_await aio::sleep(kBeat);
    }
}

// --- the observer ----------------------------------------------------------------------------

aio::Coro<void> amain(Context& ctx, Version version, StoreDisk& store, Directory& directory) {
    aio::sim::Network& net = aio::sim::network();
    net.add_host("store", [version, &store, &directory] { return serve_store(version, store, directory); });
    net.add_host("a", [&ctx, &directory] { return run_node(ctx, directory, "a", "b"); });
    net.add_host("b", [&ctx, &directory] { return run_node(ctx, directory, "b", "a"); });
    co_await aio::sleep(kRunFor);
    // The store's log must show one primary at a time: epochs never go back, and each epoch has
    // one writer.
    const auto& log = store.log;
    for (std::size_t i = 1; i < log.size(); ++i) {
        const auto& before = log[i - 1];
        const auto& now = log[i];
        if (now.epoch < before.epoch || (now.epoch == before.epoch && now.node != before.node)) {
            ctx.print("store: {} wrote at epoch {} after {} at epoch {}: two primaries at once", now.node, now.epoch,
                      before.node, before.epoch);
            co_return;
        }
    }
    ctx.print("store: one primary at a time");
}

int run_scenario(Context& ctx, Version version) {
    StoreDisk store;
    Directory directory;
    aio::run(amain(ctx, version, store, directory), ctx.run_options());
    return 0;
}

// The observer's verdict: the last line it printed ("store: ..."; the nodes never print one). Not
// the run's last line: the nodes keep running until the loop stops, so a node may print after
// the observer read the log. A takeover due in the same pass as the observer's wake-up (timers
// due within a millisecond of each other fire together, as under CPython's epoll wait) prints
// its "takes over" line after the verdict, a legitimate run in which the store took writes from
// one primary at a time.
std::string_view store_verdict(const aio::scenario::Execution& outcome) {
    for (auto it = outcome.lines.rbegin(); it != outcome.lines.rend(); ++it)
        if (std::string_view(*it).starts_with("store: ")) return *it;
    return {};
}

void check(const aio::scenario::Execution& outcome, aio::scenario::Verdict& verdict) {
    verdict.require(!outcome.escaped && outcome.exit_status == 0,
                    "the program must end normally, but it exited with status {} ({})", outcome.exit_status,
                    outcome.escaped_description());
    verdict.require(store_verdict(outcome) == "store: one primary at a time",
                    "the store must take writes from one primary at a time: the observer's line must be 'store: "
                    "one primary at a time', but it is '{}' (split brain)",
                    store_verdict(outcome));
}

}  // namespace

AIOSIM_SCENARIO(
    bug_net_split_brain,
    "known bug: a primary cut off from its backup by a partition keeps writing after the backup took over") {
    return run_scenario(ctx, Version::bug);
}

AIOSIM_ORACLE(bug_net_split_brain) { check(outcome, verdict); }

AIOSIM_SCENARIO(net_split_brain_fixed,
                "bug_net_split_brain fixed: the store fences writes of an older epoch, so one primary acts at a time") {
    return run_scenario(ctx, Version::fixed);
}

AIOSIM_ORACLE(net_split_brain_fixed) { check(outcome, verdict); }
