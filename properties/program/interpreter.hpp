#pragma once
// Runs a Program on the aio runtime (through shim.hpp) and observes what happened: each
// node's fate (as the model predicts it), plus the invariants that are checked while it runs:
// gather's argument order, exact sleep wake-ups, monotonic time, nested run() throwing, and
// coroutine frames created and destroyed.
#include <cstdint>
#include <string>
#include <vector>

#include <aio/aio.hpp>

#include "fates.hpp"
#include "program.hpp"

namespace aio::props {

/// The virtual time unit of programs: large against the simulator's timer jitter (1 ms by
/// default), so jitter never moves an event into another unit and the outcome holds under
/// the timers policy too.
inline constexpr aio::Duration unit = std::chrono::seconds(1);

struct Observed {
    Fates outcome;
    std::string run_error;            // an unexpected exception out of run (not ProgError/CancelledError)
    int gather_order_violations = 0;  // a gather result not in argument order
    int task_group_violations = 0;    // a TaskGroup block ended with a child not done
    int sleep_violations = 0;         // a sleep that woke before or after its deadline
    int timeout_violations = 0;       // a timeout that fired off its deadline
    int timeouts_fired = 0;
    int time_went_back = 0;       // loop.time() smaller than a time seen before
    int nested_run_failures = 0;  // a nested aio::run() that did not throw RuntimeError
    int nested_runs = 0;
    int unreported_errors = 0;           // reached the loop's exception handler
    std::int64_t live_frames_after = 0;  // coroutine frames alive after run (leaks)
    std::int64_t max_live_frames = 0;
    std::vector<std::string> events;  // "t=3 n2 raised 5": a deterministic log of the run
};

struct InterpretOptions {
    /// A sleep of d must wake after between d and d + late of virtual time. 0 (exactly at its
    /// deadline) except under the timers policy, which may start a timer and wake the idle
    /// loop up to its jitter late.
    aio::Duration late{0};
};

/// Runs p under `run_options` (its loop_factory decides the loop and the schedule).
Observed interpret(const Program& p, aio::RunOptions run_options, InterpretOptions opt = {});

}  // namespace aio::props
