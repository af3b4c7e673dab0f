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
// Environment (read on every call, with aio/check/environment.hpp's parsers; a malformed
// value throws aio::ValueError naming the variable and the accepted forms, never a silent
// default). They let CI set the budget or replay one failure:
//   AIOSIM_SEEDS=N        N seeds per policy (seeds 1..N); AIOSIM_SEEDS=A..B: seeds A to B
//   AIOSIM_POLICY=p[,q]   only these policies (fifo, timers, random, pct)
//   AIOSIM_TIME_BUDGET=D  stop exploring after D of real time (e.g. 30s, 2m)
//   AIOSIM_REPLAY=STR     run exactly this schedule (strictly) instead of exploring
//   AIOSIM_CHECK=NAME     apply AIOSIM_REPLAY only to the check of this name
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <aio/run.hpp>
#include <aio/sim/sim_loop.hpp>

#include "aio/check/environment.hpp"
#include "aio/check/schedule.hpp"
#include "aio/check/shrink.hpp"

namespace aio::check {

struct ExploreOptions {
    /// Names the check in reports and in AIOSIM_CHECK.
    std::string name = "aio::check";
    std::vector<Policy> policies = all_policies();
    /// Seeds first_seed .. first_seed + seeds - 1, each under every policy but fifo (which
    /// runs once: it has no seed). The last seed must fit in 64 bits (aio::ValueError).
    std::uint64_t seeds = 100;
    std::uint64_t first_seed = 1;
    /// Real time for the whole exploration (checked between seeds; the first seed always
    /// runs); unset: no limit (the seed count bounds it). At most max_time_budget.
    std::optional<std::chrono::milliseconds> time_budget;
    /// Let a check that made no run pass (its summary says so); by default it fails.
    bool allow_empty = false;
    bool shrink = true;
    /// Everything else of each run's configuration (limits, pct depth, jitter, task start).
    aio::sim::Config base{};
    /// Where the report goes on failure; empty: standard error. Tests may silence it.
    std::function<void(const std::string&)> print;
};

struct Failure {
    Policy policy = Policy::fifo;
    std::uint64_t seed = 0;
    std::string error;         // the exception's description, or "the predicate ...".
    std::string found_replay;  // the failing run as found (its recorded decisions)
    std::string replay;        // shrunk (or as found, when not shrinking): replays strictly
    std::size_t decisions_before = 0;
    std::size_t decisions_after = 0;
    std::string replay_command;  // AIOSIM_CHECK=... AIOSIM_REPLAY=... <this program's command>
    std::string seed_command;    // AIOSIM_CHECK=... AIOSIM_POLICY=... AIOSIM_SEEDS=S..S <command>
};

struct ExploreResult {
    bool ok = true;
    std::uint64_t runs = 0;  // runs made (shrinking included)
    std::optional<Failure> failure;
    std::string report;   // what was printed (empty when ok)
    std::string summary;  // always: the verdict and how many runs were made
    explicit operator bool() const noexcept { return ok; }
};

/// One run under cfg: the failure's description, or nullopt when it passed. cfg must reach
/// aio::sim::loop_factory unchanged.
using RunOne = std::function<std::optional<std::string>(const aio::sim::Config&)>;

/// The engine behind for_all_schedules.
ExploreResult explore(const RunOne& run_one, ExploreOptions options = {});

namespace detail {
// The predicate of a check without one: every result is fine (only an escaped exception
// fails). Called like any predicate, so the lambda below always uses its capture.
struct NoPredicate {
    template <class... T>
    bool operator()(const T&...) const noexcept {
        return true;
    }
};

template <class F, class Pred>
RunOne make_run_one(F make_main, Pred pred) {
    return [make_main = std::move(make_main),
            pred = std::move(pred)](const aio::sim::Config& cfg) mutable -> std::optional<std::string> {
        using Coro = std::invoke_result_t<F&>;
        using T = typename Coro::value_type;
        try {
            aio::RunOptions ro{.loop_factory = aio::sim::loop_factory(cfg)};
            if constexpr (std::is_void_v<T>) {
                aio::run(make_main(), std::move(ro));
                if (!pred()) return "the predicate returned false";
            } else {
                T value = aio::run(make_main(), std::move(ro));
                if (!pred(value)) return "the predicate returned false for the result";
            }
        } catch (...) {
            return "exception: " + aio::describe(std::current_exception());
        }
        return std::nullopt;
    };
}
}  // namespace detail

/// Fails when make_main()'s program throws under some schedule.
template <class F>
ExploreResult for_all_schedules(F make_main, ExploreOptions options = {}) {
    return explore(detail::make_run_one(std::move(make_main), detail::NoPredicate{}), std::move(options));
}

/// Fails when the program throws or pred(result) (pred() for a void program) is false.
template <class F, class Pred>
ExploreResult for_all_schedules(F make_main, Pred pred, ExploreOptions options = {}) {
    return explore(detail::make_run_one(std::move(make_main), std::move(pred)), std::move(options));
}

/// The command line of this process, shell-quoted ("./tests -tc='a b'"), from /proc.
std::string this_command();

}  // namespace aio::check
