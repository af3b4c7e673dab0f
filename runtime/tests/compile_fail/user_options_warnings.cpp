// expect: compiles
// flags: -O0 -Wall -Wextra -Werror
// A user's test as the README writes it, under a user's strict warnings: designated
// initialisers of the options (fields left out) raise no -Wmissing-field-initializers.
#include <aio/check.hpp>
#include <aio/check/rapidcheck.hpp>
#include <aio/sim/sim.hpp>

#include <optional>
#include <string>

aio::Coro<int> prog() { co_return 1; }

int main() {
    auto v = aio::check::for_all_schedules([] { return prog(); }, [](int x) { return x == 1; },
                                           {.name = "user", .seeds = 3});
    auto w = aio::check::for_all_schedules([] { return prog(); },
                                           [](int x) -> std::optional<std::string> {
                                               if (x == 1) return std::nullopt;
                                               return "x is not 1";
                                           },
                                           {.name = "message",
                                            .policies = {aio::check::Policy::timers},
                                            .base = {.schedule = {.jitter = {}}},
                                            .trace_file = "t.json"});
    auto u = aio::check::for_all_schedules([] { return prog(); }, {.name = "no predicate", .seeds = 2});
    aio::sim::Config cfg{.schedule = {.policy = aio::sim::Policy::random, .seed = 42}};
    aio::check::ScheduleGenOptions gen{.max_decisions = 2};
    (void)cfg;
    (void)gen;
    return v.ok && w.ok && u.ok ? 0 : 1;
}
