// The delay policy (delay bounding): at most `bound` deviations, drawn over the measured choice
// points; Config::record_points; bound= and pts= in replay strings.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/sim/sim.hpp>
#include <aio/sim/validate.hpp>
#include <set>
#include <string>
#include <vector>

#include "callbacks_program.hpp"

namespace sim = aio::sim;

namespace delay_policy_test {

// m callbacks: exactly m-1 ready choices, the same points under every schedule.
using test_programs::callbacks_main;

sim::RunRecord delay_run(const sim::Config& cfg, int m, std::vector<int>* order = nullptr) {
    sim::Recorder rec;
    auto got = aio::run(callbacks_main(m), {.loop_factory = sim::loop_factory(cfg, rec)});
    if (order) *order = got;
    return *rec;
}

}  // namespace delay_policy_test

using namespace delay_policy_test;

TEST_CASE("delay: a seeded run never makes more deviations than its bound, and reaches the bound") {
    for (int bound : {1, 2, 3}) {
        CAPTURE(bound);
        std::set<std::vector<int>> orders;
        std::uint64_t most = 0;
        for (std::uint64_t seed = 0; seed < 300; ++seed) {
            CAPTURE(seed);
            std::vector<int> order;
            const sim::Config cfg{
                .schedule = {.policy = sim::Policy::delay, .seed = seed, .delay_bound = bound, .delay_points = 7}};
            const sim::RunRecord r = delay_run(cfg, 8, &order);
            REQUIRE(r.decisions == 7);  // 8 callbacks: 7 ready choices
            REQUIRE(r.nonzero_decisions <= static_cast<std::uint64_t>(bound));
            REQUIRE(r.schedule.decisions->size() == r.nonzero_decisions);
            for (const sim::Decision& d : *r.schedule.decisions) REQUIRE(d.kind == sim::Choice::ready);
            most = std::max(most, r.nonzero_decisions);
            orders.insert(order);
        }
        CHECK(most == static_cast<std::uint64_t>(bound));
        CHECK(orders.size() > 10);  // the seed does change the order
    }
}

TEST_CASE("delay: deterministic per seed, and a record's replay string runs it again") {
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        const sim::Config cfg{.schedule = {.policy = sim::Policy::delay, .seed = seed, .delay_bound = 3}};
        std::vector<int> a, b, c;
        const sim::RunRecord ra = delay_run(cfg, 6, &a);
        const sim::RunRecord rb = delay_run(cfg, 6, &b);
        CHECK(a == b);
        CHECK(ra.replay == rb.replay);
        delay_run(sim::Config::from_replay(ra.replay), 6, &c);
        CHECK(a == c);
    }
}

TEST_CASE("delay: pts=0 is fitted to Config::measured_points, else unfitted_delay_points, and the record says which") {
    const sim::Config unfitted{.schedule = {.policy = sim::Policy::delay, .seed = 1}};
    CHECK(delay_run(unfitted, 4).schedule.delay_points == sim::unfitted_delay_points);
    sim::Config fitted = unfitted;
    fitted.measured_points = 3;
    const sim::RunRecord r = delay_run(fitted, 4);
    CHECK(r.schedule.delay_points == 3);
    CHECK(r.replay.find("pts=3") != std::string::npos);
    // Other policies keep 0 (nothing is added to their replay strings).
    CHECK(delay_run({.schedule = {.policy = sim::Policy::random, .seed = 1}}, 4).schedule.delay_points == 0);
}

TEST_CASE("delay: Config::record_points lists every point offered, by position") {
    sim::Config cfg{.schedule = {.policy = sim::Policy::delay, .seed = 2}};
    CHECK(delay_run(cfg, 5).points.empty());  // not asked
    cfg.record_points = true;
    const sim::RunRecord r = delay_run(cfg, 5);
    REQUIRE(r.points.size() == r.decisions);
    REQUIRE(r.points.size() == 4);
    for (std::size_t i = 0; i < r.points.size(); ++i) {
        CHECK(r.points[i].position == i);
        CHECK(r.points[i].kind == sim::Choice::ready);
        CHECK(r.points[i].n == 5 - i);
    }
}

TEST_CASE("delay: offers ready, timer ties and thread order, never jitter or latency; not realizable") {
    CHECK(sim::offers(sim::Policy::delay, sim::Choice::ready));
    CHECK(sim::offers(sim::Policy::delay, sim::Choice::timer));
    CHECK(sim::offers(sim::Policy::delay, sim::Choice::thread));
    CHECK_FALSE(sim::offers(sim::Policy::delay, sim::Choice::jitter));
    CHECK_FALSE(sim::offers(sim::Policy::delay, sim::Choice::latency));
    CHECK_FALSE(sim::realizable(sim::Policy::delay));
    CHECK(sim::policy_from_name("delay") == sim::Policy::delay);
    CHECK(sim::policy_name(sim::Policy::delay) == "delay");
}

TEST_CASE("delay: bound= and pts= in replay strings") {
    const sim::Schedule s = sim::Schedule::parse("aiosim1:delay:seed=3,bound=5,pts=40");
    CHECK(s.policy == sim::Policy::delay);
    CHECK(s.delay_bound == 5);
    CHECK(s.delay_points == 40);
    CHECK(s.to_string() == "aiosim1:delay:seed=3,bound=5,pts=40");
    CHECK(sim::Schedule::parse("aiosim1:delay:seed=3").delay_bound == 2);
    CHECK(sim::Schedule::parse("aiosim1:delay:seed=3").to_string() == "aiosim1:delay:seed=3");
    CHECK_THROWS_AS(sim::Schedule::parse("aiosim1:delay:bound=0"), sim::ReplayParseError);
    CHECK_THROWS_AS(sim::Schedule::parse("aiosim1:delay:bound=65"), sim::ReplayParseError);
    sim::Schedule bad;
    bad.delay_bound = 0;
    CHECK_THROWS_AS(sim::validate(bad), sim::ConfigError);
}
