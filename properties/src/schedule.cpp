#include "aio/check/schedule.hpp"

namespace aio::check {

const std::vector<Policy>& all_policies() {
    static const std::vector<Policy> all{Policy::fifo, Policy::timers, Policy::random, Policy::pct};
    return all;
}

std::size_t nonzero_decisions(const Schedule& s) { return s.decisions ? s.decisions->size() : 0; }

aio::sim::Config lenient_config(const Schedule& s) {
    aio::sim::Config cfg;
    cfg.schedule = s;
    cfg.strict_replay = false;
    return cfg;
}

}  // namespace aio::check
