#include "aio/cli.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string_view>
#include <vector>

#include "aio/errors.hpp"
#include "aio/scenario/registry.hpp"
#include "command.hpp"

namespace aio::cli {

namespace {

constexpr int kBadUsage = 2;

// For CLI11's "The following argument was not expected: X": what the command does take. A
// replay string goes after --replay (only `replay` also takes it as its second word); any
// other extra word: the command's positional arguments, and that options start with "--".
std::string extras_hint(const CLI::App& sub, const std::string& cmd, const CLI::Error& e) {
    if (dynamic_cast<const CLI::ExtrasError*>(&e) == nullptr) return {};
    const std::string what = e.what();
    std::string positionals;
    for (const CLI::Option* o : sub.get_options([](const CLI::Option* o) { return o->get_positional(); }))
        positionals += " " + o->get_name();
    const std::string usage =
        sub.get_name() + (positionals.empty() ? std::string(" takes no argument") : " takes" + positionals);
    if (what.find("aiosim1:") != std::string::npos)
        return "hint: a replay string goes after --replay: " + cmd + " NAME --replay 'aiosim1:...' (" + usage +
               ", then options)\n";
    return "hint: " + usage + "; options start with -- (e.g. --seed 7), and a value with spaces needs quotes\n";
}

// CLI11's message, prefixed like every other error of the tool, and pointing to the help of
// the subcommand that was being parsed.
std::string failure_message(const CLI::App* app, const CLI::Error& e) {
    std::string cmd = app->get_name();
    const CLI::App* last = app;
    for (const CLI::App* sub : app->get_subcommands()) {
        cmd += " " + sub->get_name();
        last = sub;
    }
    return cmd + ": " + e.what() + "\n" + extras_hint(*last, cmd, e) + "Run `" + cmd + " --help` for usage.\n";
}

// The name the user typed, for messages: "aiosim", or the name of a user's own tool.
std::string program_name(int argc, const char* const* argv) {
    if (argc < 1 || !argv[0] || !*argv[0]) return "aiosim";
    std::string_view p = argv[0];
    if (auto slash = p.rfind('/'); slash != std::string_view::npos) p.remove_prefix(slash + 1);
    return std::string(p);
}

// CLI11 words a missing or mistyped command as "A subcommand is required"; say which
// commands exist instead. Returns the error, or empty when the command word is fine.
std::string check_command_word(const CLI::App& app, int argc, const char* const* argv) {
    std::string valid;
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        valid += (valid.empty() ? "" : ", ") + sub->get_name();
        names.push_back(sub->get_name());
    }
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "-h" || a == "--help") return {};
        if (a.starts_with('-')) continue;  // CLI11 reports unknown options itself
        if (std::find(names.begin(), names.end(), a) != names.end()) return {};
        return fmt::format("{}: unknown command '{}'; valid commands: {}\nRun `{} --help` for usage.\n", app.get_name(),
                           a, valid, app.get_name());
    }
    return fmt::format("{}: missing command; valid commands: {}\nRun `{} --help` for usage.\n", app.get_name(), valid,
                       app.get_name());
}

int run_command_line(const std::string& program, int argc, const char* const* argv, const scenario::Registry& scenarios,
                     std::ostream& out, std::ostream& err, const Getenv& getenv);

}  // namespace

Getenv process_environment() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    };
}

int main(int argc, const char* const* argv, const scenario::Registry& scenarios, std::ostream& out, std::ostream& err) {
    return main(argc, argv, scenarios, out, err, process_environment());
}

int main(int argc, const char* const* argv, const scenario::Registry& scenarios, std::ostream& out, std::ostream& err,
         const Getenv& getenv) {
    // The tool's name is known before anything can throw; after it, nothing may escape: a
    // caller (a user's main, a fuzzer) gets a status, never std::terminate.
    std::string program = "aiosim";
    try {
        program = program_name(argc, argv);
        return run_command_line(program, argc, argv, scenarios, out, err, getenv);
    } catch (...) {
        try {
            err << program << ": internal error: " << aio::describe(std::current_exception()) << '\n';
        } catch (...) {}
        return kBadUsage;
    }
}

namespace {

int run_command_line(const std::string& program, int argc, const char* const* argv, const scenario::Registry& scenarios,
                     std::ostream& out, std::ostream& err, const Getenv& getenv) {
    if (auto problems = scenarios.problems(); !problems.empty()) {
        for (const auto& p : problems) err << program << ": " << p << '\n';
        err << program << ": fix the scenario registrations above, rebuild, and try again\n";
        return kBadUsage;
    }

    CLI::App app("List and run aio scenarios (asyncio-style C++ programs).", program);
    app.require_subcommand(1);
    app.failure_message(failure_message);
    std::vector<std::unique_ptr<Command>> commands;
    commands.push_back(make_list_command(app));
    commands.push_back(make_run_command(app));
    commands.push_back(make_explore_command(app));
    commands.push_back(make_replay_command(app));
    commands.push_back(make_shrink_command(app));
    commands.push_back(make_trace_command(app));
    commands.push_back(make_hashes_command(app));

    if (std::string e = check_command_word(app, argc, argv); !e.empty()) {
        err << e;
        return kBadUsage;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // Help prints to out and exits 0; every other parse error is bad usage.
        return app.exit(e, out, err) == 0 ? 0 : kBadUsage;
    }

    Env env{program, scenarios, out, err, getenv};
    for (auto& c : commands)
        if (c->selected()) return c->execute(env);
    return kBadUsage;  // unreachable: require_subcommand(1)
}

}  // namespace

int main(int argc, char** argv) { return main(argc, argv, scenario::Registry::global(), std::cout, std::cerr); }

}  // namespace aio::cli
