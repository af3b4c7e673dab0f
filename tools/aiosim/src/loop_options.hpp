#pragma once
// Internal: how a command chooses the loop a scenario runs on: `--loop sim` (the default:
// the simulator, with its options --policy, default fifo, --seed and --replay) or `--loop
// real` (the real-time aio::EventLoop), and the simulated network's options (--faults,
// --fault-rate, --fault-kinds, --latency, --latency-spread, --window, --segment), which set
// Schedule::network, so the run's replay string carries them.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "aio/run.hpp"
#include "aio/sim/config.hpp"

namespace aio::cli {

/// The simulated network's options, each nullopt unless given.
struct NetOptions {
    std::optional<std::uint64_t> faults;      // --faults N: FaultPolicy::budget
    std::optional<std::uint64_t> fault_rate;  // --fault-rate R: FaultPolicy::rate (per mille)
    std::optional<std::string> fault_kinds;   // --fault-kinds LETTERS: FaultPolicy::kinds
    std::optional<std::string> latency;       // --latency D: NetConfig::latency
    std::optional<std::string> latency_spread;
    std::optional<std::uint64_t> window;
    std::optional<std::uint64_t> segment;
    std::string first;  // the first of them on the command line, if any
    bool any() const noexcept { return !first.empty(); }
};

/// Adds the network options to `command` (validated at parse time: a malformed number,
/// duration or fault letter is bad usage naming the option and what it accepts).
void add_network_options(CLI::App& command, NetOptions& options);

/// Sets the fields of `net` the options give. Throws aio::ValueError when a fault option
/// other than --faults is given without a fault budget (it would change nothing).
void apply_network_options(const NetOptions& options, aio::sim::NetConfig& net);

/// For a configuration read from a replay string: the string fixes the network its run had,
/// so every option given must agree with it. Throws aio::ValueError naming the first that
/// does not (its value and the string's).
void check_network_options(const NetOptions& options, const aio::sim::NetConfig& net);

/// The fault kinds of a --fault-kinds value ("xrhpcwb" letters), or nullopt for an empty
/// value, an unknown letter or a repeated one.
std::optional<aio::sim::FaultKinds> parse_fault_kinds(std::string_view letters);

/// "3 faults at most (rate 20 per mille, kinds xrhpcwb), latency 100us + up to 900us, window
/// 65536 B, segments of 1460 B": a network configuration in words, for reports.
std::string describe_network(const aio::sim::NetConfig& net);

/// The simulator's clock model (Schedule::batch, ahead, cost), each nullopt unless given.
struct ClockOptions {
    std::optional<std::string> timer_batch;      // --timer-batch D: Schedule::batch
    std::optional<std::string> overtake_window;  // --overtake-window D: Schedule::ahead
    std::optional<std::string> step_cost;        // --step-cost D: Schedule::cost
    std::string first;                           // the first of them on the command line, if any
    bool any() const noexcept { return !first.empty(); }
};

/// Adds --timer-batch, --overtake-window and --step-cost to `command` (durations, validated at
/// parse time against the ranges of validate.hpp).
void add_clock_options(CLI::App& command, ClockOptions& options);
/// Sets the fields of `s` the options give.
void apply_clock_options(const ClockOptions& options, aio::sim::Schedule& s);
/// For a schedule read from a replay string: every clock option given must agree with it.
/// Throws aio::ValueError naming the first that does not.
void check_clock_options(const ClockOptions& options, const aio::sim::Schedule& s);

struct LoopOptions {
    std::string loop = "sim";
    std::string policy = "fifo";  // --loop sim only
    std::uint64_t seed = 0;       // --loop sim only
    std::string replay;           // --loop sim only: a replay string (overrides policy and seed)
    bool loop_given = false;      // --loop was on the command line
    std::string sim_option;       // the first simulator option on the command line, if any
    NetOptions net;               // --loop sim only
    ClockOptions clock;           // --loop sim only
};

/// Adds the loop options to `command`: --loop and the schedule options, validated at parse
/// time (an unknown loop or policy is bad usage, and the message lists the valid ones).
void add_loop_options(CLI::App& command, LoopOptions& options);

/// Adds only the simulator's schedule options (--policy, --seed, --replay), the clock options
/// and the network options, for commands that always run the simulator.
void add_schedule_options(CLI::App& command, LoopOptions& options);

/// Accepts a policy name; otherwise says which names are valid.
CLI::Validator policy_validator();

/// The loop actually used: `sim` unless --loop says otherwise. Throws aio::ValueError for
/// --loop real with a simulator option (--policy, --seed, --replay, or one a command adds,
/// noted in sim_option).
std::string effective_loop(const LoopOptions& options);

/// The simulator configuration the options name (policy, seed and network, or the replay
/// string, which overrides policy and seed and must agree with the network options given).
/// Throws aio::ValueError (ReplayParseError) for a malformed string or options that
/// disagree with it.
aio::sim::Config make_sim_config(const LoopOptions& options);

/// make_sim_config(), or nullopt after writing "CMD: LABELwhy" to `err` when the replay
/// string is malformed (the message says where and why; LABEL is e.g. "--replay: " or "").
std::optional<aio::sim::Config> make_sim_config(const LoopOptions& options, std::ostream& err, const std::string& cmd,
                                                const std::string& label);

/// The aio::RunOptions that make aio::run use the chosen loop.
aio::RunOptions make_run_options(const LoopOptions& options);

}  // namespace aio::cli
