#pragma once
// aio::sim::Config: how a simulated run is scheduled, bounded and traced: its Schedule
// (schedule.hpp: policy, parameters, limits, and the decisions of a replay) and the loop's
// other settings. What happened comes out of the run as a RunRecord (record.hpp), given to
// the RecordSink passed beside the Config.
//
//     aio::sim::Config cfg{.schedule = {.policy = aio::sim::Policy::random, .seed = 42}};
//     aio::sim::Recorder rec;
//     aio::run(amain(), {.loop_factory = aio::sim::loop_factory(cfg, rec)});
//     auto again = aio::sim::Config::from_replay(rec->replay);   // the same run again
//
// The SimLoop constructor validates a Config (validate.hpp has the ranges): a value out of
// range throws aio::sim::ConfigError naming the field instead of breaking the run.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "aio/clock.hpp"
#include "aio/sim/decision.hpp"
#include "aio/sim/replay.hpp"  // from_replay throws its ReplayParseError
#include "aio/sim/schedule.hpp"
#include "aio/sim/trace.hpp"

namespace aio::sim {

struct Config {
    /// The policy and its parameters; with a decision list, the run follows it (a replay).
    Schedule schedule{};
    TraceMode trace = TraceMode::off;
    /// With a decision list: a decision that does not fit is a ReplayDivergence (strict) or
    /// is bent to fit (lenient: index clamped, kind not checked; for shrinking).
    bool strict_replay = true;
    /// Record the per-step fingerprint (RunRecord::fingerprint; check_determinism sets it).
    /// Costs a virtual call per step.
    bool fingerprint = false;
    /// Record which await points touched the same objects in which order (RunRecord::coverage,
    /// coverage.hpp). The explorer sets it; costs a little per touch of a shared object.
    bool coverage = false;
    /// The step profile of the program (RunRecord::steps_per_task of a first run: steps per
    /// task id, index 0 for plain callbacks), for the policies fitted to the program: urw
    /// weighs a task by its remaining steps, pct with pct_steps 0 (k=0) spreads its change
    /// points over the profile's total steps. Not part of the replay string: a replay needs
    /// only its decisions, and a seeded run is reproduced by measuring the profile the same way
    /// (the explorer: a fifo run of the same program, seed 0). Null: no profile (urw weighs
    /// every candidate 1, pct k=0 uses the default 1000). Compared by pointer in operator==.
    std::shared_ptr<const std::vector<std::uint64_t>> step_profile{};
    /// Record every choice point offered (RunRecord::points: position, kind, number of
    /// candidates), for the bounded exhaustive enumerator (aio/check/bounded.hpp). A vector
    /// push per point.
    bool record_points = false;
    /// Shown every choice point offered and its answer (decision.hpp; a test hook). Under a
    /// policy that offers no choice (fifo) there is none to show; the candidates' conflicts are
    /// known when the run tracks them (coverage, or pos). Not part of the replay string;
    /// compared by pointer. One run at a time: an observer shared by runs on several threads
    /// must synchronise itself.
    std::shared_ptr<ChoiceObserver> choice_observer{};
    /// delay with Schedule::delay_points == 0: the number of choice points a first, all-zero
    /// run under delay offered (its RunRecord::decisions); 0: not measured.
    std::uint64_t measured_points = 0;
    /// to_thread: in-flight jobs are waited for (the loop blocks) when nothing else is ready,
    /// or at the latest once this many further steps have run since the oldest was submitted.
    std::uint64_t thread_step_budget = 1000;
    /// to_thread: real time the loop waits for in-flight jobs before it reports them as stuck
    /// (a job waiting for the loop itself can never finish under the simulator).
    Duration thread_timeout = std::chrono::seconds(60);

    friend bool operator==(const Config&, const Config&) = default;

    /// A configuration that replays `replay_string` (throws ReplayParseError).
    static Config from_replay(std::string_view replay_string);
};

}  // namespace aio::sim
