// The exploration loop: seeds x policies, shards, jobs, the time budget, run-order tallying.
#include "aio/check/plan.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

namespace aio::check {

namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
using Clock = std::chrono::steady_clock;

// Run k of the plan: seed 0 under every policy, then each further seed under every policy but
// fifo (when fifo runs once) or under every policy.
class Order {
public:
    explicit Order(const ExplorePlan& p) : plan_(p) {
        for (Policy x : p.policies)
            if (!p.fifo_once || x != Policy::fifo) later_.push_back(x);
    }
    // Run k, or nullopt past the last run of the plan.
    std::optional<RunAt> at(std::uint64_t k, std::uint64_t seeds) const {
        const std::uint64_t first = plan_.policies.size();
        RunAt a;
        a.index = k;
        if (k < first) {
            a.seed_index = 0;
            a.policy = plan_.policies[k];
        } else {
            if (later_.empty()) return std::nullopt;
            const std::uint64_t rest = k - first;
            a.seed_index = 1 + rest / later_.size();
            a.policy = later_[rest % later_.size()];
        }
        if (a.seed_index >= seeds) return std::nullopt;
        a.seed = a.policy == Policy::fifo ? 0 : plan_.seed(a.seed_index);
        return a;
    }
    // Whether run k is the first of its seed (where the time budget is checked).
    bool starts_seed(std::uint64_t k) const {
        const std::uint64_t first = plan_.policies.size();
        return k == 0 || k == first || (k > first && !later_.empty() && (k - first) % later_.size() == 0);
    }

private:
    const ExplorePlan& plan_;
    std::vector<Policy> later_;
};

// The runs, taken in run order as they finish (workers finish out of order).
class Tally {
public:
    Tally(const ExplorePlan& p, const RunVisitor& visit, const FailureJudge& judge, ExploreTally& out,
          std::atomic<std::uint64_t>& earliest_failure)
        : plan_(p), visit_(visit), judge_(judge), out_(out), earliest_failure_(earliest_failure) {
        for (Policy x : p.policies)
            if (std::none_of(out_.runs_by_policy.begin(), out_.runs_by_policy.end(),
                             [x](const auto& e) { return e.first == x; }))
                out_.runs_by_policy.emplace_back(x, 0);
    }

    // Blocks until run k is within the window (or the exploration is over: false).
    bool admit(std::uint64_t k) {
        std::unique_lock lock(mu_);
        moved_.wait(lock, [&] { return over_ || k < consumed_ + plan_.window; });
        return !over_;
    }

    void deliver(const RunAt& at, RunResult r) {
        std::lock_guard lock(mu_);
        if (over_ || at.index < consumed_) return;
        const std::uint64_t slot = at.index - consumed_;
        if (window_.size() <= slot) window_.resize(slot + 1);
        window_[slot] = Slot{true, at, std::move(r)};
        while (!window_.empty() && window_.front().filled && !over_) {
            take(window_.front());
            window_.pop_front();
            ++consumed_;
        }
        if (over_) window_.clear();
        moved_.notify_all();
    }

    void abandon() {
        std::lock_guard lock(mu_);
        over_ = true;
        window_.clear();
        moved_.notify_all();
    }

private:
    struct Slot {
        bool filled = false;
        RunAt at;
        RunResult result;
    };

    void take(Slot& s) {
        ++out_.runs;
        out_.seeds_walked = std::max(out_.seeds_walked, s.at.seed_index + 1);
        for (auto& [policy, count] : out_.runs_by_policy)
            if (policy == s.at.policy) ++count;
        const bool plain = s.result.failure && (!judge_ || judge_(s.at, s.result));
        if (s.result.failure && !plain) ++out_.warned;
        if (visit_) visit_(s.at, s.result);
        if (!plain) return;
        ++out_.failed;
        if (!out_.first_failure_at) {
            out_.first_failure_at = s.at;
            out_.first_failure = std::move(s.result);
        }
        if (plan_.stop_at_first) {
            over_ = true;
            std::uint64_t cur = earliest_failure_.load();
            while (s.at.index < cur && !earliest_failure_.compare_exchange_weak(cur, s.at.index)) {}
        }
    }

    const ExplorePlan& plan_;
    const RunVisitor& visit_;
    const FailureJudge& judge_;
    ExploreTally& out_;
    std::atomic<std::uint64_t>& earliest_failure_;
    std::mutex mu_;
    std::condition_variable moved_;
    std::deque<Slot> window_;
    std::uint64_t consumed_ = 0;
    bool over_ = false;
};

}  // namespace

// The run that measures the program for fitted strategies: asyncio's own order with every
// decision 0 (no fault, no eager start), whatever the plan's seeds and policies, so that an
// exploration and its seed command measure the same steps.
Measured measure_program(const aio::sim::Config& base, const PlannedRun& run, bool points) {
    aio::sim::Config cfg = base;
    cfg.schedule.policy = points ? Policy::delay : Policy::fifo;
    cfg.schedule.seed = 0;
    cfg.schedule.decisions = std::vector<Decision>{};
    cfg.strict_replay = false;
    cfg.step_profile.reset();
    cfg.measured_points = 0;
    RunAt at;
    at.index = at.seed_index = kMax;
    at.policy = cfg.schedule.policy;
    at.measuring = true;
    RunResult r = run(cfg, at);
    Measured m;
    m.step_profile = std::make_shared<const std::vector<std::uint64_t>>(std::move(r.steps_per_task));
    m.choice_points = points ? std::max<std::uint64_t>(r.choice_points, 1) : 0;
    return m;
}

void Measured::apply(aio::sim::Config& cfg) const {
    if (step_profile) cfg.step_profile = step_profile;
    if (choice_points) cfg.measured_points = choice_points;
}

MeasureNeeds measure_needs(const std::vector<Policy>& policies, const aio::sim::Config& base) noexcept {
    MeasureNeeds n;
    for (Policy p : policies) {
        aio::sim::Schedule s = base.schedule;
        s.policy = p;
        n.steps = n.steps || (needs_step_profile(s) && !base.step_profile);
        n.points = n.points || (needs_point_count(s) && base.measured_points == 0);
    }
    return n;
}

bool needs_point_count(const aio::sim::Schedule& s) noexcept {
    return s.policy == Policy::delay && s.delay_points == 0;
}

bool needs_step_profile(const aio::sim::Schedule& s) noexcept { return s.policy == Policy::pct && s.pct_steps == 0; }

std::uint64_t ExplorePlan::seed_count() const noexcept {
    const std::uint64_t total = std::max<std::uint64_t>(shard_total, 1);
    std::uint64_t count = 0;
    if (seeds) {
        count = *seeds > shard_index ? (*seeds - shard_index - 1) / total + 1 : 0;
    } else if (first_seed <= kMax - shard_index) {
        const std::uint64_t last = (kMax - first_seed - shard_index) / total;
        count = last == kMax ? kMax : last + 1;  // 2^64 seeds: one short is as good as all
    }
    // fifo ignores the seed: with no other policy, further seeds would only spin through the
    // loop (AIOSIM_SEEDS=1..10000000000 AIOSIM_POLICY=fifo never ended).
    const bool only_fifo =
        !policies.empty() && std::all_of(policies.begin(), policies.end(), [](Policy p) { return p == Policy::fifo; });
    if (fifo_once && only_fifo) count = std::min<std::uint64_t>(count, 1);
    return count;
}

ExploreTally run_plan(const ExplorePlan& plan, const PlannedRun& run, const RunVisitor& visit,
                      const FailureJudge& judge) {
    ExploreTally out;
    out.allow_empty = plan.allow_empty;
    out.seeds_planned = plan.seed_count();
    // With no policy nothing runs under any seed, so no seed is walked either; the tally
    // says every seed was (none was cut short).
    if (plan.policies.empty()) {
        out.seeds_walked = out.seeds_planned;
        return out;
    }
    const Order order(plan);
    const auto t0 = Clock::now();
    std::atomic<std::uint64_t> next{0};
    std::atomic<std::uint64_t> cut{kMax};               // no run from here on (the time budget)
    std::atomic<std::uint64_t> earliest_failure{kMax};  // with stop_at_first, no run after it starts
    Tally tally(plan, visit, judge, out, earliest_failure);
    if (const MeasureNeeds needs = measure_needs(plan.policies, plan.base); needs.any() && out.seeds_planned > 0) {
        out.measured = measure_program(plan.base, run, needs.points);
        out.measuring_runs = 1;
    }
    std::mutex mu;
    std::exception_ptr error;

    auto worker = [&] {
        try {
            for (;;) {
                const std::uint64_t k = next.fetch_add(1);
                if (k >= cut.load()) break;
                const std::optional<RunAt> at = order.at(k, out.seeds_planned);
                if (!at) break;
                if (plan.time_budget && at->seed_index > 0 && order.starts_seed(k) &&
                    Clock::now() - t0 >= *plan.time_budget) {
                    std::uint64_t c = cut.load();
                    while (k < c && !cut.compare_exchange_weak(c, k)) {}
                    break;
                }
                if (plan.stop_at_first && k > earliest_failure.load()) break;
                if (!tally.admit(k)) break;
                aio::sim::Config cfg = plan.base;
                cfg.schedule.policy = at->policy;
                cfg.schedule.seed = at->policy == Policy::fifo && !plan.fifo_keeps_seed ? 0 : plan.seed(at->seed_index);
                cfg.schedule.decisions.reset();
                out.measured.apply(cfg);
                RunResult r = run(cfg, *at);
                if (r.failure && !judge) {  // with a judge, the tally says which failures stop the plan
                    std::uint64_t cur = earliest_failure.load();
                    while (k < cur && !earliest_failure.compare_exchange_weak(cur, k)) {}
                }
                tally.deliver(*at, std::move(r));
            }
        } catch (...) {
            {
                std::lock_guard lock(mu);
                if (!error) error = std::current_exception();
            }
            tally.abandon();
        }
    };

    const unsigned jobs = std::max(plan.jobs, 1u);
    if (jobs == 1) {
        worker();  // on the caller's thread: a program need not be thread-safe to be explored
    } else {
        std::vector<std::thread> threads;
        for (unsigned j = 0; j < jobs; ++j) threads.emplace_back(worker);
        for (auto& t : threads) t.join();
    }
    if (error) std::rethrow_exception(error);
    return out;
}

}  // namespace aio::check
