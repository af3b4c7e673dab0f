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
    const SimRun first = run_simulated(s, input);
    if (!first.failed()) throw aio::ValueError("the schedule does not fail: nothing to shrink (" + replay + ")");
    if (first.signature.kind == FailureSignature::Kind::divergence)
        throw aio::ValueError(
            fmt::format("the schedule no longer fits the program (a replay divergence), so there is "
                        "no failure to shrink; record a new string ({})",
                        replay));
    out.signature = first.signature;

    const FailureSignature& keep = out.signature;
    auto fails_the_same_way = [&s, &keep](const aio::sim::Config& cfg) {
        const SimRun r = run_simulated(s, cfg);
        return r.failed() && r.signature == keep;
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
    if (!out.run.failed() || out.run.signature != keep)
        throw std::logic_error(fmt::format("the shrunk string {} no longer fails as {} did ({}), but {}", out.replay,
                                           replay, to_string(keep), to_string(out.run.signature)));
    return out;
}

}  // namespace aio::cli
