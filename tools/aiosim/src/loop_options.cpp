#include "loop_options.hpp"

#include <fmt/format.h>

#include <aio/sim/sim.hpp>

#include <aio/sim/parse.hpp>
#include <aio/sim/replay.hpp>

#include <algorithm>
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

// The fault kinds' letters in FaultKind order (net_config.hpp), with what each does.
struct FaultLetter {
    char letter;
    std::string_view what;
};
constexpr std::array<FaultLetter, aio::sim::fault_kind_count> kFaultLetters{{
    {'x', "refuse a connect"},
    {'r', "reset a connection"},
    {'h', "stall a direction"},
    {'p', "partition two hosts"},
    {'c', "crash a host"},
    {'w', "slow a link"},
    {'b', "fire a fault_point()"},
}};

constexpr std::uint64_t kMaxFaults = 1'000'000;
constexpr std::uint64_t kMaxBytes = std::uint64_t{1} << 30;
constexpr Duration kMaxLatency = std::chrono::hours(1);

CLI::Validator duration_check(Duration max) {
    return CLI::Validator(
        [max](std::string& value) -> std::string {
            const auto d = aio::sim::read_duration(value, {.bare_seconds = false, .sub_millisecond = true, .max = max});
            if (d.error == aio::sim::DurationText::Error::none && d.end == value.size()) return {};
            return fmt::format("'{}' is not a duration from 0ns to {} (digits and a unit: ns, us, ms, s, m, h)",
                               excerpt(value), aio::sim::format_duration(max));
        },
        fmt::format("0ns to {}", aio::sim::format_duration(max)), "duration");
}

Duration duration_of(const std::string& text) { return aio::sim::read_duration(text).value; }

std::string fault_letters_help() {
    std::string s;
    for (const auto& f : kFaultLetters) s += fmt::format("{}{} = {}", s.empty() ? "" : ", ", f.letter, f.what);
    return s;
}

}  // namespace

std::optional<aio::sim::FaultKinds> parse_fault_kinds(std::string_view letters) {
    if (letters.empty()) return std::nullopt;
    aio::sim::FaultKinds kinds{.bits = 0};
    for (char c : letters) {
        const auto* it = std::find_if(kFaultLetters.begin(), kFaultLetters.end(),
                                      [c](const FaultLetter& f) { return f.letter == c; });
        if (it == kFaultLetters.end()) return std::nullopt;
        const auto k = static_cast<aio::sim::FaultKind>(it - kFaultLetters.begin());
        if (kinds.has(k)) return std::nullopt;
        kinds.add(k);
    }
    return kinds;
}

void add_network_options(CLI::App& command, NetOptions& options) {
    auto note = [&options](const char* name) {
        return [&options, name](const std::string&) {
            if (options.first.empty()) options.first = name;
        };
    };
    const aio::sim::NetConfig def;
    command
        .add_option("--faults", options.faults,
                    "the simulated network's fault budget: at most N faults per run, each a decision (so replayed "
                    "and shrunk); 0 turns faults off")
        ->type_name("N")
        ->check(whole_number(0, kMaxFaults))
        ->default_str("0")
        ->each(note("--faults"));
    command
        .add_option("--fault-rate", options.fault_rate,
                    "with --faults: the chance a seeded run injects a fault at each opportunity, per mille")
        ->type_name("R")
        ->check(whole_number(1, 1000))
        ->default_str(std::to_string(def.faults.rate))
        ->each(note("--fault-rate"));
    command
        .add_option("--fault-kinds", options.fault_kinds,
                    "with --faults: the kinds of fault to inject, one letter each: " + fault_letters_help())
        ->type_name("LETTERS")
        ->check(CLI::Validator(
            [](std::string& value) -> std::string {
                if (parse_fault_kinds(value)) return {};
                return fmt::format("'{}' is not a set of fault kinds: give each letter once, from {}", excerpt(value),
                                   fault_letters_help());
            },
            "", "fault letters"))
        ->default_str("xrhpcwb")
        ->each(note("--fault-kinds"));
    command
        .add_option("--latency", options.latency,
                    "the one-way latency of a segment on the simulated network when no decision adds to it")
        ->type_name("DURATION")
        ->check(duration_check(kMaxLatency))
        ->default_str(aio::sim::format_duration(def.latency))
        ->each(note("--latency"));
    command
        .add_option("--latency-spread", options.latency_spread,
                    "the most a latency decision adds to --latency (in 8 steps)")
        ->type_name("DURATION")
        ->check(duration_check(kMaxLatency))
        ->default_str(aio::sim::format_duration(def.latency_spread))
        ->each(note("--latency-spread"));
    command
        .add_option("--window", options.window,
                    "bytes a connection's direction holds in flight and unread before the writer's drain() waits")
        ->type_name("BYTES")
        ->check(whole_number(1, kMaxBytes))
        ->default_str(std::to_string(def.window))
        ->each(note("--window"));
    command
        .add_option("--segment", options.segment,
                    "the largest segment a write is cut into (each arrives on its own: reads may be short)")
        ->type_name("BYTES")
        ->check(whole_number(1, kMaxBytes))
        ->default_str(std::to_string(def.segment))
        ->each(note("--segment"));
}

void apply_network_options(const NetOptions& o, aio::sim::NetConfig& net) {
    if (o.faults) net.faults.budget = static_cast<std::uint32_t>(*o.faults);
    if (net.faults.budget == 0 && (o.fault_rate || o.fault_kinds))
        throw aio::ValueError(fmt::format(
            "{} would change nothing without a fault budget (faults are off); add --faults N (N >= 1) or leave {} out",
            o.fault_rate ? "--fault-rate" : "--fault-kinds", o.fault_rate ? "--fault-rate" : "--fault-kinds"));
    if (o.fault_rate) net.faults.rate = static_cast<std::uint32_t>(*o.fault_rate);
    if (o.fault_kinds) net.faults.kinds = *parse_fault_kinds(*o.fault_kinds);
    if (o.latency) net.latency = duration_of(*o.latency);
    if (o.latency_spread) net.latency_spread = duration_of(*o.latency_spread);
    if (o.window) net.window = static_cast<std::size_t>(*o.window);
    if (o.segment) net.segment = static_cast<std::size_t>(*o.segment);
}

void check_network_options(const NetOptions& o, const aio::sim::NetConfig& net) {
    aio::sim::NetConfig wanted = net;
    // The options alone (a fault option with the string's budget is fine).
    if (o.faults) wanted.faults.budget = static_cast<std::uint32_t>(*o.faults);
    if (o.fault_rate) wanted.faults.rate = static_cast<std::uint32_t>(*o.fault_rate);
    if (o.fault_kinds) wanted.faults.kinds = *parse_fault_kinds(*o.fault_kinds);
    if (o.latency) wanted.latency = duration_of(*o.latency);
    if (o.latency_spread) wanted.latency_spread = duration_of(*o.latency_spread);
    if (o.window) wanted.window = static_cast<std::size_t>(*o.window);
    if (o.segment) wanted.segment = static_cast<std::size_t>(*o.segment);
    auto differs = [](const char* option, const std::string& given, const char* param, const std::string& has) {
        return aio::ValueError(
            fmt::format("{} {} disagrees with the replay string, which has {}={} (a replay string fixes the network "
                        "its run had); leave {} out, or record a new string with it",
                        option, given, param, has, option));
    };
    if (wanted.faults.budget != net.faults.budget)
        throw differs("--faults", std::to_string(wanted.faults.budget), "faults", std::to_string(net.faults.budget));
    if (wanted.faults.rate != net.faults.rate)
        throw differs("--fault-rate", std::to_string(wanted.faults.rate), "frate", std::to_string(net.faults.rate));
    if (wanted.faults.kinds != net.faults.kinds) {
        std::string has;
        for (std::size_t i = 0; i < kFaultLetters.size(); ++i)
            if (net.faults.kinds.has(static_cast<aio::sim::FaultKind>(i))) has += kFaultLetters[i].letter;
        throw differs("--fault-kinds", *o.fault_kinds, "fkinds", has);
    }
    if (wanted.latency != net.latency)
        throw differs("--latency", *o.latency, "lat", aio::sim::format_duration(net.latency));
    if (wanted.latency_spread != net.latency_spread)
        throw differs("--latency-spread", *o.latency_spread, "spread", aio::sim::format_duration(net.latency_spread));
    if (wanted.window != net.window)
        throw differs("--window", std::to_string(wanted.window), "win", std::to_string(net.window));
    if (wanted.segment != net.segment)
        throw differs("--segment", std::to_string(wanted.segment), "seg", std::to_string(net.segment));
}

std::string describe_network(const aio::sim::NetConfig& net) {
    std::string faults = "faults off";
    if (net.faults.budget > 0) {
        std::string kinds;
        for (std::size_t i = 0; i < kFaultLetters.size(); ++i)
            if (net.faults.kinds.has(static_cast<aio::sim::FaultKind>(i))) kinds += kFaultLetters[i].letter;
        faults = fmt::format("up to {} fault{} (rate {} per mille, kinds {})", net.faults.budget,
                             net.faults.budget == 1 ? "" : "s", net.faults.rate, kinds);
    }
    return fmt::format("{}, latency {} + up to {}, window {} B, segments of {} B", faults,
                       aio::sim::format_duration(net.latency), aio::sim::format_duration(net.latency_spread),
                       net.window, net.segment);
}

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
    command
        .add_option("--policy", options.policy,
                    fmt::format("the scheduling policy of the simulator: {}", aio::sim::policy_names()))
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
    add_network_options(command, options.net);
}

std::string effective_loop(const LoopOptions& options) {
    if (options.sim_option.empty() && !options.net.any()) return options.loop;
    if (options.sim_option.empty()) {
        if (options.loop_given && options.loop != "sim")
            throw aio::ValueError(
                fmt::format("{} needs the simulator's network, not --loop {}; use --loop sim or leave --loop out",
                            options.net.first, options.loop));
        return "sim";
    }
    if (!options.loop_given) return "sim";
    if (options.loop != "sim")
        throw aio::ValueError(fmt::format("{} needs the simulator, not --loop {}; use --loop sim or leave --loop out",
                                          options.sim_option, options.loop));
    return options.loop;
}

aio::sim::Config make_sim_config(const LoopOptions& options) {
    if (!options.replay.empty()) {
        aio::sim::Config cfg = aio::sim::Config::from_replay(options.replay);  // says where a bad string is wrong
        check_network_options(options.net, cfg.schedule.network);
        return cfg;
    }
    aio::sim::Config cfg;
    cfg.schedule.policy = *aio::sim::policy_from_name(options.policy);
    cfg.schedule.seed = options.seed;
    apply_network_options(options.net, cfg.schedule.network);
    return cfg;
}

std::optional<aio::sim::Config> make_sim_config(const LoopOptions& options, std::ostream& err, const std::string& cmd,
                                                const std::string& label) {
    try {
        return make_sim_config(options);
    } catch (const aio::sim::ReplayParseError& e) {
        err << cmd << ": " << label << e.what() << '\n';
        return std::nullopt;
    } catch (const aio::ValueError& e) {  // network options that do not fit
        err << cmd << ": " << e.what() << '\n';
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
