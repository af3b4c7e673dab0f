#pragma once
// The rapidcheck form: a property that takes the schedule as an argument.
//
//     AIOSIM_PROPERTY("the pool never exceeds its capacity", [](const aio::check::Schedule& s) {
//         Stats st = aio::check::run(s, [] { return pool_scenario(); });
//         RC_ASSERT(st.max_in_use <= 2);
//     });
//
// rc::Arbitrary<Schedule> draws a policy (any of all_policies()) and a short list of non-zero
// decisions at random positions (few deviations from asyncio's order, as PCT argues most bugs
// need). Its shrinks drop decisions (chunks, then single ones) and lower each index toward 1, so
// a failing schedule shrinks to the fewest, smallest deviations from the default order (a
// schedule of two or more also tries each single decision at every earlier position, to escape
// local minima; one with none becomes fifo).
//
// A generated schedule is drawn blind to the program, so it is for lenient replay, which
// aio::check::run uses: its decisions name positions, kinds and indices the program may not
// offer (an 'o1' where only ready choices come, an index past the candidates, a position past
// the run's last choice point). Lenient replay bends a decision to the point it lands on (the
// point's kind, the index clamped to the last candidate) and drops one never reached. What
// replays strictly is the schedule as run (RunRecord::replay, which run logs): the same run
// again. Strict replay of the generated schedule itself is accepted exactly when its decisions
// are already those of the run (every one fitted); otherwise it reports the mismatch, as a
// ReplayDivergence (a decision that does not fit its point) or RunRecord::replay_incomplete (one
// never reached). check_api_test holds both as a property.
//
// aio::check::run(s, make_main) runs the program once under s and logs (RC_LOG) the
// schedule as it really ran and whether CPython's asyncio can run that order: on failure
// rapidcheck prints it with the shrunk counterexample. What reruns a failing property is
// rapidcheck's RC_PARAMS="reproduce=..." (AIOSIM_PROPERTY's report prints the whole command,
// with the -tc filter); the replay string is for aio::sim::Config::from_replay, `aiosim run
// --replay` or a for_all_schedules check (AIOSIM_REPLAY), not for the property. A schedule
// shrunk (or generated) to fifo has seed 0: fifo has no seed.
// Header-only; the test links rapidcheck.
#include <cstdint>
#include <exception>
#include <memory>
#include <ostream>
#include <type_traits>
#include <utility>
#include <vector>

#include <rapidcheck.h>

#include <aio/run.hpp>
#include <aio/sim/policy.hpp>
#include <aio/sim/sim_loop.hpp>

#include "aio/check/schedule.hpp"

namespace aio::sim {
/// How rapidcheck shows a schedule in a counterexample: its replay string.
inline void showValue(const Schedule& s, std::ostream& os) { os << s.to_string(); }
}  // namespace aio::sim

namespace aio::check {

struct ScheduleGenOptions {
    std::vector<Policy> policies = all_policies();
    int max_decisions = 8;
    int max_gap = 8;  // zero decisions between two listed ones
    std::uint32_t max_index = 4;
};

namespace detail {

inline rc::Seq<Schedule> schedule_shrinks(const Schedule& s) {
    if (!s.decisions || s.decisions->empty()) {
        // No deviation under any policy is asyncio's order: say so.
        if (s.policy == Policy::fifo) return rc::Seq<Schedule>();
        Schedule fifo = s;
        fifo.policy = Policy::fifo;
        fifo.seed = 0;  // fifo ignores it: a seed would only suggest otherwise
        return rc::seq::just(std::move(fifo));
    }
    auto with = [s](std::vector<Decision> d) {
        Schedule out = s;
        out.decisions = std::move(d);
        return out;
    };
    const std::vector<Decision>& d = *s.decisions;
    // Removing and lowering find a local minimum; a bug that needs one deviation may still
    // sit at two that each do nothing alone. So a schedule of 2+ decisions also shrinks to
    // every single decision (index 1) at positions up to its last one.
    rc::Seq<Schedule> singles;
    if (d.size() >= 2) {
        const Decision first = d.front();
        singles =
            rc::seq::map(rc::seq::range<std::uint64_t>(0, d.back().position + 1), [with, first](std::uint64_t pos) {
                Decision one = first;
                one.position = pos;
                one.index = 1;
                return with({one});
            });
    }
    return rc::seq::concat(rc::seq::map(rc::shrink::removeChunks(d), with),
                           rc::seq::map(rc::shrink::eachElement(d,
                                                                [](const Decision& x) {
                                                                    return rc::seq::map(
                                                                        rc::shrink::towards<std::uint32_t>(x.index, 1),
                                                                        [x](std::uint32_t i) {
                                                                            Decision out = x;
                                                                            out.index = i;
                                                                            return out;
                                                                        });
                                                                }),
                                        with),
                           std::move(singles));
}

// The kinds of choice a policy offers that a generated decision may name (lenient replay
// does not check kinds, but the replay string should read sensibly).
inline std::vector<aio::sim::Choice> generated_kinds(Policy p) {
    using aio::sim::Choice;
    std::vector<Choice> out;
    for (Choice c : {Choice::ready, Choice::timer, Choice::jitter, Choice::overtake})
        if (aio::sim::offers(p, c)) out.push_back(c);
    return out;
}

}  // namespace detail

/// Schedules as described above; fifo gets no decisions (it offers no choice).
inline rc::Gen<Schedule> gen_schedule(ScheduleGenOptions o = {}) {
    return [o](const rc::Random& random, int) {
        rc::Random r = random;
        Schedule s;
        s.policy = o.policies[r.next() % o.policies.size()];
        s.seed = r.next() % 1000000;
        if (s.policy == Policy::fifo) s.seed = 0;  // fifo has no seed
        s.decisions.emplace();
        const auto kinds = detail::generated_kinds(s.policy);
        if (!kinds.empty()) {
            const int n = static_cast<int>(r.next() % static_cast<std::uint64_t>(o.max_decisions + 1));
            std::uint64_t pos = 0;
            for (int i = 0; i < n; ++i) {
                pos += r.next() % static_cast<std::uint64_t>(o.max_gap + 1);
                Decision d;
                d.position = pos++;
                d.kind = kinds[r.next() % kinds.size()];
                d.index = 1 + static_cast<std::uint32_t>(r.next() % o.max_index);
                s.decisions->push_back(d);
            }
        }
        return rc::shrinkable::shrinkRecur(std::move(s), &detail::schedule_shrinks);
    };
}

/// Runs make_main() once under s (lenient replay) and returns its result (or rethrows its
/// exception). Logs the schedule as it really ran for rapidcheck's failure report.
template <class F>
auto run(const Schedule& s, F&& make_main, aio::sim::Config base = {}) {
    aio::sim::Config cfg = std::move(base);
    cfg.schedule = s;
    cfg.strict_replay = false;
    aio::sim::Recorder rec;
    struct LogOnExit {
        aio::sim::Recorder rec;
        ~LogOnExit() {
            try {
                if (rec.has_record())
                    RC_LOG() << "schedule as run: " << rec->replay << " (" << rec->nonzero_decisions
                             << " non-zero decisions; "
                             << aio::sim::cpython_order_note(rec->schedule.policy, rec->schedule.task_start)
                             << "); rerun the property with RC_PARAMS=\"reproduce=...\" (printed with its failure)\n";
            } catch (...) {}
        }
    } log{rec};
    return aio::run(make_main(), aio::RunOptions{.loop_factory = aio::sim::loop_factory(std::move(cfg), rec)});
}

}  // namespace aio::check

template <>
struct rc::Arbitrary<aio::sim::Schedule> {
    static rc::Gen<aio::sim::Schedule> arbitrary() { return aio::check::gen_schedule(); }
};
