// aiosim explore NAME --exhaustive K: the bounded exhaustive enumeration over a scenario.
#include "exhaustive.hpp"

#include <fmt/format.h>

#include <chrono>
#include <exception>

#include <aio/check/bounded.hpp>
#include <aio/errors.hpp>
#include <aio/sim/trace.hpp>

#include "sim_run.hpp"

namespace aio::cli {

int run_exhaustive(Env& env, const scenario::Scenario& s, const ExhaustiveArgs& args) {
    const std::string k = fmt::format("<= {} deviation{}", args.bound, args.bound == 1 ? "" : "s");
    env.out << fmt::format(
        "explore {}: exhaustive, every schedule with {} from asyncio's order (policy delay's "
        "choice points: r, t, o, w, faults; breadth first){}\n",
        args.name, k,
        args.max_runs ? fmt::format(", at most {} runs", aio::check::with_commas(args.max_runs)) : std::string());
    env.out << args.network_line;
    env.out.flush();
    aio::check::BoundedOptions o;
    o.bound = args.bound;
    o.max_runs = args.max_runs;
    o.stop_at_first = args.stop_at_first;
    o.jobs = args.jobs;
    o.base = args.base;
    const aio::check::BoundedRunFn run = [&s](const aio::sim::Config& cfg) {
        aio::sim::Recorder rec;
        SimRun r = run_simulated(s, cfg, nullptr, rec);
        aio::check::BoundedRun b;
        if (r.failed())
            b.failure = r.failure ? *r.failure
                                  : aio::sim::RunFailure{aio::sim::FailureKind::predicate, nullptr, {}, r.problems[0]};
        if (rec.has_record()) b.record = std::move(*rec);
        return b;
    };
    const auto t0 = std::chrono::steady_clock::now();
    aio::check::BoundedResult res;
    try {
        res = aio::check::explore_bounded(run, o);
    } catch (const std::exception& e) {
        env.err << env.program << " explore: internal error in the exhaustive enumeration: " << e.what() << '\n';
        return 2;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    env.out << res.layers;
    if (!res.failures.empty()) {
        // The enumeration keeps the cause; run the first failing schedule again for the whole report.
        const aio::check::BoundedFailure& f = res.failures.front();
        aio::sim::Config cfg = args.base;
        cfg.schedule = aio::sim::Schedule::parse(f.replay);
        cfg.schedule.network = args.base.schedule.network;
        cfg.schedule.limits = args.base.schedule.limits;
        cfg.trace = aio::sim::TraceMode::hash;
        const SimRun again = run_simulated(s, cfg);
        env.out << fmt::format("FAILED: {} of {} schedules; the first (breadth first: the fewest deviations, {}):\n",
                               aio::check::with_commas(res.failed), aio::check::with_commas(res.runs),
                               f.decisions.size());
        for (const auto& p : again.problems) env.out << "  - " << indent_continuation(p) << '\n';
        env.out << fmt::format("  signature: {}\n  replay: {}\n  non-zero decisions: {}\n", signature_of(again),
                               again.replay, again.nonzero_decisions);
        env.out << format_faults(again);
        env.out << format_order_line(again.replay);
        env.out << fmt::format("  replay it: {} run {} --replay '{}'\n", env.program, args.name, again.replay);
    }
    env.out << fmt::format("summary: {} ({:.2f} s, {:.0f} runs/s, {} job{})\n", res.summary, seconds,
                           seconds > 0 ? static_cast<double>(res.runs) / seconds : 0.0, args.jobs,
                           args.jobs == 1 ? "" : "s");
    const bool failed = res.failed != 0;
    if (args.expect_failure)
        env.out << (failed ? "as expected: this scenario has a known bug, and the enumeration found it\n"
                           : "NOT FOUND: --expect-failure, but no schedule failed; raise --exhaustive or check the "
                             "scenario\n");
    env.out.flush();
    return failed == args.expect_failure ? 0 : 1;
}

}  // namespace aio::cli
