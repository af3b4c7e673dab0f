#include "shrink_failure.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include <aio/errors.hpp>
#include <aio/sim/replay.hpp>

namespace aio::cli {

ShrunkFailure shrink_failure(const scenario::Scenario& s, const std::string& replay, std::size_t max_runs) {
    ShrunkFailure out;
    aio::sim::Config input = aio::sim::Config::from_replay(replay);
    input.trace = aio::sim::TraceMode::off;
    out.input = run_simulated(s, input);
    const SimRun& first = out.input;
    if (!first.failed()) throw aio::ValueError("the schedule does not fail: nothing to shrink (" + replay + ")");
    if (first.failure && first.failure->kind == aio::sim::FailureKind::replay_divergence)
        throw aio::ValueError(
            fmt::format("the schedule no longer fits the program (a replay divergence), so there is "
                        "no failure to shrink; record a new string ({})",
                        replay));
    // A run that failed has a failure (its problems come from it).
    out.failure = *first.failure;

    const aio::sim::RunFailure& keep = out.failure;
    auto fails_the_same_way = [&s, &keep](const aio::sim::Config& cfg, const aio::sim::RecordSink& record) {
        const SimRun r = run_simulated(s, cfg, nullptr, record);
        return r.failed() && r.failure && aio::sim::same_failure(*r.failure, keep);
    };
    out.shrink = aio::check::shrink_replay(fails_the_same_way, replay, {.max_runs = max_runs});

    // With its decisions listed, a string's seed is only a note of where it came from:
    // dropped when keeping it would make the result longer than the input.
    out.replay = out.shrink.replay;
    if (out.replay.size() > replay.size()) {
        aio::sim::Schedule unseeded = out.shrink.schedule;
        unseeded.seed = 0;
        out.replay = unseeded.to_string();
    }
    out.kept_input = out.replay.size() > replay.size();
    if (out.kept_input) out.replay = replay;

    aio::sim::Config check = aio::sim::Config::from_replay(out.replay);
    check.trace = aio::sim::TraceMode::hash;
    out.run = run_simulated(s, check);
    if (!out.run.failed() || !out.run.failure || !aio::sim::same_failure(*out.run.failure, keep))
        throw std::logic_error(fmt::format("the shrunk string {} no longer fails as {} did ({}), but {}", out.replay,
                                           replay, aio::sim::signature(keep), signature_of(out.run)));
    return out;
}

}  // namespace aio::cli
