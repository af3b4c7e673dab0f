// The run-twice determinism check.
#include "aio/sim/determinism.hpp"

#include <fmt/format.h>

#include "aio/run.hpp"
#include "aio/sim/errors.hpp"
#include "aio/sim/sim_loop.hpp"

namespace aio::sim {

namespace {

std::string describe_step(const StepPrint& p) {
    return fmt::format("{} (one of {} ready entries) at virtual time {} s",
                       p.task ? fmt::format("task #{}", p.task) : std::string("a callback"), p.candidates,
                       format_time(TimePoint(Duration(p.time_ns))));
}

}  // namespace

RunRecord check_determinism(const std::function<Coro<void>()>& make_main, Config cfg) {
    cfg.fingerprint = true;
    if (cfg.trace == TraceMode::off) cfg.trace = TraceMode::hash;
    auto once = [&](std::string& outcome) {
        Recorder rec;
        try {
            aio::run(make_main(), RunOptions{.loop_factory = loop_factory(cfg, rec)});
            outcome = "returned normally";
        } catch (...) {
            outcome = "raised " + describe(std::current_exception());
        }
        return std::move(*rec);
    };
    std::string out1, out2;
    RunRecord a = once(out1);
    RunRecord b = once(out2);
    const std::string what = fmt::format("aio::sim::DeterminismError: two runs of {} differ", a.replay);
    const std::size_t n = std::min(a.fingerprint.size(), b.fingerprint.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (a.fingerprint[i] != b.fingerprint[i])
            throw DeterminismError(
                fmt::format("{}: they split at step {}: the first ran {}, the second ran {}. Something "
                            "other than the schedule (real time, addresses, unordered containers, "
                            "thread timing, global state) decides what runs.",
                            what, i + 1, describe_step(a.fingerprint[i]), describe_step(b.fingerprint[i])),
                i + 1);
    }
    if (a.fingerprint.size() != b.fingerprint.size())
        throw DeterminismError(fmt::format("{}: the first took {} steps, the second {} (identical up to step {})", what,
                                           a.fingerprint.size(), b.fingerprint.size(), n),
                               n + 1);
    if (a.trace_hash != b.trace_hash)
        throw DeterminismError(
            fmt::format("{}: the same steps ran, but the traces differ ({} versus {}): names, "
                        "exception messages or timers depend on something else than the schedule",
                        what, format_hash(a.trace_hash.value_or(0)), format_hash(b.trace_hash.value_or(0))),
            n + 1);
    if (out1 != out2) throw DeterminismError(fmt::format("{}: the first {}, the second {}", what, out1, out2), n + 1);
    return a;
}

}  // namespace aio::sim
