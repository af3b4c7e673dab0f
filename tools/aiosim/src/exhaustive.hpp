#pragma once
// Internal: `aiosim explore NAME --exhaustive K`: every schedule of the scenario with at most K
// deviations from asyncio's order (aio::check::explore_bounded, aio/check/bounded.hpp), with
// the count per deviation count and whether the space was covered completely.
#include <cstdint>
#include <string>

#include <aio/scenario/registry.hpp>
#include <aio/sim/config.hpp>

#include "command.hpp"

namespace aio::cli {

struct ExhaustiveArgs {
    std::string name;            // the scenario's, for the report and the replay command
    int bound = 2;               // K
    std::uint64_t max_runs = 0;  // 0: no limit
    unsigned jobs = 1;
    bool stop_at_first = false;   // else every schedule runs and the failures are counted
    bool expect_failure = false;  // exit 0 when one fails, 1 when none does
    aio::sim::Config base{};      // network and limits; the policy becomes delay
    std::string network_line{};   // printed under the header
};

/// Runs the enumeration and prints its report; returns the exit status (0: no failure, 1: a
/// failure; the reverse with expect_failure; 2: an internal error).
int run_exhaustive(Env& env, const scenario::Scenario& s, const ExhaustiveArgs& args);

}  // namespace aio::cli
