#pragma once
// aio::check::shrink_replay: reduces a failing schedule toward asyncio's own order.
//
//     auto fails = [](const aio::sim::Config& cfg, const aio::sim::RecordSink& record) {
//         try { aio::run(scenario(), {.loop_factory = aio::sim::loop_factory(cfg, record)}); return false; }
//         catch (...) { return true; }
//     };
//     aio::check::ShrinkResult r = aio::check::shrink_replay(fails, "aiosim1:random:seed=17");
//     fmt::print("{} ({} decisions removed)\n", r.replay, r.removed);
//
// `fails(cfg, record)` runs the program once under cfg (pass both to aio::sim::loop_factory
// unchanged: `record` receives what happened) and returns true when the run still shows the
// failure (the command line's shrinker asks for the same failure: aio::sim::same_failure).
// A seeded replay string is first run to record its decisions. Then, as delta debugging does,
// the shrinker tries: all decisions dropped (plain asyncio order), chunks of decisions
// dropped (halves, quarters, ... single ones), then each remaining index lowered toward 1;
// a candidate is kept when it still fails, and replaced by the decisions the run really made
// (so the result replays strictly). It repeats until nothing more can be removed or lowered;
// then, if two or more decisions remain, it tries every single decision (index 1 to 3 at each
// choice point of the run), which escapes the local minimum of two deviations that do
// nothing alone.
// Deterministic: the same program and string give the same result.
//
// Errors: a malformed string throws aio::sim::ReplayParseError; a string whose run does not
// fail throws aio::ValueError ("the schedule does not fail: nothing to shrink").
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include <aio/sim/record.hpp>

#include "aio/check/schedule.hpp"

namespace aio::check {

struct ShrinkResult {
    Schedule schedule;        // the minimal failing schedule (with its decision list)
    std::string replay;       // schedule.to_string(): replays strictly
    std::size_t before = 0;   // non-zero decisions of the input (after recording a seeded run)
    std::size_t after = 0;    // non-zero decisions of the result
    std::size_t removed = 0;  // before - after
    std::size_t runs = 0;     // runs of the program the shrinker made
};

struct ShrinkOptions {
    /// Stop after this many runs (the result is then failing but maybe not minimal).
    std::size_t max_runs = 2000;
};

using FailsFn = std::function<bool(const aio::sim::Config& cfg, const aio::sim::RecordSink& record)>;

ShrinkResult shrink_replay(const FailsFn& fails, std::string_view replay, ShrinkOptions options = {});
ShrinkResult shrink_schedule(const FailsFn& fails, const Schedule& schedule, ShrinkOptions options = {});

}  // namespace aio::check
