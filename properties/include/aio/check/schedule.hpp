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
#include <string>
#include <vector>

#include <aio/sim/config.hpp>
#include <aio/sim/replay.hpp>

namespace aio::check {

using Schedule = aio::sim::Schedule;
using Policy = aio::sim::Policy;
using Decision = aio::sim::Decision;

/// Every policy: fifo, timers, random, pct.
const std::vector<Policy>& all_policies();

/// How many decisions deviate from asyncio's order (0 for a seeded schedule).
std::size_t nonzero_decisions(const Schedule& s);

/// A configuration that runs `s` exactly, bending listed decisions that do not fit the
/// program to the nearest candidate instead of failing (what shrinking and generated
/// schedules need; a recorded replay string fits, so this changes nothing for it).
aio::sim::Config lenient_config(const Schedule& s);

}  // namespace aio::check
