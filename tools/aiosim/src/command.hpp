#pragma once
// Internal: one aiosim subcommand. Each command adds its CLI11 subcommand and options in its
// constructor (the option values live in the command object), and does its work in
// execute() once the whole command line has parsed. Adding a subcommand is one more Command
// and one line in cli.cpp.
#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include "aio/cli.hpp"
#include "aio/scenario/context.hpp"
#include "aio/scenario/registry.hpp"
#include "numbers.hpp"

namespace aio::cli {

/// What every command works with.
struct Env {
    std::string program;  ///< for messages: "aiosim", or the name of a user's tool
    const scenario::Registry& scenarios;
    std::ostream& out;
    std::ostream& err;
    const Getenv& getenv;  ///< the environment (the process's, or a test's or fuzzer's)
};

/// Registry::unknown_name_message, unless the name is too long to be any scenario's or holds
/// control characters: then a bounded, escaped excerpt of it, and the valid names.
inline std::string unknown_scenario_message(const Env& env, const std::string& name) {
    const bool plain = name.size() <= 128 && std::none_of(name.begin(), name.end(), [](char c) {
                           return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
                       });
    if (plain) return env.scenarios.unknown_name_message(name);
    std::string valid;
    for (const auto* v : env.scenarios.all()) valid += (valid.empty() ? "" : ", ") + v->name;
    return fmt::format("unknown scenario '{}'; valid scenarios: {}", excerpt(name),
                       valid.empty() ? "none (this program registers no scenarios)" : valid);
}

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

/// The scenario called `name`; nullptr after telling the user what to type (`usage`, e.g.
/// "aiosim run NAME") and which names are valid.
inline const scenario::Scenario* find_scenario(Env& env, const std::string& cmd, const std::string& name,
                                               const std::string& usage) {
    if (name.empty()) {
        std::string valid;
        for (const auto* v : env.scenarios.all()) valid += (valid.empty() ? "" : ", ") + v->name;
        env.err << fmt::format("{}: which scenario? Give its name: {}; valid scenarios: {}\n", cmd, usage,
                               valid.empty() ? "none (this program registers no scenarios)" : valid);
        return nullptr;
    }
    const scenario::Scenario* s = env.scenarios.find(name);
    if (!s) env.err << cmd << ": " << unknown_scenario_message(env, name) << '\n';
    return s;
}

/// Writes each line of a scenario to the process's stdout/stderr as soon as it is printed
/// (flushed, so a pipe sees it at the same moment a terminal would).
class StreamSink final : public scenario::Sink {
public:
    StreamSink(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}
    void line(scenario::Stream stream, std::string_view text) override {
        std::lock_guard lock(mu_);
        std::ostream& os = stream == scenario::Stream::out ? out_ : err_;
        os << text << '\n';
        os.flush();
    }

private:
    std::mutex mu_;
    std::ostream& out_;
    std::ostream& err_;
};

std::unique_ptr<Command> make_list_command(CLI::App& app);
std::unique_ptr<Command> make_run_command(CLI::App& app);
std::unique_ptr<Command> make_explore_command(CLI::App& app);
std::unique_ptr<Command> make_shrink_command(CLI::App& app);
std::unique_ptr<Command> make_replay_command(CLI::App& app);
std::unique_ptr<Command> make_trace_command(CLI::App& app);
std::unique_ptr<Command> make_hashes_command(CLI::App& app);

}  // namespace aio::cli
