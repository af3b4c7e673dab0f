#pragma once
// aio::check::explore_guided: coverage-guided exploration (issue 13, section 3). A corpus of
// schedules (decision lists) that reached conflicting await-point pairs no earlier run had
// reached; each run takes one corpus entry, mutates its decisions as a fuzzer mutates an input
// (add a decision, remove one, change one's index, move one to another position), replays it
// leniently (lenient_config: a decision that does not fit is bent to the nearest candidate)
// with coverage on, and keeps the schedule it actually ran when the run reached a new pair.
//
//     auto r = aio::check::explore_guided(run_one, {.seed = 7, .runs = 1000});
//     if (r.first_failure) fmt::print("failed at run {}: {}\n", *r.first_failure, r.failing_replay);
//
// The first run is asyncio's own order (the empty decision list); its schedule seeds the
// corpus. Everything is drawn from the project's Prng seeded with `seed`, and the corpus and
// the set of pairs are ordered containers: the same seed makes the same runs. A pair is named
// by its two await points ("file.cpp:42" each, RunCoverage), so pairs of different runs
// compare. Without coverage in the run's record (RunRecord::coverage unset), no run adds to
// the corpus and every run mutates asyncio's own order.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <aio/sim/config.hpp>
#include <aio/sim/failure.hpp>
#include <aio/sim/record.hpp>

namespace aio::check {

struct GuidedOptions {
    /// Seeds the mutator (which entry, which mutation, where).
    std::uint64_t seed = 1;
    /// Runs, the first (asyncio's order) included.
    std::uint64_t runs = 1000;
    /// Stop at the first failing run.
    bool stop_at_first = true;
    /// Each run's configuration (limits, parameters); its schedule's policy names the choice
    /// kinds offered (random by default: every kind a perturbing policy offers), its decision
    /// list is the mutated one, and coverage is set.
    aio::sim::Config base{.schedule = {.policy = aio::sim::Policy::random}};
};

/// One run under cfg: how it failed (nullopt: it passed), and its record (nullopt: no loop ran).
struct GuidedRun {
    std::optional<aio::sim::RunFailure> failure{};
    std::optional<aio::sim::RunRecord> record{};
};
using GuidedRunOne = std::function<GuidedRun(const aio::sim::Config& cfg)>;

struct GuidedResult {
    std::uint64_t runs = 0;
    /// The run (1-based: the number of runs made up to it) that failed first.
    std::optional<std::uint64_t> first_failure{};
    std::optional<aio::sim::RunFailure> failure{};
    std::string failing_replay{};  // its replay string (replays strictly)
    std::uint64_t corpus_size = 0;
    std::uint64_t pairs_seen = 0;  // distinct ordered conflicting await-point pairs reached
};

GuidedResult explore_guided(const GuidedRunOne& run_one, const GuidedOptions& options = {});

}  // namespace aio::check
