// The replay string and validate() agree: every valid schedule formats to a string that parses
// back to the same schedule, and every out-of-range value is refused both by validate() (so by
// the SimLoop constructor, for a Config built in code) and by the parser.
#include <aio/check/doctest.hpp>
#include <aio/sim/sim.hpp>
#include <aio/sim/validate.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <vector>

namespace sim = aio::sim;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

// A duration in [lo, hi], often a whole number of some unit (so every unit's spelling is used).
aio::Duration gen_duration(aio::Duration lo, aio::Duration hi) {
    const std::int64_t ns =
        *rc::gen::inRange<std::int64_t>(lo.count(), hi.count() == INT64_MAX ? INT64_MAX : hi.count() + 1);
    const std::int64_t unit =
        *rc::gen::element<std::int64_t>(1, 1'000, 1'000'000, 1'000'000'000, 60'000'000'000, 3'600'000'000'000);
    const std::int64_t rounded = ns / unit * unit;
    return aio::Duration(rounded >= lo.count() ? rounded : ns);
}

std::uint64_t gen_at_least_1() {
    return *rc::gen::oneOf(rc::gen::inRange<std::uint64_t>(1, 5000), rc::gen::inRange<std::uint64_t>(1, u64_max),
                           rc::gen::just(u64_max));
}

sim::Schedule gen_schedule() {
    sim::Schedule s;
    s.policy = *rc::gen::element(sim::Policy::fifo, sim::Policy::timers, sim::Policy::random, sim::Policy::pct,
                                 sim::Policy::pos, sim::Policy::urw, sim::Policy::delay);
    s.seed = *rc::gen::arbitrary<std::uint64_t>();
    s.pct_depth = *rc::gen::inRange(1, sim::max_pct_depth + 1);
    s.pct_steps = *rc::gen::oneOf(rc::gen::just<std::uint64_t>(0), rc::gen::just(gen_at_least_1()));  // 0: fitted
    s.delay_bound = *rc::gen::inRange(1, sim::max_delay_bound + 1);
    s.delay_points = *rc::gen::arbitrary<std::uint64_t>();
    s.jitter = gen_duration(0ns, sim::max_jitter);
    s.batch = gen_duration(0ns, sim::max_clock_window);
    s.ahead = gen_duration(0ns, sim::max_clock_window);
    s.cost = gen_duration(0ns, sim::max_step_cost);
    s.task_start = *rc::gen::element(sim::TaskStart::scheduled, sim::TaskStart::eager, sim::TaskStart::per_run,
                                     sim::TaskStart::per_task);
    s.limits.max_steps = gen_at_least_1();
    s.limits.max_virtual_time = gen_duration(0ns, aio::Duration::max());
    if (*rc::gen::arbitrary<bool>()) {  // the simulated network's parameters
        sim::NetConfig& n = s.network;
        n.faults.budget = *rc::gen::arbitrary<std::uint32_t>();
        n.faults.rate = *rc::gen::inRange<std::uint32_t>(1, 1001);
        n.faults.kinds.bits = *rc::gen::inRange<std::uint8_t>(1, 0x80);
        n.latency = gen_duration(0ns, sim::max_net_latency);
        n.latency_spread = gen_duration(0ns, sim::max_net_latency);
        n.window = *rc::gen::inRange<std::size_t>(1, sim::max_net_bytes + 1);
        n.segment = *rc::gen::inRange<std::size_t>(1, sim::max_net_bytes + 1);
        n.connect_timeout = gen_duration(0ns, sim::max_net_duration);
        n.stall_time = gen_duration(0ns, sim::max_net_duration);
        n.partition_time = gen_duration(0ns, sim::max_net_duration);
        n.restart_delay = gen_duration(0ns, sim::max_net_duration);
        n.slow_factor = *rc::gen::inRange<std::uint32_t>(1, sim::max_slow_factor + 1);
    }
    if (*rc::gen::arbitrary<bool>()) {
        std::vector<sim::Decision> list;
        // Positions from anywhere, up to the last one representable.
        std::uint64_t next = *rc::gen::oneOf(rc::gen::just<std::uint64_t>(0), rc::gen::arbitrary<std::uint64_t>(),
                                             rc::gen::inRange<std::uint64_t>(u64_max - 20, u64_max));
        const int n = *rc::gen::inRange(0, 20);
        for (int i = 0; i < n; ++i) {
            const std::uint64_t gap =
                *rc::gen::oneOf(rc::gen::inRange<std::uint64_t>(0, 4), rc::gen::arbitrary<std::uint64_t>());
            if (gap > u64_max - next) break;
            const std::uint64_t pos = next + gap;
            list.push_back({pos,
                            *rc::gen::element(sim::Choice::ready, sim::Choice::timer, sim::Choice::jitter,
                                              sim::Choice::start, sim::Choice::thread, sim::Choice::latency,
                                              sim::Choice::fault, sim::Choice::point, sim::Choice::overtake),
                            *rc::gen::inRange<std::uint32_t>(1, std::numeric_limits<std::uint32_t>::max())});
            if (pos == u64_max) break;
            next = pos + 1;
        }
        s.decisions = std::move(list);
    }
    return s;
}

sim::Config config_of(const sim::Schedule& s) {
    sim::Config c;
    c.schedule = s;
    c.schedule.decisions.reset();
    return c;
}

bool rejected_by_validate(const sim::Config& c) {
    try {
        sim::validate(c);
    } catch (const sim::ConfigError&) {
        return true;
    }
    return false;
}

bool rejected_by_loop(const sim::Config& c) {
    try {
        sim::SimLoop loop(c);
    } catch (const sim::ConfigError&) {
        return true;
    }
    return false;
}

bool rejected_by_parser(const std::string& s) {
    try {
        (void)sim::Schedule::parse(s);
    } catch (const sim::ReplayParseError&) {
        return true;
    }
    return false;
}

}  // namespace

AIOSIM_PROPERTY("every valid schedule's replay string parses back to the same schedule", [] {
    const sim::Schedule s = gen_schedule();
    RC_ASSERT_FALSE(rejected_by_validate(sim::Config{.schedule = s}));
    const std::string str = s.to_string();
    RC_ASSERT(sim::Schedule::parse(str) == s);
});

AIOSIM_PROPERTY("a valid Config builds a loop, and the string of its schedule gives back the same schedule", [] {
    sim::Schedule s = gen_schedule();
    s.decisions.reset();
    sim::Config c = config_of(s);
    c.trace = *rc::gen::element(sim::TraceMode::off, sim::TraceMode::hash, sim::TraceMode::full);
    c.thread_timeout = gen_duration(0ns, sim::max_thread_timeout);
    c.thread_step_budget = *rc::gen::arbitrary<std::uint64_t>();
    RC_ASSERT_FALSE(rejected_by_loop(c));
    RC_ASSERT(sim::Config::from_replay(c.schedule.to_string()).schedule == c.schedule);
});

AIOSIM_PROPERTY("every out-of-range value is rejected by validate, by the SimLoop constructor and by the parser", [] {
    sim::Schedule s = gen_schedule();
    s.decisions.reset();
    switch (*rc::gen::inRange(0, 16)) {
    case 0: s.jitter = -gen_duration(1ns, aio::Duration::max()); break;
    case 1: s.jitter = gen_duration(sim::max_jitter + 1ns, aio::Duration::max()); break;
    case 2: s.pct_depth = *rc::gen::inRange(std::numeric_limits<int>::min(), 1); break;
    case 3: s.pct_depth = *rc::gen::inRange(sim::max_pct_depth + 1, std::numeric_limits<int>::max()); break;
    // Past the last enumerator (delay).
    case 4:
        s.policy = static_cast<sim::Policy>(*rc::gen::inRange(static_cast<int>(sim::Policy::delay) + 1, 256));
        break;
    case 5: s.limits.max_steps = 0; break;
    case 6: s.limits.max_virtual_time = -gen_duration(1ns, aio::Duration::max()); break;
    case 7: s.network.faults.rate = *rc::gen::element<std::uint32_t>(0, 1001, UINT32_MAX); break;
    case 8: s.network.latency = gen_duration(sim::max_net_latency + 1ns, aio::Duration::max()); break;
    case 9: s.network.latency_spread = -gen_duration(1ns, aio::Duration::max()); break;
    case 10: s.network.window = *rc::gen::element<std::size_t>(0, sim::max_net_bytes + 1); break;
    case 11: s.network.segment = *rc::gen::element<std::size_t>(0, sim::max_net_bytes + 1); break;
    case 12: s.network.connect_timeout = gen_duration(sim::max_net_duration + 1ns, aio::Duration::max()); break;
    case 13: s.network.stall_time = -gen_duration(1ns, aio::Duration::max()); break;
    case 14: s.network.slow_factor = *rc::gen::element<std::uint32_t>(0, sim::max_slow_factor + 1); break;
    default: s.decisions = std::vector<sim::Decision>{{*rc::gen::arbitrary<std::uint64_t>(), sim::Choice::ready, 0}};
    }
    RC_ASSERT(rejected_by_validate(sim::Config{.schedule = s}));
    RC_ASSERT(rejected_by_loop(sim::Config{.schedule = s}));
    if (!s.decisions) RC_ASSERT(rejected_by_loop(config_of(s)));
    RC_ASSERT(rejected_by_parser(s.to_string()));
});

TEST_CASE("Config compares equal to a copy and unequal once a field differs") {
    sim::Config a{.schedule = {.policy = sim::Policy::pct, .seed = 9}};
    sim::Config b = a;
    CHECK(a == b);
    b.thread_timeout = 1s;
    CHECK_FALSE(a == b);
}
