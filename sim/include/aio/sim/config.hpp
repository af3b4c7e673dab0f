#pragma once
// aio::sim::Config: how a simulated run is scheduled, bounded and recorded; and
// aio::sim::RunRecord: what happened, filled in when the loop is destroyed (aio::run
// destroys it before it returns or rethrows, so the record is complete afterwards).
//
//     auto rec = std::make_shared<aio::sim::RunRecord>();
//     aio::sim::Config cfg{.policy = aio::sim::Policy::random, .seed = 42, .record = rec};
//     aio::run(amain(), {.loop_factory = aio::sim::loop_factory(cfg)});
//     fmt::print("{}\n", rec->replay);        // aiosim1:random:seed=42:2r3.r1
//
//     cfg.replay = aio::sim::Schedule::parse(rec->replay);   // the same run again
//
// The SimLoop constructor validates a Config (validate.hpp has the ranges): a value out of
// range throws aio::sim::ConfigError naming the field instead of breaking the run.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aio/clock.hpp"
#include "aio/sim/limits.hpp"
#include "aio/sim/policy.hpp"
#include "aio/sim/replay.hpp"
#include "aio/sim/trace.hpp"

namespace aio::sim {

struct RunRecord;

struct Config {
    Policy policy = Policy::fifo;
    std::uint64_t seed = 0;
    /// pct: the depth d (bugs needing up to d ordering constraints), 1 to 64.
    int pct_depth = 3;
    /// pct: how many ready-queue choices a run is expected to make (where change points go).
    std::uint64_t pct_steps = 1000;
    /// timers: the largest jitter (late timer creation or wake-up), in 8 steps; 0ns to 24h.
    Duration jitter = std::chrono::milliseconds(1);
    TaskStart task_start = TaskStart::scheduled;
    Limits limits{};
    TraceMode trace = TraceMode::off;
    /// If set, the run follows this schedule: its policy and parameters replace the ones
    /// above and its decisions (if listed) answer every choice.
    std::optional<Schedule> replay{};
    /// With replay: a decision that does not fit is a ReplayDivergence (strict) or is bent
    /// to fit (lenient: index clamped, kind not checked; for shrinking).
    bool strict_replay = true;
    /// Filled in when the loop is destroyed (shared by every loop the factory makes: the
    /// last one wins).
    std::shared_ptr<RunRecord> record{};
    /// Record the per-step fingerprint (RunRecord::fingerprint; check_determinism sets it).
    /// Costs a virtual call per step.
    bool fingerprint = false;
    /// to_thread: in-flight jobs are waited for (the loop blocks) when nothing else is ready,
    /// or at the latest once this many further steps have run since the oldest was submitted.
    std::uint64_t thread_step_budget = 1000;
    /// to_thread: real time the loop waits for in-flight jobs before it reports them as stuck
    /// (a job waiting for the loop itself can never finish under the simulator).
    Duration thread_timeout = std::chrono::seconds(60);

    friend bool operator==(const Config&, const Config&) = default;

    /// The schedule this configuration runs (replay if set; otherwise policy, parameters,
    /// and no decision list).
    Schedule schedule() const;
    /// A configuration that replays `replay_string` (throws ReplayParseError).
    static Config from_replay(std::string_view replay_string);
};

/// One step in a determinism fingerprint: what ran, out of how many, when.
struct StepPrint {
    std::uint64_t task = 0;  // the task of the entry that ran; 0 for a plain callback
    std::uint32_t candidates = 0;
    std::int64_t time_ns = 0;
    friend bool operator==(const StepPrint&, const StepPrint&) = default;
};

struct RunRecord {
    /// The parameters of the run and all its non-zero decisions.
    Schedule schedule{};
    /// schedule.to_string(): replays the run (Config::from_replay, --replay, AIOSIM_REPLAY).
    std::string replay{};
    std::uint64_t decisions = 0;                // choice points offered
    std::uint64_t nonzero_decisions = 0;        // of those, answered other than 0
    std::uint64_t steps = 0;                    // ready entries run
    std::uint64_t tasks = 0;                    // tasks created
    TimePoint end_time{};                       // virtual time when the loop was destroyed
    bool eager = false;                         // whether tasks started eagerly (as chosen, for per_run)
    std::optional<std::uint64_t> trace_hash{};  // when Config::trace != off
    std::vector<TraceEvent> trace{};            // when Config::trace == full
    std::vector<StepPrint> fingerprint{};       // when Config::fingerprint
    /// what() of the Deadlock, LimitExceeded or ReplayDivergence the loop raised, if any.
    std::string failure{};
    /// Strict replay only: set when the run ended before all recorded decisions were used
    /// (aio::sim::run throws it as a ReplayDivergence).
    std::string replay_incomplete{};
};

}  // namespace aio::sim
