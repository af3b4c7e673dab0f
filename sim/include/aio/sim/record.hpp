#pragma once
// aio::sim::RunRecord: what happened in a simulated run, delivered by the loop when it is
// destroyed (aio::run destroys it before it returns or rethrows, so the record is complete
// when aio::run is done) to the RecordSink given beside the Config.
//
//     aio::sim::Recorder rec;                    // keeps the last record it is given
//     aio::run(amain(), {.loop_factory = aio::sim::loop_factory(cfg, rec)});
//     fmt::print("{}\n", rec->replay);           // aiosim1:random:seed=42:2r3.r1
//     aio::sim::run(amain(), aio::sim::Config::from_replay(rec->replay));   // the same run again
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "aio/clock.hpp"
#include "aio/sim/coverage.hpp"
#include "aio/sim/failure.hpp"
#include "aio/sim/schedule.hpp"
#include "aio/sim/trace.hpp"

namespace aio::sim {

/// One step in a determinism fingerprint: what ran, out of how many, when.
struct StepPrint {
    std::uint64_t task = 0;  // the task of the entry that ran; 0 for a plain callback
    std::uint32_t candidates = 0;
    std::int64_t time_ns = 0;
    friend bool operator==(const StepPrint&, const StepPrint&) = default;
};

/// One choice point a run offered (Config::record_points): where, what, how many candidates.
struct OfferedPoint {
    std::uint64_t position = 0;
    Choice kind = Choice::ready;
    std::uint32_t n = 0;
    friend bool operator==(const OfferedPoint&, const OfferedPoint&) = default;
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
    /// The Deadlock, LimitExceeded or ReplayDivergence the loop raised, if any (kept even when
    /// the program caught it).
    std::optional<RunFailure> failure{};
    /// Strict replay only: the run ended before all recorded decisions were used (a
    /// replay_divergence whose exception is the ReplayDivergence aio::sim::run throws).
    std::optional<RunFailure> replay_incomplete{};
    /// The faults the simulated network injected (and the fault points that fired), in order,
    /// each in words with its virtual time: "t=1.200000s: partition app|db (10s)".
    std::vector<std::string> faults{};
    /// When Config::coverage: the conflicting await-point pairs in the order this run took.
    std::optional<RunCoverage> coverage{};
    /// Steps run per task, by task id (index 0: plain callbacks), for strategies fitted to
    /// the program (pct's change points, urw's weights): measured by a first run.
    std::vector<std::uint64_t> steps_per_task{};
    /// When Config::record_points: every choice point offered, by position (points[i].position
    /// == i), while the run was not yet failing.
    std::vector<OfferedPoint> points{};
};

/// Receives a loop's record when the loop is destroyed (on the thread that destroys it).
using RecordSink = std::function<void(RunRecord&&)>;

/// A RecordSink that keeps the last record it was given. A handle: copies share the record
/// (give one to loop_factory, read it through another). Not synchronized: loops destroyed on
/// several threads at once need a sink each.
class Recorder {
public:
    Recorder() : last_(std::make_shared<std::optional<RunRecord>>()) {}
    /// The sink to pass beside a Config (loop_factory, SimLoop, aio::sim::run).
    RecordSink sink() const {
        return [last = last_](RunRecord&& r) { *last = std::move(r); };
    }
    operator RecordSink() const { return sink(); }  // NOLINT(google-explicit-constructor): passed as a sink
    /// Whether a loop has delivered its record.
    bool has_record() const noexcept { return last_->has_value(); }
    /// The last record delivered; throws std::logic_error when no loop has delivered one yet.
    RunRecord& operator*() const {
        if (!has_record()) throw std::logic_error("aio::sim::Recorder: no loop has delivered its record yet");
        return **last_;
    }
    RunRecord* operator->() const { return &**this; }

private:
    std::shared_ptr<std::optional<RunRecord>> last_;
};

}  // namespace aio::sim
