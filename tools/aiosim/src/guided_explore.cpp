#include "guided_explore.hpp"

#include <fmt/format.h>

#include <aio/check/guided.hpp>

#include "sim_run.hpp"

namespace aio::cli {

int explore_guided(Env& env, const scenario::Scenario& s, const aio::sim::Config& base, std::uint64_t runs,
                   std::uint64_t seed, bool expect_failure) {
    const std::string cmd = env.program + " explore";
    aio::check::GuidedOptions options;
    options.seed = seed;
    options.runs = runs;
    options.base = base;
    options.base.schedule.policy = aio::sim::Policy::random;  // every kind a perturbing policy offers
    options.base.schedule.decisions.reset();
    std::optional<SimRun> failing;
    const auto result = aio::check::explore_guided(
        [&](const aio::sim::Config& cfg) {
            aio::check::GuidedRun run;
            SimRun r =
                run_simulated(s, cfg, nullptr, [&run](aio::sim::RunRecord&& rec) { run.record = std::move(rec); });
            run.failure = r.failure;
            if (r.failed() && !run.failure)
                run.failure = aio::sim::RunFailure{aio::sim::FailureKind::requirement, nullptr, {}, r.problems.front()};
            if (run.failure && !failing) failing = std::move(r);
            return run;
        },
        options);
    std::string report = fmt::format(
        "{}: {} (guided, mutator seed {}): {} run{}, {} schedule{} in the corpus, {} conflicting await-point "
        "pair{} reached\n",
        cmd, s.name, seed, result.runs, result.runs == 1 ? "" : "s", result.corpus_size,
        result.corpus_size == 1 ? "" : "s", result.pairs_seen, result.pairs_seen == 1 ? "" : "s");
    if (result.first_failure && failing) {
        report += fmt::format("the first failing run: run {}\n", *result.first_failure);
        report += format_problems(cmd, s.name, *failing);
        report += fmt::format("  replay it: {} run {} --replay {}\n", env.program, s.name,
                              shell_quote(result.failing_replay));
    } else {
        report += fmt::format("no run failed in {} guided run{}\n", result.runs, result.runs == 1 ? "" : "s");
    }
    env.out << report;
    const bool failed = result.first_failure.has_value();
    if (expect_failure) {
        env.out << (failed ? "as expected: this scenario has a known bug, and guided exploration found it\n"
                           : "expected a failure, but no guided run failed\n");
        return failed ? 0 : 1;
    }
    return failed ? 1 : 0;
}

}  // namespace aio::cli
