#pragma once
// aio::sim::RunFailure: how one simulated run failed, as a value: its kind, the exception
// itself, the requirement that did not hold, and the message. The loop produces it for the
// errors it raises (RunRecord::failure); the check helpers (aio::check) and the command line
// produce it for a run of a program or a scenario, and compare failures by it (shrinking keeps
// the failure "the same" as same_failure() says), never by the wording of a message.
//
//     aio::sim::Recorder rec;
//     try { aio::sim::run(amain(), cfg, rec); } catch (...) {}
//     if (rec->failure && rec->failure->kind == aio::sim::FailureKind::deadlock) ...
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

namespace aio::sim {

enum class FailureKind : std::uint8_t {
    exception,           // an exception escaped the program (or a decision source threw)
    deadlock,            // the loop raised Deadlock (no task can run again, or to_thread work is stuck)
    step_limit,          // the loop raised LimitExceeded (Which::steps)
    virtual_time_limit,  // the loop raised LimitExceeded (Which::virtual_time)
    replay_divergence,   // a strict replay no longer fits the program (raised, or decisions left unused)
    requirement,         // an oracle's requirement did not hold (a scenario's Verdict)
    predicate,           // a check's predicate returned false for the program's result
};

/// "exception", "deadlock", "step limit", "virtual time limit", "replay divergence",
/// "requirement", "predicate".
std::string_view kind_name(FailureKind k) noexcept;

struct RunFailure {
    FailureKind kind = FailureKind::exception;
    /// The exception: the one that escaped, or the simulator's error for its kinds (a
    /// Deadlock, LimitExceeded or ReplayDivergence); null for requirement and predicate.
    std::exception_ptr exception{};
    /// requirement: the requirement that did not hold, unformatted (the same in every run that
    /// fails that way, whatever it saw). exception: the one the escaped exception broke when an
    /// oracle judged it (empty otherwise).
    std::string requirement{};
    /// The whole description: what() of the exception, or the violated requirement as
    /// formatted for this run, or what the predicate was given.
    std::string message{};

    /// The failure `e` is: classified by its type (Deadlock, LimitExceeded by which(),
    /// ReplayDivergence; anything else is an exception), message = what() (or aio::describe
    /// for an exception that is not a std::exception).
    static RunFailure from_exception(std::exception_ptr e);
};

/// Whether two runs fail the same way: the same kind, the same requirement, and for an
/// exception the same type (aio::exception_type_name). Messages (which quote steps, times, task
/// ids) are not compared.
bool same_failure(const RunFailure& a, const RunFailure& b);

/// The failure without this run's details, as the command line prints it: "deadlock",
/// "limit: steps", "limit: virtual time", "divergence", "exception TYPE" (then
/// "; oracle: REQUIREMENT" when an oracle judged it), "oracle: REQUIREMENT", "predicate".
/// Equal for runs that fail the same way (same_failure).
std::string signature(const RunFailure& f);

}  // namespace aio::sim
