// The decision log: the source of a run's choices and what it answered.
#include "decision_log.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "aio/sim/policy.hpp"
#include "aio/task.hpp"

namespace aio::sim::loop_parts {

void DecisionLog::open(const Config& cfg, const Schedule& params) {
    record_points_ = cfg.record_points;
    observer_ = cfg.choice_observer.get();
    const bool start_choice = params.task_start == TaskStart::per_run || params.task_start == TaskStart::per_task;
    if (cfg.schedule.decisions) {
        auto r = std::make_unique<ReplaySource>(*cfg.schedule.decisions, cfg.strict_replay);
        replay_ = r.get();
        source_ = std::move(r);
    } else if (params.policy != Policy::fifo || start_choice || params.network.faults.budget > 0) {
        if (params.policy == Policy::delay)
            source_ = make_delay_source(params.seed, params.delay_bound, params.delay_points);
        else
            source_ =
                make_seeded_source(params.policy, params.seed, params.pct_depth, params.pct_steps, cfg.step_profile);
    }
}

DecisionLog::Answer DecisionLog::ask(const ChoicePoint& p) {
    Answer a;
    std::size_t i = 0;
    try {
        i = source_->choose(p);
    } catch (...) {
        a.error = std::current_exception();
        return a;
    }
    ++decisions_;
    if (record_points_)
        points_.push_back({p.position, p.kind, static_cast<std::uint32_t>(std::min<std::size_t>(p.n, UINT32_MAX))});
    if (i >= p.n) {
        a.mismatch = source_->explain_mismatch(p, i);
        return a;
    }
    if (observer_) observer_->offered(p, i);
    if (i != 0) made_.push_back({p.position, p.kind, static_cast<std::uint32_t>(i)});
    a.index = i;
    return a;
}

std::string candidates(const ChoicePoint& p, const EventLoop& loop) {
    if (!p.task_of) return {};
    std::map<std::uint64_t, std::string> names;
    for (const AnyTask& h : loop.all_tasks()) names[h.id()] = h.name();
    auto named = [&](std::uint64_t id) {
        auto it = names.find(id);
        return it != names.end() ? fmt::format("#{} '{}'", id, it->second) : fmt::format("#{}", id);
    };
    if (p.kind == Choice::start || p.kind == Choice::jitter)  // one task, n alternatives
        return p.candidate_task(0) ? "; for task " + named(p.candidate_task(0)) : std::string();
    std::string s = "; candidates: ";
    const std::size_t shown = std::min<std::size_t>(p.n, 8);
    for (std::size_t i = 0; i < shown; ++i) {
        if (i) s += ", ";
        const std::uint64_t id = p.candidate_task(i);
        s += id == 0 ? std::string("a callback") : named(id);
    }
    if (shown < p.n) s += fmt::format(" and {} more", p.n - shown);
    return s;
}

}  // namespace aio::sim::loop_parts
