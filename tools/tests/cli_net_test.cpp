// The aiosim command line for networked runs: the network options (--faults, --fault-rate,
// --fault-kinds, --latency, --latency-spread, --window, --segment), the replay string that
// carries them, and the faults of a run in words.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/cli.hpp>
#include <aio/scenario.hpp>
#include <aio/net/errors.hpp>
#include <aio/net/streams.hpp>
#include <aio/sim/network.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "loop_options.hpp"  // the command line's internals (tools/aiosim/src)
#include "sim_run.hpp"

namespace {

using cli_support::cli;
using cli_support::has;
using cli_support::racy;  // a lost update between two tasks (no network): fails under some random orders
using cli_support::racy_oracle;
using cli_support::Result;
int quiet(aio::scenario::Context& ctx) {
    aio::run([]() -> aio::Coro<void> { co_await aio::sleep(std::chrono::seconds(1)); }(), ctx.run_options());
    return 0;
}

// A networked client: three request/reply exchanges with an echo server on host "db". A reset
// fault makes the client's read raise ConnectionResetError, which escapes: the run fails.
aio::Coro<void> echo_server(aio::StreamReader r, aio::StreamWriter w) {
    try {
        for (;;) {
            std::string line = co_await r.readline();
            if (line.empty()) break;
            w.write("echo: " + line);
            co_await w.drain();
        }
        w.close();
    } catch (const aio::ConnectionError&) {}
}
aio::Coro<void> exchanges(aio::scenario::Context& ctx) {
    aio::sim::Network& net = aio::sim::network();
    net.add_host("db", []() -> aio::Coro<void> {
        aio::Server server = co_await aio::start_server(echo_server, "", 5432);
        co_await aio::sleep(std::chrono::hours(1));
    });
    co_await aio::sleep(std::chrono::milliseconds(1));
    auto [r, w] = co_await aio::open_connection("db", 5432);
    for (int i = 0; i < 3; ++i) {
        w.write(fmt::format("ping {}\n", i));
        co_await w.drain();
        ctx.print("{}", co_await r.readline());
    }
    w.close();
}
int networked(aio::scenario::Context& ctx) {
    aio::run(exchanges(ctx), ctx.run_options());
    return 0;
}

aio::scenario::Registry sample() {
    aio::scenario::Registry r;
    r.add("racy", "two workers, a lost update in some orders", &racy);
    r.add_oracle("racy", &racy, &racy_oracle);
    r.add("quiet", "sleeps a second", &quiet);
    r.add("networked", "three exchanges with an echo server on host db", &networked);
    return r;
}

using cli_support::field;

}  // namespace

TEST_CASE("the network options set Schedule::network of the configuration a command builds") {
    aio::cli::LoopOptions o;
    o.policy = "random";
    o.seed = 9;
    o.net.faults = 3;
    o.net.fault_rate = 250;
    o.net.fault_kinds = "rp";
    o.net.latency = "2ms";
    o.net.latency_spread = "40us";
    o.net.window = 4096;
    o.net.segment = 512;
    o.net.first = "--faults";
    const aio::sim::Config cfg = aio::cli::make_sim_config(o);
    const aio::sim::NetConfig& n = cfg.schedule.network;
    CHECK(n.faults.budget == 3);
    CHECK(n.faults.rate == 250);
    aio::sim::FaultKinds rp{.bits = 0};
    rp.add(aio::sim::FaultKind::reset);
    rp.add(aio::sim::FaultKind::partition);
    CHECK(n.faults.kinds == rp);
    CHECK(n.latency == std::chrono::milliseconds(2));
    CHECK(n.latency_spread == std::chrono::microseconds(40));
    CHECK(n.window == 4096);
    CHECK(n.segment == 512);
    // What is not given keeps its default.
    aio::cli::LoopOptions only_faults;
    only_faults.net.faults = 1;
    only_faults.net.first = "--faults";
    aio::sim::NetConfig expected;
    expected.faults.budget = 1;
    CHECK(aio::cli::make_sim_config(only_faults).schedule.network == expected);
}

TEST_CASE("--fault-kinds takes each of the letters x r h p c w b once, in any order") {
    auto all = aio::cli::parse_fault_kinds("bwcphrx");
    REQUIRE(all);
    CHECK(*all == aio::sim::FaultKinds{});
    auto c = aio::cli::parse_fault_kinds("c");
    REQUIRE(c);
    CHECK(c->has(aio::sim::FaultKind::crash));
    CHECK_FALSE(c->has(aio::sim::FaultKind::reset));
    CHECK_FALSE(aio::cli::parse_fault_kinds(""));
    CHECK_FALSE(aio::cli::parse_fault_kinds("rr"));
    CHECK_FALSE(aio::cli::parse_fault_kinds("rq"));
    CHECK_FALSE(aio::cli::parse_fault_kinds("R"));
}

TEST_CASE("a bad network option value is bad usage on every command, naming the option and what it takes") {
    struct Bad {
        std::vector<std::string> args;
        std::string says;
    };
    const std::vector<Bad> bad = {
        {{"--faults", "-1"}, "--faults: '-1' is not a whole number from 0 to 1000000"},
        {{"--faults", "1000001"}, "--faults: '1000001' is not a whole number from 0 to 1000000"},
        {{"--faults", "1", "--fault-rate", "0"}, "--fault-rate: '0' is not a whole number from 1 to 1000"},
        {{"--faults", "1", "--fault-rate", "1001"}, "--fault-rate: '1001' is not a whole number from 1 to 1000"},
        {{"--faults", "1", "--fault-kinds", "rq"}, "--fault-kinds: 'rq' is not a set of fault kinds"},
        {{"--faults", "1", "--fault-kinds", "rr"}, "give each letter once, from x = refuse a connect"},
        {{"--latency", "5"}, "--latency: '5' is not a duration from 0ns to 1h (digits and a unit"},
        {{"--latency", "2h"}, "--latency: '2h' is not a duration from 0ns to 1h"},
        {{"--latency-spread", "1parsec"}, "--latency-spread: '1parsec' is not a duration"},
        {{"--window", "0"}, "--window: '0' is not a whole number from 1 to 1073741824"},
        {{"--segment", "1x"}, "--segment: '1x' is not a whole number from 1 to 1073741824"},
    };
    const std::vector<std::vector<std::string>> commands = {
        {"run", "quiet"},
        {"trace", "quiet", "-o", "-"},
        {"explore", "quiet", "--seeds", "1"},
        {"hashes", "quiet", "--seeds", "1"},
        {"replay", "quiet", "aiosim1:fifo:-:-"},
        {"shrink", "racy", "--replay", "aiosim1:fifo:-:-"},
    };
    for (const auto& cmd : commands)
        for (const auto& b : bad) {
            std::vector<std::string> args = cmd;
            args.insert(args.end(), b.args.begin(), b.args.end());
            CAPTURE(args);
            auto r = cli(sample(), args);
            CHECK(r.status == 2);
            CHECK(has(r.err, b.says));
            CHECK(r.out.empty());
        }
}

TEST_CASE("a fault rate or fault kinds without a fault budget is bad usage: it would change nothing") {
    for (const auto& cmd : std::vector<std::vector<std::string>>{
             {"run", "quiet"}, {"explore", "quiet", "--seeds", "1"}, {"hashes", "quiet", "--seeds", "1"}}) {
        auto args = cmd;
        args.insert(args.end(), {"--fault-rate", "5"});
        auto r = cli(sample(), args);
        CHECK(r.status == 2);
        CHECK(has(r.err, "--fault-rate would change nothing without a fault budget (faults are off); add --faults N"));
        args = cmd;
        args.insert(args.end(), {"--faults", "0", "--fault-kinds", "r"});
        r = cli(sample(), args);
        CHECK(r.status == 2);
        CHECK(has(r.err, "--fault-kinds would change nothing without a fault budget"));
    }
}

TEST_CASE("the network options need the simulator: with --loop real they are bad usage") {
    auto r = cli(sample(), {"run", "quiet", "--loop", "real", "--latency", "1ms"});
    CHECK(r.status == 2);
    CHECK(has(r.err, "aiosim run: --latency needs the simulator's network, not --loop real"));
    // Without --loop they choose the simulator.
    auto sim = cli(sample(), {"run", "quiet", "--latency", "1ms", "--print-replay"});
    CHECK(sim.status == 0);
    CHECK(has(sim.err, "replay: aiosim1:"));
}

TEST_CASE("with a replay string the network options must agree with it: the string fixes the run's network") {
    // aiosim1:fifo:-:- has the default network: faults off.
    auto r = cli(sample(), {"replay", "quiet", "aiosim1:fifo:-:-", "--faults", "2"});
    CHECK(r.status == 2);
    CHECK(has(r.err, "aiosim replay: --faults 2 disagrees with the replay string, which has faults=0"));
    r = cli(sample(), {"run", "quiet", "--replay", "aiosim1:fifo:-:-", "--window", "100"});
    CHECK(r.status == 2);
    CHECK(has(r.err, "aiosim run: --window 100 disagrees with the replay string, which has win=65536"));
    r = cli(sample(), {"shrink", "racy", "--replay", "aiosim1:fifo:-:-", "--latency", "1ms"});
    CHECK(r.status == 2);
    CHECK(has(r.err, "--latency 1ms disagrees with the replay string, which has lat=100us"));
    // Options that agree are accepted.
    auto ok = cli(sample(), {"replay", "quiet", "aiosim1:fifo:-:-", "--faults", "0", "--segment", "1460"});
    CHECK(ok.status == 0);
}

TEST_CASE("explore with network options names the network in its header and lists the failing run's faults") {
    auto r = cli(sample(), {"explore", "racy", "--policy", "random", "--strict-order", "--seeds", "50", "--faults", "2",
                            "--fault-kinds", "rp", "--shrink"});
    CHECK(r.status == 1);
    CHECK(r.out.starts_with(
        "explore racy: policy random, seeds 1..50\n"
        "  network: up to 2 faults (rate 20 per mille, kinds rp), latency 100us + up to 900us, window 65536 B, "
        "segments of 1460 B\n"));
    // A run with a fault budget and no fault says so.
    CHECK(has(r.out, "\n  faults: none\n"));
    CHECK(field(r.out, "faults") == "none");
    CHECK(has(r.out, "\n  no fault to remove (the failure needs none)\n"));
    // Without network options, the report is as it was.
    auto plain = cli(sample(), {"explore", "racy", "--seeds", "50"});
    CHECK_FALSE(has(plain.out, "network:"));
    CHECK_FALSE(has(plain.out, "faults"));
}

TEST_CASE("a run's faults are listed in words under a faults heading") {
    aio::cli::SimRun r;
    CHECK(aio::cli::format_faults(r).empty());  // no budget, no fault: a run without a network
    r.fault_budget = true;
    CHECK(aio::cli::format_faults(r) == "  faults: none\n");
    r.faults = {"t=1.200000s: partition app|db (10s)",
                "t=2.000000s: reset of conn #3 (app:49152->db:5432) after 17 bytes"};
    CHECK(aio::cli::format_faults(r) ==
          "  faults:\n"
          "    - t=1.200000s: partition app|db (10s)\n"
          "    - t=2.000000s: reset of conn #3 (app:49152->db:5432) after 17 bytes\n");
    CHECK(aio::cli::format_faults(r, "  ", "shrunk faults").starts_with("  shrunk faults:\n    - t=1.2"));
    CHECK(aio::cli::faults_removed(3, 1) == "shrinking removed 2 of 3 faults (1 left)");
    CHECK(aio::cli::faults_removed(1, 1) == "shrinking removed 0 of 1 fault (1 left)");
    CHECK(aio::cli::faults_removed(0, 0) == "no fault to remove (the failure needs none)");
}

TEST_CASE("the network in words names the fault policy and the shape") {
    aio::sim::NetConfig n;
    CHECK(aio::cli::describe_network(n) ==
          "faults off, latency 100us + up to 900us, window 65536 B, segments of 1460 B");
    n.faults.budget = 1;
    n.faults.rate = 1000;
    n.faults.kinds = *aio::cli::parse_fault_kinds("c");
    CHECK(aio::cli::describe_network(n).starts_with("up to 1 fault (rate 1000 per mille, kinds c), "));
}

TEST_CASE("explore, replay and shrink list a networked run's faults in words, and how many shrinking removed") {
    auto clean = cli(sample(), {"run", "networked"});
    CHECK(clean.status == 0);
    CHECK(clean.out == "echo: ping 0\n\necho: ping 1\n\necho: ping 2\n\n");

    auto r = cli(sample(), {"explore", "networked", "--seeds", "20", "--faults", "3", "--fault-kinds", "rw",
                            "--fault-rate", "1000", "--stop-at-first"});
    CHECK(r.status == 1);
    const std::string replay = field(r.out, "replay");
    CAPTURE(r.out);
    CHECK(has(replay, "faults=3,frate=1000,fkinds=rw"));  // the replay string carries the options
    CHECK(has(r.out, "\n  faults:\n    - t="));
    CHECK(has(r.out, ": reset of conn #1 main:49152->db:5432 after "));
    CHECK(field(r.out, "replay it") == "aiosim run networked --replay '" + replay + "'");

    // The printed command reproduces the failure and its faults.
    auto again = cli(sample(), {"replay", "networked", replay});
    CHECK(again.status == 1);
    CHECK(has(again.err, "\n  faults:\n    - t="));
    CHECK(has(again.err, ": reset of conn #1 main:49152->db:5432 after "));

    auto s = cli(sample(), {"shrink", "networked", "--replay", replay});
    CAPTURE(s.out);
    CHECK(s.status == 0);
    CHECK(has(s.out, "\n  faults:\n    - t="));
    CHECK(has(s.out, "\n  shrunk faults:\n    - t="));
    CHECK(has(s.out, "  shrinking removed 1 of 2 faults (1 left)\n"));  // the slow link goes, the reset stays
    // The shrunk run keeps the reset (the failure needs it).
    const std::string shrunk_part = s.out.substr(s.out.find("shrunk faults:"));
    CHECK(has(shrunk_part, "reset of conn #1"));
}

TEST_CASE("explore --shrink lists the shrunk run's faults too") {
    auto r = cli(sample(), {"explore", "networked", "--seeds", "1", "--faults", "3", "--fault-kinds", "rw",
                            "--fault-rate", "1000", "--shrink"});
    CHECK(r.status == 1);
    CHECK(has(r.out, "\n  shrunk faults:\n    - t="));
    CHECK(has(r.out, "\n  shrinking removed 1 of 2 faults (1 left)\n"));
}

TEST_CASE("trace of a networked run: a process per host, the server's tasks in db's, flow arrows for segments") {
    auto r = cli(sample(), {"trace", "networked", "-o", "-"});
    CHECK(r.status == 0);
    CHECK(has(r.out, "{\"pid\":1,"));
    CHECK(has(r.out, "\"name\":\"process_name\",\"args\":{\"name\":\"main\"}}"));
    CHECK(has(r.out, "{\"pid\":2,"));
    CHECK(has(r.out, "\"name\":\"process_name\",\"args\":{\"name\":\"db\"}}"));
    CHECK(
        has(r.out, "{\"pid\":2,\"tid\":2,\"ph\":\"M\",\"name\":\"thread_name\",\"args\":{\"name\":\"#2 db:start\"}}"));
    CHECK(has(r.out, "\"ph\":\"s\",\"name\":\"segment\",\"cat\":\"net\",\"id\":"));
    CHECK(has(r.out, "\"ph\":\"f\",\"name\":\"segment\",\"cat\":\"net\",\"id\":"));
    CHECK(has(r.out, "\"name\":\"net-accept\""));
    // The text form: network events name their host first.
    auto text = cli(sample(), {"trace", "networked", "-o", "-", "--format", "text"});
    CHECK(has(text.out, " net-connect host=main conn #1 main:49152->db:5432"));
    // The same run's trace hash whichever form is written.
    CHECK(field(text.err, "trace hash") == field(r.err, "trace hash"));
}
