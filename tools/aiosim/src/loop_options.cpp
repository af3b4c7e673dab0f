#include "loop_options.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>

namespace aio::cli {

namespace {

struct LoopKind {
    std::string_view name;
    std::string_view help;
};

// The loops this build knows; the first is the default.
constexpr std::array<LoopKind, 1> kLoops{{
    {"real", "the real-time event loop (steady clock, real sleeping)"},
}};

std::string loop_names() {
    std::string s;
    for (const auto& k : kLoops) s += s.empty() ? std::string(k.name) : ", " + std::string(k.name);
    return s;
}

}  // namespace

void add_loop_options(CLI::App& command, LoopOptions& options) {
    std::string help = "which event loop runs the scenario:";
    for (const auto& k : kLoops) help += fmt::format(" {} = {};", k.name, k.help);
    help.back() = '.';
    CLI::Validator known(
        [](std::string& value) -> std::string {
            for (const auto& k : kLoops)
                if (k.name == value) return {};
            return fmt::format("unknown loop '{}'; valid loops: {}", value, loop_names());
        },
        "", "loop name");
    command.add_option("--loop", options.loop, help)->check(known)->type_name("LOOP")->default_str(options.loop);
}

aio::RunOptions make_run_options(const LoopOptions& options) {
    aio::RunOptions o;
    if (options.loop == "real") return o;  // aio::run's default: a new real-time loop
    // add_loop_options() validated the name; a loop in kLoops without a case here is a bug.
    throw std::logic_error(fmt::format("aiosim: loop '{}' is listed but not implemented", options.loop));
}

}  // namespace aio::cli
