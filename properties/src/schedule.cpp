#include "aio/check/schedule.hpp"

namespace aio::check {

const std::vector<Policy>& all_policies() {
    static const std::vector<Policy> all{Policy::fifo, Policy::timers, Policy::random, Policy::pct};
    return all;
}

const std::vector<Policy>& portfolio_policies() {
    static const std::vector<Policy> portfolio{Policy::fifo, Policy::timers, Policy::pct, Policy::delay,
                                               Policy::random};
    return portfolio;
}

std::uint64_t portfolio_pct_steps() {
    // 1000 (the fixed estimate) until pct's fitted mode (pct_steps 0, the `strategies` branch)
    // is in the simulator; then 0.
    return 1000;
}

std::string portfolio_names() {
    std::string out;
    for (Policy p : portfolio_policies()) {
        if (!out.empty()) out += ", ";
        out += aio::sim::policy_name(p);
    }
    return out;
}

std::size_t nonzero_decisions(const Schedule& s) { return s.decisions ? s.decisions->size() : 0; }

aio::sim::Config lenient_config(const Schedule& s) {
    aio::sim::Config cfg;
    cfg.schedule = s;
    cfg.strict_replay = false;
    return cfg;
}

}  // namespace aio::check
