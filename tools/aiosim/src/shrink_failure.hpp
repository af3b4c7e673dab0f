#pragma once
// Internal: shrinking a failing schedule of a scenario without losing its failure (for
// `aiosim shrink` and `aiosim explore --shrink`).
//
// The input string is run once, strictly; its failure signature (sim_run.hpp) is the one to
// keep: aio::check::shrink_replay only accepts a smaller schedule whose run fails the same way
// (aio::sim::same_failure: the same signature), so a lost update never shrinks into, say, a deadlock. The printed result
// is never longer than the input: when the shrunk string would be longer (a short seeded
// string such as aiosim1:random:seed=7 whose decisions take more characters to list), its
// seed, which only notes where it came from, is left out; if it is still longer, the input
// is printed back. The result is run once more, strictly, before it is returned.
#include <cstddef>
#include <string>

#include <aio/check/shrink.hpp>

#include "sim_run.hpp"

namespace aio::cli {

struct ShrunkFailure {
    aio::sim::RunFailure failure;     ///< of the input's run: the result fails the same way
    aio::check::ShrinkResult shrink;  ///< before/after/removed/runs, and the shrunk list
    std::string replay;               ///< the result to print: never longer than the input
    bool kept_input = false;          ///< the shrunk list was longer than the input, so it is the input
    SimRun run;                       ///< the result's strict run (its problems, trace hash, faults)
    SimRun input;                     ///< the input's run (its faults: what shrinking started from)
};

/// Throws aio::sim::ReplayParseError for a malformed string, aio::ValueError when its run
/// does not fail, or fails only because it no longer fits the program (a divergence: nothing
/// to shrink, record a new string), and std::logic_error if the result does not fail the
/// same way when run again (a bug: shrinking is deterministic).
ShrunkFailure shrink_failure(const scenario::Scenario& s, const std::string& replay, std::size_t max_runs);

}  // namespace aio::cli
