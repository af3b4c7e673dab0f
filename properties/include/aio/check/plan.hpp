#pragma once
// aio::check::run_plan: the one exploration loop, behind both for_all_schedules (explore.hpp)
// and `aiosim explore`. It runs a program once per (seed, policy) of an ExplorePlan, in run
// order: seed 0 under every policy, then seed 1, ..., where seed i is
// first_seed + shard_index + i * shard_total (a shard takes every shard_total-th seed: the
// convention of Bazel, CTest and gtest runners). fifo has no seed: with fifo_once it runs once
// (on the first seed), and a plan whose only policy is fifo walks one seed.
//
// Runs may go to `jobs` threads, each with its own loop; results are delivered to the visitor
// and tallied in run order whatever the number of jobs, so with a seed budget the tally is the
// same for any number of jobs (only the time differs). Memory stays bounded: a run that
// finished early waits in a window of at most `window` runs for the slower ones before it.
// With several jobs a worker takes a few consecutive runs at a time and hands their results
// over together; the visitor and the judge are called on whichever worker's thread completes
// the run order (one call at a time), and a result is destroyed on the thread of the worker
// that made it (its memory was allocated there: no allocator traffic between the threads).
// With stop_at_first the exploration ends at the first failing run in run order (later runs,
// whichever thread made them, are discarded). A time budget is checked before each seed but
// the first: the first seed always runs under every policy.
//
// Failures are plain or warnings: a FailureJudge (run_plan's last argument), called in run
// order, says which. A warning (for the check helpers and the CLI: a failure found only in an
// order CPython's asyncio cannot run) is tallied apart and never stops the plan, so the
// exploration goes on looking for a plain failure.
//
// Strategies fitted to the program (urw, pct with Schedule::pct_steps 0, delay with delay_points 0)
// need the steps per task (and delay the choice points) of a first run: when a run of the plan
// needs them (needs_step_profile, needs_point_count) and the base does not give them,
// run_plan first measures the program with one run with every decision 0 (asyncio's own
// order, no fault, no eager start: the plan's fifo run, made once more whatever the seeds, so
// that an exploration and its seed command, e.g. AIOSIM_POLICY=pct AIOSIM_SEEDS=12..12,
// measure the same; under delay when the choice points are needed, which it counts), before
// any run of the plan, and gives its RunResult::steps_per_task and choice_points to every run
// of the plan (Config::step_profile, Config::measured_points). That run is
// outside the plan (ExploreTally::measuring_runs; neither visited, judged nor tallied). The
// profile depends only on the program and the base configuration, so the runs are the same for
// any number of jobs.
//
// A plan that ran nothing does not pass (ExploreTally::ok), unless allow_empty says that running
// nothing is expected (a shard with no seed).
#include <any>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <aio/sim/config.hpp>
#include <aio/sim/coverage.hpp>
#include <aio/sim/failure.hpp>

#include "aio/check/schedule.hpp"

namespace aio::check {

struct ExplorePlan {
    std::vector<Policy> policies = all_policies();
    std::uint64_t first_seed = 1;
    /// Seeds of the whole exploration (before sharding); nullopt: every seed that fits in 64
    /// bits (a time budget then ends it).
    std::optional<std::uint64_t> seeds = 100;
    std::uint64_t shard_index = 0;
    std::uint64_t shard_total = 1;
    bool fifo_once = true;
    /// fifo ignores the seed. false: its runs get seed 0, so their replay strings name none
    /// (the check helpers); true: the walked seed stays in the Config, for reference (the CLI).
    bool fifo_keeps_seed = true;
    std::optional<std::chrono::milliseconds> time_budget{};
    unsigned jobs = 1;
    bool stop_at_first = true;
    bool allow_empty = false;
    /// Runs in flight ahead of the oldest unfinished one (jobs > 1).
    std::uint64_t window = 4096;
    /// Every run's configuration; each run sets its policy and seed (and drops any decisions).
    aio::sim::Config base{};

    /// How many seeds this shard walks (at most one when fifo is the only policy and runs once).
    std::uint64_t seed_count() const noexcept;
    /// The shard's i-th seed.
    std::uint64_t seed(std::uint64_t i) const noexcept { return first_seed + shard_index + i * shard_total; }
};

/// Where a run is in the plan.
struct RunAt {
    std::uint64_t index = 0;       // run order
    std::uint64_t seed_index = 0;  // i: the run's seed is plan.seed(i)
    Policy policy = Policy::fifo;
    std::uint64_t seed = 0;  // plan.seed(seed_index); 0 for fifo, which has none (its Config still notes it)
    /// The run that measures the program for fitted strategies (outside the plan: fifo with
    /// every decision 0; index and seed_index are then the largest uint64): the PlannedRun
    /// fills RunResult::steps_per_task for it.
    bool measuring = false;
    /// The worker making the run, 0 to jobs - 1 (0 for the measuring run): for the caller's
    /// per-worker state (counters each written by one thread only). Not part of the plan's
    /// order: which worker makes a run depends on timing.
    unsigned worker = 0;
};

/// What one run gave: how it failed (nullopt: it passed), and whatever the caller keeps of it
/// (the check helpers: its RunRecord; the command line: its scenario run).
struct RunResult {
    std::optional<aio::sim::RunFailure> failure{};
    std::any detail{};
    /// The run's coverage (Config::coverage), for the visitor to aggregate in run order.
    std::optional<aio::sim::RunCoverage> coverage{};
    /// The run's RunRecord::steps_per_task (its loop's, or its last loop's); run_plan reads it
    /// from the run that measures the program for fitted strategies (the fifo run).
    std::vector<std::uint64_t> steps_per_task{};
    /// The run's RunRecord::decisions (choice points offered), read from the measuring run
    /// for delay's fitted positions (Config::measured_points).
    std::uint64_t choice_points = 0;
};

/// One run under cfg; called from `jobs` threads at once when jobs > 1.
using PlannedRun = std::function<RunResult(const aio::sim::Config& cfg, const RunAt& at)>;
/// Every run, in run order, one call at a time.
using RunVisitor = std::function<void(const RunAt& at, const RunResult& result)>;
/// Whether a failing run is a plain failure (true: tallied in `failed`, and with stop_at_first
/// it ends the plan) or a warning (false: tallied in `warned`; the plan goes on). Called for
/// failing runs only, in run order, one call at a time, before the visitor; it may change the
/// result (keep what it learnt, e.g. a shrunk schedule). Unset: every failure is plain.
using FailureJudge = std::function<bool(const RunAt& at, RunResult& result)>;

/// What the measuring run gave: the steps per task and (under delay) the choice points.
struct Measured {
    std::shared_ptr<const std::vector<std::uint64_t>> step_profile{};
    std::uint64_t choice_points = 0;
    /// `cfg` with both set (what every run of the plan gets).
    void apply(aio::sim::Config& cfg) const;
};
/// The measuring run of fitted strategies (see above), under `base` (its policy, seed and
/// decisions replaced: delay when `points`, the choice points being asked for, else fifo;
/// both with every decision 0 run asyncio's own order, so the steps are the same).
Measured measure_program(const aio::sim::Config& base, const PlannedRun& run, bool points);
/// Whether a plan with these policies over `base` needs the measuring run: which of the two.
struct MeasureNeeds {
    bool steps = false;
    bool points = false;
    bool any() const noexcept { return steps || points; }
};
MeasureNeeds measure_needs(const std::vector<Policy>& policies, const aio::sim::Config& base) noexcept;

/// Whether a run under `s` needs the program's steps per task (Config::step_profile): urw,
/// and pct with pct_steps 0 (fitted).
bool needs_step_profile(const aio::sim::Schedule& s) noexcept;
/// Whether a run under `s` needs the number of choice points an all-zero run offers under
/// delay (Config::measured_points): delay with delay_points 0 (fitted).
bool needs_point_count(const aio::sim::Schedule& s) noexcept;

struct ExploreTally {
    std::uint64_t runs = 0;
    std::uint64_t failed = 0;
    /// Failing runs the judge called warnings (not in `failed`).
    std::uint64_t warned = 0;
    /// Runs per policy, in the order of the plan's policies (the runs of the plan, not the
    /// measuring run).
    std::vector<std::pair<Policy, std::uint64_t>> runs_by_policy{};
    /// What the measuring run gave the runs (Config::step_profile, Config::measured_points);
    /// empty when no run needed it.
    Measured measured{};
    /// Runs made outside the plan to measure it (0, or 1 for a plan needing the profile but
    /// without fifo).
    std::uint64_t measuring_runs = 0;
    /// Seeds started (all of seed_count() unless the time budget or a failure ended it; every
    /// seed when there is no policy, though none ran).
    std::uint64_t seeds_walked = 0;
    std::uint64_t seeds_planned = 0;  // seed_count()
    /// The first failing run in run order, and what it gave.
    std::optional<RunAt> first_failure_at{};
    RunResult first_failure{};
    bool allow_empty = false;
    bool budget_cut() const noexcept { return seeds_walked < seeds_planned && failed == 0; }
    /// The zero-run rule: no failure, and at least one run (unless running nothing was allowed).
    bool ok() const noexcept { return failed == 0 && (runs > 0 || allow_empty); }
};

/// Runs the plan. An exception from `run` (an internal error: a PlannedRun reports failures as
/// RunResult::failure) ends the exploration and is rethrown once every thread has stopped.
ExploreTally run_plan(const ExplorePlan& plan, const PlannedRun& run, const RunVisitor& visit = {},
                      const FailureJudge& judge = {});

}  // namespace aio::check
