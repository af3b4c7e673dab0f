#pragma once
// aio::sim::validate: the one place where the ranges of a simulated run's parameters are
// checked. The SimLoop constructor validates its Config (so a Config built in code is checked
// like one read from a string), and Schedule::parse validates what it read (reporting the
// error at the offending parameter of the string).
//
// | field (replay parameter)          | range                               |
// |-----------------------------------|-------------------------------------|
// | policy, task_start, trace         | one of the enumerators              |
// | pct_depth (d=)                    | 1 .. 64                             |
// | pct_steps (k=)                    | 1 .. 2^64-1                         |
// | delay_bound (bound=)              | 1 .. 64                             |
// | jitter (jitter=)                  | 0ns .. 24h                          |
// | batch (batch=), ahead (ahead=)    | 0ns .. 24h                          |
// | cost (cost=)                      | 0ns .. 1h                           |
// | limits.max_steps (steps=)         | 1 .. 2^64-1                         |
// | limits.max_virtual_time (vtime=)  | 0ns .. Duration::max()              |
// | thread_timeout                    | 0ns .. 8760h (a year)               |
// | network.faults.rate (frate=)      | 1 .. 1000                           |
// | network.faults.kinds (fkinds=)    | at least one kind, no unknown bit   |
// | network.latency, latency_spread   | 0ns .. 1h (lat=, spread=)           |
// | network.window, segment           | 1 .. 2^30 bytes (win=, seg=)        |
// | network.connect_timeout, stall_time, partition_time, restart_delay | 0ns .. 24h (ctimeout=, stall=, part=, restart=) |
// | network.slow_factor (slowx=)      | 1 .. 1000000                        |
// | decisions                         | positions strictly increasing, index >= 1, a known kind |
// seed, delay_points (pts=, 0: fitted), thread_step_budget, measured_points and network.faults.budget (faults=) take any value. Every schedule that passes formats to a
// replay string that parses back to an equal schedule.
//
// Both functions are pure (no loop, no global state) and throw only ConfigError.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "aio/errors.hpp"
#include "aio/sim/config.hpp"

namespace aio::sim {

inline constexpr int max_pct_depth = 64;
inline constexpr Duration max_jitter = std::chrono::hours(24);
inline constexpr Duration max_clock_window = std::chrono::hours(24);  // batch, ahead
inline constexpr Duration max_step_cost = std::chrono::hours(1);
inline constexpr Duration max_thread_timeout = std::chrono::hours(24 * 365);
inline constexpr Duration max_net_latency = std::chrono::hours(1);
inline constexpr Duration max_net_duration = std::chrono::hours(24);
inline constexpr std::size_t max_net_bytes = std::size_t{1} << 30;
inline constexpr std::uint32_t max_slow_factor = 1'000'000;

/// A Config or Schedule field out of its range. what() names the field, its value, its range
/// and its replay parameter.
class ConfigError : public aio::ValueError {
public:
    ConfigError(std::string field, std::string reason);
    /// The Config member ("jitter", "limits.max_steps", "decisions", ...).
    const std::string& field() const noexcept { return field_; }
    /// What is wrong, without the "aio::sim::Config: " prefix.
    const std::string& reason() const noexcept { return reason_; }

private:
    std::string field_;
    std::string reason_;
};

/// Throws ConfigError for the first field (in the table's order) out of range.
void validate(const Schedule& s);
/// validate(c.schedule) (with its decisions, if any), and the fields of Config a schedule
/// does not hold (trace, thread_timeout).
void validate(const Config& c);

}  // namespace aio::sim
