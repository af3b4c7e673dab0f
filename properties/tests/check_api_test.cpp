// aio::check's own behaviour: shrinking, exploration, environment variables, errors.
#include <aio/check/doctest.hpp>
#include <aio/check/explore.hpp>
#include <aio/check/rapidcheck.hpp>
#include <aio/check/shrink.hpp>
#include <aio/aio.hpp>
#include <aio/sim/sim_loop.hpp>

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
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

std::string run_race(const aio::sim::Config& cfg) {
    return aio::run(race3(), {.loop_factory = aio::sim::loop_factory(cfg)});
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
    auto fails = [](const aio::sim::Config& cfg) { return run_race(cfg) == "cba"; };
    Schedule noisy = Schedule::parse("aiosim1:random:-:r2.r1.r1.r1.r1");
    REQUIRE(fails(aio::check::lenient_config(noisy)));
    const auto r = aio::check::shrink_schedule(fails, noisy);
    CHECK(r.after == 2);
    CHECK(r.removed == r.before - r.after);
    CHECK(run_race(aio::sim::Config::from_replay(r.replay)) == "cba");
}

TEST_CASE("shrink_replay lowers an index only as far as the failure allows") {
    auto fails = [](const aio::sim::Config& cfg) { return run_race(cfg).front() == 'c'; };
    const auto r = aio::check::shrink_replay(fails, "aiosim1:random:-:r2.r1.r1");
    REQUIRE(r.after == 1);
    CHECK(r.schedule.decisions->front().index == 2);  // c is candidate 2; 1 would be b
    CHECK(r.schedule.decisions->front().position == 0);  // at the first choice
    CHECK(Schedule::parse(r.replay) == r.schedule);
}

TEST_CASE("shrink_replay records a seeded string's decisions first") {
    // Find a seed whose run fails, then shrink its seed-only replay string.
    auto fails = [](const aio::sim::Config& cfg) { return run_race(cfg) != "abc"; };
    std::string seeded;
    for (int seed = 1; seed < 200 && seeded.empty(); ++seed) {
        aio::sim::Config cfg;
        cfg.policy = aio::sim::Policy::random;
        cfg.seed = static_cast<std::uint64_t>(seed);
        if (fails(cfg)) seeded = cfg.schedule().to_string();
    }
    REQUIRE_FALSE(seeded.empty());
    const auto r = aio::check::shrink_replay(fails, seeded);
    CHECK(r.after == 1);
    CHECK(r.before >= r.after);
    CHECK(fails(aio::sim::Config::from_replay(r.replay)));
}

TEST_CASE("shrink_replay rejects a malformed string and a schedule that does not fail") {
    auto fails = [](const aio::sim::Config& cfg) { return run_race(cfg) == "cba"; };
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
    CHECK(v.runs == 1 + 3 * 50);
}

TEST_CASE("environment variables set the budget and the policies") {
    CleanEnv env;
    auto holds = [](const std::string& s) { return s.size() == 3; };
    SUBCASE("AIOSIM_SEEDS=N and AIOSIM_POLICY") {
        setenv("AIOSIM_SEEDS", "7", 1);
        setenv("AIOSIM_POLICY", "random,pct", 1);
        CHECK(aio::check::for_all_schedules([] { return race3(); }, holds, quiet()).runs == 14);
    }
    SUBCASE("AIOSIM_SEEDS=A..B") {
        setenv("AIOSIM_SEEDS", "10..12", 1);
        setenv("AIOSIM_POLICY", "timers", 1);
        CHECK(aio::check::for_all_schedules([] { return race3(); }, holds, quiet()).runs == 3);
    }
    SUBCASE("AIOSIM_TIME_BUDGET still runs the first seed") {
        setenv("AIOSIM_TIME_BUDGET", "0ms", 1);
        CHECK(aio::check::for_all_schedules([] { return race3(); }, holds, quiet()).runs == 4);
    }
    SUBCASE("AIOSIM_CHECK limits AIOSIM_REPLAY to the named check") {
        setenv("AIOSIM_REPLAY", "aiosim1:random:-:r2", 1);
        setenv("AIOSIM_CHECK", "other", 1);
        CHECK(aio::check::for_all_schedules([] { return race3(); }, holds, quiet("t")).runs == 151);
        setenv("AIOSIM_CHECK", "t", 1);
        CHECK(aio::check::for_all_schedules([] { return race3(); }, holds, quiet("t")).runs == 1);
    }
    SUBCASE("bad values are errors that name the variable and the valid values") {
        setenv("AIOSIM_POLICY", "fast", 1);
        CHECK_THROWS_WITH_AS(aio::check::for_all_schedules([] { return race3(); }, holds, quiet()),
                             "AIOSIM_POLICY: unknown policy 'fast' (valid: fifo, timers, random, pct)", aio::ValueError);
        CleanEnv::clear();
        setenv("AIOSIM_SEEDS", "many", 1);
        CHECK_THROWS_WITH_AS(aio::check::for_all_schedules([] { return race3(); }, holds, quiet()),
                             "AIOSIM_SEEDS: 'many' is not a non-negative integer", aio::ValueError);
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
