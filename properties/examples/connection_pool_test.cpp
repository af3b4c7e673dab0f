// aio::check on a realistic bug: the connection pool of connection_pool.hpp opens more
// connections than its capacity under some schedules. Shows both user-facing forms: the
// one-call exploration (for_all_schedules) and the rapidcheck property over a Schedule; both
// find the bug, shrink it to one deviation from asyncio's order, and replay it.
#include <aio/check/doctest.hpp>
#include <aio/check/doctest_check.hpp>
#include <aio/check/explore.hpp>
#include <aio/check/rapidcheck.hpp>
#include <aio/sim/sim_loop.hpp>

#include <cstdlib>
#include <memory>
#include <string>

#include "connection_pool.hpp"

using pool_example::three_clients;

namespace {

aio::check::ExploreOptions options(std::string name, std::string* printed) {
    aio::check::ExploreOptions o;
    o.name = std::move(name);
    o.seeds = 200;
    // The pool is correct only because asyncio runs call_soon callbacks in FIFO order: by
    // default a failure that needs another order is a warning (ExploreResult::order_only).
    // Strict mode makes it a failure, which is what this example is about.
    o.strict_order = true;
    o.print = [printed](const std::string& part) { *printed += part; };  // the report comes in parts
    return o;
}

// The same program under one replay string, strictly (as AIOSIM_REPLAY runs it).
int run_replay(const std::string& replay) {
    return aio::run(three_clients(false),
                    {.loop_factory = aio::sim::loop_factory(aio::sim::Config::from_replay(replay))});
}

// Tests must not depend on the caller's environment.
struct NoAiosimEnvironment {
    NoAiosimEnvironment() {
        for (const char* v : {"AIOSIM_REPLAY", "AIOSIM_SEEDS", "AIOSIM_POLICY", "AIOSIM_TIME_BUDGET", "AIOSIM_CHECK",
                              "AIOSIM_STRICT_ORDER", "AIOSIM_CORPUS", "AIOSIM_SAVE_FAILURES"})
            unsetenv(v);
    }
};

}  // namespace

TEST_CASE("asyncio's own order hides the pool's race") {
    CHECK(aio::run(three_clients(false), {.loop_factory = aio::sim::loop_factory({})}) == 1);
}

TEST_CASE("for_all_schedules finds the race, shrinks it to one decision and prints how to replay it") {
    NoAiosimEnvironment clean;
    std::string printed;
    const aio::check::ExploreResult v =
        aio::check::for_all_schedules([] { return three_clients(false); }, [](int max_open) { return max_open <= 1; },
                                      options("pool capacity", &printed));
    REQUIRE_FALSE(v.ok);
    REQUIRE(v.failure);
    MESSAGE(printed);
    CHECK(printed == v.report);
    CHECK(v.failure->error == "the predicate returned false for the result: 2");  // two connections open
    // An order CPython does not run (the pool depends on call_soon's order).
    CHECK_FALSE(v.failure->cpython_order);
    CHECK(v.report.find("\n  order: one CPython's asyncio cannot run (1 ready-queue decision") != std::string::npos);
    // The commands rerun only this test case (aio/check/doctest_check.hpp adds the filter).
    CHECK(v.failure->replay_command.ends_with(
        " '-tc=for_all_schedules finds the race? shrinks it to one decision and prints how to replay it'"));
    // One deviation from asyncio's order is all this race needs.
    CHECK(v.failure->decisions_after == 1);
    CHECK(v.failure->decisions_after <= v.failure->decisions_before);
    CHECK(v.report.find("AIOSIM_REPLAY=" + v.failure->replay) != std::string::npos);
    CHECK(v.report.find("AIOSIM_SEEDS=") != std::string::npos);
    CHECK(v.failure->replay_command.find("AIOSIM_CHECK='pool capacity' AIOSIM_REPLAY=") == 0);

    SUBCASE("the shrunk replay string reproduces the failure") {
        CHECK(run_replay(v.failure->replay) == 2);
        CHECK(run_replay(v.failure->found_replay) == 2);
    }
    SUBCASE("AIOSIM_REPLAY replays exactly that schedule instead of exploring") {
        setenv("AIOSIM_REPLAY", v.failure->replay.c_str(), 1);
        std::string again;
        const aio::check::ExploreResult r =
            aio::check::for_all_schedules([] { return three_clients(false); },
                                          [](int max_open) { return max_open <= 1; }, options("pool capacity", &again));
        unsetenv("AIOSIM_REPLAY");
        CHECK_FALSE(r.ok);
        CHECK(r.runs == 1);
        REQUIRE(r.failure);
        CHECK(r.failure->replay == v.failure->replay);
    }
    SUBCASE("AIOSIM_POLICY and AIOSIM_SEEDS replay the failing seed") {
        setenv("AIOSIM_POLICY", std::string(aio::sim::policy_name(v.failure->policy)).c_str(), 1);
        const std::string seed = std::to_string(v.failure->seed);
        setenv("AIOSIM_SEEDS", (seed + ".." + seed).c_str(), 1);
        std::string again;
        const aio::check::ExploreResult r =
            aio::check::for_all_schedules([] { return three_clients(false); },
                                          [](int max_open) { return max_open <= 1; }, options("pool capacity", &again));
        unsetenv("AIOSIM_POLICY");
        unsetenv("AIOSIM_SEEDS");
        CHECK_FALSE(r.ok);
        REQUIRE(r.failure);
        CHECK(r.failure->seed == v.failure->seed);
    }
}

TEST_CASE("shrink_replay reduces the failing run found by exploration") {
    NoAiosimEnvironment clean;
    std::string printed;
    aio::check::ExploreOptions o = options("pool capacity", &printed);
    o.shrink = false;
    const aio::check::ExploreResult v = aio::check::for_all_schedules([] { return three_clients(false); },
                                                                      [](int max_open) { return max_open <= 1; }, o);
    REQUIRE(v.failure);
    auto fails = [](const aio::sim::Config& cfg, const aio::sim::RecordSink& record) {
        return aio::run(three_clients(false), {.loop_factory = aio::sim::loop_factory(cfg, record)}) > 1;
    };
    const aio::check::ShrinkResult s = aio::check::shrink_replay(fails, v.failure->found_replay);
    CHECK(s.after == 1);
    CHECK(s.removed == s.before - s.after);
    CHECK(s.after <= aio::check::nonzero_decisions(aio::sim::Schedule::parse(v.failure->found_replay)));
    CHECK(run_replay(s.replay) == 2);
}

TEST_CASE("the fixed pool holds its capacity under every policy") {
    NoAiosimEnvironment clean;
    std::string printed;
    const aio::check::ExploreResult v =
        aio::check::for_all_schedules([] { return three_clients(true); }, [](int max_open) { return max_open <= 1; },
                                      options("fixed pool capacity", &printed));
    CHECK_MESSAGE(v.ok, v.report);
    // fifo once, then 200 seeds of each other strategy of the portfolio, and the run that
    // measures the program for the fitted ones.
    CHECK(v.runs == 1 + (aio::check::portfolio_policies().size() - 1) * 200 + 1);
}

TEST_CASE("the fixed pool, checked in one line that reports a failure once") {
    NoAiosimEnvironment clean;
    AIOSIM_CHECK_SCHEDULES([] { return three_clients(true); }, [](int max_open) { return max_open <= 1; },
                           {.name = "fixed pool capacity", .seeds = 200});
}

// The rapidcheck form: the schedule is an argument, generated and shrunk by rapidcheck.
AIOSIM_PROPERTY("the fixed pool holds its capacity (rapidcheck over schedules)", [](const aio::check::Schedule& s) {
    RC_ASSERT(aio::check::run(s, [] { return three_clients(true); }) <= 1);
});

TEST_CASE("the rapidcheck form finds the race and shrinks the schedule to one decision") {
    aio::check::Schedule last_failing;
    const auto result = rc::detail::checkTestable([&](const aio::check::Schedule& s) {
        if (aio::check::run(s, [] { return three_clients(false); }) > 1) {
            last_failing = s;
            RC_FAIL("the pool exceeded its capacity");
        }
    });
    REQUIRE(result.is<rc::detail::FailureResult>());
    CHECK(aio::check::nonzero_decisions(last_failing) == 1);
    // A generated decision may name another kind than the program offers at its position
    // (rapidcheck generates kinds blindly); aio::check::run bends it to fit, and so does this.
    CHECK(aio::run(three_clients(false),
                   {.loop_factory = aio::sim::loop_factory(aio::check::lenient_config(last_failing))}) == 2);
}
