#pragma once
// Internal: one run of a scenario under the simulator, judged as `explore` judges it.
//
// A run fails when the scenario's oracle fails (the default oracle: an exception escaped or
// the exit status is not 0), or when the simulator raised Deadlock, LimitExceeded or
// ReplayDivergence in any of the scenario's loops, even if the scenario caught it (a
// scenario that catches std::exception or aio::RuntimeError at its top level would
// otherwise swallow it: the loop's RunRecord keeps it). A strict replay that ended before
// all its decisions were used is a ReplayDivergence too.
//
// How the run failed is an aio::sim::RunFailure: the first simulator error of any loop (a
// deadlock, a limit, a divergence), else an exception that escaped the scenario (with the
// oracle's requirement it broke), else the oracle's first failed requirement. Its signature
// (aio::sim::signature) leaves out this run's details (the numbers, lines, task ids and times
// its messages quote): runs that fail the same way (aio::sim::same_failure) have equal
// signatures, and shrinking keeps it.
//
// Every loop the scenario creates gets its own RunRecord. The run's replay string is its
// single loop's recorded schedule (parameters and non-zero decisions); a scenario that makes
// several loops gets its seeded schedule instead, which replays all of them. Its trace hash
// is the single loop's hash, or FNV-1a over the loops' hashes in creation order.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <aio/scenario/execute.hpp>
#include <aio/sim/config.hpp>
#include <aio/sim/failure.hpp>
#include <aio/sim/record.hpp>

namespace aio::cli {

struct SimRun {
    scenario::Execution outcome;
    /// The oracle's violations, then one per simulator error.
    std::vector<std::string> problems;
    std::string replay;                       ///< replays this run (Config::from_replay)
    std::uint64_t nonzero_decisions = 0;      ///< of the replay string
    std::optional<std::uint64_t> trace_hash;  ///< when cfg.trace != off and a loop ran
    std::vector<aio::sim::TraceEvent> trace;  ///< every loop's events, when cfg.trace == full
    std::size_t loops = 0;
    /// The first ReplayDivergence of the run (a decision of a strict replay that did not fit,
    /// or decisions left unused at the end), as the simulator worded it; empty when the run
    /// followed its replay string (or had none).
    std::string divergence;
    /// The faults the simulated network injected (every loop's RunRecord::faults, in order),
    /// in words, and whether the run had a fault budget (a networked run with faults on).
    std::vector<std::string> faults;
    bool fault_budget = false;
    /// The first loop's RunRecord::steps_per_task (steps per task id): the step profile that
    /// urw and fitted pct (k=0) use, measured by a fifo run.
    std::vector<std::uint64_t> steps_per_task;
    /// How the run failed; nullopt when it passed.
    std::optional<aio::sim::RunFailure> failure;
    /// Under cfg.coverage: every loop's coverage, combined (aio::check::append_run_coverage).
    std::optional<aio::sim::RunCoverage> coverage;
    bool failed() const noexcept { return !problems.empty(); }
};

/// The failure's signature (aio::sim::signature), or "none" for a run that passed.
std::string signature_of(const SimRun& r);

/// Runs `s` once under `cfg` (each loop gets its own record); lines are captured, and also
/// passed to `echo` if given. `last_record`, if given, receives the last loop's record (what
/// aio::check::shrink_replay reads).
SimRun run_simulated(const scenario::Scenario& s, const aio::sim::Config& cfg, scenario::Sink* echo = nullptr,
                     const aio::sim::RecordSink& last_record = {});

/// "  order: ...\n": whether CPython's asyncio can run the order of this replay string, judged
/// by its decisions (aio::sim::cpython_order_note(const Schedule&)); empty for an empty
/// string (the real loop). `prefix` starts the line ("  shrunk " gives "  shrunk order: ...").
std::string format_order_line(const std::string& replay, const std::string& prefix = "  ");

/// `text` with every line after the first indented by four spaces (for "  - " list items).
std::string indent_continuation(std::string text);

/// "CMD: NAME FAILED:", the run's problems, one "  - " line each (continuation lines
/// indented), and "  signature: ...".
std::string format_problems(const std::string& cmd, const std::string& name, const SimRun& r);

/// The exit status of a command that ran a scenario under the simulator: the scenario's own,
/// or 1 when it returned 0 but the run failed (oracle, escaped exception, simulator error).
inline int exit_status(const SimRun& r) {
    const int status = r.outcome.exit_status;
    return r.failed() && status == 0 ? 1 : status;
}

/// The run's faults under a "faults:" heading, one "- " line each, each line starting with
/// `indent`: "  faults:\n    - t=1.200000s: partition app|db (10s)\n", or "  faults: none\n"
/// for a run with a fault budget and no fault; empty for a run without either. `heading`
/// replaces "faults" (e.g. "shrunk faults").
std::string format_faults(const SimRun& r, const std::string& indent = "  ", const std::string& heading = "faults");

/// "shrinking removed 2 of 3 faults (1 left)", "no fault to remove ...": for reports.
std::string faults_removed(std::size_t before, std::size_t after);

/// "replay: STR" and "trace hash: 0x..." lines (what --print-replay prints).
std::string format_replay_lines(const SimRun& r);

/// 64-bit FNV-1a over the outcome (exit status, output and error lines, escaped exception):
/// equal for runs that a user would see as the same.
std::uint64_t outcome_hash(const scenario::Execution& o);

/// outcome_hash() with the last few outcomes remembered: runs of a program mostly end the
/// same few ways, and comparing an outcome's lines costs far less than hashing them byte by
/// byte. The same values as outcome_hash(); one per thread (not synchronized).
class OutcomeHasher {
public:
    std::uint64_t operator()(const scenario::Execution& o);

private:
    struct Known {
        bool used = false;
        int exit_status = 0;
        std::vector<std::string> lines, errors;
        std::uint64_t hash = 0;
    };
    std::array<Known, 4> known_{};
    std::size_t next_ = 0;
};

/// `s` quoted for a POSIX shell when it needs quoting ('...').
std::string shell_quote(const std::string& s);

}  // namespace aio::cli
