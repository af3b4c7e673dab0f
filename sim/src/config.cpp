#include "aio/sim/config.hpp"

namespace aio::sim {

Schedule Config::schedule() const {
    if (replay) return *replay;
    Schedule s;
    s.policy = policy;
    s.seed = seed;
    s.pct_depth = pct_depth;
    s.pct_steps = pct_steps;
    s.jitter = jitter;
    s.task_start = task_start;
    s.limits = limits;
    return s;
}

Config Config::from_replay(std::string_view replay_string) {
    Config c;
    c.replay = Schedule::parse(replay_string);
    return c;
}

}  // namespace aio::sim
