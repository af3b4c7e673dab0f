#pragma once
// aio::check::for_all_schedules: runs a coroutine program under many schedules (seeds x
// policies, or a real-time budget) in the simulator and checks that it never throws and that
// a predicate holds for its result. On failure it shrinks the failing schedule toward
// asyncio's own order and prints (to standard error, and in ExploreResult::report) the policy and
// seed, the shrunk replay string and the exact command that replays it.
//
//     TEST_CASE("the pool never hands out more than its capacity") {
//         auto v = aio::check::for_all_schedules(
//             [] { return pool_scenario(); },              // a fresh program per run
//             [](const Stats& s) { return s.max_in_use <= 2; },
//             {.name = "pool capacity"});
//         CHECK_MESSAGE(v.ok, v.report);
//     }
//
// make_main() must build everything the run uses (the simulator runs it once per schedule).
// A run fails when aio::run throws (the program's exception, a sim::Deadlock, a
// sim::LimitExceeded...) or when the predicate returns false.
//
// A check that runs nothing does not pass: with no run made (seeds = 0, no policies) the
// verdict fails and its report says so, unless the caller set allow_empty (for example a
// shard of a larger exploration that may legitimately get no seeds). ExploreResult::summary always
// says how many runs were made.
//
// The default portfolio (ExploreOptions::policies left as it is: portfolio_policies() in
// schedule.hpp, the one list): asyncio's own order first (fifo, once), then the strategies
// interleaved across seeds (seed 1 under timers, pct, random, then seed 2 under each...), pct
// fitted to the program (ExploreOptions::fit_pct). The report names the strategy, the seed
// and the run that found the failure ("found by random, seed 12, run 38 of the exploration"),
// and the summary counts the runs of each strategy.
//
// Orders CPython cannot run: a failure whose shrunk schedule still needs a decision CPython's
// asyncio never makes (a non-zero ready-queue decision 'r': a later ready entry run before the
// front; or a per-task mix of eager and scheduled starts: aio::sim::cpython_can_run(const
// Schedule&)) shows that the code relies on what asyncio guarantees (the FIFO order of
// call_soon, the order in which woken waiters resume), not a bug CPython can run into. By
// default it does not fail the check: the verdict stays ok, the failure goes to
// ExploreResult::order_only, the report gets a warning section ("found only in orders
// CPython's asyncio cannot run: ..."), and the exploration goes on over the rest of its budget
// looking for a failure in an order CPython can run, which fails the check as usual (and ends
// the exploration). A failure is classified by its shrunk schedule, so one found by random but
// shrunk to timer-tie or fault decisions only is a plain failure. Failures with the same
// signature (aio::sim::signature) as one already shrunk to such an order are counted with it
// without shrinking again; at most max_order_only distinct ones are shrunk and kept (later ones
// count as order-only, unshrunk). ExploreOptions::strict_order (AIOSIM_STRICT_ORDER=1) makes
// them plain failures.
//
// The report says whether CPython's asyncio can run the failing order (judged by the shrunk
// schedule's decisions), shows a predicate's failing result (formatted with fmt), and its
// commands rerun only the failing doctest case when aio/check/doctest_check.hpp is included.
//
// Environment (read on every call, with aio/check/environment.hpp's parsers; a malformed
// value throws aio::ValueError naming the variable and the accepted forms, never a silent
// default). They let CI set the budget or replay one failure:
//   AIOSIM_SEEDS=N        N seeds per policy (seeds 1..N); AIOSIM_SEEDS=A..B: seeds A to B
//   AIOSIM_POLICY=p[,q]   only these policies (fifo, timers, random, pct, pos, urw, delay) instead of the portfolio
//   AIOSIM_STRICT_ORDER=1 a failure found only in an order CPython cannot run fails the check
//   AIOSIM_TIME_BUDGET=D  stop exploring after D of real time (e.g. 30s, 2m)
//   AIOSIM_REPLAY=STR     run exactly this schedule (strictly) instead of exploring
//   AIOSIM_CHECK=NAME     apply AIOSIM_REPLAY (and AIOSIM_TRACE) only to the check of this name
//   AIOSIM_TRACE=FILE     write the failing run's trace to FILE (ExploreOptions::trace_file)
//   AIOSIM_CORPUS=DIR     replay DIR's regression corpus entries of this check first
//                         (ExploreOptions::corpus; aio/check/corpus.hpp)
//   AIOSIM_SAVE_FAILURES=DIR  save the failure as a corpus entry in DIR (ExploreOptions::save_failures)
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include <aio/coro.hpp>
#include <aio/run.hpp>
#include <aio/sim/failure.hpp>
#include <aio/sim/sim_loop.hpp>

#include "aio/check/coverage.hpp"
#include "aio/check/environment.hpp"
#include "aio/check/schedule.hpp"
#include "aio/check/shrink.hpp"

namespace aio::check {

struct ExploreOptions {
    /// Names the check in reports and in AIOSIM_CHECK.
    std::string name = "aio::check";
    /// The default portfolio (portfolio_policies()): fifo, then the strategies interleaved.
    std::vector<Policy> policies = portfolio_policies();
    /// Seeds first_seed .. first_seed + seeds - 1, each under every policy but fifo (which
    /// runs once: it has no seed). The last seed must fit in 64 bits (aio::ValueError).
    std::uint64_t seeds = 100;
    std::uint64_t first_seed = 1;
    /// Real time for the whole exploration (checked between seeds; the first seed always
    /// runs); unset: no limit (the seed count bounds it). At most max_time_budget.
    std::optional<std::chrono::milliseconds> time_budget{};
    /// Let a check that made no run pass (its summary says so); by default it fails.
    bool allow_empty = false;
    bool shrink = true;
    /// A failure found only in an order CPython's asyncio cannot run fails the check too
    /// (AIOSIM_STRICT_ORDER=1); false: it is a warning (ExploreResult::order_only).
    bool strict_order = false;
    /// pct runs fitted to the program (pct_steps portfolio_pct_steps(): the change points
    /// spread over the steps the plan's measuring fifo run made), whatever base.schedule.pct_steps
    /// says; false: base.schedule.pct_steps as given.
    bool fit_pct = true;
    /// Everything else of each run's configuration (base.schedule's limits, pct depth, jitter, task
    /// start; each run sets the policy and seed).
    aio::sim::Config base{};
    /// Where the report goes on failure (in parts, as they are known: the failure, then saved
    /// corpus entries and the coverage lines; their concatenation is ExploreResult::report);
    /// empty: standard error. AIOSIM_CHECK_SCHEDULES
    /// (aio/check/doctest_check.hpp) silences it and reports once, through doctest.
    std::function<void(const std::string&)> print{};
    /// If set, the failing run (shrunk, when shrinking) runs once more with full tracing and
    /// its trace is written to this file: Chrome trace-event JSON (opens in Perfetto) when the
    /// name ends in ".json", the text form otherwise. AIOSIM_TRACE=FILE sets it (for the check
    /// AIOSIM_CHECK names, when that is set).
    std::string trace_file{};
    /// Record which conflicting await-point pairs each run showed in which order
    /// (Config::coverage) and report it (ExploreResult::coverage, the "coverage:" line of the
    /// summary and the report; aio/check/coverage.hpp). Costs a little per run.
    bool coverage = true;
    /// A regression corpus (aio/check/corpus.hpp): its entries for this check (`check: NAME`,
    /// this check's name) are replayed strictly before exploring. A reproduced or changed entry
    /// fails the check at once (not shrunk: the entry's string is the one to replay); a fixed
    /// one passes; a stale one (its string no longer fits the program) is no pass: it is
    /// listed in ExploreResult::stale_corpus and in the summary, and printed as a warning.
    /// AIOSIM_CORPUS=DIR sets it. Empty: no corpus.
    std::string corpus{};
    /// Where a failure is saved as a corpus entry (its shrunk string, one file per failure
    /// signature: an entry already there is not written again); the report says where.
    /// AIOSIM_SAVE_FAILURES=DIR sets it. Empty: not saved.
    std::string save_failures{};
    /// Instead of seeds: every schedule with at most this many deviations from asyncio's
    /// order, once each (aio/check/bounded.hpp: the delay policy's choice points, breadth
    /// first), stopping at the first failure (the fewest deviations, so it is not shrunk) or at
    /// exhaustive_max_runs. The summary says whether the space was covered completely ("all
    /// 1,234 schedules with <= 2 deviations: no failure (covered completely)"). 0 to 64.
    /// As in a sampled exploration, a failing schedule CPython cannot run (an r decision) is
    /// order-only (ExploreResult::order_only, a warning) unless strict_order; the walk stops at
    /// the first failure CPython can run (every failure under strict_order).
    std::optional<int> exhaustive_bound{};
    std::uint64_t exhaustive_max_runs = 1'000'000;
};

struct Failure {
    Policy policy = Policy::fifo;  // the strategy that found it
    std::uint64_t seed = 0;
    /// Which run of the exploration found it, from 1 (run order: fifo, then each seed under
    /// every strategy); 0 for an AIOSIM_REPLAY run.
    std::uint64_t run = 0;
    /// Failing runs counted as this failure (order-only failures of the same signature).
    std::uint64_t occurrences = 1;
    /// How the run failed: the kind (an exception, a deadlock, a limit, a divergence, the
    /// predicate), the exception itself, the message.
    aio::sim::RunFailure cause{};
    std::string error;         // the report's line for it: "exception: TYPE: what", or "the predicate ..."
    std::string found_replay;  // the failing run as found (its recorded decisions)
    std::string replay;        // shrunk (or as found, when not shrinking): replays strictly
    std::size_t decisions_before = 0;
    std::size_t decisions_after = 0;
    std::string replay_command;  // AIOSIM_CHECK=... AIOSIM_REPLAY=... <this program's command>
    std::string seed_command;    // AIOSIM_CHECK=... AIOSIM_POLICY=... AIOSIM_SEEDS=S..S <command>
    /// Whether CPython's asyncio can run the failing order, judged by the shrunk schedule's
    /// decisions (aio::sim::cpython_can_run(const Schedule&)): no ready-queue decision, no
    /// per-task start mix.
    bool cpython_order = false;
    std::string trace_file;    // where the failing run's trace was written; empty: not written
    std::string corpus_entry;  // the corpus entry (file name) that failed again; empty: found exploring
    std::string saved_to;      // the corpus entry file it was saved to (or is in already); empty: not saved
};

/// How many distinct order-only failures a check shrinks and keeps (ExploreResult::order_only).
inline constexpr std::size_t max_order_only = 8;

struct ExploreResult {
    bool ok = true;
    std::uint64_t runs = 0;  // runs made (shrinking included)
    /// The failure that fails the check: in an order CPython can run (any failure, with
    /// strict_order).
    std::optional<Failure> failure;
    /// Failures found only in orders CPython's asyncio cannot run (not with strict_order):
    /// each distinct one (by signature), shrunk, in the order found; they leave ok true.
    std::vector<Failure> order_only;
    /// Failing runs counted as order-only (all of order_only's occurrences, and those past
    /// max_order_only).
    std::uint64_t order_only_runs = 0;
    std::string report;   // what was printed: the failure and the warning section (empty when neither)
    std::string warning;  // the warning section alone (empty without order-only failures)
    std::string summary;  // always: the verdict, how many runs were made, and per strategy
    /// The corpus entries (file names) of this check that no longer fit the program.
    std::vector<std::string> stale_corpus;
    std::uint64_t corpus_replayed = 0;  // corpus entries replayed
    /// What the exploration's runs covered (shrinking and trace runs not included), in run order;
    /// the summary and the report end with its lines (aio/check/coverage.hpp).
    Coverage coverage{};
    explicit operator bool() const noexcept { return ok; }
};

/// One run under cfg: how it failed, or nullopt when it passed. cfg and record must reach
/// aio::sim::loop_factory unchanged (the explorer reads the run's schedule from its record).
using RunOne =
    std::function<std::optional<aio::sim::RunFailure>(const aio::sim::Config& cfg, const aio::sim::RecordSink& record)>;

/// The engine behind for_all_schedules: the environment, run_plan (plan.hpp) over the
/// options, shrinking, and the report.
ExploreResult explore(const RunOne& run_one, ExploreOptions options = {});

namespace detail {
// The predicate of a check without one: only an escaped exception fails.
struct NoPredicate {};

/// "the predicate returned false for the result: <value>" (fmt's formatting of the value
/// when it has one, cut after max_shown_value characters), or without the value.
inline constexpr std::size_t max_shown_value = 1000;
template <class T>
std::string predicate_failed_for(const T& value) {
    if constexpr (fmt::is_formattable<T>::value) {
        std::string shown = fmt::format("{}", value);
        if (shown.size() > max_shown_value) shown = shown.substr(0, max_shown_value) + "...";
        return "the predicate returned false for the result: " + shown;
    } else {
        return "the predicate returned false for the result (not formattable with fmt: give the result a "
               "fmt::formatter to see it here, or return a message from the predicate)";
    }
}

/// A predicate returns bool, or std::optional<std::string>: nullopt when it holds, else the
/// message the report shows.
template <class R, class Shown>
std::optional<std::string> predicate_verdict(R&& r, Shown&& describe) {
    if constexpr (std::is_same_v<std::decay_t<R>, std::optional<std::string>>) {
        std::optional<std::string> message = std::forward<R>(r);
        if (message) return "the predicate failed: " + *message;
        return std::nullopt;
    } else {
        static_assert(std::is_convertible_v<R, bool>,
                      "aio::check::for_all_schedules: the predicate must return bool, or "
                      "std::optional<std::string> (nullopt: it holds; a string: why it does not)");
        if (static_cast<bool>(r)) return std::nullopt;
        return describe();
    }
}

template <class F>
inline constexpr bool makes_coro = [] {
    if constexpr (std::is_invocable_v<F&>)
        return aio::is_coro_v<std::invoke_result_t<F&>>;
    else
        return false;
}();

template <class F>
constexpr bool check_makes_coro() {
    static_assert(makes_coro<F>,
                  "aio::check::for_all_schedules() takes a function that makes the program, called once per "
                  "run: pass `[] { return prog(); }` (a lambda returning aio::Coro<T>), not the coroutine `prog()` "
                  "itself");
    return makes_coro<F>;
}

template <class F, class Pred>
RunOne make_run_one(F make_main, Pred pred) {
    return [make_main = std::move(make_main), pred = std::move(pred)](
               const aio::sim::Config& cfg,
               const aio::sim::RecordSink& record) mutable -> std::optional<aio::sim::RunFailure> {
        using Coro = std::invoke_result_t<F&>;
        using T = typename Coro::value_type;
        (void)pred;  // unused without a predicate (clang's -Wunused-lambda-capture)
        auto predicate_false = [](std::optional<std::string> message) -> std::optional<aio::sim::RunFailure> {
            if (!message) return std::nullopt;
            return aio::sim::RunFailure{aio::sim::FailureKind::predicate, nullptr, {}, std::move(*message)};
        };
        try {
            aio::RunOptions ro{.loop_factory = aio::sim::loop_factory(cfg, record)};
            if constexpr (std::is_void_v<T>) {
                aio::run(make_main(), std::move(ro));
                if constexpr (!std::is_same_v<Pred, NoPredicate>)
                    return predicate_false(
                        predicate_verdict(pred(), [] { return std::string("the predicate returned false"); }));
            } else {
                T value = aio::run(make_main(), std::move(ro));
                if constexpr (!std::is_same_v<Pred, NoPredicate>)
                    return predicate_false(
                        predicate_verdict(pred(value), [&value] { return predicate_failed_for(value); }));
            }
        } catch (...) {
            return aio::sim::RunFailure::from_exception(std::current_exception());
        }
        return std::nullopt;
    };
}
}  // namespace detail

/// Fails when make_main()'s program throws under some schedule.
template <class F>
ExploreResult for_all_schedules(F make_main, ExploreOptions options = {}) {
    if constexpr (!detail::check_makes_coro<F>())
        return {};
    else
        return explore(detail::make_run_one(std::move(make_main), detail::NoPredicate{}), std::move(options));
}

/// Fails when the program throws or pred(result) (pred() for a void program) is false (the
/// report shows the result, formatted with fmt when it can be) or returns a message.
template <class F, class Pred>
ExploreResult for_all_schedules(F make_main, Pred pred, ExploreOptions options = {}) {
    if constexpr (!detail::check_makes_coro<F>())
        return {};
    else
        return explore(detail::make_run_one(std::move(make_main), std::move(pred)), std::move(options));
}

/// The command line of this process, shell-quoted ("./tests -tc='a b'"), from /proc.
std::string this_command();

/// Gives the argument that makes a replay command rerun only the running test (for example
/// "-tc=name"), or "" outside a test. aio/check/doctest.hpp registers one for doctest.
using RerunFilter = std::string (*)();
/// Installs the filter the failure reports append to their commands (replacing any filter of
/// the same option already on the command line); nullptr: none.
void set_rerun_filter(RerunFilter filter) noexcept;

}  // namespace aio::check
