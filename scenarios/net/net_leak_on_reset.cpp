// A known bug: a server that leaks when a client resets mid-request. The "srv" host serves
// uploads ("put SIZE\n" then SIZE bytes, answered "stored SIZE bytes\n"); each connection's
// handler counts itself in the server's open sessions and starts a watchdog task that gives up
// on the request (closes the connection, cancels the handler) if it takes longer than 10 s. On
// the way out it cancels the watchdog and leaves the session count, but only on the normal way
// out: when the client's connection is reset (ConnectionResetError out of a read), the exception
// skips both, so the session stays counted forever and the watchdog task outlives its
// connection by 10 s. Three clients on the "client" host upload four times each; at the end the
// main task closes the server, waits until it is drained (every connection gone, no session,
// no task of its own left, or 15 s) and reports what is left.
//
// The fix (net_leak_on_reset_fixed): the handler's resources are held by an RAII guard whose
// destructor cancels the watchdog, closes the writer and leaves the session count, however the
// handler ends (normally, by an exception, or cancelled).
//
// On the real loop nothing resets (loopback); under the simulator `aiosim explore
// bug_net_leak_on_reset --faults 1 --fault-kinds r` finds the leak within a few seeds.
#include <aio/aio.hpp>
#include <aio/scenario.hpp>
#include <aio/sim/network.hpp>
#include <fmt/ranges.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace std::chrono_literals;
using aio::scenario::Context;

namespace {

constexpr int kClients = 3;
constexpr int kUploads = 4;
constexpr std::size_t kSize = 3000;  // three segments of the default 1460 bytes
constexpr auto kRequestLimit = 10s;  // the watchdog closes a connection whose request takes longer
constexpr auto kClientTimeout = 5s;  // a client gives up on one upload after this long
constexpr auto kDrainLimit = 15s;    // the main task waits this long for the server to be idle
constexpr auto kPoll = 100ms;

enum class Version : bool { bug, fixed };

struct ServerState {
    explicit ServerState(Version v) : version(v) {}
    Version version;
    int sessions = 0;  // connections being served
    int next_id = 0;
    aio::Server server;
};

// Too slow: give up on this client. Closing is not enough to end a read that waits on a
// connection already lost (a reset the reader has not seen), so the request is cancelled too.
aio::Coro<void> watchdog(aio::AnyTask request, aio::StreamWriter writer) {
    co_await aio::sleep(kRequestLimit);
    writer.close();
    request.cancel();
}

std::size_t parse_put(std::string_view header) {
    if (header.substr(0, 4) != "put " || header.size() < 6 || header.back() != '\n')
        throw aio::ValueError(fmt::format("bad request '{}'", header));
    std::size_t n = 0;
    for (char c : header.substr(4, header.size() - 5)) {
        if (c < '0' || c > '9') throw aio::ValueError(fmt::format("bad size in '{}'", header));
        n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    return n;
}

// The request itself, the same in both versions: read the upload, answer, close.
aio::Coro<void> serve_upload(aio::StreamReader& reader, aio::StreamWriter& writer) {
    const std::size_t size = parse_put(co_await reader.readline());
    const std::string body = co_await reader.readexactly(size);  // a reset here: ConnectionResetError
    writer.write(fmt::format("stored {} bytes\n", body.size()));
    co_await writer.drain();
    writer.close();
    co_await writer.wait_closed();
}

// The bug: the cleanup after the request runs only when the request ends normally.
aio::Coro<void> handle_leaky(ServerState& s, aio::StreamReader reader, aio::StreamWriter writer) {
    ++s.sessions;
    auto dog = aio::create_task(watchdog(aio::current_task(), writer), fmt::format("watchdog-{}", ++s.next_id));
    co_await serve_upload(reader, writer);
    dog.cancel();
    --s.sessions;
}

// The fix: what a connection holds is released by a destructor, however the handler ends.
class Session {
public:
    Session(ServerState& s, aio::StreamWriter writer)
        : s_(s),
          writer_(writer),
          dog_(aio::create_task(watchdog(aio::current_task(), writer), fmt::format("watchdog-{}", ++s.next_id))) {
        ++s_.sessions;
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session() {
        dog_.cancel();
        writer_.close();
        --s_.sessions;
    }

private:
    ServerState& s_;
    aio::StreamWriter writer_;
    aio::Task<void> dog_;
};

aio::Coro<void> handle_guarded(ServerState& s, aio::StreamReader reader, aio::StreamWriter writer) {
    Session session(s, writer);
    co_await serve_upload(reader, writer);
}

aio::Coro<void> serve(ServerState& s) {
    aio::sim::Host& host = aio::sim::network().current_host();
    s.server = co_await aio::start_server(
        [&s](aio::StreamReader r, aio::StreamWriter w) {
            return s.version == Version::bug ? handle_leaky(s, r, w) : handle_guarded(s, r, w);
        },
        host.address(), 0);  // a port the system (or the simulated network) chooses
}

// --- the clients -----------------------------------------------------------------------------

aio::Coro<void> upload(std::uint16_t port, std::size_t size) {
    auto [reader, writer] = co_await aio::open_connection("srv", port);
    writer.write(fmt::format("put {}\n", size));
    writer.write(std::string(size, 'x'));
    co_await writer.drain();
    const std::string reply = co_await reader.readline();
    writer.close();
    if (reply != fmt::format("stored {} bytes\n", size)) throw aio::RuntimeError(fmt::format("bad reply '{}'", reply));
}

aio::Coro<void> client(std::uint16_t port, int& failed) {
    for (int i = 0; i < kUploads; ++i) {
        try {
            co_await aio::wait_for(upload(port, kSize), kClientTimeout);
        } catch (const std::exception&) {  // reset, refused, timed out: the client moves on
            ++failed;
        }
    }
}

aio::Coro<void> clients(Context& ctx, std::uint16_t port) {
    int failed = 0;
    std::vector<aio::Task<void>> tasks;
    for (int i = 0; i < kClients; ++i)
        tasks.push_back(aio::create_task(client(port, failed), fmt::format("client-{}", i)));
    for (auto& t : tasks) co_await t;
    ctx.print("clients: {} uploads, {} failed", kClients * kUploads, failed);
}

// --- the observer ----------------------------------------------------------------------------

std::vector<std::string> other_pending_tasks() {
    std::vector<std::string> names;
    const std::uint64_t me = aio::current_task().id();
    for (const auto& t : aio::get_running_loop().all_tasks())
        if (t.id() != me) names.push_back(t.name());
    return names;
}

// `state` outlives the run (the scenario's body owns it, not this frame): the srv host's tasks
// (a restart's fresh serve(), a handler's Session) may still run, and their frames are destroyed,
// after amain returned: during aio::run's shutdown and when the loop closes.
aio::Coro<void> amain(Context& ctx, ServerState& state) {
    aio::sim::Network& net = aio::sim::network();
    net.add_host("srv", [&state] { return serve(state); });
    for (auto waited = 0ms; !state.server; waited += kPoll) {  // until it listens
        if (waited >= kDrainLimit) throw aio::RuntimeError("the server on srv did not start");
        co_await aio::sleep(kPoll);
    }
    try {
        co_await net.add_host("client").spawn(clients(ctx, state.server.sockets().at(0).port()), "clients");
    } catch (const aio::sim::HostCrashed&) {
        ctx.print("clients: their host crashed");  // the connections it had open reset
    }
    // Stop accepting; every connection must go, and with it every session and task of the server.
    if (state.server) {
        state.server.close();
        try {
            co_await aio::wait_for(state.server.wait_closed(), kDrainLimit);
        } catch (const aio::TimeoutError&) {
            ctx.print("server: connections still open after {} s", kDrainLimit.count());
        }
    }
    for (auto waited = 0ms; waited < kDrainLimit && (state.sessions != 0 || !other_pending_tasks().empty());
         waited += kPoll)
        co_await aio::sleep(kPoll);
    const auto pending = other_pending_tasks();
    ctx.print("server: {} sessions open, {} tasks pending{}{}", state.sessions, pending.size(),
              pending.empty() ? "" : ": ", fmt::join(pending, ", "));
}

void check(const aio::scenario::Execution& outcome, aio::scenario::Verdict& verdict) {
    verdict.require(!outcome.escaped && outcome.exit_status == 0,
                    "the program must end normally, but it exited with status {} ({})", outcome.exit_status,
                    outcome.escaped_description());
    verdict.require(outcome.last_line() == "server: 0 sessions open, 0 tasks pending",
                    "a server must release every connection's session and task, however the connection ends: the "
                    "last line must be 'server: 0 sessions open, 0 tasks pending', but it is '{}' (leak)",
                    outcome.last_line());
}

}  // namespace

AIOSIM_SCENARIO(bug_net_leak_on_reset,
                "known bug: a connection handler leaks its session (and its watchdog task for 10 s) when the client "
                "resets mid-request") {
    ServerState state(Version::bug);
    aio::run(amain(ctx, state), ctx.run_options());
    return 0;
}

AIOSIM_ORACLE(bug_net_leak_on_reset) { check(outcome, verdict); }

AIOSIM_SCENARIO(
    net_leak_on_reset_fixed,
    "bug_net_leak_on_reset fixed: an RAII guard releases the session and cancels the watchdog on every exit") {
    ServerState state(Version::fixed);
    aio::run(amain(ctx, state), ctx.run_options());
    return 0;
}

AIOSIM_ORACLE(net_leak_on_reset_fixed) { check(outcome, verdict); }
