// The aiosim command line, run in process over small registries.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/cli.hpp>
#include <aio/scenario.hpp>
#include <aio/sim/sim_loop.hpp>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "distinct_count.hpp"  // the command line's internals (tools/aiosim/src)

namespace {

using cli_support::cli;
using cli_support::Result;

aio::Coro<void> two_lines(aio::scenario::Context& ctx) {
    ctx.print("one");
    co_await aio::sleep(std::chrono::seconds(0));
    ctx.print("two");
}
int prints_and_exits_5(aio::scenario::Context& ctx) {
    aio::run(two_lines(ctx), ctx.run_options());
    ctx.error("a warning");
    return 5;
}
aio::Coro<void> nested(aio::scenario::Context& ctx) {
    aio::run(two_lines(ctx), ctx.run_options());
    co_return;
}
int escapes(aio::scenario::Context& ctx) {
    aio::run(nested(ctx), ctx.run_options());
    return 0;
}
int quiet(aio::scenario::Context&) { return 0; }

aio::scenario::Registry sample() {
    aio::scenario::Registry r;
    r.add("prints", "prints two lines, warns, exits 5", &prints_and_exits_5);
    r.add("escapes", "lets an aio::RuntimeError escape", &escapes);
    r.add("a_long_name", "does nothing", &quiet);
    return r;
}

}  // namespace

AIOSIM_SCENARIO(user_registered, "registered with the macro in cli_test.cpp") { return 0; }

TEST_CASE("list prints every scenario with its description, ordered by name and aligned") {
    auto r = cli(sample(), {"list"});
    CHECK(r.status == 0);
    CHECK(r.out ==
          "a_long_name  does nothing\n"
          "escapes      lets an aio::RuntimeError escape\n"
          "prints       prints two lines, warns, exits 5\n");
    CHECK(r.err.empty());
}

TEST_CASE("a scenario registered with the macro appears in list over the global registry") {
    auto r = cli(aio::scenario::Registry::global(), {"list"});
    CHECK(r.status == 0);
    CHECK(r.out == "user_registered  registered with the macro in cli_test.cpp\n");
}

TEST_CASE("run --loop real streams the scenario's lines and exits with its status") {
    auto r = cli(sample(), {"run", "prints", "--loop", "real"});
    CHECK(r.status == 5);
    CHECK(r.out == "one\ntwo\n");
    CHECK(r.err == "a warning\n");
    CHECK(cli(sample(), {"run", "--loop=real", "a_long_name"}).status == 0);
}

TEST_CASE("run --loop real exits 1 when an exception escapes the scenario, naming it on the last error line") {
    auto r = cli(sample(), {"run", "escapes", "--loop", "real"});
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(r.err ==
          "Uncaught exception in scenario escapes:\n"
          "RuntimeError: aio::run() cannot be called from a running event loop\n");
}

namespace {

// Which loop ran the scenario, and how long its one-hour sleep took on that loop's clock.
aio::Coro<void> report_loop(aio::scenario::Context& ctx) {
    aio::EventLoop& loop = aio::get_running_loop();
    const bool sim = dynamic_cast<aio::sim::SimLoop*>(&loop) != nullptr;
    const auto start = loop.time();
    if (sim) co_await aio::sleep(std::chrono::hours(1));  // virtual time: no real wait
    ctx.print("{} loop, {} s", sim ? "sim" : "real",
              std::chrono::duration_cast<std::chrono::seconds>(loop.time() - start).count());
}
int which_loop(aio::scenario::Context& ctx) {
    aio::run(report_loop(ctx), ctx.run_options());
    return 0;
}

}  // namespace

TEST_CASE("run uses the simulator with the fifo policy unless --loop real is given") {
    aio::scenario::Registry r;
    r.add("which_loop", "says which loop ran it", &which_loop);
    auto def = cli(r, {"run", "which_loop", "--print-replay"});
    CHECK(def.status == 0);
    CHECK(def.out == "sim loop, 3600 s\n");
    CHECK(def.err.starts_with("replay: aiosim1:fifo:-:-\n"));  // policy fifo, no decision
    CHECK(cli(r, {"run", "which_loop", "--loop", "sim"}).out == "sim loop, 3600 s\n");
    auto real = cli(r, {"run", "which_loop", "--loop", "real"});
    CHECK(real.status == 0);
    CHECK(real.out == "real loop, 0 s\n");
    CHECK(real.err.empty());
}

TEST_CASE("run on the default loop judges the run: the scenario's lines, then the failure and its replay string") {
    auto r = cli(sample(), {"run", "escapes"});
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(
        r.err.starts_with("Uncaught exception in scenario escapes:\n"
                          "RuntimeError: aio::run() cannot be called from a running event loop\n"
                          "aiosim run: escapes FAILED:\n"
                          "  - no exception may escape the scenario, but RuntimeError: aio::run() cannot be "
                          "called from a running event loop did\n"));
    CHECK(r.err.find("replay: aiosim1:fifo:-:-\n") != std::string::npos);
}

TEST_CASE("run of an unknown scenario exits 2 and lists the valid names") {
    auto r = cli(sample(), {"run", "print"});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err ==
          "aiosim run: unknown scenario 'print' (did you mean 'prints'?); valid scenarios: a_long_name, escapes, "
          "prints\n");
}

TEST_CASE("run without a name exits 2 and lists the valid names") {
    auto r = cli(sample(), {"run"});
    CHECK(r.status == 2);
    CHECK(r.err ==
          "aiosim run: which scenario? Give its name: aiosim run NAME; valid scenarios: a_long_name, "
          "escapes, prints\n");
}

TEST_CASE("an unknown loop exits 2 and lists the valid loops") {
    auto r = cli(sample(), {"run", "prints", "--loop", "simulated"});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("--loop: unknown loop 'simulated'; valid loops: sim, real") != std::string::npos);
    CHECK(r.err.find("Run `aiosim run --help` for usage.") != std::string::npos);
}

TEST_CASE("an unknown policy or a malformed replay string exits 2 and says what is wrong") {
    auto p = cli(sample(), {"run", "prints", "--loop", "sim", "--policy", "chaos"});
    CHECK(p.status == 2);
    CHECK(p.err.find("unknown policy 'chaos'; valid policies: ") != std::string::npos);
    auto r = cli(sample(), {"run", "prints", "--loop", "sim", "--replay", "aiosim1:random:seed=x"});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("aiosim run: --replay: ") == 0);
}

TEST_CASE("a missing or unknown command exits 2 and lists the commands") {
    auto none = cli(sample(), {});
    CHECK(none.status == 2);
    CHECK(none.err ==
          "aiosim: missing command; valid commands: list, run, explore, replay, shrink, trace, hashes\nRun `aiosim "
          "--help` for usage.\n");
    auto bad = cli(sample(), {"explode"});
    CHECK(bad.status == 2);
    CHECK(bad.err ==
          "aiosim: unknown command 'explode'; valid commands: list, run, explore, replay, shrink, "
          "trace, hashes\nRun `aiosim --help` for usage.\n");
}

TEST_CASE("an unknown option or an extra argument exits 2 and points to the help") {
    auto r = cli(sample(), {"run", "prints", "--speed", "3"});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("Run `aiosim run --help` for usage.") != std::string::npos);
    CHECK(cli(sample(), {"list", "extra"}).status == 2);
}

TEST_CASE("an unexpected argument comes with a hint: what the command takes, and where a replay string goes") {
    auto replay = cli(sample(), {"run", "prints", "aiosim1:random:-:r1"});
    CHECK(replay.status == 2);
    CHECK(replay.err ==
          "aiosim run: The following argument was not expected: aiosim1:random:-:r1\n"
          "hint: a replay string goes after --replay: aiosim run NAME --replay 'aiosim1:...' (run takes NAME, then "
          "options)\n"
          "Run `aiosim run --help` for usage.\n");
    auto extra = cli(sample(), {"list", "extra"});
    CHECK(extra.err ==
          "aiosim list: The following argument was not expected: extra\n"
          "hint: list takes no argument; options start with -- (e.g. --seed 7), and a value with spaces needs "
          "quotes\n"
          "Run `aiosim list --help` for usage.\n");
}

TEST_CASE("--help exits 0 with the usage on standard output") {
    auto r = cli(sample(), {"--help"});
    CHECK(r.status == 0);
    CHECK(r.out.find("Usage: aiosim [OPTIONS] SUBCOMMAND") != std::string::npos);
    CHECK(r.out.find("list") != std::string::npos);
    auto run = cli(sample(), {"run", "--help"});
    CHECK(run.status == 0);
    CHECK(run.out.find("--loop") != std::string::npos);
}

TEST_CASE("messages name the program the user ran") {
    auto r = cli(sample(), {"run", "nope"}, "/opt/bin/my_tool");
    CHECK(r.status == 2);
    CHECK(r.err.starts_with("my_tool run: unknown scenario 'nope'"));
}

TEST_CASE("inconsistent registrations stop the tool with exit 2 before any command runs") {
    aio::scenario::Registry r = sample();
    r.add("prints", "again", &quiet);
    auto res = cli(r, {"list"});
    CHECK(res.status == 2);
    CHECK(res.out.empty());
    CHECK(res.err.find("aiosim: scenario 'prints' is registered twice") != std::string::npos);
    CHECK(res.err.find("fix the scenario registrations above") != std::string::npos);
}

TEST_CASE("list over a program without scenarios says how to add one") {
    aio::scenario::Registry empty;
    auto r = cli(empty, {"list"});
    CHECK(r.status == 0);
    CHECK(r.out.empty());
    CHECK(r.err.find("registers no scenarios; define one with AIOSIM_SCENARIO") != std::string::npos);
}

// ---- the simulator: run --replay/--trace, explore, shrink ------------------------------------

namespace {

using cli_support::racy;  // a lost update between two tasks
using cli_support::racy_oracle;

// Deadlocks, and catches the simulator's Deadlock (an aio::RuntimeError) at the top level.
aio::Coro<void> waits_forever() {
    aio::Future<int> never(aio::get_running_loop());
    co_await never;
}
int swallows_deadlock(aio::scenario::Context& ctx) {
    try {
        aio::run(waits_forever(), ctx.run_options());
    } catch (const aio::RuntimeError&) {
        ctx.print("caught it");
    }
    return 0;
}

aio::scenario::Registry sim_sample() {
    aio::scenario::Registry r = sample();
    r.add("racy", "two workers, a lost update in some orders", &racy);
    r.add_oracle("racy", &racy, &racy_oracle);
    r.add("swallows_deadlock", "deadlocks and catches the Deadlock", &swallows_deadlock);
    return r;
}

using cli_support::field;  // a line "  key: value" of a report

// The summary line without its rate and time, which depend on the machine.
std::string summary(const std::string& out) {
    auto at = out.find("summary: ");
    REQUIRE(at != std::string::npos);
    auto end = out.find(" runs/s", at);
    return out.substr(at, out.rfind(',', end) - at);
}

}  // namespace

TEST_CASE("explore finds a lost update, and prints the seed, the replay string, the trace hash and the command") {
    auto r = cli(sim_sample(), {"explore", "racy", "--policy", "random", "--strict-order", "--seeds", "50"});
    CHECK(r.status == 1);
    CHECK(r.out.starts_with("explore racy: policy random, seeds 1..50\n"));
    CHECK(r.out.find("FAILED: ") != std::string::npos);
    CHECK(r.out.find("  - the counter must be 2, got 'counter = 1'") != std::string::npos);
    const std::string replay = field(r.out, "replay");
    REQUIRE(replay.starts_with("aiosim1:random:seed="));
    CHECK(field(r.out, "trace hash").starts_with("0x"));
    CHECK(field(r.out, "replay it") == "aiosim run racy --replay '" + replay + "'");
    CHECK(field(r.out, "shrink it") == "aiosim shrink racy --replay '" + replay + "'");
    CHECK(r.err.empty());  // scenario output is captured, and stderr is no terminal here

    // The same failure, with the same trace hash, from the printed command.
    auto again = cli(sim_sample(), {"run", "racy", "--replay", replay});
    CHECK(again.status == 1);
    CHECK(again.out == "counter = 1\n");
    CHECK(field(again.err, "trace hash") == field(r.out, "trace hash"));
    CHECK(field(again.err, "replay") == replay);

    auto expected = cli(
        sim_sample(), {"explore", "racy", "--policy", "random", "--strict-order", "--seeds", "50", "--expect-failure"});
    CHECK(expected.status == 0);
    CHECK(expected.out.find("as expected") != std::string::npos);
}

TEST_CASE("explore without --policy runs the portfolio: fifo first, then every strategy per seed") {
    auto r = cli(sim_sample(), {"explore", "racy", "--seeds", "20"});
    CHECK(r.out.starts_with(
        "explore racy: the portfolio: fifo once, then each seed under timers, pos, urw, pct (d=3, k=fitted), delay, "
        "random, seeds 1..20\n"));
    CHECK(field(r.out, "runs per strategy") ==
          "fifo 1, timers 20, pos 20, urw 20, pct 20, delay 20, random 20 (and 1 run measuring the program for the "
          "fitted strategies)");
    CHECK(summary(r.out).starts_with("summary: 121 runs, 0 failed, "));
}

TEST_CASE("a lost update that needs a ready-queue decision is reported apart, exit 3; --strict-order makes it 1") {
    // racy's two tasks interleave only if a later ready entry runs before the front: an order
    // CPython's asyncio never runs (call_soon is FIFO).
    auto r = cli(sim_sample(), {"explore", "racy", "--seeds", "20"});
    CHECK(r.status == 3);
    CHECK(r.out.find("FAILED:") == std::string::npos);
    CHECK(r.out.find("FOUND ONLY IN ORDERS CPYTHON'S ASYNCIO CANNOT RUN: ") != std::string::npos);
    CHECK(r.out.find("the code relies on the FIFO order of call_soon / the order woken waiters resume, which asyncio "
                     "guarantees (exit 3; --strict-order makes it a failure)") != std::string::npos);
    const std::string found = field(r.out, "found by");
    CHECK(r.out.find("  found by ") != std::string::npos);
    const std::string small = field(r.out, "shrunk");
    REQUIRE(!small.empty());
    const std::string small_replay = small.substr(0, small.find(' '));
    CHECK(field(r.out, "shrunk order").starts_with("one CPython's asyncio cannot run (1 ready-queue decision runs"));
    // The shrunk string still fails, the same way.
    auto run = cli(sim_sample(), {"run", "racy", "--replay", small_replay});
    CHECK(run.status == 1);
    CHECK(field(run.err, "signature") == field(r.out, "signature"));
    CHECK(summary(r.out).find(" failed only in orders CPython cannot run") != std::string::npos);

    auto strict = cli(sim_sample(), {"explore", "racy", "--seeds", "20", "--strict-order"});
    CHECK(strict.status == 1);
    CHECK(strict.out.find("FAILED: ") != std::string::npos);
    CHECK(strict.out.find("FOUND ONLY IN ORDERS") == std::string::npos);
    CHECK(field(strict.out, "order").starts_with("one CPython's asyncio cannot run ("));
    ::setenv("AIOSIM_STRICT_ORDER", "1", 1);
    auto env_strict = cli(sim_sample(), {"explore", "racy", "--seeds", "20"});
    ::setenv("AIOSIM_STRICT_ORDER", "maybe", 1);
    auto bad = cli(sim_sample(), {"explore", "racy", "--seeds", "20"});
    ::unsetenv("AIOSIM_STRICT_ORDER");
    CHECK(env_strict.status == 1);
    CHECK(bad.status == 2);
    CHECK(bad.err.find("AIOSIM_STRICT_ORDER: 'maybe' is not 1 or 0") != std::string::npos);

    // --expect-failure succeeds on either, and says which.
    auto expected = cli(sim_sample(), {"explore", "racy", "--seeds", "20", "--expect-failure"});
    CHECK(expected.status == 0);
    CHECK(expected.out.find("as expected: this scenario has a known bug, and exploration found it (only in orders "
                            "CPython's asyncio cannot run: exit 3 without --expect-failure)") != std::string::npos);
    auto expected_strict =
        cli(sim_sample(), {"explore", "racy", "--seeds", "20", "--expect-failure", "--strict-order"});
    CHECK(expected_strict.status == 0);
    CHECK(expected_strict.out.find("(in an order CPython's asyncio can run: exit 1 without --expect-failure)") !=
          std::string::npos);
    // The same report whatever the number of jobs.
    auto two = cli(sim_sample(), {"explore", "racy", "--seeds", "20", "--jobs", "2"});
    CHECK(two.status == 3);
    CHECK(two.out.substr(0, two.out.find("summary: ")) == r.out.substr(0, r.out.find("summary: ")));
}

TEST_CASE("explore passes in asyncio's order, and --expect-failure then exits 1") {
    auto r = cli(sim_sample(), {"explore", "racy", "--policy", "fifo", "--seeds", "5"});
    CHECK(r.status == 0);
    CHECK(summary(r.out) == "summary: 5 runs, 0 failed, 1 distinct outcomes, 1 distinct traces");
    auto e = cli(sim_sample(), {"explore", "racy", "--policy", "fifo", "--seeds", "5", "--expect-failure"});
    CHECK(e.status == 1);
    CHECK(e.out.find("NOT FOUND") != std::string::npos);
}

TEST_CASE("explore's report is the same whatever the number of jobs") {
    for (const char* stop : {"", "--stop-at-first"}) {
        std::vector<std::string> args{"explore", "racy", "--policy",     "random", "--strict-order",
                                      "--seeds", "40",   "--seed-start", "7"};
        if (*stop) args.push_back(stop);
        auto one = cli(sim_sample(), args);
        args.insert(args.end(), {"--jobs", "3"});
        auto three = cli(sim_sample(), args);
        CHECK(one.status == 1);
        CHECK(three.status == 1);
        CHECK(summary(one.out) == summary(three.out));
        CHECK(one.out.substr(0, one.out.find("summary: ")) == three.out.substr(0, three.out.find("summary: ")));
    }
    // --stop-at-first stops at the first failing seed: fewer runs than the budget here.
    auto all = cli(sim_sample(), {"explore", "racy", "--policy", "random", "--strict-order", "--seeds", "40"});
    auto first = cli(sim_sample(),
                     {"explore", "racy", "--policy", "random", "--strict-order", "--seeds", "40", "--stop-at-first"});
    CHECK(field(all.out, "seed") == field(first.out, "seed"));
    CHECK(summary(first.out).starts_with("summary: " + std::to_string(std::stoull(field(first.out, "seed"))) +
                                         " runs, 1 failed"));
}

TEST_CASE("under the simulator run reports a failed oracle and keeps a non-zero exit status") {
    auto r = cli(sim_sample(), {"run", "prints", "--loop", "sim"});
    CHECK(r.status == 5);
    CHECK(r.out == "one\ntwo\n");
    CHECK(r.err ==
          "a warning\naiosim run: prints FAILED:\n  - the exit status must be 0, got 5\n"
          "  signature: oracle: the exit status must be 0, got {}\n"
          "  order: asyncio's own (policy fifo): CPython runs exactly this order\n"
          "replay: aiosim1:fifo:-:-\ntrace hash: " +
              field(r.err, "trace hash") + "\n");
}

TEST_CASE("a simulator error counts as a failure even when the scenario catches it") {
    auto r = cli(sim_sample(), {"explore", "swallows_deadlock", "--policy", "random", "--seeds", "3"});
    CHECK(r.status == 1);
    CHECK(r.out.find("FAILED: 3 of 3 runs") != std::string::npos);
    CHECK(r.out.find("  - the simulator raised aio::sim::Deadlock") != std::string::npos);
    auto run = cli(sim_sample(), {"run", "swallows_deadlock", "--loop", "sim"});
    CHECK(run.out == "caught it\n");
    CHECK(run.status == 1);
    CHECK(run.err.find("aiosim run: swallows_deadlock FAILED:\n  - the simulator raised aio::sim::Deadlock") !=
          std::string::npos);
}

TEST_CASE("explore shards seeds by TEST_TOTAL_SHARDS and TEST_SHARD_INDEX") {
    ::setenv("TEST_TOTAL_SHARDS", "3", 1);
    ::setenv("TEST_SHARD_INDEX", "1", 1);
    auto r = cli(sim_sample(), {"explore", "racy", "--policy", "fifo", "--seeds", "10", "--seed-start", "100"});
    ::setenv("TEST_SHARD_INDEX", "3", 1);
    auto bad = cli(sim_sample(), {"explore", "racy", "--seeds", "10"});
    ::unsetenv("TEST_TOTAL_SHARDS");
    ::unsetenv("TEST_SHARD_INDEX");
    CHECK(r.status == 0);
    // Seeds 100..109, every third from the second: 101, 104, 107.
    CHECK(r.out.starts_with("explore racy: policy fifo, seeds 101, 104, ... 107 (every 3), shard 2 of 3\n"));
    CHECK(summary(r.out).starts_with("summary: 3 runs, 0 failed"));
    CHECK(bad.status == 2);
    CHECK(bad.err.find("TEST_SHARD_INDEX must be an integer below TEST_TOTAL_SHARDS (3), got '3'") !=
          std::string::npos);
}

TEST_CASE("explore: bad usage exits 2 and says what is wrong") {
    auto none = cli(sim_sample(), {"explore", "racy"});
    CHECK(none.status == 2);
    CHECK(none.err.find("give a budget: --seeds N or --time DURATION") != std::string::npos);
    CHECK(cli(sim_sample(), {"explore", "racy", "--seeds", "5", "--time", "1s"}).status == 2);
    CHECK(cli(sim_sample(), {"explore", "racy", "--seeds", "0"}).status == 2);
    CHECK(cli(sim_sample(), {"explore", "racy", "--seeds", "5", "--jobs", "0"}).status == 2);
    CHECK(cli(sim_sample(), {"explore", "racy", "--seeds", "5", "--policy", "chaos"}).status == 2);
    auto t = cli(sim_sample(), {"explore", "racy", "--time", "soon"});
    CHECK(t.status == 2);
    CHECK(t.err.find("--time: 'soon' is not a duration") != std::string::npos);
    auto u = cli(sim_sample(), {"explore", "racer", "--seeds", "5"});
    CHECK(u.status == 2);
    CHECK(u.err.find("unknown scenario 'racer' (did you mean 'racy'?)") != std::string::npos);
}

TEST_CASE("explore --time runs at least one seed and reports") {
    auto r = cli(sim_sample(), {"explore", "a_long_name", "--policy", "random", "--time", "1ms"});
    CHECK(r.status == 0);
    CHECK(r.out.starts_with("explore a_long_name: policy random, seeds from 1 for 1ms\n"));
    CHECK(r.out.find("summary: ") != std::string::npos);
    CHECK(r.out.find("summary: 0 runs") == std::string::npos);
}

TEST_CASE("shrink prints a failing replay string no longer than the input, and how many decisions it removed") {
    auto found = cli(sim_sample(), {"explore", "racy", "--policy", "random", "--strict-order", "--seeds", "50"});
    const std::string replay = field(found.out, "replay");
    REQUIRE(!replay.empty());
    auto s = cli(sim_sample(), {"shrink", "racy", "--replay", replay});
    CHECK(s.status == 0);
    const std::string small = field(s.out, "replay");
    REQUIRE(!small.empty());
    CHECK(small.size() <= replay.size());
    CHECK(s.out.find("removed") != std::string::npos);
    auto run = cli(sim_sample(), {"run", "racy", "--replay", small});
    CHECK(run.status == 1);
    CHECK(field(run.err, "trace hash") == field(s.out, "trace hash"));

    auto passing = cli(sim_sample(), {"shrink", "racy", "--replay", "aiosim1:fifo:-"});
    CHECK(passing.status == 1);
    CHECK(passing.err.find("the schedule does not fail: nothing to shrink") != std::string::npos);
    auto bad = cli(sim_sample(), {"shrink", "racy", "--replay", "aiosim1:random:seed=x"});
    CHECK(bad.status == 2);
    CHECK(bad.err.find("aiosim shrink: --replay: ") == 0);
    CHECK(cli(sim_sample(), {"shrink", "racy"}).status == 2);
}

TEST_CASE("run --trace writes Chrome trace-event JSON, or the text form; --print-replay names the run") {
    const std::string json = "cli_test_trace.json", text = "cli_test_trace.txt";
    auto r = cli(sim_sample(), {"run", "racy", "--trace", json, "--print-replay"});
    CHECK(r.status == 0);
    CHECK(r.out == "counter = 2\n");
    CHECK(r.err.starts_with("replay: aiosim1:fifo:-:-\ntrace hash: 0x"));
    CHECK(field(r.err, "trace hash").starts_with("0x"));
    std::ifstream f(json);
    std::string body((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    CHECK(body.starts_with("{"));
    CHECK(body.find("\"traceEvents\"") != std::string::npos);
    CHECK(cli(sim_sample(), {"run", "racy", "--trace", text}).status == 0);
    std::ifstream t(text);
    std::string first;
    std::getline(t, first);
    CHECK(first == "0.000000000 0 created #1 \"Task-1\"");
    std::remove(json.c_str());
    std::remove(text.c_str());

    auto real = cli(sim_sample(), {"run", "prints", "--loop", "real", "--trace", json});
    CHECK(real.status == 2);
    CHECK(real.err == "aiosim run: --trace needs the simulator, not --loop real; use --loop sim or leave --loop out\n");
    auto nowhere = cli(sim_sample(), {"run", "prints", "--trace", "/nonexistent/dir/t.json"});
    CHECK(nowhere.status == 2);
    CHECK(nowhere.err == "aiosim run: --trace: cannot write to '/nonexistent/dir/t.json'\n");
}

TEST_CASE("replay runs the string's schedule, prints its replay string and trace hash, and reproduces a failure") {
    auto ok = cli(sim_sample(), {"replay", "racy", "aiosim1:fifo:-:-"});
    CHECK(ok.status == 0);
    CHECK(ok.out == "counter = 2\n");
    CHECK(ok.err == "replay: aiosim1:fifo:-:-\ntrace hash: " + field(ok.err, "trace hash") + "\n");

    auto found = cli(sim_sample(), {"explore", "racy", "--policy", "random", "--strict-order", "--seeds", "50"});
    const std::string replay = field(found.out, "replay");
    REQUIRE(!replay.empty());
    auto again = cli(sim_sample(), {"replay", "racy", replay});
    CHECK(again.status == 1);
    CHECK(again.out == "counter = 1\n");
    CHECK(again.err.find("aiosim replay: racy FAILED:\n  - the counter must be 2, got 'counter = 1'") !=
          std::string::npos);
    CHECK(field(again.err, "replay") == replay);
    CHECK(field(again.err, "trace hash") == field(found.out, "trace hash"));
    // The same as run --replay --print-replay.
    auto run = cli(sim_sample(), {"run", "racy", "--replay", replay, "--print-replay"});
    CHECK(run.status == again.status);
    CHECK(run.out == again.out);
    CHECK(field(run.err, "trace hash") == field(again.err, "trace hash"));
}

TEST_CASE("replay takes the string as its second word or, as every other command, after --replay") {
    auto found = cli(sim_sample(), {"explore", "racy", "--policy", "random", "--strict-order", "--seeds", "50"});
    const std::string replay = field(found.out, "replay");
    REQUIRE(!replay.empty());
    auto positional = cli(sim_sample(), {"replay", "racy", replay});
    auto option = cli(sim_sample(), {"replay", "racy", "--replay", replay});
    CHECK(option.status == 1);
    CHECK(option.status == positional.status);
    CHECK(option.out == positional.out);
    CHECK(option.err == positional.err);
    CHECK(cli(sim_sample(), {"replay", "racy", replay, "--replay", replay}).status == 1);  // the same string twice
    auto both = cli(sim_sample(), {"replay", "racy", "aiosim1:fifo:-:-", "--replay", replay});
    CHECK(both.status == 2);
    CHECK(both.err.starts_with("aiosim replay: two different replay strings, STR aiosim1:fifo:-:- and --replay "));
}

TEST_CASE("every failure report says whether CPython's asyncio can run the failing order") {
    auto explored = cli(sim_sample(), {"explore", "racy", "--policy", "random", "--strict-order", "--seeds", "50"});
    // Judged by the decisions of the string: the found one's ready-queue decisions.
    const std::string order = field(explored.out, "order");
    CHECK(order.starts_with("one CPython's asyncio cannot run ("));
    CHECK(
        order.ends_with("a later entry before the front; found by policy random): the code relies on the FIFO "
                        "order of call_soon / the order woken waiters resume, which asyncio guarantees"));
    auto replayed = cli(sim_sample(), {"replay", "racy", field(explored.out, "replay")});
    CHECK(field(replayed.err, "order") == order);
}

TEST_CASE("replay exits 1 with the divergence report when the run no longer follows the string") {
    // Decision #0 picks the 10th candidate: there are never that many here.
    auto wide = cli(sim_sample(), {"replay", "racy", "aiosim1:random:-:r9"});
    CHECK(wide.status == 1);
    CHECK(wide.err.find("aiosim replay: racy did not follow the replay string aiosim1:random:-:r9:\n  - "
                        "aio::sim::ReplayDivergence: the replay no longer fits the program at decision #0") !=
          std::string::npos);
    // A decision the run never reaches: the program ended first.
    auto late = cli(sim_sample(), {"replay", "racy", "aiosim1:random:-:500r1"});
    CHECK(late.status == 1);
    CHECK(late.err.find("aiosim replay: racy did not follow the replay string aiosim1:random:-:500r1:\n  - "
                        "aio::sim::ReplayDivergence: the replay no longer fits the program: the run ended after") !=
          std::string::npos);
}

TEST_CASE("replay: bad usage exits 2 and says what is wrong") {
    auto bad = cli(sim_sample(), {"replay", "racy", "aiosim1:random:seed=x"});
    CHECK(bad.status == 2);
    CHECK(bad.err.find("aiosim replay: ") == 0);
    CHECK(bad.err.find("seed") != std::string::npos);
    auto none = cli(sim_sample(), {"replay", "racy"});
    CHECK(none.status == 2);
    CHECK(none.err.find("give the replay string: aiosim replay racy STR or --replay STR") != std::string::npos);
    auto unknown = cli(sim_sample(), {"replay", "racer", "aiosim1:fifo:-"});
    CHECK(unknown.status == 2);
    CHECK(unknown.err.find("unknown scenario 'racer' (did you mean 'racy'?)") != std::string::npos);
    CHECK(cli(sim_sample(), {"replay", "racy", "aiosim1:fifo:-", "--loop", "real"}).status == 2);
}

namespace {

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("trace writes Chrome trace-event JSON to NAME.trace.json and prints the trace hash") {
    const std::string file = "racy.trace.json";
    std::remove(file.c_str());
    auto r = cli(sim_sample(), {"trace", "racy"});
    CHECK(r.status == 0);
    CHECK(r.out.starts_with("trace racy: "));
    CHECK(r.out.find(" events, Chrome trace-event JSON, written to racy.trace.json\n") != std::string::npos);
    CHECK(field(r.out, "replay") == "aiosim1:fifo:-:-");
    const std::string body = slurp(file);
    CHECK(body.starts_with("{"));
    CHECK(body.find("\"traceEvents\"") != std::string::npos);
    std::remove(file.c_str());
    // The hash run prints for the same schedule.
    auto run = cli(sim_sample(), {"run", "racy", "--print-replay"});
    CHECK(field(r.out, "trace hash") == field(run.err, "trace hash"));
}

TEST_CASE("trace --format text -o - writes the text form to standard output and the summary to standard error") {
    // A seed whose order passes.
    std::string seed;
    Result run;
    for (int i = 1; i <= 20 && seed.empty(); ++i) {
        run = cli(sim_sample(), {"run", "racy", "--policy", "random", "--seed", std::to_string(i), "--print-replay"});
        if (run.status == 0) seed = std::to_string(i);
    }
    REQUIRE(!seed.empty());
    auto r = cli(sim_sample(), {"trace", "racy", "--policy", "random", "--seed", seed, "--format", "text", "-o", "-"});
    CHECK(r.status == 0);
    CHECK(r.out.starts_with("0.000000000 0 created #1 \"Task-1\"\n"));
    CHECK(r.err.starts_with("trace racy: "));
    CHECK(r.err.find(", text, written to standard output\n") != std::string::npos);
    CHECK(field(r.err, "replay").starts_with("aiosim1:random:seed=" + seed));
    CHECK(field(r.err, "trace hash") == field(run.err, "trace hash"));
}

TEST_CASE("trace of a failing schedule writes the trace, reports the failure and exits 1") {
    auto found = cli(sim_sample(), {"explore", "racy", "--policy", "random", "--strict-order", "--seeds", "50"});
    const std::string replay = field(found.out, "replay");
    REQUIRE(!replay.empty());
    const std::string file = "cli_test_failing.trace.txt";
    auto r = cli(sim_sample(), {"trace", "racy", "--replay", replay, "--format", "text", "--output", file});
    CHECK(r.status == 1);
    CHECK(field(r.out, "trace hash") == field(found.out, "trace hash"));
    CHECK(r.err.find("aiosim trace: racy FAILED:\n  - the counter must be 2, got 'counter = 1'") != std::string::npos);
    CHECK(slurp(file).starts_with("0.000000000 0 created #1"));
    std::remove(file.c_str());

    CHECK(cli(sim_sample(), {"trace", "racy", "--format", "xml"}).status == 2);
    CHECK(cli(sim_sample(), {"trace", "racy", "--loop", "real"}).status == 2);
    auto nowhere = cli(sim_sample(), {"trace", "racy", "-o", "/nonexistent/dir/t.json"});
    CHECK(nowhere.status == 2);
    CHECK(nowhere.err == "aiosim trace: cannot write to '/nonexistent/dir/t.json'\n");
}

// ---- failure signatures: what shrinking keeps ------------------------------------------------

namespace {

// Three tasks note the order in which they start. Task 3 starting before task 1 is the bug
// the oracle names; any other order but 1, 2, 3 makes main wait forever (a Deadlock). So
// removing decisions from a failing schedule can turn the oracle failure into a deadlock.
aio::Coro<void> note(int id, std::string& order) {
    order += static_cast<char>('0' + id);
    co_return;
}
aio::Coro<void> three_starts(aio::scenario::Context& ctx) {
    std::string order;
    auto t1 = aio::create_task(note(1, order), "t1");
    auto t2 = aio::create_task(note(2, order), "t2");
    auto t3 = aio::create_task(note(3, order), "t3");
    co_await t1;
    co_await t2;
    co_await t3;
    ctx.print("order {}", order);
    if (order != "123" && order.find('3') > order.find('1')) {
        aio::Future<int> never(aio::get_running_loop());
        co_await never;
    }
}
int starts(aio::scenario::Context& ctx) {
    aio::run(three_starts(ctx), ctx.run_options());
    return 0;
}
void starts_oracle(const aio::scenario::Execution& o, aio::scenario::Verdict& v) {
    const std::string line(o.last_line());
    v.require(!(line.find('3') < line.find('1')), "task 3 must not start before task 1; {}", line);
}

// Keeps yielding: only the step limit stops it.
aio::Coro<void> spin() {
    for (;;) co_await aio::sleep(std::chrono::seconds(0));
}
int spins(aio::scenario::Context& ctx) {
    aio::run(spin(), ctx.run_options());
    return 0;
}

aio::scenario::Registry signature_sample() {
    aio::scenario::Registry r = sim_sample();
    r.add("starts", "three tasks; 3 before 1 is the bug, other orders deadlock", &starts);
    r.add_oracle("starts", &starts, &starts_oracle);
    r.add("spins", "yields forever", &spins);
    return r;
}

}  // namespace

TEST_CASE("a failed run names its failure signature: the kind and what failed, without this run's details") {
    auto reg = signature_sample();
    auto oracle = cli(reg, {"run", "starts", "--replay", "aiosim1:random:-:r1.r1"});  // order 231
    CHECK(oracle.status == 1);
    CHECK(oracle.out == "order 231\n");
    CHECK(field(oracle.err, "signature") == "oracle: task 3 must not start before task 1; {}");
    auto other = cli(reg, {"run", "starts", "--replay", "aiosim1:random:-:r2"});  // order 312: same signature
    CHECK(other.out == "order 312\n");
    CHECK(field(other.err, "signature") == field(oracle.err, "signature"));
    auto deadlock = cli(reg, {"run", "starts", "--replay", "aiosim1:random:-:r1"});  // order 213
    CHECK(deadlock.status == 1);
    CHECK(field(deadlock.err, "signature") == "deadlock");
    auto caught = cli(reg, {"run", "swallows_deadlock"});
    CHECK(field(caught.err, "signature") == "deadlock");
    auto escaped = cli(reg, {"run", "escapes"});
    CHECK(field(escaped.err, "signature") ==
          "exception RuntimeError; oracle: no exception may escape the scenario, but {} did");
    auto status = cli(reg, {"run", "prints"});
    CHECK(field(status.err, "signature") == "oracle: the exit status must be 0, got {}");
    auto limit = cli(reg, {"run", "spins", "--replay", "aiosim1:fifo:steps=100:-"});
    CHECK(limit.status == 1);
    CHECK(field(limit.err, "signature") == "limit: steps");
    auto diverged = cli(reg, {"run", "racy", "--replay", "aiosim1:random:-:r9"});
    CHECK(field(diverged.err, "signature") == "divergence");
}

TEST_CASE("shrink keeps the failure it was given: a smaller schedule that fails another way is not taken") {
    auto reg = signature_sample();
    // Dropping either decision of r1.r1 (order 231) deadlocks; a plain "still fails" shrinker
    // would stop there. Kept: one decision that starts task 3 first (order 312).
    auto s = cli(reg, {"shrink", "starts", "--replay", "aiosim1:random:seed=12345:r1.r1"});
    CHECK(s.status == 0);
    CHECK(field(s.out, "signature") == "oracle: task 3 must not start before task 1; {}");
    const std::string small = field(s.out, "replay");
    CHECK(small == "aiosim1:random:seed=12345:r2");
    CHECK(s.out.find("shrunk to 1 non-zero decision, 1 removed") != std::string::npos);
    auto run = cli(reg, {"run", "starts", "--replay", small});
    CHECK(run.status == 1);
    CHECK(run.out == "order 312\n");
    CHECK(field(run.err, "signature") == field(s.out, "signature"));
    CHECK(field(run.err, "trace hash") == field(s.out, "trace hash"));

    // A deadlock is kept as a deadlock.
    auto d = cli(reg, {"shrink", "starts", "--replay", "aiosim1:random:-:r1.1r1"});  // order 213 + an unused one
    CHECK(d.status == 0);
    CHECK(field(d.out, "signature") == "deadlock");
    auto drun = cli(reg, {"run", "starts", "--replay", field(d.out, "replay")});
    CHECK(field(drun.err, "signature") == "deadlock");

    // A string that only diverges has no failure to shrink.
    auto diverged = cli(reg, {"shrink", "racy", "--replay", "aiosim1:random:-:r9"});
    CHECK(diverged.status == 1);
    CHECK(diverged.err.find("no longer fits the program") != std::string::npos);
}

TEST_CASE("explore --shrink shrinks the first failure and prints both strings") {
    auto reg = signature_sample();
    auto r = cli(reg, {"explore", "racy", "--policy", "random", "--strict-order", "--seeds", "50", "--shrink"});
    CHECK(r.status == 1);
    const std::string found = field(r.out, "replay"), small = field(r.out, "shrunk");
    REQUIRE(!found.empty());
    REQUIRE(!small.empty());
    const std::string small_replay = small.substr(0, small.find(' '));
    CHECK(small_replay.size() <= found.size());
    CHECK(field(r.out, "replay the shrunk one") == "aiosim run racy --replay '" + small_replay + "'");
    CHECK(r.out.find("shrink it:") == std::string::npos);
    // The same result as the shrink command, and it fails the same way.
    auto s = cli(reg, {"shrink", "racy", "--replay", found});
    CHECK(field(s.out, "replay") == small_replay);
    auto run = cli(reg, {"run", "racy", "--replay", small_replay});
    CHECK(run.status == 1);
    CHECK(field(run.err, "signature") == field(r.out, "signature"));
    CHECK(field(run.err, "trace hash") == field(r.out, "shrunk trace hash"));
}

// ---- issue 9: numbers, empty explorations, bounded memory, reports that reach the user -------

namespace {

// Every numeric option of every command: out-of-range or malformed values are bad usage, and
// the message names the option and the range.
struct BadNumber {
    std::vector<std::string> args;
    std::string message;
};

std::string max_u64() { return "18446744073709551615"; }

}  // namespace

TEST_CASE(
    "every numeric option rejects a sign, an empty value, junk and values out of its range, naming the option and the "
    "range") {
    const std::string any_seed = "is not a whole number from 0 to " + max_u64();
    const std::string positive = "is not a whole number from 1 to " + max_u64();
    const std::vector<BadNumber> cases{
        {{"run", "racy", "--seed", "-1"}, "--seed: '-1' " + any_seed},
        {{"run", "racy", "--seed", "99999999999999999999999"}, "--seed: '99999999999999999999999' " + any_seed},
        {{"run", "racy", "--seed", "18446744073709551616"}, "--seed: '18446744073709551616' " + any_seed},
        {{"run", "racy", "--seed", ""}, "--seed: '' " + any_seed},
        {{"run", "racy", "--seed", "1e3"}, "--seed: '1e3' " + any_seed},
        {{"run", "racy", "--seed", " 5"}, "--seed: ' 5' " + any_seed},
        {{"run", "racy", "--seed", "+5"}, "--seed: '+5' " + any_seed},
        {{"trace", "racy", "--seed", "-1"}, "--seed: '-1' " + any_seed},
        {{"explore", "racy", "--seeds", "-1"}, "--seeds: '-1' " + positive},
        {{"explore", "racy", "--seeds", "0"}, "--seeds: '0' " + positive},
        {{"explore", "racy", "--seeds", ""}, "--seeds: '' " + positive},
        {{"explore", "racy", "--seeds", "18446744073709551616"}, "--seeds: '18446744073709551616' " + positive},
        {{"explore", "racy", "--seeds", "5", "--seed-start", "-1"}, "--seed-start: '-1' " + any_seed},
        {{"explore", "racy", "--seeds", "5", "--jobs", "0"}, "--jobs: '0' is not a whole number from 1 to 256"},
        {{"explore", "racy", "--seeds", "5", "--jobs", "257"}, "--jobs: '257' is not a whole number from 1 to 256"},
        {{"explore", "racy", "--seeds", "5", "-j", "-1"}, "--jobs: '-1' is not a whole number from 1 to 256"},
        {{"explore", "racy", "--seeds", "5", "--jobs", "4294967297"},
         "--jobs: '4294967297' is not a whole number from 1 to 256"},
        {{"explore", "racy", "--seeds", "5", "--pct-depth", "0"},
         "--pct-depth: '0' is not a whole number from 1 to 64"},
        {{"explore", "racy", "--seeds", "5", "--pct-depth", "4294967299"},
         "--pct-depth: '4294967299' is not a whole number from 1 to 64"},
        // --pct-steps 0 is valid: fitted to the program (the strategies branch).
        {{"explore", "racy", "--seeds", "5", "--pct-steps", "-1"},
         "--pct-steps: '-1' is not a whole number from 0 to 18446744073709551615"},
        {{"shrink", "racy", "--replay", "aiosim1:fifo:-", "--max-runs", "18446744073709551616"},
         "--max-runs: '18446744073709551616' " + positive},
        {{"shrink", "racy", "--replay", "aiosim1:fifo:-", "--max-runs", "0"}, "--max-runs: '0' " + positive},
        {{"shrink", "racy", "--replay", "aiosim1:fifo:-", "--max-runs", "-1"}, "--max-runs: '-1' " + positive},
    };
    for (const auto& c : cases) {
        CAPTURE(c.message);
        auto r = cli(sim_sample(), c.args);
        CHECK(r.status == 2);
        CHECK(r.out.empty());
        CHECK(r.err.find(c.message) != std::string::npos);
    }
}

TEST_CASE("explore refuses a pct parameter under another policy instead of ignoring it") {
    auto r = cli(sim_sample(), {"explore", "racy", "--policy", "random", "--seeds", "5", "--pct-steps", "20"});
    CHECK(r.status == 2);
    CHECK(r.err.find("--pct-steps is a parameter of the pct policy, and would be ignored under --policy random; add "
                     "--policy pct or leave --pct-steps out") != std::string::npos);
    auto pct = cli(sim_sample(), {"explore", "racy", "--seeds", "5", "--policy", "pct", "--pct-steps", "20"});
    CHECK(pct.out.starts_with("explore racy: policy pct (d=3, k=20), seeds 1..5\n"));
}

TEST_CASE("the largest seed is accepted, and seed-start plus seeds may not go past it") {
    auto r = cli(sim_sample(), {"run", "racy", "--policy", "random", "--seed", max_u64(), "--print-replay"});
    CHECK(field(r.err, "replay").starts_with("aiosim1:random:seed=" + max_u64()));
    auto last = cli(sim_sample(), {"explore", "racy", "--policy", "fifo", "--seeds", "1", "--seed-start", max_u64()});
    CHECK(last.status == 0);
    CHECK(last.out.starts_with("explore racy: policy fifo, seeds " + max_u64() + ".." + max_u64() + "\n"));
    auto past = cli(sim_sample(), {"explore", "racy", "--seeds", "2", "--seed-start", max_u64()});
    CHECK(past.status == 2);
    CHECK(past.err.find("--seed-start " + max_u64() + " with --seeds 2 goes past the largest seed") !=
          std::string::npos);
}

TEST_CASE("explore --time takes 0 to 10000h in ms, s, m or h and rejects anything that would overflow") {
    for (const char* bad : {"-1s", "", "1.5s", "10s5", "99999999999999999999h", "10001h", "600001m", "1d", "s"}) {
        CAPTURE(bad);
        auto r = cli(sim_sample(), {"explore", "racy", "--time", bad});
        CHECK(r.status == 2);
        CHECK(r.err.find("--time: '" + std::string(bad) + "' ") != std::string::npos);
        CHECK(r.err.find("a whole number and a unit, ms, s, m or h") != std::string::npos);
    }
    // Every seed from 0: 2^64 of them, which must not wrap to none.
    auto all =
        cli(sim_sample(), {"explore", "a_long_name", "--policy", "random", "--time", "1ms", "--seed-start", "0"});
    CHECK(all.status == 0);
    CHECK(all.out.starts_with("explore a_long_name: policy random, seeds from 0 for 1ms\n"));
    // The last seed only.
    auto last =
        cli(sim_sample(), {"explore", "a_long_name", "--policy", "random", "--time", "10s", "--seed-start", max_u64()});
    CHECK(last.status == 0);
    CHECK(summary(last.out).starts_with("summary: 1 runs, 0 failed"));
    auto zero = cli(sim_sample(), {"explore", "a_long_name", "--policy", "random", "--time", "0ms"});
    CHECK(zero.status == 0);
    CHECK(summary(zero.out).starts_with("summary: 1 runs, 0 failed"));  // the first seed always runs
}

TEST_CASE("a huge malformed argument gets a bounded, escaped excerpt in the message") {
    const std::string huge(131072, '7');
    auto seed = cli(sim_sample(), {"run", "racy", "--seed", huge + "x"});
    CHECK(seed.status == 2);
    CHECK(seed.err.size() < 400);
    CHECK(seed.err.find("... (131073 bytes)") != std::string::npos);
    auto name = cli(sim_sample(), {"run", std::string(131072, 'n')});
    CHECK(name.status == 2);
    CHECK(name.err.size() < 400);
    CHECK(name.err.find("... (131072 bytes)'; valid scenarios: ") != std::string::npos);
    auto control = cli(sim_sample(), {"explore", "ra\x1b[2Jcy", "--seeds", "1"});
    CHECK(control.err.find("unknown scenario 'ra\\x1b[2Jcy'") != std::string::npos);
}

namespace {

// Sets the shard variables for one call and restores them.
struct ShardEnv {
    ShardEnv(const char* total, const char* index) {
        if (total) ::setenv("TEST_TOTAL_SHARDS", total, 1);
        if (index) ::setenv("TEST_SHARD_INDEX", index, 1);
    }
    ~ShardEnv() {
        ::unsetenv("TEST_TOTAL_SHARDS");
        ::unsetenv("TEST_SHARD_INDEX");
        ::unsetenv("TEST_SHARD_STATUS_FILE");
    }
};

}  // namespace

TEST_CASE("malformed shard variables are bad usage naming the variable and the accepted values") {
    struct Case {
        const char* total;
        const char* index;
        std::string message;
    };
    const std::vector<Case> cases{
        {"99999999999999999999999", nullptr,
         "TEST_TOTAL_SHARDS must be a whole number from 1 to " + max_u64() + ", got '99999999999999999999999'"},
        {"-1", nullptr, "TEST_TOTAL_SHARDS must be a whole number from 1 to " + max_u64() + ", got '-1'"},
        {"0", nullptr, "TEST_TOTAL_SHARDS must be a whole number from 1 to " + max_u64() + ", got '0'"},
        {"3x", nullptr, "TEST_TOTAL_SHARDS must be a whole number from 1 to " + max_u64() + ", got '3x'"},
        {"3", "-1", "TEST_SHARD_INDEX must be an integer below TEST_TOTAL_SHARDS (3), got '-1'"},
        {"3", "18446744073709551617", "TEST_SHARD_INDEX must be an integer below TEST_TOTAL_SHARDS (3), got"},
        {nullptr, "2", "TEST_SHARD_INDEX is '2' but TEST_TOTAL_SHARDS is not set; set both"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.message);
        ShardEnv env(c.total, c.index);
        auto r = cli(sim_sample(), {"explore", "racy", "--seeds", "10"});
        CHECK(r.status == 2);
        CHECK(r.out.empty());
        CHECK(r.err.find(c.message) != std::string::npos);
    }
}

TEST_CASE("an exploration that ran nothing fails, unless --allow-empty says an empty shard is expected") {
    ShardEnv env("20", "15");
    auto r = cli(sim_sample(), {"explore", "racy", "--policy", "random", "--seeds", "10"});
    CHECK(r.status == 1);
    CHECK(r.out ==
          "explore racy: policy random, no seeds, shard 16 of 20\n"
          "summary: 0 runs (shard 16 of 20 got no seed: 10 seeds for 20 shards)\n"
          "FAILED: nothing ran, and an exploration that runs nothing does not pass; give fewer shards or "
          "more seeds, or pass --allow-empty where an empty shard is expected\n");
    auto allowed = cli(sim_sample(), {"explore", "racy", "--seeds", "10", "--allow-empty"});
    CHECK(allowed.status == 0);
    CHECK(allowed.out.find("summary: 0 runs (shard 16 of 20 got no seed: 10 seeds for 20 shards)\n"
                           "allowed: --allow-empty\n") != std::string::npos);
    // A shard that has seeds runs them whatever --allow-empty says.
    ::setenv("TEST_SHARD_INDEX", "9", 1);
    auto last = cli(sim_sample(), {"explore", "racy", "--policy", "fifo", "--seeds", "10", "--allow-empty"});
    CHECK(last.status == 0);
    CHECK(last.out.starts_with("explore racy: policy fifo, seed 10, shard 10 of 20\n"));
    CHECK(summary(last.out).starts_with("summary: 1 runs, 0 failed"));
}

TEST_CASE("the largest shard count splits seeds without wrapping") {
    ShardEnv env(max_u64().c_str(), "0");
    auto r = cli(sim_sample(), {"explore", "racy", "--policy", "fifo", "--seeds", "10"});
    CHECK(r.status == 0);
    CHECK(summary(r.out).starts_with("summary: 1 runs, 0 failed"));
}

TEST_CASE("an unwritable TEST_SHARD_STATUS_FILE is bad usage, not silently ignored") {
    ShardEnv env("2", "0");
    ::setenv("TEST_SHARD_STATUS_FILE", "/nonexistent/dir/status", 1);
    auto r = cli(sim_sample(), {"explore", "racy", "--seeds", "10"});
    CHECK(r.status == 2);
    CHECK(r.err.find("TEST_SHARD_STATUS_FILE: cannot write to '/nonexistent/dir/status'") != std::string::npos);
}

TEST_CASE("the command line reads the environment it is given, and keeps nothing between calls") {
    auto reg = sim_sample();
    auto call = [&](std::vector<std::string> args, aio::cli::Getenv getenv) {
        args.insert(args.begin(), "aiosim");
        std::vector<const char*> argv;
        for (auto& a : args) argv.push_back(a.c_str());
        std::ostringstream out, err;
        int status = aio::cli::main(static_cast<int>(argv.size()), argv.data(), reg, out, err, getenv);
        return Result{status, out.str(), err.str()};
    };
    auto shards = [](const char* total, const char* index) -> aio::cli::Getenv {
        return [=](std::string_view name) -> std::optional<std::string> {
            if (name == "TEST_TOTAL_SHARDS") return total;
            if (name == "TEST_SHARD_INDEX") return index;
            return std::nullopt;
        };
    };
    auto none = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    auto a = call({"explore", "racy", "--policy", "fifo", "--seeds", "10"}, shards("3", "1"));
    CHECK(summary(a.out).starts_with("summary: 3 runs, 0 failed"));
    auto b = call({"explore", "racy", "--policy", "fifo", "--seeds", "10"}, none);
    CHECK(summary(b.out).starts_with("summary: 10 runs, 0 failed"));
    auto c = call({"explore", "racy", "--policy", "fifo", "--seeds", "10"}, shards("abc", "1"));
    CHECK(c.status == 2);
    CHECK(c.err.find("TEST_TOTAL_SHARDS must be a whole number") != std::string::npos);
    // The same call again gives the same answer.
    auto a2 = call({"explore", "racy", "--policy", "fifo", "--seeds", "10"}, shards("3", "1"));
    CHECK(a2.out.substr(0, a2.out.find("runs/s")).substr(0, 60) == a.out.substr(0, a.out.find("runs/s")).substr(0, 60));
}

namespace {

// An output stream that fails on its first write by throwing (as a stream with exceptions()
// set does when its device breaks).
struct ThrowingBuf : std::streambuf {
    int overflow(int) override { throw std::runtime_error("the output device broke"); }
};

}  // namespace

TEST_CASE("the entry point never lets an exception escape: an unexpected one is an internal error, status 2") {
    ThrowingBuf buf;
    std::ostream out(&buf);
    out.exceptions(std::ios::badbit);
    std::ostringstream err;
    std::vector<std::string> args{"aiosim", "list"};
    std::vector<const char*> argv;
    for (auto& a : args) argv.push_back(a.c_str());
    int status = -1;
    CHECK_NOTHROW(status = aio::cli::main(static_cast<int>(argv.size()), argv.data(), sim_sample(), out, err));
    CHECK(status == 2);
    CHECK(err.str() == "aiosim: internal error: std::runtime_error: the output device broke\n");
}

namespace {

int deadlocks(aio::scenario::Context& ctx) {
    aio::run(waits_forever(), ctx.run_options());
    return 0;
}

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("explore's failure report prints a deadlock's text once") {
    aio::scenario::Registry reg = sim_sample();
    reg.add("deadlocks", "waits forever; the Deadlock escapes", &deadlocks);
    auto r = cli(reg, {"explore", "deadlocks", "--seeds", "2"});
    CHECK(r.status == 1);
    INFO(r.out);
    CHECK(occurrences(r.out, "no task can ever run again") == 1);
    CHECK(occurrences(r.out, "awaits a Future") == 1);
    CHECK(r.out.find("  - no exception may escape the scenario, but RuntimeError: aio::sim::Deadlock (below) did\n") !=
          std::string::npos);
    CHECK(r.out.find("  - the simulator raised aio::sim::Deadlock: no task can ever run again") != std::string::npos);
    CHECK(field(r.out, "signature") == "deadlock");
    // run and replay report it once too (after the scenario's own error lines, which the
    // simulator's report does not repeat).
    auto run = cli(reg, {"run", "deadlocks"});
    CHECK(run.status == 1);
    const std::string report = run.err.substr(run.err.find("aiosim run: deadlocks FAILED:"));
    CHECK(occurrences(report, "no task can ever run again") == 1);
}

// ---- the distinct-run count: exact up to a cap, then an estimate in bounded memory ----------

TEST_CASE("distinct values are counted exactly up to the cap, then estimated, the same whatever the order") {
    using aio::cli::DistinctCount;
    DistinctCount exact;
    for (std::uint64_t i = 0; i < DistinctCount::exact_cap; ++i) exact.add(i * 0x9e3779b97f4a7c15ULL);
    for (std::uint64_t i = 0; i < 1000; ++i) exact.add(i * 0x9e3779b97f4a7c15ULL);  // seen before
    CHECK(exact.exact());
    CHECK(exact.value() == DistinctCount::exact_cap);
    CHECK(exact.to_string() == std::to_string(DistinctCount::exact_cap));

    // A million distinct values, forwards with repeats and backwards: the same figure, near
    // the truth (the standard error is 0.4%).
    constexpr std::uint64_t n = 1'000'000;
    DistinctCount forwards, backwards;
    for (std::uint64_t i = 0; i < n; ++i) {
        forwards.add(i);
        if (i % 3 == 0) forwards.add(i / 2);
    }
    for (std::uint64_t i = n; i-- > 0;) backwards.add(i);
    CHECK_FALSE(forwards.exact());
    CHECK(forwards.value() == backwards.value());
    CHECK(forwards.to_string() == "about " + std::to_string(forwards.value()));
    CHECK(forwards.value() > n * 98 / 100);
    CHECK(forwards.value() < n * 102 / 100);
    // Just past the cap.
    DistinctCount past;
    for (std::uint64_t i = 0; i <= DistinctCount::exact_cap; ++i) past.add(i);
    CHECK_FALSE(past.exact());
    CHECK(past.value() > DistinctCount::exact_cap * 98 / 100);
    CHECK(past.value() < DistinctCount::exact_cap * 102 / 100);
}

// ---- reports that used to go straight to the process's stderr --------------------------------

namespace {

// What the process writes to file descriptor 2 while it lives: reports that bypass the
// streams the command line was given.
class ProcessStderr {
public:
    ProcessStderr() : file_(std::tmpfile()) {
        std::fflush(stderr);
        saved_ = ::dup(2);
        ::dup2(::fileno(file_), 2);
    }
    ~ProcessStderr() { restore(); }
    std::string text() {
        restore();
        std::rewind(file_);
        std::string s;
        for (int c; (c = std::fgetc(file_)) != EOF;) s += static_cast<char>(c);
        return s;
    }

private:
    void restore() {
        if (saved_ < 0) return;
        std::fflush(stderr);
        ::dup2(saved_, 2);
        ::close(saved_);
        saved_ = -1;
    }
    std::FILE* file_;
    int saved_ = -1;
};

aio::Coro<void> raises_soon() {
    co_await aio::sleep(std::chrono::seconds(0));
    throw std::runtime_error("nobody looked");
}
// Returns a task that failed, whose exception nobody retrieved: its handle outlives the loop.
aio::Coro<aio::Task<void>> leaves_failed_task() {
    auto t = aio::create_task(raises_soon(), "orphan");
    co_await aio::sleep(std::chrono::seconds(1));
    co_return t;
}
int drops_task_after_its_loop(aio::scenario::Context& ctx) {
    aio::Task<void> t = aio::run(leaves_failed_task(), ctx.run_options());
    ctx.print("loop gone");
    return 0;  // t dies here, after its loop
}

// A pending task whose cleanup waits forever when cancelled: the shutdown of aio::run
// deadlocks, and main's own exception is in flight, so ~Runner meets the error.
aio::Coro<void> stubborn() {
    try {
        co_await aio::sleep(std::chrono::hours(1));
    } catch (const aio::CancelledError&) {}
    aio::Future<int> never(aio::get_running_loop());
    co_await never;
}
aio::Coro<void> raises_with_a_stubborn_task() {
    auto t = aio::create_task(stubborn(), "stubborn");
    co_await aio::sleep(std::chrono::seconds(0));
    throw std::runtime_error("main failed");
}
int cleanup_deadlocks(aio::scenario::Context& ctx) {
    try {
        aio::run(raises_with_a_stubborn_task(), ctx.run_options());
    } catch (const std::runtime_error& e) {
        ctx.print("caught {}", e.what());
    }
    return 0;
}

aio::scenario::Registry report_sample() {
    aio::scenario::Registry r = sim_sample();
    r.add("orphan", "drops a failed task after its loop is gone", &drops_task_after_its_loop);
    r.add("cleanup_deadlocks", "aio::run's cleanup deadlocks while main's exception unwinds", &cleanup_deadlocks);
    return r;
}

}  // namespace

TEST_CASE(
    "a task that outlives its loop reports its lost exception with the scenario's errors, not on the process's "
    "stderr") {
    for (const char* loop : {"sim", "real"}) {
        CAPTURE(loop);
        ProcessStderr process;
        auto r = cli(report_sample(), {"run", "orphan", "--loop", loop});
        const std::string leaked = process.text();
        CHECK(leaked.empty());
        CHECK(r.out == "loop gone\n");
        CHECK(
            r.err.starts_with("Task exception was never retrieved\ntask: <Task name='orphan' id=2>\n"
                              "exception: std::runtime_error: nobody looked\ncreated at: "));
    }
}

TEST_CASE("~Runner's error while closing reaches the loop's exception handler, so run and explore capture it") {
    ProcessStderr process;
    auto r = cli(report_sample(), {"run", "cleanup_deadlocks"});
    auto e = cli(report_sample(), {"explore", "cleanup_deadlocks", "--seeds", "3"});
    const std::string leaked = process.text();
    INFO(r.err);
    INFO(e.out);
    CHECK(leaked.empty());
    CHECK(r.out == "caught main failed\n");
    CHECK(
        r.err.starts_with("aio::Runner: error while closing the loop (in ~Runner, which cannot throw it)\n"
                          "exception: RuntimeError: aio::sim::Deadlock"));
    CHECK(r.status == 1);  // and the simulator's record makes it a failed run
    CHECK(e.status == 1);
    CHECK(e.out.find("FAILED: ") != std::string::npos);
}

TEST_CASE("hashes prints one line per seed: the seed, the trace hash run prints for it, and the outcome hash") {
    auto r = cli(sim_sample(), {"hashes", "racy", "--policy", "random", "--seed-start", "3", "--seeds", "40"});
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    std::istringstream in(r.out);
    std::vector<std::string> seeds, traces, outcomes;
    for (std::string seed, trace, outcome; in >> seed >> trace >> outcome;) {
        seeds.push_back(seed);
        traces.push_back(trace);
        outcomes.push_back(outcome);
    }
    REQUIRE(seeds.size() == 40);
    CHECK(seeds.front() == "3");
    CHECK(seeds.back() == "42");
    auto run = cli(sim_sample(), {"run", "racy", "--policy", "random", "--seed", "4", "--print-replay"});
    CHECK(traces[1] == field(run.err, "trace hash"));
    // Some of the 40 orders lose the update (explore finds it within 50 seeds): the output
    // differs, and so does the outcome hash.
    CHECK(std::count(outcomes.begin(), outcomes.end(), outcomes.front()) < 40);
    // Deterministic: the same lines again.
    CHECK(cli(sim_sample(), {"hashes", "racy", "--policy", "random", "--seed-start", "3", "--seeds", "40"}).out ==
          r.out);

    CHECK(cli(sim_sample(), {"hashes", "nope"}).status == 2);
    CHECK(cli(sim_sample(), {"hashes", "racy", "--seeds", "0"}).status == 2);
    auto past = cli(sim_sample(), {"hashes", "racy", "--seed-start", "18446744073709551615", "--seeds", "2"});
    CHECK(past.status == 2);
    CHECK(past.err.find("goes past the largest seed") != std::string::npos);
}

namespace cli_clock_test {

// a and b due 1us apart; a schedules c with call_soon: a,b,c when they share a pass.
aio::Coro<void> batch_order(aio::scenario::Context& ctx) {
    aio::EventLoop& loop = aio::get_running_loop();
    aio::Future<void> done(loop);
    std::string order;
    loop.call_later(std::chrono::milliseconds(5), [&] {
        order += 'a';
        loop.call_soon([&] { order += 'c'; });
    });
    loop.call_later(std::chrono::microseconds(5001), [&] { order += 'b'; });
    loop.call_later(std::chrono::milliseconds(10), [done]() mutable { done.set_result(); });
    co_await done;
    ctx.print("{}", order);
}
int batch_order_main(aio::scenario::Context& ctx) {
    aio::run(batch_order(ctx), ctx.run_options());
    return 0;
}

}  // namespace cli_clock_test

TEST_CASE("--timer-batch, --step-cost and --overtake-window set the simulator's clock model and its replay string") {
    aio::scenario::Registry r;
    r.add("batch_order", "two timers 1us apart", &cli_clock_test::batch_order_main);
    auto def = cli(r, {"run", "batch_order", "--print-replay"});
    CHECK(def.status == 0);
    CHECK(def.out == "abc\n");
    CHECK(def.err.starts_with("replay: aiosim1:fifo:-:-\n"));
    auto exact = cli(r, {"run", "batch_order", "--timer-batch", "0ns", "--print-replay"});
    CHECK(exact.status == 0);
    CHECK(exact.out == "acb\n");
    CHECK(exact.err.starts_with("replay: aiosim1:fifo:batch=0ns:-\n"));
    auto costly = cli(r, {"run", "batch_order", "--step-cost", "3ns", "--overtake-window", "0ns", "--policy", "timers",
                          "--print-replay"});
    CHECK(costly.status == 0);
    CHECK(costly.err.starts_with("replay: aiosim1:timers:seed=0,ahead=0ns,cost=3ns:"));  // then its jitter decisions
    // The replay string fixes the clock: an option that disagrees is refused, one that agrees is fine.
    CHECK(cli(r, {"run", "batch_order", "--replay", "aiosim1:fifo:batch=0ns", "--timer-batch", "0ns"}).out == "acb\n");
    auto differs = cli(r, {"run", "batch_order", "--replay", "aiosim1:fifo:batch=0ns", "--timer-batch", "1ms"});
    CHECK(differs.status != 0);
    CHECK(differs.err.find("--timer-batch 1ms disagrees with the replay string, which has batch=0ns") !=
          std::string::npos);
    // A clock option needs the simulator; out of range is bad usage.
    CHECK(cli(r, {"run", "batch_order", "--loop", "real", "--step-cost", "1us"}).status == 2);
    CHECK(cli(r, {"run", "batch_order", "--step-cost", "2h"}).status == 2);
}
