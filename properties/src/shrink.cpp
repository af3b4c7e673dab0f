#include "aio/check/shrink.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include <aio/sim/record.hpp>

#include <aio/errors.hpp>

namespace aio::check {

namespace {

class Shrinker {
public:
    Shrinker(const FailsFn& fails, ShrinkOptions o) : fails_(fails), o_(o) {}

    ShrinkResult run(Schedule start) {
        ShrinkResult r;
        if (!start.decisions) {
            // A seeded schedule: record the decisions its run makes.
            aio::sim::Recorder rec;
            aio::sim::Config cfg;
            cfg.schedule = start;
            ++runs_;
            if (!ran_and_failed(cfg, rec))
                throw aio::ValueError("the schedule does not fail: nothing to shrink (" + start.to_string() + ")");
            start = rec->schedule;
            if (!start.decisions) start.decisions.emplace();
            offered_ = rec->decisions;
        } else if (!try_candidate(start)) {
            throw aio::ValueError("the schedule does not fail: nothing to shrink (" + start.to_string() + ")");
        } else {
            start = best_;
        }
        best_ = start;
        r.before = nonzero_decisions(start);
        minimize();
        r.schedule = best_;
        r.replay = best_.to_string();
        r.after = nonzero_decisions(best_);
        r.removed = r.before > r.after ? r.before - r.after : 0;
        r.runs = runs_;
        return r;
    }

private:
    // The shrinker reads what each run did from its record: a FailsFn that does not pass it
    // to the loop is a programming error, not a run that passed.
    bool ran_and_failed(const aio::sim::Config& cfg, const aio::sim::Recorder& rec) {
        const bool failed = fails_(cfg, rec);
        if (failed && !rec.has_record())
            throw std::logic_error(
                "aio::check::shrink: fails(cfg, record) returned true but no loop delivered a record: pass both "
                "to aio::sim::loop_factory(cfg, record)");
        return failed;
    }

    std::vector<Decision>& decisions() { return *best_.decisions; }

    // Runs `c` leniently; if it still fails, it becomes the best schedule, as the decisions
    // the run really made (unused ones dropped, bent ones as taken).
    bool try_candidate(const Schedule& c) {
        if (runs_ >= o_.max_runs) return false;
        aio::sim::Recorder rec;
        ++runs_;
        if (!ran_and_failed(lenient_config(c), rec)) return false;
        best_ = rec->schedule;
        if (!best_.decisions) best_.decisions.emplace();
        offered_ = rec->decisions;
        return true;
    }

    // Removing and lowering stop at a local minimum: two decisions that each do nothing
    // alone. A bug that one deviation shows is then found by trying every single decision.
    bool try_singles() {
        const std::uint64_t offered = offered_;
        for (std::uint64_t pos = 0; pos < offered && runs_ < o_.max_runs; ++pos)
            for (std::uint32_t index = 1; index <= 3; ++index) {
                Decision one;
                one.position = pos;
                one.kind = decisions().front().kind;
                one.index = index;
                if (try_candidate(with({one}))) return true;
            }
        return false;
    }

    Schedule with(std::vector<Decision> d) const {
        Schedule s = best_;
        s.decisions = std::move(d);
        return s;
    }

    void minimize() {
        bool progress = true;
        while (progress && runs_ < o_.max_runs) {
            progress = false;
            if (decisions().empty()) return;
            if (try_candidate(with({}))) return;  // asyncio's own order already fails
            // Remove chunks, largest first.
            for (std::size_t chunk = std::max<std::size_t>(decisions().size() / 2, 1); chunk >= 1; chunk /= 2) {
                for (std::size_t i = 0; i < decisions().size();) {
                    std::vector<Decision> d = decisions();
                    const std::size_t n = std::min(chunk, d.size() - i);
                    d.erase(d.begin() + static_cast<std::ptrdiff_t>(i), d.begin() + static_cast<std::ptrdiff_t>(i + n));
                    if (try_candidate(with(std::move(d))))
                        progress = true;  // the same i now names the next chunk
                    else
                        i += n;
                }
                if (chunk == 1) break;
            }
            // Lower each index toward 1: first straight to 1, then by halving the distance.
            for (std::size_t i = 0; i < decisions().size(); ++i) {
                while (decisions().size() > i && decisions()[i].index > 1) {
                    const std::uint32_t cur = decisions()[i].index;
                    bool lowered = false;
                    for (std::uint32_t target : {1u, 1u + (cur - 1) / 2, cur - 1}) {
                        if (target >= cur) continue;
                        std::vector<Decision> d = decisions();
                        d[i].index = target;
                        if (try_candidate(with(std::move(d)))) {
                            progress = lowered = true;
                            break;
                        }
                    }
                    if (!lowered) break;
                }
            }
            if (!progress && decisions().size() >= 2 && try_singles()) progress = true;
        }
    }

    const FailsFn& fails_;
    ShrinkOptions o_;
    Schedule best_;
    std::uint64_t offered_ = 0;  // choice points the best run offered
    std::size_t runs_ = 0;
};

}  // namespace

ShrinkResult shrink_schedule(const FailsFn& fails, const Schedule& schedule, ShrinkOptions options) {
    return Shrinker(fails, options).run(schedule);
}

ShrinkResult shrink_replay(const FailsFn& fails, std::string_view replay, ShrinkOptions options) {
    return shrink_schedule(fails, Schedule::parse(replay), options);
}

}  // namespace aio::check
