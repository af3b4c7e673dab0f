// aio::check::explore_bounded: exact schedule counts on a program whose choice points are known,
// a planted bug needing 2 deviations (found at k = 2, absent and covered completely at k = 1),
// determinism across jobs, the budget, and ExploreOptions::exhaustive_bound.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/check/bounded.hpp>
#include <aio/check/explore.hpp>
#include <aio/sim/sim.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "callbacks_program.hpp"  // sim/tests

namespace sim = aio::sim;
namespace check = aio::check;

namespace bounded_enum_test {

// m callbacks queued at once; the last to run resolves the future main awaits. Every schedule
// offers exactly m-1 ready choices with m, m-1, ..., 2 candidates (the queue shrinks by one per
// step whatever runs), so the schedules with exactly d deviations number the sum, over d-subsets
// of the points, of the product of (n-1): for m = 4, (n-1) = 3, 2, 1 and the layers are
// 1, 6 (3+2+1), 11 (3*2 + 3*1 + 2*1), 6 (3*2*1); all 24 = 4! orders with <= 3.
using test_programs::callbacks_main;

// The planted bug: the callbacks ran last-first and then second-to-last. Taking the last of m
// at the first point is one deviation, taking the second-to-last (then the last in the queue)
// at the second is another: no schedule with fewer than 2 deviations fails.
check::RunOne planted_run_one(int m) {
    return [m](const sim::Config& cfg, const sim::RecordSink& record) -> std::optional<sim::RunFailure> {
        try {
            auto order = aio::run(callbacks_main(m), {.loop_factory = sim::loop_factory(cfg, record)});
            if (order[0] == m - 1 && order[1] == m - 2)
                return sim::RunFailure{sim::FailureKind::predicate, nullptr, {}, "last two ran first, reversed"};
        } catch (...) {
            return sim::RunFailure::from_exception(std::current_exception());
        }
        return std::nullopt;
    };
}

check::RunOne passing_run_one(int m) {
    return [m](const sim::Config& cfg, const sim::RecordSink& record) -> std::optional<sim::RunFailure> {
        try {
            aio::run(callbacks_main(m), {.loop_factory = sim::loop_factory(cfg, record)});
        } catch (...) {
            return sim::RunFailure::from_exception(std::current_exception());
        }
        return std::nullopt;
    };
}

std::uint64_t factorial(int m) {
    std::uint64_t f = 1;
    for (int i = 2; i <= m; ++i) f *= static_cast<std::uint64_t>(i);
    return f;
}

}  // namespace bounded_enum_test

using namespace bounded_enum_test;

TEST_CASE("explore_bounded: exact schedule counts by deviations") {
    const check::RunOne run = passing_run_one(4);
    const std::vector<std::uint64_t> layers{1, 6, 11, 6};
    const std::uint64_t totals[] = {1, 7, 18, 24};
    for (int k = 0; k <= 3; ++k) {
        CAPTURE(k);
        const check::BoundedResult r = check::explore_bounded(run, {.bound = k});
        CHECK(r.ok());
        CHECK(r.complete);
        CHECK_FALSE(r.budget_cut);
        CHECK(r.runs == totals[k]);
        CHECK(r.runs_by_deviations == std::vector<std::uint64_t>(layers.begin(), layers.begin() + k + 1));
        CHECK(r.space_by_deviations == r.runs_by_deviations);
    }
    // Past the number of points nothing more exists: every order once.
    for (int m : {3, 5}) {
        CAPTURE(m);
        const check::BoundedResult r = check::explore_bounded(passing_run_one(m), {.bound = 6});
        CHECK(r.complete);
        CHECK(r.runs == factorial(m));
    }
    CHECK(check::explore_bounded(run, {.bound = 2}).summary ==
          "all 18 schedules with <= 2 deviations: no failure (covered completely)");
    CHECK(check::explore_bounded(run, {.bound = 1}).layers ==
          "  0 deviations: 1 of 1 schedule\n"
          "  1 deviation: 6 of 6 schedules\n");
}

TEST_CASE("explore_bounded: a bug needing 2 deviations is absent at k = 1 (covered completely), found at k = 2") {
    const check::RunOne run = planted_run_one(5);
    const check::BoundedResult k1 = check::explore_bounded(run, {.bound = 1});
    CHECK(k1.ok());
    CHECK(k1.complete);
    CHECK(k1.runs == 11);  // 1 + (4+3+2+1)
    CHECK(k1.summary == "all 11 schedules with <= 1 deviation: no failure (covered completely)");

    const check::BoundedResult k2 = check::explore_bounded(run, {.bound = 2});
    CHECK_FALSE(k2.ok());
    CHECK_FALSE(k2.complete);
    REQUIRE(k2.failures.size() == 1);
    const check::BoundedFailure& f = k2.failures.front();
    REQUIRE(f.decisions.size() == 2);
    CHECK(f.decisions[0] == sim::Decision{0, sim::Choice::ready, 4});
    CHECK(f.decisions[1] == sim::Decision{1, sim::Choice::ready, 3});
    CHECK(f.run == k2.runs - 1);
    CHECK(f.replay == "aiosim1:delay:seed=0:r4.r3");
    CHECK(f.cause.message == "last two ran first, reversed");
    CHECK(k2.summary.find("failed after") == 0);
    CHECK(k2.summary.find("all 11 schedules with <= 1 deviation ran, none failed") != std::string::npos);
    // The replay string reproduces it strictly.
    sim::Recorder rec;
    CHECK(run(sim::Config::from_replay(f.replay), rec).has_value());
    CHECK(rec->nonzero_decisions == 2);
}

TEST_CASE("explore_bounded: collecting every failure counts them exactly; results do not depend on jobs") {
    const check::RunOne run = planted_run_one(4);
    // Orders of 4 starting 3, 2: 3 2 0 1 and 3 2 1 0.
    const check::BoundedResult all = check::explore_bounded(run, {.bound = 3, .stop_at_first = false});
    CHECK(all.complete);
    CHECK(all.runs == 24);
    CHECK(all.failed == 2);
    CHECK(all.failures.size() == 2);
    CHECK(all.summary ==
          "all 24 schedules with <= 3 deviations ran (covered completely): 2 failed, the first with 2 "
          "deviations");
    for (bool stop : {true, false}) {
        CAPTURE(stop);
        const check::BoundedResult one =
            check::explore_bounded(planted_run_one(6), {.bound = 3, .stop_at_first = stop});
        const check::BoundedResult four =
            check::explore_bounded(planted_run_one(6), {.bound = 3, .stop_at_first = stop, .jobs = 3});
        CHECK(one.runs == four.runs);
        CHECK(one.failed == four.failed);
        CHECK(one.summary == four.summary);
        CHECK(one.layers == four.layers);
        REQUIRE(one.failures.size() == four.failures.size());
        for (std::size_t i = 0; i < one.failures.size(); ++i) CHECK(one.failures[i].replay == four.failures[i].replay);
    }
}

TEST_CASE("explore_bounded: the run budget ends it, and it says the space was not covered") {
    const check::RunOne run = passing_run_one(5);
    const check::BoundedResult r = check::explore_bounded(run, {.bound = 2, .max_runs = 5});
    CHECK(r.runs == 5);
    CHECK(r.budget_cut);
    CHECK_FALSE(r.complete);
    CHECK(r.summary ==
          "not covered completely: the run budget (5) ended it after 5 schedules with <= 2 deviations; "
          "asyncio's own order (0 deviations) passed");
    // Once layer 1 ran, layer 2's size (and so the whole space's) is known: 1 + 10 + 35 = 46.
    const check::BoundedResult r20 = check::explore_bounded(run, {.bound = 2, .max_runs = 20});
    CHECK(r20.summary ==
          "not covered completely: the run budget (20) ended it after 20 of 46 schedules with <= 2 "
          "deviations; all 11 schedules with <= 1 deviation ran, none failed");
    // A budget that ends exactly with the space still covers it: 1 + 4+3+2+1 = 11.
    const check::BoundedResult exact = check::explore_bounded(run, {.bound = 1, .max_runs = 11});
    CHECK(exact.complete);
    CHECK_FALSE(exact.budget_cut);
    CHECK_THROWS_AS(check::explore_bounded(run, {.bound = 65}), aio::ValueError);
}

TEST_CASE("explore_bounded: the delay policy's seeded runs stay within the space it enumerates") {
    // Every seeded delay run with bound 2 is one of the 18 schedules with <= 2 deviations.
    std::vector<std::string> seen;
    const check::BoundedResult r = check::explore_bounded(
        [&seen](const sim::Config& cfg) {
            check::BoundedRun b;
            sim::Recorder rec;
            aio::run(callbacks_main(4), {.loop_factory = sim::loop_factory(cfg, rec)});
            seen.push_back(rec->replay);
            b.record = std::move(*rec);
            return b;
        },
        {.bound = 2});
    REQUIRE(seen.size() == 18);
    const std::uint64_t points = check::measure_delay_points(passing_run_one(4), {});
    for (std::uint64_t seed = 0; seed < 100; ++seed) {
        sim::Recorder rec;
        sim::Config cfg;
        cfg.schedule.policy = sim::Policy::delay;
        cfg.schedule.seed = seed;
        cfg.measured_points = points;
        aio::run(callbacks_main(4), {.loop_factory = sim::loop_factory(cfg, rec)});
        CHECK(rec->nonzero_decisions <= 2);
        sim::Schedule s = rec->schedule;
        s.seed = 0;
        s.delay_points = 0;
        CAPTURE(s.to_string());
        CHECK(std::find(seen.begin(), seen.end(), s.to_string()) != seen.end());
    }
    CHECK(check::measure_delay_points(passing_run_one(4), {}) == 3);
}

TEST_CASE("for_all_schedules with ExploreOptions::exhaustive_bound") {
    std::string printed;
    auto print = [&printed](const std::string& s) { printed += s; };
    auto pred = [](const std::vector<int>& order) { return !(order[0] == 4 && order[1] == 3); };
    const check::ExploreResult ok = check::for_all_schedules(
        [] { return callbacks_main(5); }, pred, {.name = "bounded k1", .print = print, .exhaustive_bound = 1});
    CHECK(ok.ok);
    CHECK(ok.runs == 11);
    CHECK(ok.summary ==
          "aio::check: 'bounded k1' passed: all 11 schedules with <= 1 deviation: no failure (covered "
          "completely)");
    // Its r decisions make an order CPython cannot run: a failure only when strict (below).
    check::ExploreOptions strict{.name = "bounded k2", .print = print, .exhaustive_bound = 2};
    strict.strict_order = true;
    const check::ExploreResult bad = check::for_all_schedules([] { return callbacks_main(5); }, pred, strict);
    CHECK_FALSE(bad.ok);
    REQUIRE(bad.failure);
    CHECK(bad.failure->replay == "aiosim1:delay:seed=0:r4.r3");
    CHECK(bad.failure->decisions_after == 2);
    CHECK(bad.report.find("exhaustive:    failed after") != std::string::npos);
    CHECK(bad.report.find("  2 deviations: ") != std::string::npos);
    CHECK(printed == bad.report);
}

TEST_CASE("for_all_schedules with exhaustive_bound: a failure only in orders CPython cannot run is a warning") {
    std::string printed;
    auto print = [&printed](const std::string& s) { printed += s; };
    auto pred = [](const std::vector<int>& order) { return !(order[0] == 4 && order[1] == 3); };
    const check::ExploreResult warned = check::for_all_schedules(
        [] { return callbacks_main(5); }, pred, {.name = "order only k2", .print = print, .exhaustive_bound = 2});
    CHECK(warned.ok);
    CHECK_FALSE(warned.failure);
    CHECK(warned.runs == 1 + 10 + 35);  // the whole space ran: no failure stopped it
    REQUIRE(warned.order_only.size() == 1);
    CHECK(warned.order_only.front().replay == "aiosim1:delay:seed=0:r4.r3");
    CHECK_FALSE(warned.order_only.front().cpython_order);
    CHECK(warned.order_only_runs == warned.order_only.front().occurrences);
    CHECK(warned.order_only_runs >= 1);
    CHECK(warned.summary.find("aio::check: 'order only k2' passed: all 46 schedules with <= 2 deviations ran") == 0);
    CHECK(warned.summary.find("failed only in orders CPython's asyncio cannot run (a warning)") != std::string::npos);
    CHECK(warned.warning.find("found only in orders CPython's asyncio cannot run") != std::string::npos);
    CHECK(warned.warning.find("A warning: the check passes") != std::string::npos);
    CHECK(printed == warned.report);
    CHECK(warned.report.find(warned.warning) == 0);
}

// A timer due within Schedule::ahead (1 ms) and a callback that schedules another: an
// overtake (o) fires the timer in the pass before the second callback, an order CPython runs
// when the steps before that pass took that long. No ready choice alone reorders them.
aio::Coro<std::vector<int>> overtake_main() {
    aio::EventLoop& loop = aio::get_running_loop();
    aio::Future<void> all_ran(loop);
    auto order = std::make_shared<std::vector<int>>();
    auto push = [order, all_ran](int i) mutable {
        order->push_back(i);
        if (order->size() == 2) all_ran.set_result();
    };
    loop.call_later(std::chrono::microseconds(500), [push]() mutable { push(1); });
    loop.call_soon([&loop, push] { loop.call_soon([push]() mutable { push(0); }); });
    co_await all_ran;
    co_return *order;
}

TEST_CASE("for_all_schedules with exhaustive_bound: a failure in an order CPython can run fails, strict or not") {
    auto quiet = [](const std::string&) {};
    auto pred = [](const std::vector<int>& order) { return order[0] == 0; };
    for (const bool strict : {false, true}) {
        CAPTURE(strict);
        check::ExploreOptions o{.name = "overtake", .print = quiet, .exhaustive_bound = 2};
        o.strict_order = strict;
        const check::ExploreResult bad = check::for_all_schedules(overtake_main, pred, o);
        CHECK_FALSE(bad.ok);
        REQUIRE(bad.failure);
        CHECK(bad.failure->cpython_order);
        CHECK(bad.failure->replay.find(":o1") != std::string::npos);
        CHECK(bad.failure->decisions_after == 1);
        CHECK(bad.order_only.empty());
        CHECK(bad.report.find("exhaustive:    failed after") != std::string::npos);
    }
}

TEST_CASE("for_all_schedules under the delay policy: fitted to the measured points, never past its bound") {
    auto pred = [](const std::vector<int>& order) { return !(order[0] == 4 && order[1] == 3); };
    auto quiet = [](const std::string&) {};
    check::ExploreOptions o{.name = "delay bound 1", .policies = {sim::Policy::delay}, .seeds = 300, .print = quiet};
    o.base.schedule.delay_bound = 1;
    const check::ExploreResult one = check::for_all_schedules([] { return callbacks_main(5); }, pred, o);
    CHECK(one.ok);
    CHECK(one.runs == 301);  // the measuring run, then the seeds
    o.name = "delay bound 2";
    o.base.schedule.delay_bound = 2;
    o.strict_order = true;  // its r decisions make an order CPython cannot run: a failure only when strict
    const check::ExploreResult two = check::for_all_schedules([] { return callbacks_main(5); }, pred, o);
    CHECK_FALSE(two.ok);
    REQUIRE(two.failure);
    CHECK(two.failure->decisions_after == 2);
    CHECK(two.failure->found_replay.find("aiosim1:delay:seed=") == 0);
    CHECK(two.failure->found_replay.find("pts=4") != std::string::npos);  // 5 callbacks: 4 points
}
