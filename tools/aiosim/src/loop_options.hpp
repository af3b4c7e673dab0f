#pragma once
// Internal: how a command chooses the loop a scenario runs on: `--loop sim` (the default:
// the simulator, with its options --policy, default fifo, --seed and --replay) or `--loop
// real` (the real-time aio::EventLoop).
#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "aio/run.hpp"
#include "aio/sim/config.hpp"

namespace aio::cli {

struct LoopOptions {
    std::string loop = "sim";
    std::string policy = "fifo";  // --loop sim only
    std::uint64_t seed = 0;       // --loop sim only
    std::string replay;           // --loop sim only: a replay string (overrides policy and seed)
    bool loop_given = false;      // --loop was on the command line
    std::string sim_option;       // the first simulator option on the command line, if any
};

/// Adds the loop options to `command`: --loop and the schedule options, validated at parse
/// time (an unknown loop or policy is bad usage, and the message lists the valid ones).
void add_loop_options(CLI::App& command, LoopOptions& options);

/// Adds only the simulator's schedule options (--policy, --seed, --replay), for commands
/// that always run the simulator.
void add_schedule_options(CLI::App& command, LoopOptions& options);

/// Accepts a policy name; otherwise says which names are valid.
CLI::Validator policy_validator();

/// The loop actually used: `sim` unless --loop says otherwise. Throws aio::ValueError for
/// --loop real with a simulator option (--policy, --seed, --replay, or one a command adds,
/// noted in sim_option).
std::string effective_loop(const LoopOptions& options);

/// The simulator configuration the options name (policy and seed, or the replay string,
/// which overrides them). Throws aio::ValueError (ReplayParseError) for a malformed string.
aio::sim::Config make_sim_config(const LoopOptions& options);

/// make_sim_config(), or nullopt after writing "CMD: LABELwhy" to `err` when the replay
/// string is malformed (the message says where and why; LABEL is e.g. "--replay: " or "").
std::optional<aio::sim::Config> make_sim_config(const LoopOptions& options, std::ostream& err, const std::string& cmd,
                                                const std::string& label);

/// The aio::RunOptions that make aio::run use the chosen loop.
aio::RunOptions make_run_options(const LoopOptions& options);

}  // namespace aio::cli
