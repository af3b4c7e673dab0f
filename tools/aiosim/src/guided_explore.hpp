#pragma once
// `aiosim explore NAME --guided --seeds N [--seed-start S]`: coverage-guided exploration
// (aio::check::explore_guided, aio/check/guided.hpp) of a scenario: N runs, the mutator seeded
// with S; stops at the first failing run.
#include <cstdint>

#include <aio/scenario/registry.hpp>
#include <aio/sim/config.hpp>

#include "command.hpp"

namespace aio::cli {

/// Prints the exploration's report to env.out (a failure's problems and replay command too).
/// Exit status: 1 when a run failed, 0 otherwise; with expect_failure, the reverse.
int explore_guided(Env& env, const scenario::Scenario& s, const aio::sim::Config& base, std::uint64_t runs,
                   std::uint64_t seed, bool expect_failure);

}  // namespace aio::cli
