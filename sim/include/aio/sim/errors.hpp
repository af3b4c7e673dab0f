#pragma once
// The errors the simulator raises. All derive from SimError, an aio::RuntimeError.
//
// The loop raises them out of aio::run() (or run_until_complete): the run stops at the
// failing point, then aio::run's cleanup runs on the same loop (pending tasks are cancelled
// and finish their cleanup; the loop grants the cleanup a fresh step and time budget and
// stops asking its decision source, so cleanup is deterministic and terminates unless a
// task ignores cancellation). If the cleanup itself deadlocks or exceeds its budget, that
// second error is reported by aio::Runner while the first one propagates.
#include <cstdint>
#include <source_location>
#include <string>
#include <vector>

#include "aio/clock.hpp"
#include "aio/errors.hpp"

namespace aio::sim {

struct SimError : aio::RuntimeError {
    using aio::RuntimeError::RuntimeError;
};

/// A task that can never run again, as listed by a Deadlock.
struct BlockedTask {
    std::uint64_t id = 0;
    std::string name{};
    std::string awaits{};                    // "Task #3 'b'", "gather(#2 'a', #3 'b')", "a Future"
    std::vector<std::uint64_t> waits_for{};  // ids of the pending tasks it awaits
    std::source_location created_at{};
    /// The simulated host it runs on, when the run has hosts besides "main"; empty otherwise.
    std::string host{};
};

/// Nothing is ready, no timer is set, no to_thread work is in flight, and the loop was asked
/// to run until something completes: nothing ever will. what() lists every pending task,
/// what it awaits, where it was created, and every await cycle.
class Deadlock : public SimError {
public:
    Deadlock(std::string message, std::vector<BlockedTask> tasks, std::vector<std::vector<std::uint64_t>> cycles)
        : SimError(std::move(message)), tasks_(std::move(tasks)), cycles_(std::move(cycles)) {}
    const std::vector<BlockedTask>& tasks() const noexcept { return tasks_; }
    /// Each cycle as task ids, starting at its smallest id: {2, 3} means 2 awaits 3 awaits 2.
    const std::vector<std::vector<std::uint64_t>>& cycles() const noexcept { return cycles_; }

private:
    std::vector<BlockedTask> tasks_{};
    std::vector<std::vector<std::uint64_t>> cycles_{};
};

/// A step or virtual-time limit (Config::schedule.limits) was reached: the program looks runaway.
class LimitExceeded : public SimError {
public:
    enum class Which { steps, virtual_time };
    LimitExceeded(std::string message, Which which) : SimError(std::move(message)), which_(which) {}
    Which which() const noexcept { return which_; }

private:
    Which which_;
};

/// A replayed decision no longer fits the program (it changed since the replay string was
/// recorded): a wrong kind of choice at that position, an index beyond the candidates, or
/// the program ended before all recorded decisions were used.
class ReplayDivergence : public SimError {
public:
    ReplayDivergence(std::string message, std::uint64_t position, std::uint64_t step, TimePoint time)
        : SimError(std::move(message)), position_(position), step_(step), time_(time) {}
    std::uint64_t position() const noexcept { return position_; }
    std::uint64_t step() const noexcept { return step_; }
    TimePoint time() const noexcept { return time_; }

private:
    std::uint64_t position_, step_{};
    TimePoint time_{};
};

/// Two runs of the same configuration took different steps (check_determinism).
class DeterminismError : public SimError {
public:
    DeterminismError(std::string message, std::uint64_t step) : SimError(std::move(message)), step_(step) {}
    /// The first step (1-based) at which the runs differ.
    std::uint64_t step() const noexcept { return step_; }

private:
    std::uint64_t step_{};
};

}  // namespace aio::sim
