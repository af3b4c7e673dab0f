#pragma once
// aio::check::Schedule: what fixes the order of one simulated run (the simulator's
// aio::sim::Schedule: policy, parameters, seed, and the list of non-zero decisions).
//
// A decision is (position, kind, index): at the position-th choice point of the run the
// loop takes candidate `index` instead of 0, asyncio's own order. A schedule with no decision
// list is "follow the seed"; with a list, the listed decisions answer and every other one is
// 0. Its replay string (to_string(), Schedule::parse()) reproduces the run anywhere:
// "aiosim1:random:seed=42:2r3.r1".
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <aio/sim/config.hpp>
#include <aio/sim/replay.hpp>

namespace aio::check {

using Schedule = aio::sim::Schedule;
using Policy = aio::sim::Policy;
using Decision = aio::sim::Decision;

/// Every policy of the build (aio::sim::policies()): fifo, timers, random, pct, pos, urw, delay.
/// ExplorePlan's and ScheduleGenOptions' default; the portfolio is portfolio_policies().
const std::vector<Policy>& all_policies();

/// The default portfolio, the one place that lists it: what for_all_schedules (without
/// ExploreOptions::policies) and `aiosim explore NAME` (without --policy) run. asyncio's own
/// order first (fifo: once, on the first seed), then the strategies interleaved across seeds
/// (run_plan's run order: the first seed under every strategy, then the next seed...):
/// timers (timing noise asyncio leaves open), pos (partial-order sampling), urw (uniform random
/// walk weighted by the remaining steps), pct (fitted to the program: pct_steps 0, the change
/// points spread over the steps the measuring run made), delay (at most 2 deviations from
/// asyncio's order, at positions over the choice points a measuring run counted), random. Each finds bugs the
/// others need many more runs for; the report names the one that found the failure.
const std::vector<Policy>& portfolio_policies();
/// The pct_steps of the portfolio's pct runs: 0, fitted to the program (run_plan measures the
/// steps with the plan's fifo run and passes them in Config::step_profile).
std::uint64_t portfolio_pct_steps();
/// "fifo, timers, pos, urw, pct, delay, random": the portfolio's names, for reports and help texts.
std::string portfolio_names();

/// How many decisions deviate from asyncio's order (0 for a seeded schedule).
std::size_t nonzero_decisions(const Schedule& s);

/// A configuration that runs `s` exactly, bending listed decisions that do not fit the
/// program to the nearest candidate instead of failing (what shrinking and generated
/// schedules need; a recorded replay string fits, so this changes nothing for it).
aio::sim::Config lenient_config(const Schedule& s);

}  // namespace aio::check
