// The simulated network's world: hosts, the simulated DNS, connects, servers, faults, and the
// network's part of the replay string (network.hpp, net_config.hpp).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/net/errors.hpp>
#include <aio/net/streams.hpp>
#include <aio/sim/network.hpp>
#include <aio/sim/sim.hpp>
#include <fmt/format.h>

#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace sim = aio::sim;

namespace {

aio::Duration since_start(aio::TimePoint t) { return t.time_since_epoch(); }

// A line echo server: answers each line with "echo: " + line.
aio::Coro<void> echo_client_connected(aio::StreamReader r, aio::StreamWriter w) {
    try {
        for (;;) {
            std::string line = co_await r.readline();
            if (line.empty()) break;
            w.write("echo: " + line);
            co_await w.drain();
        }
        w.close();
        co_await w.wait_closed();
    } catch (const aio::ConnectionError&) {  // reset by a fault: this end is done too
    }
}

}  // namespace

TEST_CASE("the main task runs on host main, 10.0.0.1; hosts get 10.0.0.N in add order") {
    auto amain = []() -> aio::Coro<std::vector<std::string>> {
        sim::Network& net = sim::network();
        std::vector<std::string> seen;
        seen.push_back(net.current_host().name() + " " + net.current_host().address());
        sim::Host& db = net.add_host("db");
        sim::Host& app = net.add_host("app");
        seen.push_back(db.name() + " " + db.address());
        seen.push_back(app.name() + " " + app.address());
        seen.push_back(std::to_string(net.hosts().size()));
        seen.push_back(net.simulated() ? "simulated" : "real");
        co_return seen;
    };
    CHECK(sim::run(amain(), {}) ==
          std::vector<std::string>{"main 10.0.0.1", "db 10.0.0.2", "app 10.0.0.3", "3", "simulated"});
}

TEST_CASE("add_host refuses a name twice; host() of an unknown name is ValueError naming the hosts") {
    auto amain = []() -> aio::Coro<void> {
        sim::Network& net = sim::network();
        net.add_host("db");
        CHECK_THROWS_AS(net.add_host("db"), aio::ValueError);
        CHECK_THROWS_WITH_AS(net.host("nope"), doctest::Contains("hosts: main, db"), aio::ValueError);
        co_return;
    };
    sim::run(amain(), {});
}

TEST_CASE("getaddrinfo of a host name gives its address; an unknown name is gaierror as the real loop's") {
    auto amain = []() -> aio::Coro<void> {
        sim::network().add_host("db");
        auto& loop = aio::get_running_loop();
        std::vector<aio::AddrInfo> infos = co_await loop.getaddrinfo("db", "5432");
        REQUIRE(infos.size() == 1);
        CHECK(infos[0].address.str() == "('10.0.0.2', 5432)");
        CHECK(infos[0].family == AF_INET);
        CHECK(infos[0].socktype == SOCK_STREAM);
        std::string error;
        try {
            (void)co_await loop.getaddrinfo("nowhere.example", "80");
        } catch (const aio::gaierror& e) {
            error = e.what();
        }
        CHECK(error == "[Errno -2] Name or service not known");
    };
    sim::run(amain(), {});
}

TEST_CASE("open_connection and start_server talk over the simulated network in virtual time") {
    auto amain = []() -> aio::Coro<std::vector<std::string>> {
        std::vector<std::string> seen;
        aio::Server server = co_await aio::start_server(echo_client_connected, "", 7000);
        seen.push_back(server.sockets().at(0).str());
        auto [r, w] = co_await aio::open_connection("10.0.0.1", 7000);
        seen.push_back(w.get_extra_info("sockname").has_value() ? "named" : "unnamed");
        w.write("hello\n");
        seen.push_back(co_await r.readline());
        w.write("again\n");
        seen.push_back(co_await r.readline());
        w.close();
        co_await w.wait_closed();
        server.close();
        co_await server.wait_closed();
        seen.push_back(since_start(aio::get_running_loop().time()) > 0ns ? "time passed" : "no time");
        co_return seen;
    };
    CHECK(sim::run(amain(), {}) ==
          std::vector<std::string>{"('10.0.0.1', 7000)", "named", "echo: hello\n", "echo: again\n", "time passed"});
}

TEST_CASE("a connect takes one round trip of the base latency") {
    auto amain = []() -> aio::Coro<aio::Duration> {
        aio::Server server = co_await aio::start_server(echo_client_connected, "", 7000);
        const aio::TimePoint t0 = aio::get_running_loop().time();
        auto [r, w] = co_await aio::open_connection("main", 7000);
        const aio::Duration took = aio::get_running_loop().time() - t0;
        w.close();
        server.close();
        co_return took;
    };
    CHECK(sim::run(amain(), {}) == 200us);  // 2 x NetConfig::latency
}

TEST_CASE("a connect to a port nobody listens on is refused in asyncio's words") {
    auto amain = []() -> aio::Coro<std::string> {
        sim::network().add_host("db");
        try {
            (void)co_await aio::open_connection("db", 5432);
        } catch (const aio::ConnectionRefusedError& e) {
            co_return e.what();
        }
        co_return "connected";
    };
    CHECK(sim::run(amain(), {}) == "[Errno 111] Connect call failed ('10.0.0.2', 5432)");
}

TEST_CASE("a port bound twice on a host is EADDRINUSE; port 0 picks one from 49152") {
    auto amain = []() -> aio::Coro<void> {
        aio::Server a = co_await aio::start_server(echo_client_connected, "", 80);
        std::string error;
        try {
            (void)co_await aio::start_server(echo_client_connected, "", 80);
        } catch (const aio::OSError& e) {
            error = e.what();
        }
        CHECK(error == "[Errno 98] error while attempting to bind on address ('10.0.0.1', 80): address already in use");
        aio::Server b = co_await aio::start_server(echo_client_connected, "", 0);
        CHECK(b.sockets().at(0).port() == 49152);
        a.close();
        b.close();
    };
    sim::run(amain(), {});
}

TEST_CASE("the Unix socket forms are a clear error in the simulator") {
    auto amain = []() -> aio::Coro<void> {
        CHECK_THROWS_WITH_AS((void)co_await aio::open_unix_connection("/tmp/x.sock"),
                             doctest::Contains("no file system"), aio::RuntimeError);
    };
    sim::run(amain(), {});
}

TEST_CASE("the network's parameters round-trip through the replay string") {
    sim::Schedule s;
    s.policy = sim::Policy::random;
    s.seed = 9;
    s.network.faults.budget = 3;
    s.network.faults.rate = 250;
    s.network.faults.kinds = sim::FaultKinds{0};
    s.network.faults.kinds.add(sim::FaultKind::reset);
    s.network.faults.kinds.add(sim::FaultKind::partition);
    s.network.latency = 2ms;
    s.network.latency_spread = 0ns;
    s.network.window = 4096;
    s.network.segment = 512;
    s.network.connect_timeout = 3s;
    s.network.stall_time = 1s;
    s.network.partition_time = 20s;
    s.network.restart_delay = 1s;
    s.network.slow_factor = 7;
    const std::string text = s.to_string();
    CHECK(text ==
          "aiosim1:random:seed=9,faults=3,frate=250,fkinds=rp,lat=2ms,spread=0ns,win=4096,seg=512,ctimeout=3s,"
          "stall=1s,part=20s,restart=1s,slowx=7");
    CHECK(sim::Schedule::parse(text) == s);
    CHECK(sim::Schedule{}.to_string() == "aiosim1:fifo:-");
    CHECK_THROWS_WITH_AS(sim::Schedule::parse("aiosim1:fifo:frate=0"), doctest::Contains("frate="),
                         sim::ReplayParseError);
    CHECK_THROWS_WITH_AS(sim::Schedule::parse("aiosim1:fifo:fkinds=xq"), doctest::Contains("unknown fault kind 'q'"),
                         sim::ReplayParseError);
    CHECK(sim::Schedule::parse("aiosim1:fifo:faults=1:l3.f1.b1").decisions->size() == 3);
}

namespace {

// One request/response over the network, reporting how it ended.
aio::Coro<std::string> one_exchange() {
    aio::Server server = co_await aio::start_server(echo_client_connected, "", 7000);
    std::string out;
    try {
        auto [r, w] = co_await aio::open_connection("main", 7000);
        w.write("ping\n");
        co_await w.drain();
        out = co_await aio::wait_for(r.readline(), 60s);
        w.close();
    } catch (const aio::ConnectionRefusedError&) {
        out = "refused";
    } catch (const aio::ConnectionResetError&) {
        out = "reset";
    } catch (const aio::TimeoutError&) {
        out = "timeout";
    }
    server.close();
    co_return out;
}

sim::Config with_faults(const char* kinds, sim::Policy policy = sim::Policy::fifo) {
    sim::Config cfg;
    cfg.schedule.policy = policy;
    cfg.schedule.network.faults.budget = 1;
    cfg.schedule.network.faults.rate = 1000;
    cfg.schedule.network.faults.kinds = sim::FaultKinds{0};
    for (const char* k = kinds; *k; ++k) cfg.schedule.network.faults.kinds.add(*sim::fault_kind_from_letter(*k));
    return cfg;
}

}  // namespace

TEST_CASE("with faults off, a networked program under fifo makes no decision at all") {
    sim::Recorder rec;
    CHECK(sim::run(one_exchange(), {}, rec) == "echo: ping\n");
    CHECK(rec->decisions == 0);
    CHECK(rec->faults.empty());
}

TEST_CASE("under a policy other than fifo every segment's latency is a decision") {
    sim::Recorder rec;
    sim::Config cfg;
    cfg.schedule.policy = sim::Policy::timers;
    cfg.schedule.seed = 3;
    CHECK(sim::run(one_exchange(), cfg, rec) == "echo: ping\n");
    bool latency = false;
    for (const sim::Decision& d : *rec->schedule.decisions) latency = latency || d.kind == sim::Choice::latency;
    CHECK(latency);
}

TEST_CASE("an injected refuse: the connect fails though a server listens") {
    sim::Recorder rec;
    CHECK(sim::run(one_exchange(), with_faults("x"), rec) == "refused");
    REQUIRE(rec->faults.size() == 1);
    CHECK(rec->faults[0] == "t=0.000100s: refused conn #1 main:49152->main:7000");
    // The replay string carries the fault: the same run again.
    sim::Recorder again;
    CHECK(sim::run(one_exchange(), sim::Config::from_replay(rec->replay), again) == "refused");
    CHECK(again->faults == rec->faults);
}

TEST_CASE("an injected reset: both ends see ConnectionResetError") {
    sim::Recorder rec;
    CHECK(sim::run(one_exchange(), with_faults("r"), rec) == "reset");
    REQUIRE(rec->faults.size() == 1);
    CHECK(rec->faults[0] == "t=0.000300s: reset of conn #1 main:49152->main:7000 after 0 bytes");
}

TEST_CASE("an injected stall: nothing is delivered for stall_time, so a timeout fires") {
    sim::Recorder rec;
    sim::Config long_stall = with_faults("h");
    long_stall.schedule.network.stall_time = 90s;  // longer than one_exchange's 60 s wait
    CHECK(sim::run(one_exchange(), long_stall, rec) == "timeout");
    REQUIRE(rec->faults.size() == 1);
    CHECK(rec->faults[0] == "t=0.000300s: stall of conn #1 main:49152->main:7000 main->main (90s)");
    // A shorter stall than the timeout: the reply comes late.
    sim::Config cfg = with_faults("h");
    cfg.schedule.network.stall_time = 5s;
    auto timed = []() -> aio::Coro<aio::Duration> {
        std::string r = co_await one_exchange();
        CHECK(r == "echo: ping\n");
        co_return since_start(aio::get_running_loop().time());
    };
    CHECK(sim::run(timed(), cfg) > 5s);
}

TEST_CASE("an injected slow link multiplies the latency from then on") {
    sim::Config cfg = with_faults("w");
    cfg.schedule.network.slow_factor = 1000;
    auto timed = []() -> aio::Coro<aio::Duration> {
        std::string r = co_await one_exchange();
        CHECK(r == "echo: ping\n");
        co_return since_start(aio::get_running_loop().time());
    };
    sim::Recorder rec;
    CHECK(sim::run(timed(), cfg, rec) >= 100ms);  // the reply's segment: 1000 x 100us
    REQUIRE(rec->faults.size() == 1);
    CHECK(rec->faults[0] == "t=0.000300s: slow link conn #1 main:49152->main:7000 (x1000)");
}

TEST_CASE("fault_point fires only with a budget, and counts against it") {
    auto prog = []() -> aio::Coro<int> {
        int fired = 0;
        for (int i = 0; i < 10; ++i) fired += (co_await sim::fault_point("flush")) ? 1 : 0;
        co_return fired;
    };
    CHECK(sim::run(prog(), {}) == 0);
    sim::Config cfg = with_faults("b");
    cfg.schedule.network.faults.budget = 3;
    sim::Recorder rec;
    CHECK(sim::run(prog(), cfg, rec) == 3);
    CHECK(rec->faults == std::vector<std::string>{"t=0.000000s: fault point 'flush' fired on main",
                                                  "t=0.000000s: fault point 'flush' fired on main",
                                                  "t=0.000000s: fault point 'flush' fired on main"});
}

TEST_CASE("the fault budget bounds the faults of a run, whatever the rate") {
    auto prog = []() -> aio::Coro<int> {
        int fired = 0;
        for (int i = 0; i < 100; ++i) fired += (co_await sim::fault_point("p")) ? 1 : 0;
        co_return fired;
    };
    sim::Config cfg;
    cfg.schedule.policy = sim::Policy::random;
    cfg.schedule.seed = 11;
    cfg.schedule.network.faults.budget = 5;
    cfg.schedule.network.faults.rate = 500;
    CHECK(sim::run(prog(), cfg) == 5);
    cfg.schedule.network.faults.rate = 1;
    CHECK(sim::run(prog(), cfg) <= 5);
}

TEST_CASE("the same seed gives the same trace hash and the same faults") {
    sim::Config cfg;
    cfg.schedule.policy = sim::Policy::random;
    cfg.schedule.network.faults.budget = 2;
    cfg.schedule.network.faults.rate = 300;
    cfg.trace = sim::TraceMode::hash;
    int differ = 0;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        cfg.schedule.seed = seed;
        sim::Recorder a, b;
        const std::string ra = sim::run(one_exchange(), cfg, a);
        const std::string rb = sim::run(one_exchange(), cfg, b);
        CHECK(ra == rb);
        CHECK(a->trace_hash == b->trace_hash);
        CHECK(a->faults == b->faults);
        if (!a->faults.empty()) ++differ;
    }
    CHECK(differ > 0);  // some seeds injected faults
}

TEST_CASE("network events are in the trace, each with host= first") {
    sim::Recorder rec;
    sim::Config cfg;
    cfg.trace = sim::TraceMode::full;
    CHECK(sim::run(one_exchange(), cfg, rec) == "echo: ping\n");
    int sends = 0, delivers = 0, connects = 0;
    for (const sim::TraceEvent& e : rec->trace) {
        if (e.kind == sim::TraceKind::net_send) ++sends;
        if (e.kind == sim::TraceKind::net_deliver) ++delivers;
        if (e.kind == sim::TraceKind::net_connect) {
            ++connects;
            CHECK(sim::format_trace_line(e) == "0.000000000 2 net-connect host=main conn #1 main:49152->main:7000");
        }
    }
    CHECK(connects == 1);
    CHECK(delivers >= 2);  // the request and the reply (the FINs may still travel at the end)
    CHECK(sends >= delivers);
}

// ---- hosts ----------------------------------------------------------------------------------

namespace {

// A key-value server on its host: "get K" / "set K V" lines; keeps the values in its disk().
aio::Coro<void> serve_kv() {
    sim::Host& self = sim::network().current_host();
    aio::Server s = co_await aio::start_server(
        [&self](aio::StreamReader r, aio::StreamWriter w) -> aio::Coro<void> {
            // Closed however the handler ends (cancelled by aio::run's cleanup too), so the
            // server's wait_closed() does not wait for this connection.
            struct Closer {
                aio::StreamWriter& w;
                ~Closer() { w.close(); }
            } closer{w};
            try {
                for (;;) {
                    std::string line = co_await r.readline();
                    if (line.empty()) break;
                    line.pop_back();
                    if (line.rfind("set ", 0) == 0) {
                        const auto sp = line.find(' ', 4);
                        self.disk()[line.substr(4, sp - 4)] = line.substr(sp + 1);
                        w.write("ok\n");
                    } else {
                        auto it = self.disk().find(line.substr(4));
                        w.write((it == self.disk().end() ? std::string("none") : it->second) + "\n");
                    }
                    co_await w.drain();
                }
                w.close();
            } catch (const aio::ConnectionError&) {}
        },
        "", 5432);
    co_await s.serve_forever();
}

aio::Coro<std::string> ask(std::string host, std::string line) {
    auto [r, w] = co_await aio::open_connection(std::move(host), 5432);
    w.write(line + "\n");
    std::string reply = co_await r.readline();
    w.close();
    co_return reply;
}

}  // namespace

TEST_CASE("a host's start coroutine serves on its address; a client on another host connects by name") {
    auto amain = []() -> aio::Coro<std::vector<std::string>> {
        sim::Network& net = sim::network();
        net.add_host("db", serve_kv);
        sim::Host& app = net.add_host("app");
        std::vector<std::string> seen;
        seen.push_back(co_await app.spawn(ask("db", "set x 1")));
        seen.push_back(co_await app.spawn(ask("db", "get x")));
        seen.push_back(
            co_await app.spawn([]() -> aio::Coro<std::string> { co_return sim::network().current_host().name(); }()));
        seen.push_back(net.current_host().name());
        co_return seen;
    };
    CHECK(sim::run(amain(), {}) == std::vector<std::string>{"ok\n", "1\n", "app", "main"});
}

TEST_CASE("a client end gets its host's address and a port from 49152; the server sees it as the peer") {
    auto amain = []() -> aio::Coro<std::vector<std::string>> {
        sim::Network& net = sim::network();
        std::vector<std::string> seen;
        sim::Host& db = net.add_host("db");
        aio::Server s = co_await db.spawn([&seen]() -> aio::Coro<aio::Server> {
            co_return co_await aio::start_server(
                [&seen](aio::StreamReader, aio::StreamWriter w) -> aio::Coro<void> {
                    seen.push_back("server sees " +
                                   std::any_cast<aio::SocketAddress>(w.get_extra_info("peername")).str());
                    w.close();
                    co_return;
                },
                "", 80);
        }());
        sim::Host& app = net.add_host("app");
        co_await app.spawn([&seen]() -> aio::Coro<void> {
            for (int i = 0; i < 2; ++i) {
                auto [r, w] = co_await aio::open_connection("db", 80);
                seen.push_back(std::any_cast<aio::SocketAddress>(w.get_extra_info("sockname")).str());
                (void)co_await r.read();
                w.close();
            }
        }());
        s.close();
        co_return seen;
    };
    const std::vector<std::string> seen = sim::run(amain(), {});
    CHECK(seen == std::vector<std::string>{"server sees ('10.0.0.3', 49152)", "('10.0.0.3', 49152)",
                                           "server sees ('10.0.0.3', 49153)", "('10.0.0.3', 49153)"});
}

TEST_CASE("a partition makes reads wait and timeouts fire; after repair the data flows again") {
    auto amain = []() -> aio::Coro<std::vector<std::string>> {
        sim::Network& net = sim::network();
        net.add_host("db", serve_kv);
        co_await aio::sleep(1ms);
        std::vector<std::string> seen;
        auto [r, w] = co_await aio::open_connection("db", 5432);
        net.partition("main", "db");
        w.write("set k v\n");
        try {
            (void)co_await aio::wait_for(r.readline(), 5s);
            seen.push_back("answered");
        } catch (const aio::TimeoutError&) {
            seen.push_back("timeout");
        }
        net.repair("main", "db");
        seen.push_back(co_await aio::wait_for(r.readline(), 5s));
        w.close();
        co_return seen;
    };
    CHECK(sim::run(amain(), {}) == std::vector<std::string>{"timeout", "ok\n"});
}

TEST_CASE("a connect across a partition waits, and succeeds after repair or fails after connect_timeout") {
    auto amain = []() -> aio::Coro<std::vector<std::string>> {
        sim::Network& net = sim::network();
        net.add_host("db", serve_kv);
        co_await aio::sleep(1ms);
        std::vector<std::string> seen;
        net.partition("main", "db");
        aio::get_running_loop().call_later(3s, [&net] { net.repair("main", "db"); });
        const aio::TimePoint t0 = aio::get_running_loop().time();
        seen.push_back(co_await ask("db", "get k"));
        seen.push_back(aio::get_running_loop().time() - t0 >= 3s ? "waited" : "did not wait");
        net.partition("main", "db");
        try {
            (void)co_await ask("db", "get k");
        } catch (const aio::OSError& e) {
            seen.push_back(e.what());
        }
        co_return seen;
    };
    sim::Config cfg;
    cfg.schedule.network.connect_timeout = 20s;
    CHECK(sim::run(amain(), cfg) ==
          std::vector<std::string>{"none\n", "waited", "[Errno 110] Connect call failed ('10.0.0.2', 5432)"});
}

TEST_CASE("hold delays one direction until release") {
    auto amain = []() -> aio::Coro<std::vector<std::string>> {
        sim::Network& net = sim::network();
        net.add_host("db", serve_kv);
        co_await aio::sleep(1ms);
        auto [r, w] = co_await aio::open_connection("db", 5432);
        net.hold("db", "main");  // replies wait; requests go through
        w.write("set a 1\n");
        co_await aio::sleep(1s);
        std::vector<std::string> seen;
        seen.push_back(net.host("db").disk().count("a") ? "applied" : "not applied");
        aio::get_running_loop().call_later(2s, [&net] { net.release("db", "main"); });
        const aio::TimePoint t0 = aio::get_running_loop().time();
        seen.push_back(co_await r.readline());
        seen.push_back(aio::get_running_loop().time() - t0 >= 2s ? "after release" : "before release");
        w.close();
        co_return seen;
    };
    CHECK(sim::run(amain(), {}) == std::vector<std::string>{"applied", "ok\n", "after release"});
}

TEST_CASE(
    "crash: the host's tasks stop at once (no catch block runs), its peer sees a reset; restart runs start "
    "again with disk() kept") {
    static int caught = 0;
    static int starts = 0;
    caught = 0;
    starts = 0;
    auto amain = []() -> aio::Coro<std::vector<std::string>> {
        sim::Network& net = sim::network();
        net.add_host("db", []() -> aio::Coro<void> {
            ++starts;
            try {
                co_await serve_kv();
            } catch (const std::exception&) {
                ++caught;  // never: a crashed task runs no catch block
                throw;
            }
        });
        co_await aio::sleep(1ms);
        std::vector<std::string> seen;
        seen.push_back(co_await ask("db", "set k 7"));
        auto [r, w] = co_await aio::open_connection("db", 5432);
        net.crash("db");
        seen.push_back(net.host("db").up() ? "up" : "down");
        try {
            (void)co_await r.readline();
            seen.push_back("read");
        } catch (const aio::ConnectionResetError& e) {
            seen.push_back(e.what());
        }
        try {
            (void)co_await ask("db", "get k");
        } catch (const aio::ConnectionRefusedError&) {
            seen.push_back("refused while down");
        }
        net.restart("db");
        co_await aio::sleep(1ms);
        seen.push_back(co_await ask("db", "get k"));
        co_return seen;
    };
    CHECK(sim::run(amain(), {}) == std::vector<std::string>{"ok\n", "down", "[Errno 104] Connection reset by peer",
                                                            "refused while down", "7\n"});
    CHECK(caught == 0);
    CHECK(starts == 2);
}

TEST_CASE("awaiting a task of a crashed host gives HostCrashed") {
    auto amain = []() -> aio::Coro<std::string> {
        sim::Network& net = sim::network();
        sim::Host& db = net.add_host("db");
        aio::Task<void> t = db.spawn([]() -> aio::Coro<void> { co_await aio::sleep(1h); }());
        co_await aio::sleep(1s);
        net.crash("db");
        try {
            co_await t;
        } catch (const sim::HostCrashed& e) {
            co_return e.what();
        }
        co_return "finished";
    };
    CHECK(sim::run(amain(), {}) == "aio::sim::HostCrashed: host 'db' crashed: its tasks stopped at once");
}

TEST_CASE("an injected partition of two hosts heals after partition_time") {
    auto amain = []() -> aio::Coro<std::string> {
        sim::network().add_host("db", serve_kv);
        co_await aio::sleep(1ms);
        co_return co_await ask("db", "get k");
    };
    sim::Config cfg = with_faults("p");
    sim::Recorder rec;
    CHECK(sim::run(amain(), cfg, rec) == "none\n");
    REQUIRE(rec->faults.size() == 1);
    CHECK(rec->faults[0] == "t=0.001100s: partition main|db (10s)");
    CHECK(since_start(rec->end_time) >= 10s);
}

TEST_CASE("an injected crash of the server's host, and its restart after restart_delay") {
    auto amain = []() -> aio::Coro<std::vector<std::string>> {
        sim::network().add_host("db", serve_kv);
        co_await aio::sleep(1ms);
        std::vector<std::string> seen;
        try {
            seen.push_back(co_await ask("db", "get k"));
        } catch (const aio::ConnectionError& e) {
            seen.push_back(e.what());
        }
        co_await aio::sleep(10s);
        seen.push_back(co_await ask("db", "get k"));
        co_return seen;
    };
    sim::Config cfg = with_faults("c");
    sim::Recorder rec;
    CHECK(sim::run(amain(), cfg, rec) ==
          std::vector<std::string>{"[Errno 111] Connect call failed ('10.0.0.2', 5432)", "none\n"});
    CHECK(rec->faults == std::vector<std::string>{"t=0.001100s: crash of db", "t=5.001100s: restart of db"});
}

TEST_CASE("on the real loop the network is the loopback: hosts are 127.0.0.N by name, faults need the simulator") {
    auto amain = []() -> aio::Coro<std::vector<std::string>> {
        sim::Network& net = sim::network();
        std::vector<std::string> seen;
        seen.push_back(net.simulated() ? "simulated" : "loopback");
        sim::Host& db = net.add_host("db");
        seen.push_back(db.address());
        seen.push_back(co_await sim::fault_point("x") ? "fired" : "not fired");
        CHECK_THROWS_WITH_AS(net.partition("main", "db"), doctest::Contains("needs the simulator"), aio::RuntimeError);
        // A server of db on its own address, a client by name.
        aio::Server s = co_await db.spawn([]() -> aio::Coro<aio::Server> {
            co_return co_await aio::start_server(echo_client_connected, sim::network().current_host().address(), 0);
        }());
        const std::uint16_t port = s.sockets().at(0).port();
        auto [r, w] = co_await aio::open_connection("db", port);
        w.write("hi\n");
        seen.push_back(co_await r.readline());
        w.close();
        co_await w.wait_closed();
        s.close();
        co_await s.wait_closed();
        co_return seen;
    };
    CHECK(aio::run(amain()) == std::vector<std::string>{"loopback", "127.0.0.2", "not fired", "echo: hi\n"});
    // A second run has a fresh loop and a fresh network.
    auto again = []() -> aio::Coro<std::size_t> { co_return sim::network().hosts().size(); };
    CHECK(aio::run(again()) == 1);
}

// ---- the README's example ---------------------------------------------------------------------

namespace readme {

aio::Coro<void> handle(aio::StreamReader r, aio::StreamWriter w) {
    struct Close {
        aio::StreamWriter& w;
        ~Close() { w.close(); }  // however the handler ends (a crash, a cancel at shutdown)
    } close{w};
    try {
        while (!(co_await r.readline()).empty()) {
            w.write("pong\n");
            co_await w.drain();
        }
    } catch (const aio::ConnectionError&) {  // the client went away (a reset)
    }
}

aio::Coro<void> serve() {  // the start coroutine of host "db": runs again after a restart
    aio::Server s = co_await aio::start_server(handle, "", 5432);
    co_await s.serve_forever();
}

aio::Coro<int> client() {  // a task on host "app"
    auto [r, w] = co_await aio::open_connection("db", 5432);
    int answers = 0;
    for (int i = 0; i < 3; ++i) {
        w.write("ping\n");
        if (co_await aio::wait_for(r.readline(), std::chrono::seconds(1)) == "pong\n") ++answers;
    }
    w.close();
    co_return answers;
}

aio::Coro<int> amain() {
    aio::sim::Network& net = aio::sim::network();
    net.add_host("db", serve);
    co_await aio::sleep(std::chrono::milliseconds(1));  // db listens
    co_return co_await net.add_host("app").spawn(client());
}

}  // namespace readme

TEST_CASE("the README's example: a plain run, then an exploration with faults that finds a failing seed") {
    CHECK(sim::run(readme::amain(), {}) == 3);
    std::string found;
    for (std::uint64_t seed = 1; seed <= 100 && found.empty(); ++seed) {
        aio::sim::Config cfg{.schedule = {.policy = aio::sim::Policy::random, .seed = seed}};
        cfg.schedule.network.faults = {.budget = 2, .rate = 50};
        aio::sim::Recorder rec;
        try {
            aio::sim::run(readme::amain(), cfg, rec);
        } catch (const std::exception&) {
            found =
                fmt::format("seed {}: {}\n  replay: {}\n", seed, aio::describe(std::current_exception()), rec->replay);
            for (const std::string& f : rec->faults) found += "  " + f + "\n";
            MESSAGE(found);
            // The replay string gives the same failure and faults again.
            aio::sim::Recorder again;
            CHECK_THROWS(aio::sim::run(readme::amain(), aio::sim::Config::from_replay(rec->replay), again));
            CHECK(again->faults == rec->faults);
        }
    }
    CHECK(!found.empty());
}

TEST_CASE("seeded sources answer faults with non-zero at the point's rate, latency uniformly") {
    for (sim::Policy policy : {sim::Policy::fifo, sim::Policy::timers, sim::Policy::random, sim::Policy::pct}) {
        auto src = sim::make_seeded_source(policy, 5);
        int nonzero = 0, ones = 0;
        std::vector<int> lat(9, 0);
        for (std::uint64_t i = 0; i < 10000; ++i) {
            const std::size_t f = src->choose(sim::ChoicePoint{sim::Choice::fault, 3, i, 0, {}, nullptr, nullptr, 200});
            REQUIRE(f < 3);
            nonzero += f != 0;
            ones += f == 1;
            CHECK(src->choose(sim::ChoicePoint{sim::Choice::point, 2, i, 0, {}, nullptr, nullptr, 1000}) == 1);
            ++lat.at(src->choose(sim::ChoicePoint{sim::Choice::latency, 9, i, 0, {}, nullptr, nullptr, 0}));
        }
        CHECK(nonzero > 1800);
        CHECK(nonzero < 2200);
        CHECK(ones > nonzero / 2 - 200);
        CHECK(ones < nonzero / 2 + 200);
        for (int n : lat) CHECK(n > 900);
    }
    CHECK_FALSE(sim::offers(sim::Policy::fifo, sim::Choice::latency));
    CHECK(sim::offers(sim::Policy::timers, sim::Choice::latency));
    CHECK(sim::offers(sim::Policy::fifo, sim::Choice::fault));
    CHECK(sim::offers(sim::Policy::fifo, sim::Choice::point));
}

TEST_CASE("a connect to an address no host has gets no answer: ETIMEDOUT after connect_timeout") {
    auto amain = []() -> aio::Coro<std::string> {
        try {
            (void)co_await aio::open_connection("10.0.0.99", 80);
        } catch (const aio::OSError& e) {
            co_return fmt::format(
                "{} at {}s", e.what(),
                std::chrono::duration_cast<std::chrono::seconds>(since_start(aio::get_running_loop().time())).count());
        }
        co_return "connected";
    };
    sim::Config cfg;
    cfg.schedule.network.connect_timeout = 2s;
    CHECK(sim::run(amain(), cfg) == "[Errno 110] Connect call failed ('10.0.0.99', 80) at 2s");
}
