// The blocked-task report of networked runs: which host each task runs on, which connection a
// task waits on and whether it reads or writes, and the await graph across hosts (two ends of
// a connection each waiting for the other are an await cycle).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/net/streams.hpp>
#include <aio/sim/network.hpp>
#include <aio/sim/sim.hpp>
#include <string>

using namespace std::chrono_literals;
namespace sim = aio::sim;

namespace {

bool report_has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The Deadlock's message of running `coro` (which must deadlock).
template <class Make>
sim::Deadlock deadlock_of(Make make, sim::Config cfg = {}) {
    try {
        sim::run(make(), cfg);
    } catch (const sim::Deadlock& d) {
        return d;
    }
    FAIL("the program did not deadlock");
    throw std::logic_error("unreachable");
}

// Both ends read first: the client waits for a greeting, the server for a request.
aio::Coro<void> both_read() {
    sim::Network& net = sim::network();
    auto serve = []() -> aio::Coro<void> {
        aio::Server server = co_await aio::start_server(
            [](aio::StreamReader r, aio::StreamWriter w) -> aio::Coro<void> {
                std::string request = co_await r.readline();
                w.write(request);
            },
            "", 5432);
        co_await server.serve_forever();
    };
    net.add_host("db", serve);
    co_await aio::sleep(1ms);
    auto [r, w] = co_await aio::open_connection("db", 5432);
    std::string greeting = co_await r.readline();
    (void)greeting;
}

// Both ends write more than the window holds and neither reads.
aio::Coro<void> both_write() {
    sim::Network& net = sim::network();
    static const std::string big(std::size_t{1} << 20, 'x');
    auto serve = []() -> aio::Coro<void> {
        aio::Server server = co_await aio::start_server(
            [](aio::StreamReader r, aio::StreamWriter w) -> aio::Coro<void> {
                (void)r;
                w.write(big);
                co_await w.drain();
            },
            "", 5432);
        co_await server.serve_forever();
    };
    net.add_host("db", serve);
    co_await aio::sleep(1ms);
    auto [r, w] = co_await aio::open_connection("db", 5432);
    w.write(big);
    co_await w.drain();
}

}  // namespace

TEST_CASE("a deadlock report names each task's host and, for a read, the connection it reads") {
    const sim::Deadlock d = deadlock_of(both_read);
    const std::string msg = d.what();
    CAPTURE(msg);
    CHECK(report_has(msg,
                     "#1 'Task-1' on host main awaits StreamReader.readuntil() reading conn #1 main:49152->db:5432 "
                     "(waiting for data from the peer)"));
    CHECK(report_has(msg, "'db:start' on host db awaits "));
    CHECK(report_has(msg,
                     "on host db awaits StreamReader.readuntil() reading conn #1 db:5432->main:49152 (waiting for data "
                     "from the peer)"));
    // The two ends wait for each other: an await cycle across the hosts.
    CHECK(report_has(msg, "Await cycle: #1 'Task-1'@main -> #"));
    REQUIRE(d.cycles().size() == 1);
    CHECK(d.cycles()[0].size() == 2);
    bool on_db = false;
    for (const auto& t : d.tasks()) on_db = on_db || t.host == "db";
    CHECK(on_db);
}

TEST_CASE("a task blocked in drain() is reported writing its connection, the peer's window full") {
    sim::Config cfg;
    cfg.schedule.network.window = 4096;
    const sim::Deadlock d = deadlock_of(both_write, cfg);
    const std::string msg = d.what();
    CAPTURE(msg);
    CHECK(
        report_has(msg,
                   "#1 'Task-1' on host main awaits StreamWriter.drain() writing conn #1 main:49152->db:5432 (waiting "
                   "for the peer to read: its window is full)"));
    CHECK(report_has(msg, "on host db awaits StreamWriter.drain() writing conn #1 db:5432->main:49152"));
    CHECK(d.cycles().size() == 1);
}

TEST_CASE("without other hosts a deadlock report has no host labels, as before the network") {
    auto lonely = []() -> aio::Coro<void> {
        aio::Future<int> never(aio::get_running_loop());
        co_await never;
    };
    const sim::Deadlock d = deadlock_of(lonely);
    const std::string msg = d.what();
    CHECK(report_has(msg, "#1 'Task-1' awaits a Future; created at"));
    CHECK_FALSE(report_has(msg, "on host"));
    CHECK(d.tasks().at(0).host.empty());
}
