#include "loop_options.hpp"

#include <fmt/format.h>

#include <aio/sim/sim.hpp>

#include <array>
#include <string_view>

#include "numbers.hpp"

namespace aio::cli {

namespace {

struct LoopKind {
    std::string_view name;
    std::string_view help;
};

// The loops this build knows; the first is the default.
constexpr std::array<LoopKind, 2> kLoops{{
    {"sim",
     "the simulator (virtual time, no real sleeping; scheduling from --policy/--seed/--replay, fifo by default)"},
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
    command.add_option("--loop", options.loop, help)
        ->check(known)
        ->type_name("LOOP")
        ->default_str(options.loop)
        ->each([&options](const std::string&) { options.loop_given = true; });
    add_schedule_options(command, options);
}

CLI::Validator policy_validator() {
    return CLI::Validator(
        [](std::string& value) -> std::string {
            if (aio::sim::policy_from_name(value)) return {};
            return fmt::format("unknown policy '{}'; valid policies: {}", value, aio::sim::policy_names());
        },
        "", "policy name");
}

void add_schedule_options(CLI::App& command, LoopOptions& options) {
    auto note = [&options](const char* name) {
        return [&options, name](const std::string&) {
            if (options.sim_option.empty()) options.sim_option = name;
        };
    };
    command.add_option("--policy", options.policy, "the scheduling policy of the simulator")
        ->check(policy_validator())
        ->type_name("POLICY")
        ->default_str(options.policy)
        ->each(note("--policy"));
    command.add_option("--seed", options.seed, "the seed of the policy's choices")
        ->type_name("SEED")
        ->check(whole_number(0, kMaxU64))
        ->each(note("--seed"));
    command
        .add_option("--replay", options.replay,
                    "run exactly this replay string (as explore prints it; it overrides --policy and --seed)")
        ->type_name("STR")
        ->each(note("--replay"));
}

std::string effective_loop(const LoopOptions& options) {
    if (options.sim_option.empty()) return options.loop;
    if (!options.loop_given) return "sim";
    if (options.loop != "sim")
        throw aio::ValueError(fmt::format("{} needs the simulator, not --loop {}; use --loop sim or leave --loop out",
                                          options.sim_option, options.loop));
    return options.loop;
}

aio::sim::Config make_sim_config(const LoopOptions& options) {
    if (!options.replay.empty())
        return aio::sim::Config::from_replay(options.replay);  // says where a bad string is wrong
    aio::sim::Config cfg;
    cfg.schedule.policy = *aio::sim::policy_from_name(options.policy);
    cfg.schedule.seed = options.seed;
    return cfg;
}

std::optional<aio::sim::Config> make_sim_config(const LoopOptions& options, std::ostream& err, const std::string& cmd,
                                                const std::string& label) {
    try {
        return make_sim_config(options);
    } catch (const aio::ValueError& e) {
        err << cmd << ": " << label << e.what() << '\n';
        return std::nullopt;
    }
}

aio::RunOptions make_run_options(const LoopOptions& options) {
    aio::RunOptions o;
    const std::string loop = effective_loop(options);
    if (loop == "real") return o;  // aio::run's default: a new real-time loop
    if (loop == "sim") {
        o.loop_factory = aio::sim::loop_factory(make_sim_config(options));
        return o;
    }
    // add_loop_options() validated the name; a loop in kLoops without a case here is a bug.
    throw std::logic_error(fmt::format("aiosim: loop '{}' is listed but not implemented", options.loop));
}

}  // namespace aio::cli
