// Replay strings: format, parse, errors with positions; replaying reproduces a run;
// a replay that no longer fits reports where.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/sim/sim.hpp>

#include "programs.hpp"

using namespace std::chrono_literals;
namespace sim = aio::sim;

namespace {

sim::Decision dec(std::uint64_t pos, sim::Choice k, std::uint32_t i) { return {pos, k, i}; }

std::string parse_error(std::string_view s) {
    try {
        (void)sim::Schedule::parse(s);
    } catch (const sim::ReplayParseError& e) {
        return fmt::format("{}@{}", e.reason(), e.offset());
    }
    return "no error";
}

// A program with plenty of choices: workers that yield and sleep and share a counter.
aio::Coro<int> busy_main() {
    int counter = 0;
    auto worker = [&](int id) -> aio::Coro<void> {
        for (int i = 0; i < 4; ++i) {
            int seen = counter;
            co_await aio::sleep(std::chrono::milliseconds((id * 7 + i * 3) % 5));
            counter = seen + 1;
        }
    };
    co_await aio::gather(worker(1), worker(2), worker(3), worker(4));
    co_return counter;
}

}  // namespace

TEST_CASE("a schedule formats to the documented replay string") {
    sim::Schedule s;
    s.policy = sim::Policy::random;
    s.seed = 42;
    s.decisions = std::vector<sim::Decision>{dec(2, sim::Choice::ready, 3), dec(3, sim::Choice::ready, 1),
                                             dec(10, sim::Choice::thread, 1)};
    CHECK(s.to_string() == "aiosim1:random:seed=42:2r3.r1.6w1");
    CHECK(sim::Schedule::parse(s.to_string()) == s);

    sim::Schedule p;
    p.policy = sim::Policy::pct;
    p.seed = 7;
    p.pct_depth = 2;
    CHECK(p.to_string() == "aiosim1:pct:seed=7,d=2");
    CHECK(sim::Schedule::parse("aiosim1:pct:seed=7,d=2") == p);

    sim::Schedule f;
    f.decisions = std::vector<sim::Decision>{};
    CHECK(f.to_string() == "aiosim1:fifo:-:-");
}

TEST_CASE("every parameter round-trips through the replay string") {
    sim::Schedule s;
    s.policy = sim::Policy::timers;
    s.seed = 18446744073709551615ull;
    s.pct_depth = 5;
    s.pct_steps = 77;
    s.jitter = 250us;
    s.task_start = sim::TaskStart::per_task;
    s.limits = {.max_steps = 1234, .max_virtual_time = 90s};
    s.decisions = std::vector<sim::Decision>{dec(0, sim::Choice::jitter, 8), dec(1, sim::Choice::timer, 2),
                                             dec(100, sim::Choice::start, 1)};
    const std::string str = s.to_string();
    CHECK(str ==
          "aiosim1:timers:seed=18446744073709551615,d=5,k=77,jitter=250us,start=task,steps=1234,vtime=90s:j8.t2.98s1");
    CHECK(sim::Schedule::parse(str) == s);
    CHECK(str.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789:,=.-") == std::string::npos);
}

TEST_CASE("malformed replay strings say where and why") {
    CHECK(parse_error("aiosim1:random:seed=42:2x3") ==
          "expected a decision kind (r, t, j, s, w, l, f, b or o), got 'x'@24");
    CHECK(parse_error("aiosim2:random:-") == "replay string version 2 is not supported (this build reads version 1)@6");
    CHECK(parse_error("hello") == "a replay string starts with 'aiosim1:', got 'hello'@0");
    CHECK(parse_error("aiosim1:fast:-") == "unknown policy 'fast' (valid: fifo, timers, random, pct, delay)@8");
    CHECK(parse_error("aiosim1:random:seed=99999999999999999999") ==
          "the seed is out of range (at most 18446744073709551615)@20");
    CHECK(parse_error("aiosim1:random:colour=3") ==
          "unknown parameter 'colour' (valid: seed, d, k, jitter, batch, ahead, cost, start, steps, vtime, faults, "
          "frate, "
          "fkinds, lat, "
          "spread, win, seg, ctimeout, stall, part, restart, slowx)@15");
    CHECK(parse_error("aiosim1:timers:jitter=5") ==
          "the jitter needs a unit (ns, us, ms, s, m or h), got the end of the string@23");
    CHECK(parse_error("aiosim1:random:-:r0") ==
          "a listed decision must be at least 1 (zero decisions are implied, not listed)@18");
    CHECK(parse_error("aiosim1:random:-:r1.") ==
          "expected a decision kind (r, t, j, s, w, l, f, b or o), got the end of the string@20");
    CHECK(parse_error("aiosim1:random:-:r1 r2") == "unexpected ' ' after the decisions@19");
    CHECK(parse_error("aiosim1:pct:d=0") ==
          "pct_depth = 0 is out of range: it must be between 1 and 64 (replay parameter d=). Pass a value in that "
          "range.@14");
    // The message shows the string with a caret under the offending character.
    try {
        (void)sim::Schedule::parse("aiosim1:random:seed=42:2x3");
        FAIL("no error");
    } catch (const aio::ValueError& e) {
        CHECK(
            std::string(e.what()) ==
            "malformed replay string at character 24: expected a decision kind (r, t, j, s, w, l, f, b or o), got 'x'\n"
            "  aiosim1:random:seed=42:2x3\n"
            "                          ^");
    }
}

TEST_CASE("a run recorded under random replays from its string with the same trace") {
    for (auto policy : {sim::Policy::random, sim::Policy::pct, sim::Policy::timers}) {
        for (std::uint64_t seed = 1; seed <= 20; ++seed) {
            CAPTURE(sim::policy_name(policy));
            CAPTURE(seed);
            sim::Recorder rec;
            int r1 = sim::run(busy_main(),
                              {.schedule = {.policy = policy, .seed = seed, .task_start = sim::TaskStart::per_task},
                               .trace = sim::TraceMode::hash},
                              rec);
            REQUIRE(rec->nonzero_decisions > 0);
            sim::Recorder again;
            sim::Config cfg = sim::Config::from_replay(rec->replay);
            cfg.trace = sim::TraceMode::hash;
            int r2 = sim::run(busy_main(), cfg, again);
            CHECK(r1 == r2);
            CHECK(again->trace_hash == rec->trace_hash);
            CHECK(again->replay == rec->replay);
            CHECK(again->steps == rec->steps);
            // The seed alone (no decision list) reproduces it too.
            sim::Recorder by_seed;
            sim::Config cs =
                sim::Config::from_replay(fmt::format("aiosim1:{}:seed={},start=task", sim::policy_name(policy), seed));
            cs.trace = sim::TraceMode::hash;
            sim::run(busy_main(), cs, by_seed);
            CHECK(by_seed->trace_hash == rec->trace_hash);
        }
    }
}

TEST_CASE("the all-zero replay is the fifo order") {
    sim::Recorder fifo;
    sim::run(busy_main(), {.trace = sim::TraceMode::hash}, fifo);
    sim::Recorder zero;
    sim::Config cfg = sim::Config::from_replay("aiosim1:random:seed=5:-");
    cfg.trace = sim::TraceMode::hash;
    sim::run(busy_main(), cfg, zero);
    CHECK(zero->trace_hash == fifo->trace_hash);
    CHECK(zero->decisions > 0);
    CHECK(zero->nonzero_decisions == 0);
}

TEST_CASE("a replayed index beyond the candidates is a divergence naming step, task and time") {
    // busy_main's first ready choice has 4 candidates; ask for the 10th.
    sim::Config cfg = sim::Config::from_replay("aiosim1:random:seed=1:r9");
    std::string msg;
    try {
        sim::run(busy_main(), cfg);
    } catch (const sim::ReplayDivergence& e) {
        msg = e.what();
        CHECK(e.position() == 0);
    }
    CHECK(msg.find("at decision #0 (step 1, virtual time 0.000000000 s; candidates: #2 'Task-2', #3 'Task-3', "
                   "#4 'Task-4', #5 'Task-5')") != std::string::npos);
    CHECK(msg.find("the replay string has r9 there, but the program now offers only 4 candidates (0 to 3)") !=
          std::string::npos);
}

TEST_CASE("a replayed decision of another kind is a divergence") {
    sim::Config cfg = sim::Config::from_replay("aiosim1:random:seed=1:t1");
    try {
        sim::run(busy_main(), cfg);
        FAIL("no divergence");
    } catch (const sim::ReplayDivergence& e) {
        CHECK(std::string(e.what()).find("the replay string has t1 (a timer-tie choice) there, but the program now "
                                         "offers a ready-queue choice among 4 candidates") != std::string::npos);
    }
}

TEST_CASE("a divergence inside a task names the task") {
    // per_task start decisions happen inside create_task, in the creating task's step.
    auto amain = []() -> aio::Coro<void> {
        auto t = aio::create_task([]() -> aio::Coro<void> { co_return; }(), "child");
        co_await t;
    };
    sim::Config cfg = sim::Config::from_replay("aiosim1:fifo:start=task:r1");
    try {
        sim::run(amain(), cfg);
        FAIL("no divergence");
    } catch (const sim::ReplayDivergence& e) {
        CHECK(std::string(e.what()).find("in task #1 'Task-1'; for task #2 'Task-2'): the replay string has r1") !=
              std::string::npos);
        CHECK(std::string(e.what()).find("now offers a task-start choice among 2 candidates") != std::string::npos);
    }
}

TEST_CASE("a replay whose program ends before all decisions were used is a divergence") {
    sim::Config cfg = sim::Config::from_replay("aiosim1:random:seed=1:100000r1");
    sim::Recorder rec;
    CHECK_THROWS_AS(sim::run(busy_main(), cfg, rec), sim::ReplayDivergence);
    REQUIRE(rec->replay_incomplete);
    CHECK(rec->replay_incomplete->kind == sim::FailureKind::replay_divergence);
    CHECK(rec->replay_incomplete->message.find("before decision #100000 (r1) of the replay string was reached") !=
          std::string::npos);
}

TEST_CASE("lenient replay bends decisions to fit instead of failing") {
    sim::Config cfg = sim::Config::from_replay("aiosim1:random:seed=1:r9.t1.5r2");
    cfg.strict_replay = false;
    sim::Recorder rec;
    CHECK(sim::run(busy_main(), cfg, rec) >= 4);
    CHECK_FALSE(rec->failure);
    CHECK_FALSE(rec->replay_incomplete);
    // The recorded schedule is what actually ran: r9 became r3 (4 candidates), t1 became r1.
    REQUIRE(rec->schedule.decisions);
    REQUIRE(rec->schedule.decisions->size() >= 2);
    CHECK((*rec->schedule.decisions)[0] == sim::Decision{0, sim::Choice::ready, 3});
    CHECK((*rec->schedule.decisions)[1] == sim::Decision{1, sim::Choice::ready, 1});
}

TEST_CASE("one duration reader: units, bare seconds, sub-millisecond units and the maximum as the form says") {
    using E = sim::DurationText::Error;
    auto d = sim::read_duration("250ms,x");
    CHECK(d.error == E::none);
    CHECK(d.value == 250ms);
    CHECK(d.end == 5);
    CHECK(sim::read_duration("7us").value == 7us);
    CHECK(sim::read_duration("7").error == E::no_unit);
    CHECK(sim::read_duration("x").error == E::no_number);
    CHECK(sim::read_duration("3d").error == E::unknown_unit);
    CHECK(sim::read_duration("99999999999999999999s").error == E::number_overflow);
    CHECK(sim::read_duration("9223372036854775808ns").error == E::too_long);
    CHECK(sim::read_duration("9223372036854775807ns").value == aio::Duration::max());
    const sim::DurationForm budget{.bare_seconds = true, .sub_millisecond = false, .max = 10000h};
    CHECK(sim::read_duration("30", budget).value == 30s);
    CHECK(sim::read_duration("5us", budget).error == E::unknown_unit);
    CHECK(sim::read_duration("10000h", budget).value == 10000h);
    CHECK(sim::read_duration("10001h", budget).error == E::too_long);
    CHECK(sim::parse_whole("42") == 42u);
    CHECK_FALSE(sim::parse_whole("-1"));
    CHECK_FALSE(sim::parse_whole("5", 6, 9));
    CHECK(sim::excerpt("a\x1b"
                       "b") == "a\\x1bb");
    CHECK(sim::excerpt(std::string(100, 'x'), 4) == "xxxx... (100 bytes)");
}
