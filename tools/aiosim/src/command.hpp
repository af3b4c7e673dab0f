#pragma once
// Internal: one aiosim subcommand. Each command adds its CLI11 subcommand and options in its
// constructor (the option values live in the command object), and does its work in
// execute() once the whole command line has parsed. Adding a subcommand is one more Command
// and one line in cli.cpp.
#include <CLI/CLI.hpp>

#include <memory>
#include <ostream>
#include <string>

#include "aio/scenario/registry.hpp"

namespace aio::cli {

/// What every command works with.
struct Env {
    std::string program;  ///< for messages: "aiosim", or the name of a user's tool
    const scenario::Registry& scenarios;
    std::ostream& out;
    std::ostream& err;
};

class Command {
public:
    virtual ~Command() = default;
    /// Runs the command; returns the process's exit status.
    virtual int execute(Env& env) = 0;
    /// True when the command line selected this command.
    bool selected() const { return app_->parsed(); }

protected:
    CLI::App* app_ = nullptr;
};

std::unique_ptr<Command> make_list_command(CLI::App& app);
std::unique_ptr<Command> make_run_command(CLI::App& app);
std::unique_ptr<Command> make_explore_command(CLI::App& app);
std::unique_ptr<Command> make_shrink_command(CLI::App& app);

}  // namespace aio::cli
