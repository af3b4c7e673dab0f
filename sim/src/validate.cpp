// The ranges of a simulated run's parameters (validate.hpp has the table).
#include "aio/sim/validate.hpp"

#include <fmt/format.h>

#include <cstdint>

#include "aio/sim/replay.hpp"

namespace aio::sim {

namespace {

[[noreturn]] void out_of_range(const char* field, std::string value, std::string range, const char* param) {
    std::string where = param[0] ? fmt::format(" (replay parameter {}=)", param) : std::string();
    throw ConfigError(field, fmt::format("{} = {} is out of range: it must be {}{}. Pass a value in that range.", field,
                                         value, range, where));
}

void check_duration(const char* field, Duration d, Duration lo, Duration hi, const char* param) {
    if (d < lo || d > hi)
        out_of_range(field, format_duration(d),
                     fmt::format("between {} and {}", lo == Duration::zero() ? std::string("0ns") : format_duration(lo),
                                 hi == Duration::max() ? fmt::format("{}ns", hi.count()) : format_duration(hi)),
                     param);
}

}  // namespace

ConfigError::ConfigError(std::string field, std::string reason)
    : aio::ValueError("aio::sim::Config: " + reason), field_(std::move(field)), reason_(std::move(reason)) {}

void validate(const Schedule& s) {
    if (policy_name(s.policy) == "unknown")
        out_of_range("policy", fmt::format("{}", static_cast<unsigned>(s.policy)),
                     fmt::format("one of {}", policy_names()), "");
    if (static_cast<unsigned>(s.task_start) > static_cast<unsigned>(TaskStart::per_task))
        out_of_range("task_start", fmt::format("{}", static_cast<unsigned>(s.task_start)),
                     "one of scheduled, eager, per_run, per_task", "start");
    if (s.pct_depth < 1 || s.pct_depth > max_pct_depth)
        out_of_range("pct_depth", fmt::format("{}", s.pct_depth), fmt::format("between 1 and {}", max_pct_depth), "d");
    if (s.pct_steps < 1) out_of_range("pct_steps", "0", "at least 1", "k");
    if (s.delay_bound < 1 || s.delay_bound > max_delay_bound)
        out_of_range("delay_bound", fmt::format("{}", s.delay_bound), fmt::format("between 1 and {}", max_delay_bound),
                     "bound");
    check_duration("jitter", s.jitter, Duration::zero(), max_jitter, "jitter");
    check_duration("batch", s.batch, Duration::zero(), max_clock_window, "batch");
    check_duration("ahead", s.ahead, Duration::zero(), max_clock_window, "ahead");
    check_duration("cost", s.cost, Duration::zero(), max_step_cost, "cost");
    if (s.limits.max_steps < 1) out_of_range("limits.max_steps", "0", "at least 1", "steps");
    check_duration("limits.max_virtual_time", s.limits.max_virtual_time, Duration::zero(), Duration::max(), "vtime");
    const NetConfig& n = s.network;
    if (n.faults.rate < 1 || n.faults.rate > 1000)
        out_of_range("network.faults.rate", fmt::format("{}", n.faults.rate), "between 1 and 1000 (per mille)",
                     "frate");
    if (n.faults.kinds.bits == 0 || n.faults.kinds.bits > 0x7F)
        out_of_range("network.faults.kinds", fmt::format("{:#x}", n.faults.kinds.bits),
                     "a non-empty set of the kinds x r h p c w b (bits 0x01 to 0x7f)", "fkinds");
    check_duration("network.latency", n.latency, Duration::zero(), max_net_latency, "lat");
    check_duration("network.latency_spread", n.latency_spread, Duration::zero(), max_net_latency, "spread");
    if (n.window < 1 || n.window > max_net_bytes)
        out_of_range("network.window", fmt::format("{}", n.window), fmt::format("between 1 and {}", max_net_bytes),
                     "win");
    if (n.segment < 1 || n.segment > max_net_bytes)
        out_of_range("network.segment", fmt::format("{}", n.segment), fmt::format("between 1 and {}", max_net_bytes),
                     "seg");
    check_duration("network.connect_timeout", n.connect_timeout, Duration::zero(), max_net_duration, "ctimeout");
    check_duration("network.stall_time", n.stall_time, Duration::zero(), max_net_duration, "stall");
    check_duration("network.partition_time", n.partition_time, Duration::zero(), max_net_duration, "part");
    check_duration("network.restart_delay", n.restart_delay, Duration::zero(), max_net_duration, "restart");
    if (n.slow_factor < 1 || n.slow_factor > max_slow_factor)
        out_of_range("network.slow_factor", fmt::format("{}", n.slow_factor),
                     fmt::format("between 1 and {}", max_slow_factor), "slowx");
    if (!s.decisions) return;
    const auto& list = *s.decisions;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const Decision& d = list[i];
        if (static_cast<unsigned>(d.kind) > static_cast<unsigned>(Choice::overtake))
            throw ConfigError("decisions", fmt::format("decision {} (position {}) has an unknown kind {}: it must be "
                                                       "one of r, t, j, s, w, l, f, b, o.",
                                                       i, d.position, static_cast<unsigned>(d.kind)));
        if (d.index < 1)
            throw ConfigError("decisions", fmt::format("decision {} (position {}) has index 0: a listed decision is "
                                                       "at least 1 (zero decisions are implied, not listed).",
                                                       i, d.position));
        if (i > 0 && d.position <= list[i - 1].position)
            throw ConfigError("decisions", fmt::format("decision {} is at position {}, not after the previous one "
                                                       "at position {}: positions must be strictly increasing.",
                                                       i, d.position, list[i - 1].position));
    }
}

void validate(const Config& c) {
    validate(c.schedule);
    if (static_cast<unsigned>(c.trace) > static_cast<unsigned>(TraceMode::full))
        out_of_range("trace", fmt::format("{}", static_cast<unsigned>(c.trace)), "one of off, hash, full", "");
    check_duration("thread_timeout", c.thread_timeout, Duration::zero(), max_thread_timeout, "");
}

}  // namespace aio::sim
