#pragma once
// aio::sim::Schedule: everything that fixes the order of a simulated run: the policy, its
// parameters and seed, the limits, and (to replay a run) the list of its non-zero decisions.
//
//     aio::sim::Config cfg{.schedule = {.policy = aio::sim::Policy::random, .seed = 7}};
//     cfg.schedule = aio::sim::Schedule::parse("aiosim1:random:seed=7:2r3.r1");  // replay a run
//
// A schedule with no decision list follows the seed: the policy's generator answers every
// choice. With a list (a recorded run, RunRecord::schedule), the listed decisions answer and
// every other decision is 0 whatever the seed (which is kept for reference). Its replay
// string (to_string(), parse(); the grammar is in replay.hpp) reproduces the run anywhere.
// The ranges of the fields are in validate.hpp.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aio/clock.hpp"
#include "aio/sim/decision.hpp"
#include "aio/sim/limits.hpp"
#include "aio/sim/net_config.hpp"
#include "aio/sim/policy.hpp"

namespace aio::sim {

struct Schedule {
    Policy policy = Policy::fifo;
    std::uint64_t seed = 0;
    /// pct: the depth d (bugs needing up to d ordering constraints), 1 to 64.
    int pct_depth = 3;
    /// pct: how many ready-queue choices a run is expected to make (where change points go).
    std::uint64_t pct_steps = 1000;
    /// delay: the most deviations (non-zero decisions) a seeded run makes, 1 to 64 (bound=).
    int delay_bound = default_delay_bound;
    /// delay: how many choice points a run offers (pts=), over which the seeded source draws
    /// its deviation positions; 0: fitted, Config::measured_points when the caller measured it
    /// (else unfitted_delay_points). The run's record holds the value used.
    std::uint64_t delay_points = 0;
    /// timers: the largest jitter (late timer creation or wake-up), in 8 steps; 0ns to 24h.
    Duration jitter = std::chrono::milliseconds(1);
    TaskStart task_start = TaskStart::scheduled;
    /// The clock (every policy): when the idle loop wakes for the earliest timer, every timer
    /// due within `batch` after it fires in the same pass, in deadline order, and the clock
    /// moves to the last of them. CPython's epoll selector rounds its wait up to whole
    /// milliseconds, hence 1ms; 0ns: each deadline on its own pass. 0ns to 24h.
    Duration batch = std::chrono::milliseconds(1);
    /// The overtake window (choice 'o', every policy but fifo): at a pass start with ready work,
    /// the earliest timer may fire in this pass when it is due within `ahead`. 0ns (never) to 24h.
    Duration ahead = std::chrono::milliseconds(1);
    /// Virtual time each ready entry's run takes (every policy): the clock moves by `cost` as
    /// each entry begins, as a real clock moves while steps run. 0ns (the clock stands still
    /// while anything is ready) to 1h.
    Duration cost = Duration::zero();
    Limits limits{};
    /// The simulated network's shape and fault policy (net_config.hpp).
    NetConfig network{};
    /// The non-zero decisions by increasing position; nullopt: answer from the seed.
    std::optional<std::vector<Decision>> decisions{};

    /// The replay string (replay.hpp has the grammar).
    std::string to_string() const;
    /// Parses a replay string; throws ReplayParseError (replay.hpp) and nothing else but
    /// std::bad_alloc. A pure function: for every string it accepts,
    /// parse(parse(s).to_string()) == parse(s).
    static Schedule parse(std::string_view text);
    friend bool operator==(const Schedule&, const Schedule&) = default;
};

}  // namespace aio::sim
