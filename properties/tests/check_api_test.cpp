// aio::check's own behaviour: shrinking, exploration, environment variables, errors.
#include <aio/check/doctest.hpp>
#include <aio/check/environment.hpp>
#include <aio/check/explore.hpp>
#include <aio/check/plan.hpp>
#include <aio/check/rapidcheck.hpp>
#include <aio/check/shrink.hpp>
#include <aio/aio.hpp>
#include <aio/sim/sim_loop.hpp>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using aio::check::Schedule;
using namespace std::chrono_literals;

namespace {

aio::Coro<void> append(std::vector<char>& log, char c) {
    log.push_back(c);
    co_return;
}

// Three tasks ready in the same pass; returns the order they ran in.
aio::Coro<std::string> race3() {
    std::vector<char> log;
    co_await aio::gather(append(log, 'a'), append(log, 'b'), append(log, 'c'));
    co_return std::string(log.begin(), log.end());
}

std::string run_race(const aio::sim::Config& cfg, const aio::sim::RecordSink& record = {}) {
    return aio::run(race3(), {.loop_factory = aio::sim::loop_factory(cfg, record)});
}

// Three tasks of three steps each and a 1 us timer among them: ready choices, and a timer due
// while ready work is queued (an overtake choice, 'o', under every perturbing policy; a timer
// tie under timers and delay has nothing to tie with). Returns the order things ran in.
aio::Coro<void> three_steps(std::vector<char>& log, char c) {
    for (int i = 0; i < 3; ++i) {
        log.push_back(c);
        co_await aio::sleep(0s);
    }
}
aio::Coro<void> short_timer(std::vector<char>& log) {
    co_await aio::sleep(1us);
    log.push_back('t');
}
aio::Coro<std::string> steps_and_timer() {
    std::vector<char> log;
    co_await aio::gather(three_steps(log, 'a'), three_steps(log, 'b'), short_timer(log), three_steps(log, 'c'));
    co_return std::string(log.begin(), log.end());
}

// One run of steps_and_timer: its order, record, and whether it diverged from its replay.
struct Replayed {
    std::string order;
    aio::sim::Recorder rec;
    bool diverged = false;
};
Replayed replay_steps(const aio::sim::Config& cfg) {
    Replayed r;
    try {
        r.order = aio::run(steps_and_timer(), {.loop_factory = aio::sim::loop_factory(cfg, r.rec)});
    } catch (const aio::sim::ReplayDivergence&) {
        r.diverged = true;
    }
    return r;
}

struct CleanEnv {
    CleanEnv() {
        for (const char* v : {"AIOSIM_REPLAY", "AIOSIM_SEEDS", "AIOSIM_POLICY", "AIOSIM_TIME_BUDGET", "AIOSIM_CHECK"})
            unsetenv(v);
    }
    ~CleanEnv() { CleanEnv::clear(); }
    static void clear() {
        for (const char* v : {"AIOSIM_REPLAY", "AIOSIM_SEEDS", "AIOSIM_POLICY", "AIOSIM_TIME_BUDGET", "AIOSIM_CHECK"})
            unsetenv(v);
    }
};

aio::check::ExploreOptions quiet(std::string name = "t") {
    aio::check::ExploreOptions o;
    o.name = std::move(name);
    o.seeds = 50;
    o.print = [](const std::string&) {};
    return o;
}

}  // namespace

TEST_CASE("shrink_replay shrinks a failure that needs two deviations to exactly two") {
    // "cba" needs c first (index 2 of a,b,c) then b (index 1 of a,b).
    auto fails = [](const aio::sim::Config& cfg, const aio::sim::RecordSink& record) {
        return run_race(cfg, record) == "cba";
    };
    Schedule noisy = Schedule::parse("aiosim1:random:-:r2.r1.r1.r1.r1");
    REQUIRE(fails(aio::check::lenient_config(noisy), {}));
    const auto r = aio::check::shrink_schedule(fails, noisy);
    CHECK(r.after == 2);
    CHECK(r.removed == r.before - r.after);
    CHECK(run_race(aio::sim::Config::from_replay(r.replay)) == "cba");
}

TEST_CASE("shrink_replay lowers an index only as far as the failure allows") {
    auto fails = [](const aio::sim::Config& cfg, const aio::sim::RecordSink& record) {
        return run_race(cfg, record).front() == 'c';
    };
    const auto r = aio::check::shrink_replay(fails, "aiosim1:random:-:r2.r1.r1");
    REQUIRE(r.after == 1);
    CHECK(r.schedule.decisions->front().index == 2);     // c is candidate 2; 1 would be b
    CHECK(r.schedule.decisions->front().position == 0);  // at the first choice
    CHECK(Schedule::parse(r.replay) == r.schedule);
}

TEST_CASE("shrink_replay records a seeded string's decisions first") {
    // Find a seed whose run fails, then shrink its seed-only replay string.
    auto fails = [](const aio::sim::Config& cfg, const aio::sim::RecordSink& record) {
        return run_race(cfg, record) != "abc";
    };
    std::string seeded;
    for (int seed = 1; seed < 200 && seeded.empty(); ++seed) {
        aio::sim::Config cfg;
        cfg.schedule.policy = aio::sim::Policy::random;
        cfg.schedule.seed = static_cast<std::uint64_t>(seed);
        if (fails(cfg, {})) seeded = cfg.schedule.to_string();
    }
    REQUIRE_FALSE(seeded.empty());
    const auto r = aio::check::shrink_replay(fails, seeded);
    CHECK(r.after == 1);
    CHECK(r.before >= r.after);
    CHECK(fails(aio::sim::Config::from_replay(r.replay), {}));
}

TEST_CASE("shrink_replay rejects a malformed string and a schedule that does not fail") {
    auto fails = [](const aio::sim::Config& cfg, const aio::sim::RecordSink& record) {
        return run_race(cfg, record) == "cba";
    };
    CHECK_THROWS_AS(aio::check::shrink_replay(fails, "aiosim1:nosuchpolicy:-"), aio::sim::ReplayParseError);
    CHECK_THROWS_WITH_AS(aio::check::shrink_replay(fails, "aiosim1:random:-:r1"),
                         doctest::Contains("the schedule does not fail"), aio::ValueError);
}

TEST_CASE("for_all_schedules reports an exception escaping the program") {
    CleanEnv env;
    const auto v = aio::check::for_all_schedules(
        []() -> aio::Coro<void> {
            co_await aio::sleep(1s);
            throw std::out_of_range("boom");
        },
        quiet());
    REQUIRE_FALSE(v.ok);
    CHECK(v.failure->policy == aio::sim::Policy::fifo);
    CHECK(v.failure->error == "exception: std::out_of_range: boom");
    CHECK(v.report.find("AIOSIM_POLICY=fifo") != std::string::npos);
}

TEST_CASE("for_all_schedules passes a program that holds, running each policy's seeds") {
    CleanEnv env;
    const auto v = aio::check::for_all_schedules([] { return race3(); },
                                                 [](const std::string& s) { return s.size() == 3; }, quiet());
    CHECK(v.ok);
    CHECK(v.report.empty());
    // The portfolio: fifo once, then 50 seeds under timers, pos, urw, pct, delay and random, and
    // the one run that measures the program for the fitted strategies.
    CHECK(v.runs == 1 + 6 * 50 + 1);
}

TEST_CASE("environment variables set the budget and the policies") {
    CleanEnv env;
    auto holds = [](const std::string& s) { return s.size() == 3; };
    SUBCASE("AIOSIM_SEEDS=N and AIOSIM_POLICY") {
        setenv("AIOSIM_SEEDS", "7", 1);
        setenv("AIOSIM_POLICY", "random,pct", 1);
        CHECK(aio::check::for_all_schedules([] { return race3(); }, holds, quiet()).runs ==
              14 + 1);  // fitted pct: measured first
    }
    SUBCASE("AIOSIM_SEEDS=A..B") {
        setenv("AIOSIM_SEEDS", "10..12", 1);
        setenv("AIOSIM_POLICY", "timers", 1);
        CHECK(aio::check::for_all_schedules([] { return race3(); }, holds, quiet()).runs == 3);
    }
    SUBCASE("AIOSIM_TIME_BUDGET still runs the first seed") {
        setenv("AIOSIM_TIME_BUDGET", "0ms", 1);
        CHECK(aio::check::for_all_schedules([] { return race3(); }, holds, quiet()).runs == 7 + 1);
    }
    SUBCASE("AIOSIM_CHECK limits AIOSIM_REPLAY to the named check") {
        setenv("AIOSIM_REPLAY", "aiosim1:random:-:r2", 1);
        setenv("AIOSIM_CHECK", "other", 1);
        CHECK(aio::check::for_all_schedules([] { return race3(); }, holds, quiet("t")).runs == 302);
        setenv("AIOSIM_CHECK", "t", 1);
        CHECK(aio::check::for_all_schedules([] { return race3(); }, holds, quiet("t")).runs == 1);
    }
    SUBCASE("bad values are errors that name the variable and the valid values") {
        setenv("AIOSIM_POLICY", "fast", 1);
        CHECK_THROWS_WITH_AS(aio::check::for_all_schedules([] { return race3(); }, holds, quiet()),
                             "AIOSIM_POLICY: unknown policy 'fast' (valid: fifo, timers, random, pct, pos, urw, delay; "
                             "give one or more, "
                             "separated by commas, each once)",
                             aio::ValueError);
        CleanEnv::clear();
        setenv("AIOSIM_SEEDS", "many", 1);
        CHECK_THROWS_WITH_AS(aio::check::for_all_schedules([] { return race3(); }, holds, quiet()),
                             "AIOSIM_SEEDS: 'many' is not a seed budget; use N (seeds 1..N, N from 1 to "
                             "18446744073709551615) or A..B (seeds A to B, A <= B)",
                             aio::ValueError);
        CleanEnv::clear();
        setenv("AIOSIM_REPLAY", "aiosim1:random", 1);
        CHECK_THROWS_AS(aio::check::for_all_schedules([] { return race3(); }, holds, quiet()),
                        aio::sim::ReplayParseError);
    }
}

TEST_CASE("generated schedules shrink toward fewer and smaller decisions, and to fifo") {
    const Schedule s = Schedule::parse("aiosim1:random:-:r3.2r2");
    auto shrinks = aio::check::detail::schedule_shrinks(s);
    auto first = shrinks.next();
    REQUIRE(static_cast<bool>(first));
    CHECK(aio::check::nonzero_decisions(*first) < 2);  // the first shrink removes decisions
    bool lowered = false;
    while (auto c = shrinks.next())
        if (c->decisions->size() == 2 && c->decisions->front().index < 3) lowered = true;
    CHECK(lowered);
    auto empty = aio::check::detail::schedule_shrinks(Schedule::parse("aiosim1:pct:-:-"));
    auto fifo = empty.next();
    REQUIRE(static_cast<bool>(fifo));
    CHECK(fifo->policy == aio::sim::Policy::fifo);
}

AIOSIM_PROPERTY("a generated schedule replays the same way twice", [](const Schedule& s) {
    const std::string first = aio::check::run(s, [] { return race3(); });
    RC_ASSERT(aio::check::run(s, [] { return race3(); }) == first);
});

// The generator's contract (rapidcheck.hpp): a generated schedule is a lenient replay; the
// schedule as run replays strictly, the same run; the generated one strictly only when every
// decision fitted, and otherwise the mismatch is reported, never silently run another way.
AIOSIM_PROPERTY(
    "a generated schedule runs leniently, its schedule as run replays strictly, and "
    "strict replay of the generated one is accepted only when it fitted",
    [](const Schedule& s) {
        aio::sim::Config cfg{.schedule = s, .trace = aio::sim::TraceMode::hash, .strict_replay = false};
        const Replayed lenient = replay_steps(cfg);
        RC_ASSERT(!lenient.diverged);
        RC_ASSERT(lenient.rec->trace_hash.has_value());
        const std::vector<aio::sim::Decision>& made = *lenient.rec->schedule.decisions;

        aio::sim::Config as_run = aio::sim::Config::from_replay(lenient.rec->replay);
        as_run.trace = aio::sim::TraceMode::hash;
        const Replayed again = replay_steps(as_run);
        RC_ASSERT(!again.diverged);
        RC_ASSERT(!again.rec->replay_incomplete.has_value());
        RC_ASSERT(again.order == lenient.order);
        RC_ASSERT(again.rec->trace_hash == lenient.rec->trace_hash);

        const bool fitted = *s.decisions == made;
        RC_CLASSIFY(fitted);
        cfg.strict_replay = true;
        const Replayed strict = replay_steps(cfg);
        if (fitted) {
            RC_ASSERT(!strict.diverged);
            RC_ASSERT(!strict.rec->replay_incomplete.has_value());
            RC_ASSERT(strict.order == lenient.order);
            RC_ASSERT(strict.rec->trace_hash == lenient.rec->trace_hash);
        } else {
            RC_ASSERT(strict.diverged || strict.rec->replay_incomplete.has_value());
        }
    });

TEST_CASE("a schedule that names a choice the program does not offer there: lenient bends it, strict reports it") {
    // Position 0 of steps_and_timer is a ready choice among the four tasks' first steps.
    for (const char* text : {"aiosim1:random:-:o1", "aiosim1:random:-:r9", "aiosim1:random:-:r1.999r1"}) {
        CAPTURE(text);
        aio::sim::Config cfg = aio::sim::Config::from_replay(text);
        cfg.trace = aio::sim::TraceMode::hash;
        cfg.strict_replay = false;
        const Replayed lenient = replay_steps(cfg);
        REQUIRE_FALSE(lenient.diverged);
        const std::vector<aio::sim::Decision>& made = *lenient.rec->schedule.decisions;
        REQUIRE_FALSE(made.empty());
        CHECK(made.front().position == 0);
        CHECK(made.front().kind == aio::sim::Choice::ready);  // the point's kind, whatever the string said
        CHECK(made.front().index >= 1);
        CHECK(made != *aio::sim::Schedule::parse(text).decisions);
        cfg.strict_replay = true;
        const Replayed strict = replay_steps(cfg);
        CHECK((strict.diverged || strict.rec->replay_incomplete.has_value()));
        // The schedule as run is the strict one.
        aio::sim::Config as_run = aio::sim::Config::from_replay(lenient.rec->replay);
        as_run.trace = aio::sim::TraceMode::hash;
        const Replayed again = replay_steps(as_run);
        CHECK_FALSE(again.diverged);
        CHECK(again.order == lenient.order);
        CHECK(again.rec->trace_hash == lenient.rec->trace_hash);
    }
}

// ---- a check that ran nothing does not pass; malformed variables are errors -----------------

namespace {

// Fails under every schedule: a check of it can only pass by running nothing.
aio::Coro<void> always_fails() {
    co_await aio::sleep(1s);
    throw std::logic_error("always");
}

}  // namespace

TEST_CASE("AIOSIM_SEEDS that would run no seed is an error naming the variable, not a pass") {
    CleanEnv env;
    for (const char* v : {"0", "0..18446744073709551615"}) {
        CAPTURE(v);
        setenv("AIOSIM_SEEDS", v, 1);
        setenv("AIOSIM_POLICY", "random", 1);
        CHECK_THROWS_WITH_AS(aio::check::for_all_schedules([] { return always_fails(); }, quiet()),
                             doctest::Contains(("AIOSIM_SEEDS: '" + std::string(v) + "' ").c_str()), aio::ValueError);
    }
}

TEST_CASE("AIOSIM_SEEDS, AIOSIM_POLICY and AIOSIM_TIME_BUDGET reject what would wrap, saturate or be ignored") {
    for (const char* v : {"-1", "99999999999999999999999", "18446744073709551616", "", " 5", "5 ", "+5", "5..", "..5",
                          "1..2..3", "7..3", "1e3", "0x10"}) {
        CAPTURE(v);
        CHECK_THROWS_WITH_AS(aio::check::parse_seeds(v), doctest::Contains("AIOSIM_SEEDS: '"), aio::ValueError);
    }
    CHECK(aio::check::parse_seeds("7") == aio::check::SeedRange{1, 7});
    CHECK(aio::check::parse_seeds("10..12") == aio::check::SeedRange{10, 3});
    CHECK(aio::check::parse_seeds("18446744073709551615..18446744073709551615") ==
          aio::check::SeedRange{18446744073709551615ULL, 1});
    CHECK(aio::check::parse_seeds("1..18446744073709551615") == aio::check::SeedRange{1, 18446744073709551615ULL});

    for (const char* v : {"random,", ",random", "random,,pct", "random,random", "Random", ""}) {
        CAPTURE(v);
        CHECK_THROWS_WITH_AS(aio::check::parse_policies(v), doctest::Contains("AIOSIM_POLICY: "), aio::ValueError);
    }
    CHECK(aio::check::parse_policies("pct,fifo") == std::vector{aio::sim::Policy::pct, aio::sim::Policy::fifo});

    for (const char* v : {"99999999999999999999h", "10001h", "9223372036854775807ms", "-1s", "1.5s", "1d", "s", ""}) {
        CAPTURE(v);
        CHECK_THROWS_WITH_AS(aio::check::parse_duration(v), doctest::Contains("AIOSIM_TIME_BUDGET: '"),
                             aio::ValueError);
    }
    CHECK(aio::check::parse_duration("0ms") == 0ms);
    CHECK(aio::check::parse_duration("30") == 30s);
    CHECK(aio::check::parse_duration("10000h") == std::chrono::hours(10000));
    CHECK(aio::check::parse_duration("2m", "--time") == 2min);
    CHECK_THROWS_WITH_AS(aio::check::parse_duration("soon", "--time"), doctest::Contains("--time: 'soon' "),
                         aio::ValueError);
}

TEST_CASE("a malformed variable makes for_all_schedules throw before any run, whichever variable it is") {
    CleanEnv env;
    int runs = 0;
    auto counted = [&runs]() -> aio::Coro<void> {
        ++runs;
        co_return;
    };
    setenv("AIOSIM_TIME_BUDGET", "99999999999999999h", 1);
    CHECK_THROWS_WITH_AS(aio::check::for_all_schedules(counted, quiet()), doctest::Contains("AIOSIM_TIME_BUDGET: "),
                         aio::ValueError);
    CleanEnv::clear();
    setenv("AIOSIM_POLICY", "random,", 1);
    CHECK_THROWS_WITH_AS(aio::check::for_all_schedules(counted, quiet()),
                         doctest::Contains("AIOSIM_POLICY: an empty policy name"), aio::ValueError);
    CHECK(runs == 0);
}

TEST_CASE("the environment parser reads only the lookup it is given") {
    auto lookup = [](std::string_view name) -> std::optional<std::string> {
        if (name == "AIOSIM_SEEDS") return "3..4";
        if (name == "AIOSIM_POLICY") return "pct";
        if (name == "AIOSIM_TIME_BUDGET") return "";  // empty: not given
        if (name == "AIOSIM_CHECK") return "c";
        return std::nullopt;
    };
    const aio::check::Environment e = aio::check::parse_environment(lookup);
    CHECK(e.seeds == aio::check::SeedRange{3, 2});
    CHECK(e.policies == std::vector{aio::sim::Policy::pct});
    CHECK_FALSE(e.time_budget.has_value());
    CHECK_FALSE(e.replay.has_value());
    CHECK(e.check == "c");
}

TEST_CASE("a check that made no run fails and says so, unless allow_empty") {
    CleanEnv env;
    std::string printed;
    auto o = quiet("nothing");
    o.seeds = 0;
    o.print = [&printed](const std::string& s) { printed += s; };
    const auto v = aio::check::for_all_schedules([] { return always_fails(); }, o);
    CHECK_FALSE(v.ok);
    CHECK(v.runs == 0);
    CHECK(v.report == printed);
    CHECK(v.report.starts_with(
        "aio::check: 'nothing' ran nothing: 0 runs (policies fifo,timers,pos,urw,pct,delay,random; "
        "no seeds). A check that runs nothing does not pass"));
    auto no_policies = quiet("nothing");
    no_policies.policies.clear();
    const auto w = aio::check::for_all_schedules([] { return always_fails(); }, no_policies);
    CHECK_FALSE(w.ok);
    CHECK(w.report.find("0 runs (no policies; seeds 1..50)") != std::string::npos);

    o.allow_empty = true;
    const auto allowed = aio::check::for_all_schedules([] { return always_fails(); }, o);
    CHECK(allowed.ok);
    CHECK(allowed.summary ==
          "aio::check: 'nothing': 0 runs (policies fifo,timers,pos,urw,pct,delay,random; no seeds), allowed to "
          "run nothing (ExploreOptions::allow_empty)");
}

TEST_CASE("the verdict's summary always says how many runs were made") {
    CleanEnv env;
    auto holds = [](const std::string& s) { return s.size() == 3; };
    auto o = quiet("sum");
    o.seeds = 2;
    const auto v = aio::check::for_all_schedules([] { return race3(); }, holds, o);
    CHECK(v.summary.substr(0, v.summary.find('\n')) ==
          "aio::check: 'sum' passed: 14 runs (fifo 1, timers 2, pos 2, urw 2, pct 2, delay 2, random 2, and 1 run "
          "measuring the program for the fitted strategies; seeds 1..2)");
    CHECK(v.summary.find("\n  coverage: explored ") != std::string::npos);
    const auto f = aio::check::for_all_schedules([] { return always_fails(); }, quiet("f"));
    CHECK(f.runs == 2);  // the measuring run, then fifo runs first, and fails
    CHECK(f.summary.substr(0, f.summary.find('\n')) ==
          "aio::check: 'f' failed after 2 runs (fifo 1, and 1 run measuring the program for the "
          "fitted strategies)");
    CHECK(f.summary.find("\n  coverage: explored ") != std::string::npos);
}

TEST_CASE("first_seed + seeds going past the largest seed is an error, not a wrap to seed 0") {
    CleanEnv env;
    auto o = quiet();
    o.first_seed = 18446744073709551615ULL;
    o.seeds = 2;
    CHECK_THROWS_WITH_AS(aio::check::for_all_schedules([] { return race3(); }, o),
                         doctest::Contains("go past the largest seed"), aio::ValueError);
    o.seeds = 1;
    o.policies = {aio::sim::Policy::random};
    CHECK(aio::check::for_all_schedules([] { return race3(); }, o).runs == 1);
}

TEST_CASE("a rapidcheck property that ran no case fails") {
    rc::detail::SuccessResult none;
    none.numSuccess = 0;
    const auto failure = aio::check::detail::rapidcheck_failure(rc::detail::TestResult(none));
    REQUIRE(failure.has_value());
    CHECK(failure->find("ran no test case") != std::string::npos);
    rc::detail::SuccessResult some;
    some.numSuccess = 3;
    CHECK_FALSE(aio::check::detail::rapidcheck_failure(rc::detail::TestResult(some)).has_value());
}

aio::Coro<void> count_run(int& runs) {
    ++runs;
    co_return;
}

TEST_CASE("a check under fifo alone runs once whatever the seed count, and ends at once") {
    // fifo ignores the seed: before, AIOSIM_SEEDS=9561514..9561516110 with AIOSIM_POLICY=fifo
    // spun through ten billion seeds without running anything (found by env_fuzz).
    CleanEnv env;
    auto o = quiet("fifo alone");
    o.policies = {aio::sim::Policy::fifo};
    o.first_seed = 9561514;
    o.seeds = 10'000'000'000ULL;
    int runs = 0;
    const auto v = aio::check::for_all_schedules([&runs] { return count_run(runs); }, o);
    CHECK(v.ok);
    CHECK(v.runs == 1);
    CHECK(runs == 1);
    CHECK(v.summary.substr(0, v.summary.find('\n')) == "aio::check: 'fifo alone' passed: 1 run (fifo 1; seed 9561514)");

    auto none = quiet("no policy");
    none.policies.clear();
    none.seeds = 10'000'000'000ULL;
    const auto w = aio::check::for_all_schedules([] { return always_fails(); }, none);
    CHECK_FALSE(w.ok);
    CHECK(w.runs == 0);
}

TEST_CASE("a failing check says how the run failed as a value: the kind and the exception itself") {
    CleanEnv env;
    const auto dead = aio::check::for_all_schedules(
        []() -> aio::Coro<void> {
            aio::Future<void> never(aio::get_running_loop());
            co_await never;
        },
        quiet());
    REQUIRE(dead.failure);
    CHECK(dead.failure->cause.kind == aio::sim::FailureKind::deadlock);
    CHECK_THROWS_AS(std::rethrow_exception(dead.failure->cause.exception), aio::sim::Deadlock);
    CHECK(dead.failure->error.starts_with("exception: "));
    const auto pred =
        aio::check::for_all_schedules([]() -> aio::Coro<int> { co_return 1; }, [](int v) { return v == 2; }, quiet());
    REQUIRE(pred.failure);
    CHECK(pred.failure->cause.kind == aio::sim::FailureKind::predicate);
    CHECK_FALSE(pred.failure->cause.exception);
    CHECK(pred.failure->error == "the predicate returned false for the result: 1");
}

TEST_CASE("run_plan: seeds x policies with fifo once, shards, and the same tally for any number of jobs") {
    auto fails_on = [](std::uint64_t bad) {
        return [bad](const aio::sim::Config& cfg, const aio::check::RunAt&) {
            aio::check::RunResult r;
            if (cfg.schedule.seed % 7 == bad && cfg.schedule.policy == aio::sim::Policy::pct)
                r.failure = aio::sim::RunFailure{aio::sim::FailureKind::predicate, nullptr, {}, "bad seed"};
            r.detail = cfg.schedule.seed;
            return r;
        };
    };
    aio::check::ExplorePlan plan;
    CHECK(plan.policies == aio::check::all_policies());  // the default: every policy
    CHECK(plan.policies.size() == 7);
    plan.policies = {aio::sim::Policy::fifo, aio::sim::Policy::timers, aio::sim::Policy::random, aio::sim::Policy::pct};
    plan.seeds = 10;
    std::vector<std::string> order;
    auto record = [&](const aio::check::RunAt& at, const aio::check::RunResult&) {
        order.push_back(std::string(aio::sim::policy_name(at.policy)) + ":" + std::to_string(at.seed));
    };
    const auto all = aio::check::run_plan(plan, fails_on(99), record);
    CHECK(all.ok());
    CHECK(all.runs == 1 + 10 * 3);  // fifo once, then 10 seeds under timers, random, pct
    CHECK(all.seeds_walked == 10);
    CHECK(order[0] == "fifo:0");
    CHECK(order[1] == "timers:1");
    CHECK(order[4] == "timers:2");
    // The first failure in run order, whatever the number of jobs.
    plan.stop_at_first = false;
    for (unsigned jobs : {1u, 3u}) {
        plan.jobs = jobs;
        plan.window = 2;
        const auto t = aio::check::run_plan(plan, fails_on(3));
        CHECK(t.runs == 31);
        CHECK(t.failed == 2);  // seeds 3 and 10 under pct
        REQUIRE(t.first_failure_at);
        CHECK(t.first_failure_at->seed == 3);
        CHECK(std::any_cast<std::uint64_t>(t.first_failure.detail) == 3);
        CHECK_FALSE(t.ok());
    }
    // A shard: every third seed from the second.
    aio::check::ExplorePlan shard;
    shard.policies = {aio::sim::Policy::random};
    shard.seeds = 10;
    shard.shard_index = 1;
    shard.shard_total = 3;
    CHECK(shard.seed_count() == 3);
    CHECK(shard.seed(0) == 2);
    CHECK(shard.seed(2) == 8);
    // The zero-run rule: a shard without seeds does not pass, unless that is allowed.
    shard.shard_index = 2;
    shard.shard_total = 20;
    shard.seeds = 2;
    const auto empty = aio::check::run_plan(shard, fails_on(99));
    CHECK(empty.runs == 0);
    CHECK_FALSE(empty.ok());
    shard.allow_empty = true;
    CHECK(aio::check::run_plan(shard, fails_on(99)).ok());
    // fifo alone walks one seed.
    aio::check::ExplorePlan fifo;
    fifo.policies = {aio::sim::Policy::fifo};
    fifo.seeds = 1000;
    CHECK(aio::check::run_plan(fifo, fails_on(99)).runs == 1);
    fifo.fifo_once = false;  // the command line's fifo: one run per seed
    CHECK(aio::check::run_plan(fifo, fails_on(99)).runs == 1000);
}

namespace portfolio_plan_test {
using aio::check::RunAt;
using aio::check::RunResult;

// What a fake run saw: its place in the plan and the measurement it was given.
struct Seen {
    std::string at;
    std::vector<std::uint64_t> profile;
    std::uint64_t points = 0;
    friend bool operator==(const Seen&, const Seen&) = default;
};

std::string where(const RunAt& at) {
    return std::string(aio::sim::policy_name(at.policy)) + ":" + std::to_string(at.seed);
}
}  // namespace portfolio_plan_test

TEST_CASE("run_plan over the portfolio: fifo first, then each seed under every strategy in turn") {
    using namespace portfolio_plan_test;
    aio::check::ExplorePlan plan;
    plan.policies = aio::check::portfolio_policies();
    plan.seeds = 3;
    std::vector<std::string> order;
    bool measured_first = false;
    const auto t = aio::check::run_plan(
        plan,
        [&](const aio::sim::Config&, const RunAt& at) {
            if (at.measuring) measured_first = order.empty();
            return RunResult{};
        },
        [&](const RunAt& at, const RunResult&) { order.push_back(where(at)); });
    CHECK(measured_first);  // delay's choice points are counted before any run of the plan
    CHECK(t.measuring_runs == 1);
    std::vector<std::string> expected{"fifo:0"};
    for (int seed = 1; seed <= 3; ++seed)
        for (const char* p : {"timers", "pos", "urw", "pct", "delay", "random"})
            expected.push_back(std::string(p) + ":" + std::to_string(seed));
    CHECK(order == expected);
    REQUIRE(t.runs_by_policy.size() == plan.policies.size());
    CHECK(t.runs_by_policy[0] == std::pair{aio::sim::Policy::fifo, std::uint64_t{1}});
    for (std::size_t i = 1; i < t.runs_by_policy.size(); ++i) CHECK(t.runs_by_policy[i].second == 3);
    CHECK(aio::check::portfolio_policies().front() == aio::sim::Policy::fifo);
    CHECK(aio::check::portfolio_policies().back() == aio::sim::Policy::random);
}

TEST_CASE("run_plan: fitted pct gets the measuring run's steps per task, the same for any number of jobs") {
    using namespace portfolio_plan_test;
    aio::check::ExplorePlan plan;
    plan.policies = {aio::sim::Policy::pct, aio::sim::Policy::delay};
    plan.base.schedule.pct_steps = 0;  // fitted
    plan.seeds = 40;
    plan.stop_at_first = false;
    auto runs_seen = [&](unsigned jobs) {
        plan.jobs = jobs;
        plan.window = 3;
        std::vector<Seen> seen;
        int measuring = 0;
        const auto t = aio::check::run_plan(
            plan,
            [&](const aio::sim::Config& cfg, const RunAt& at) {
                RunResult r;
                if (at.measuring) {
                    ++measuring;
                    CHECK(cfg.schedule.decisions);  // every decision 0: asyncio's order
                    CHECK(cfg.schedule.decisions->empty());
                    CHECK(cfg.schedule.policy == aio::sim::Policy::delay);  // it counts delay's points too
                    r.steps_per_task = {1, 4, 4, 2};
                    r.choice_points = 17;
                    return r;
                }
                Seen s{where(at), cfg.step_profile ? *cfg.step_profile : std::vector<std::uint64_t>{},
                       cfg.measured_points};
                r.detail = s;
                return r;
            },
            [&](const RunAt&, const RunResult& r) { seen.push_back(std::any_cast<Seen>(r.detail)); });
        CHECK(measuring == 1);
        CHECK(t.runs == 80);
        REQUIRE(t.measured.step_profile);
        CHECK(*t.measured.step_profile == std::vector<std::uint64_t>{1, 4, 4, 2});
        return seen;
    };
    const std::vector<Seen> one = runs_seen(1);
    REQUIRE(one.size() == 80);
    for (const Seen& s : one) {
        CHECK(s.profile == std::vector<std::uint64_t>{1, 4, 4, 2});
        CHECK(s.points == 17);
    }
    CHECK(runs_seen(2) == one);
    // Not fitted (a fixed pct_steps, delay's points given): no measuring run.
    plan.base.schedule.pct_steps = 1000;
    plan.base.schedule.delay_points = 50;
    plan.jobs = 1;
    const auto fixed = aio::check::run_plan(plan, [](const aio::sim::Config& cfg, const RunAt& at) {
        CHECK_FALSE(at.measuring);
        CHECK_FALSE(cfg.step_profile);
        return RunResult{};
    });
    CHECK(fixed.measuring_runs == 0);
}

namespace plan_threads_test {
// A run's detail that notes whether it is destroyed on another thread than the one that made
// it (the run's worker).
struct Made {
    std::thread::id by = std::this_thread::get_id();
    std::shared_ptr<std::atomic<int>> elsewhere;
    explicit Made(std::shared_ptr<std::atomic<int>> count) : elsewhere(std::move(count)) {}
    Made(const Made&) = default;
    Made& operator=(const Made&) = default;
    ~Made() {
        if (elsewhere && by != std::this_thread::get_id()) ++*elsewhere;
    }
};
}  // namespace plan_threads_test

TEST_CASE("run_plan with jobs: runs say their worker, and results are destroyed by the thread that made them") {
    using namespace plan_threads_test;
    aio::check::ExplorePlan plan;
    plan.policies = {aio::sim::Policy::random, aio::sim::Policy::pct};
    plan.seeds = 1000;
    plan.stop_at_first = false;
    plan.window = 8;
    for (unsigned jobs : {1u, 3u}) {
        plan.jobs = jobs;
        auto elsewhere = std::make_shared<std::atomic<int>>(0);
        std::atomic<unsigned> bad_worker{0};
        std::vector<std::uint64_t> seeds;
        const auto t = aio::check::run_plan(
            plan,
            [&](const aio::sim::Config& cfg, const aio::check::RunAt& at) {
                if (at.worker >= jobs) ++bad_worker;
                aio::check::RunResult r;
                // Some work, so that the workers run at the same time (before results went back
                // to their makers, another worker freed 1,272 to 1,624 of these 2,000).
                std::uint64_t x = cfg.schedule.seed;
                for (int i = 0; i < 20000; ++i) x = x * 6364136223846793005u + 1442695040888963407u;
                r.choice_points = x;
                r.detail = std::make_shared<const Made>(elsewhere);
                r.steps_per_task = {cfg.schedule.seed};
                return r;
            },
            [&](const aio::check::RunAt&, const aio::check::RunResult& r) { seeds.push_back(r.steps_per_task[0]); });
        CHECK(t.runs == 2000);
        CHECK(bad_worker == 0);
        REQUIRE(seeds.size() == 2000);
        for (std::size_t i = 0; i < seeds.size(); ++i) CHECK(seeds[i] == 1 + i / 2);  // in run order
        // A worker destroys its own results once the tally is done with them; only those of a
        // worker that has ended by then (at most a window and a batch each) are left for the
        // caller's thread.
        CHECK(*elsewhere <= static_cast<int>(jobs * (plan.window + 16)));
        if (jobs == 1) CHECK(*elsewhere == 0);
    }
}

TEST_CASE("run_plan: a failure the judge calls a warning is tallied apart and does not stop the plan") {
    using namespace portfolio_plan_test;
    aio::check::ExplorePlan plan;
    plan.policies = {aio::sim::Policy::fifo, aio::sim::Policy::random};
    plan.seeds = 10;
    plan.stop_at_first = true;
    std::vector<std::uint64_t> judged;
    const auto t = aio::check::run_plan(
        plan,
        [](const aio::sim::Config& cfg, const RunAt&) {
            RunResult r;
            // random seeds 2, 4 and 6 fail; only 6's failure is plain.
            if (cfg.schedule.policy == aio::sim::Policy::random && cfg.schedule.seed % 2 == 0)
                r.failure = aio::sim::RunFailure{aio::sim::FailureKind::predicate, nullptr, {}, "x"};
            return r;
        },
        {},
        [&](const RunAt& at, RunResult&) {
            judged.push_back(at.seed);
            return at.seed == 6;
        });
    CHECK(judged == std::vector<std::uint64_t>{2, 4, 6});
    CHECK(t.warned == 2);
    CHECK(t.failed == 1);
    REQUIRE(t.first_failure_at);
    CHECK(t.first_failure_at->seed == 6);
    CHECK(t.runs == 7);  // fifo, seeds 1..6 under random: the plan stopped at the plain failure
    CHECK_FALSE(t.ok());
}
