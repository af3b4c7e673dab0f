#include "aio/check/schedule.hpp"

namespace aio::check {

const std::vector<Policy>& all_policies() {
    static const std::vector<Policy> all(aio::sim::policies().begin(), aio::sim::policies().end());
    return all;
}

const std::vector<Policy>& portfolio_policies() {
    static const std::vector<Policy> portfolio{Policy::fifo, Policy::timers, Policy::pos,   Policy::urw,
                                               Policy::pct,  Policy::delay,  Policy::random};
    return portfolio;
}

std::uint64_t portfolio_pct_steps() { return 0; }

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
