#include "loop_options.hpp"

#include <fmt/format.h>

#include <aio/sim/sim.hpp>

#include <array>
#include <string_view>

namespace aio::cli {

namespace {

struct LoopKind {
    std::string_view name;
    std::string_view help;
};

// The loops this build knows; the first is the default.
constexpr std::array<LoopKind, 2> kLoops{{
    {"real", "the real-time event loop (steady clock, real sleeping)"},
    {"sim", "the simulator (virtual time, no real sleeping; scheduling from --policy/--seed/--replay)"},
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
    CLI::Validator policy(
        [](std::string& value) -> std::string {
            if (aio::sim::policy_from_name(value)) return {};
            return fmt::format("unknown policy '{}'; valid policies: {}", value, aio::sim::policy_names());
        },
        "", "policy name");
    command.add_option("--policy", options.policy, "--loop sim: the scheduling policy")
        ->check(policy)
        ->type_name("POLICY")
        ->default_str(options.policy);
    command.add_option("--seed", options.seed, "--loop sim: the seed of the policy's choices")->type_name("SEED");
    command.add_option("--replay", options.replay, "--loop sim: run exactly this replay string")->type_name("STR");
}

aio::RunOptions make_run_options(const LoopOptions& options) {
    aio::RunOptions o;
    if (options.loop == "real") return o;  // aio::run's default: a new real-time loop
    if (options.loop == "sim") {
        aio::sim::Config cfg;
        if (!options.replay.empty()) {
            cfg = aio::sim::Config::from_replay(options.replay);  // says where a bad string is wrong
        } else {
            cfg.policy = *aio::sim::policy_from_name(options.policy);
            cfg.seed = options.seed;
        }
        o.loop_factory = aio::sim::loop_factory(std::move(cfg));
        return o;
    }
    // add_loop_options() validated the name; a loop in kLoops without a case here is a bug.
    throw std::logic_error(fmt::format("aiosim: loop '{}' is listed but not implemented", options.loop));
}

}  // namespace aio::cli
