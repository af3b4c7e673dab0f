#pragma once
// aio::check::explore_bounded: every schedule with at most k deviations from asyncio's order,
// run once each, breadth first by the number of deviations, with an exact count and a verdict
// that says when the space was covered completely:
//
//     all 1,234 schedules with <= 2 deviations: no failure
//
// A deviation is a non-zero decision (decision.hpp: candidate 0 is asyncio's own choice) under
// the delay policy (policy.hpp), which offers ready-queue (r), timer-tie (t) and thread-order
// (w) choices, overtake (o: a due-soon timer fires before ready work), faults (f, b) when the fault
// budget allows and task starts (s) when TaskStart offers them; never jitter or latency. This
// is delay bounding (Emmi, Qadeer, Rakamaric, POPL 2011) enumerated instead of sampled.
//
// The walk: the all-zero run first (asyncio's order, seen through delay's choice points), with
// its choice points recorded (Config::record_points: position, kind, n). A run with decision
// list D, whose last deviation is at position q (-1 for the first run), has as children
// D + (p, i) for every point p > q the run offered and every index i in 1..n_p-1, while
// |D| < k. Each child replays D (the same prefix, so the same points up to p) and then takes i
// at p, so children are distinct schedules and every schedule with <= k deviations is reached
// exactly once: the count is exact. Layer d (runs with d deviations) runs before layer d+1;
// within a layer, runs go in their parents' order, then by position, then by index. Runs may go
// to `jobs` threads, each with its own loop; results are taken in that order whatever the
// number of jobs, so counts, the first failure and the report do not depend on it.
//
// It stops at the first failure in that order (the fewest deviations: no shrinking needed),
// or collects every failure (stop_at_first = false), at the run budget (max_runs), or when
// the space is exhausted. A program must be deterministic for its schedule (a child whose
// replay no longer fits is a ReplayDivergence failure, as for any replay).
//
// Cost: layer d holds about C(P, d) * (n-1)^d schedules for P choice points of n candidates;
// for small programs (tens of points) k = 1..3 is cheap, beyond that use the sampled delay
// policy (Schedule::delay_bound) or the portfolio.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <aio/sim/config.hpp>
#include <aio/sim/failure.hpp>
#include <aio/sim/record.hpp>

#include "aio/check/explore.hpp"

namespace aio::check {

inline constexpr int max_exhaustive_bound = 64;

struct BoundedFailure {
    std::vector<aio::sim::Decision> decisions;  // the failing schedule's deviations
    std::string replay;                         // replays it strictly (Config::from_replay)
    aio::sim::RunFailure cause{};
    std::uint64_t run = 0;         // its index in BFS order (0: the all-zero run)
    aio::sim::RunRecord record{};  // the failing run's record (empty if it made no loop)
};

struct BoundedOptions {
    /// k: the most deviations of a schedule, 0 (asyncio's order only) to 64.
    int bound = 2;
    /// Runs at most; 0: no limit (the space bounds it).
    std::uint64_t max_runs = 1'000'000;
    /// Stop at the first failing run (in BFS order); false: run the whole space and collect
    /// the failures (at most max_failures kept, all counted).
    bool stop_at_first = true;
    std::size_t max_failures = 100;
    /// With stop_at_first: the failures that stop the walk (empty: every failure). Others are
    /// counted and kept (up to max_failures) and the walk goes on; the one that stops it is
    /// always kept. for_all_schedules stops only at one CPython's asyncio can run (its
    /// order-only failures are warnings, explore.hpp).
    std::function<bool(const BoundedFailure&)> stops_at{};
    /// Threads running one layer's schedules (each run gets its own loop).
    unsigned jobs = 1;
    /// Every run's configuration: its policy becomes delay, its decisions the schedule's, and
    /// replay is strict; record_points is set for the runs whose children are needed.
    aio::sim::Config base{};
};

struct BoundedResult {
    int bound = 0;
    std::uint64_t runs = 0;
    /// runs_by_deviations[d]: schedules with exactly d deviations that ran.
    std::vector<std::uint64_t> runs_by_deviations{};
    /// space_by_deviations[d]: how many schedules with exactly d deviations exist, known once
    /// every run of layer d-1 has run (0 is 1); shorter than bound + 1 when a stop came first.
    std::vector<std::uint64_t> space_by_deviations{};
    /// Every schedule with <= bound deviations ran (with stop_at_first: and none failed).
    bool complete = false;
    bool budget_cut = false;  // max_runs ended it
    std::uint64_t failed = 0;
    std::vector<BoundedFailure> failures{};  // in BFS order
    /// "all 1,234 schedules with <= 2 deviations: no failure", or what ran and why it stopped.
    std::string summary{};
    /// One line per deviation count: "  2 deviations: 1,100 of 1,100 schedules".
    std::string layers{};
    bool ok() const noexcept { return failed == 0 && runs > 0; }
};

/// One run of the enumeration: how it failed, and the record of its (last) loop, or nullopt
/// when it made none. Called from `jobs` threads at once when jobs > 1.
struct BoundedRun {
    std::optional<aio::sim::RunFailure> failure{};
    std::optional<aio::sim::RunRecord> record{};
};
using BoundedRunFn = std::function<BoundedRun(const aio::sim::Config& cfg)>;

/// The enumeration over any runner (the command line passes its scenario runs).
BoundedResult explore_bounded(const BoundedRunFn& run, BoundedOptions options = {});
/// The same over a check's RunOne (explore.hpp): each run gets a Recorder.
BoundedResult explore_bounded(const RunOne& run_one, BoundedOptions options = {});

/// 1234567 -> "1,234,567".
std::string with_commas(std::uint64_t n);

/// The number of choice points an all-zero run under delay offers with `base`'s other
/// parameters (what Config::measured_points fits delay's pts=0 to); 0 when it made no loop.
std::uint64_t measure_delay_points(const RunOne& run_one, const aio::sim::Config& base);

}  // namespace aio::check
