#pragma once
// Internal: how a command chooses the loop a scenario runs on. Today only `--loop real` (the
// default real-time aio::EventLoop). The simulator adds `sim` to the table in
// loop_options.cpp, and its options (--policy, --seed, --replay, --trace) to LoopOptions and
// add_loop_options(), so that run, explore, replay and shrink all accept them alike.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "aio/run.hpp"

namespace aio::cli {

struct LoopOptions {
    std::string loop = "real";
    std::string policy = "fifo";  // --loop sim only
    std::uint64_t seed = 0;       // --loop sim only
    std::string replay;           // --loop sim only: a replay string (overrides policy and seed)
};

/// Adds the loop options to `command`, validated at parse time (an unknown loop is bad
/// usage, and the message lists the valid ones).
void add_loop_options(CLI::App& command, LoopOptions& options);

/// The aio::RunOptions that make aio::run use the chosen loop.
aio::RunOptions make_run_options(const LoopOptions& options);

}  // namespace aio::cli
