// The exploration loop: seeds x policies, shards, jobs, the time budget, run-order tallying.
#include "aio/check/plan.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

namespace aio::check {

namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
// Runs a worker claims at a time when there are several jobs.
constexpr std::uint64_t kBatch = 16;
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

// A run that finished, with where it is in the plan. A worker allocates its own (and reuses
// them: run_plan's `kept` owns them until every thread has stopped) and destroys their results
// itself once the tally is done with them.
struct Finished {
    RunAt at;
    RunResult result;
    unsigned owner = 0;  // the worker that made it
};

// The runs, taken in run order as they finish (workers finish out of order). Workers hand
// their runs over in batches (one lock per batch), and every result goes back to the worker
// that made it to be destroyed there: a result's memory (its detail, its coverage) was
// allocated on that worker's thread, and freeing it on another thread costs the allocator
// far more (glibc returns such blocks to the other thread's arena: its lock, and
// malloc_consolidate on that side), which is what kept --jobs from scaling. The tally holds
// only pointers to the workers' runs.
class Tally {
public:
    Tally(const ExplorePlan& p, const RunVisitor& visit, const FailureJudge& judge, ExploreTally& out,
          std::atomic<std::uint64_t>& earliest_failure, const std::atomic<std::uint64_t>& cut, unsigned workers)
        : plan_(p),
          visit_(visit),
          judge_(judge),
          out_(out),
          earliest_failure_(earliest_failure),
          cut_(cut),
          returns_(workers) {
        for (Policy x : p.policies)
            if (std::none_of(out_.runs_by_policy.begin(), out_.runs_by_policy.end(),
                             [x](const auto& e) { return e.first == x; }))
                out_.runs_by_policy.emplace_back(x, 0);
    }

    // Whether run k is within the window now (and the exploration not over), without a lock.
    bool admits_now(std::uint64_t k) const {
        return k < consumed_seen_.load(std::memory_order_acquire) + plan_.window &&
               !over_seen_.load(std::memory_order_acquire);
    }

    // Blocks until run k is within the window (or the exploration is over, or the time budget
    // cut the plan before k: false). A worker hands over the runs it holds before it may block
    // here, so the run the window waits for is never one held by a waiting worker.
    bool admit(std::uint64_t k) {
        if (k < consumed_seen_.load(std::memory_order_acquire) + plan_.window)
            return !over_seen_.load(std::memory_order_acquire);
        std::unique_lock lock(mu_);
        ++waiting_;
        moved_.wait(lock, [&] { return over_ || k < consumed_ + plan_.window || k >= cut_.load(); });
        --waiting_;
        return !over_ && k < cut_.load();
    }

    // The time budget cut the plan: a worker waiting for a run past the cut gives up.
    void wake() {
        std::lock_guard lock(mu_);
        if (waiting_ > 0) moved_.notify_all();
    }

    // Takes worker w's runs (in run order) and tallies every run that is next in run order.
    // `spent` receives w's runs the tally is done with (this batch's, and earlier ones that
    // another worker tallied), for w to destroy outside the lock.
    void deliver(unsigned w, const std::vector<Finished*>& batch, std::vector<Finished*>& spent) {
        std::lock_guard lock(mu_);
        for (Finished* f : batch) {
            if (over_ || f->at.index < consumed_) {
                spent.push_back(f);
            } else if (f->at.index == consumed_) {
                take(*f);
                ++consumed_;
                spent.push_back(f);
                drain();
            } else {
                park(f);
            }
        }
        if (over_) drop_parked();
        spent.insert(spent.end(), returns_[w].begin(), returns_[w].end());
        returns_[w].clear();
        publish();
    }

    void abandon() {
        std::lock_guard lock(mu_);
        over_ = true;
        drop_parked();
        publish();
    }

private:
    // Under mu_: run f (past consumed_) into the ring (run i in slot i mod size, a power of
    // two), grown to hold it.
    void park(Finished* f) {
        const std::uint64_t ahead = f->at.index - consumed_;
        if (ahead >= ring_.size()) {
            std::size_t size = std::max<std::size_t>(ring_.size(), 64);
            while (size <= ahead) size *= 2;
            std::vector<Finished*> grown(size, nullptr);
            for (Finished* r : ring_)
                if (r) grown[r->at.index & (size - 1)] = r;
            ring_ = std::move(grown);
        }
        ring_[f->at.index & (ring_.size() - 1)] = f;
    }

    // Under mu_: tallies the parked runs that are next in run order; each goes back to the
    // worker that made it.
    void drain() {
        while (!ring_.empty() && !over_) {
            Finished*& f = ring_[consumed_ & (ring_.size() - 1)];
            if (!f) return;
            take(*f);
            ++consumed_;
            returns_[f->owner].push_back(f);
            f = nullptr;
        }
    }

    // Under mu_, once the exploration is over: the parked runs will never be tallied.
    void drop_parked() {
        for (Finished*& f : ring_) {
            if (!f) continue;
            returns_[f->owner].push_back(f);
            f = nullptr;
        }
    }

    // Under mu_: the window's start and the end for admit()'s unlocked check, and a wake-up
    // for the workers waiting (none, mostly: no futex call per batch).
    void publish() {
        consumed_seen_.store(consumed_, std::memory_order_release);
        over_seen_.store(over_, std::memory_order_release);
        if (waiting_ > 0) moved_.notify_all();
    }

    void take(Finished& f) {
        const RunAt& at = f.at;
        RunResult& result = f.result;
        ++out_.runs;
        out_.seeds_walked = std::max(out_.seeds_walked, at.seed_index + 1);
        for (auto& [policy, count] : out_.runs_by_policy)
            if (policy == at.policy) ++count;
        const bool plain = result.failure && (!judge_ || judge_(at, result));
        if (result.failure && !plain) ++out_.warned;
        if (visit_) visit_(at, result);
        if (!plain) return;
        ++out_.failed;
        if (!out_.first_failure_at) {
            out_.first_failure_at = at;
            out_.first_failure = std::move(result);
        }
        if (plan_.stop_at_first) {
            over_ = true;
            std::uint64_t cur = earliest_failure_.load();
            while (at.index < cur && !earliest_failure_.compare_exchange_weak(cur, at.index)) {}
        }
    }

    const ExplorePlan& plan_;
    const RunVisitor& visit_;
    const FailureJudge& judge_;
    ExploreTally& out_;
    std::atomic<std::uint64_t>& earliest_failure_;
    const std::atomic<std::uint64_t>& cut_;
    std::mutex mu_;
    std::condition_variable moved_;
    // Runs past consumed_ that finished early (null: not yet).
    std::vector<Finished*> ring_;
    // Per worker: its runs that another worker tallied, for it to destroy.
    std::vector<std::vector<Finished*>> returns_;
    std::uint64_t consumed_ = 0;
    bool over_ = false;
    unsigned waiting_ = 0;  // workers in admit()'s wait
    // Written under mu_ once per batch, read by admits_now() before every run: on a line of
    // their own, away from the lock and the tally that the deliverer writes.
    alignas(64) std::atomic<std::uint64_t> consumed_seen_{0};
    std::atomic<bool> over_seen_{false};
};

// A run's schedule keeps the parameters of its own policy only (the base's; the others at their
// defaults), so that its replay string names only what matters: a portfolio's random run does
// not carry pct's k=0 or delay's bound.
void own_parameters(aio::sim::Schedule& s, const aio::sim::Schedule& base) {
    const aio::sim::Schedule defaults{};
    const aio::sim::Schedule& pct = s.policy == Policy::pct ? base : defaults;
    s.pct_steps = pct.pct_steps;
    s.pct_depth = pct.pct_depth;
    const aio::sim::Schedule& delay = s.policy == Policy::delay ? base : defaults;
    s.delay_bound = delay.delay_bound;
    s.delay_points = delay.delay_points;
}

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

bool needs_step_profile(const aio::sim::Schedule& s) noexcept {
    return s.policy == Policy::urw || (s.policy == Policy::pct && s.pct_steps == 0);
}

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
    const unsigned jobs = std::max(plan.jobs, 1u);
    // What the workers share, each counter on a line of its own: `next` is written once per
    // batch, the other two read before every run and written at most once.
    struct alignas(64) Counter {
        std::atomic<std::uint64_t> value;
    };
    Counter next{0};
    Counter cut{kMax};               // no run from here on (the time budget)
    Counter earliest_failure{kMax};  // with stop_at_first, no run after it starts
    Tally tally(plan, visit, judge, out, earliest_failure.value, cut.value, jobs);
    if (const MeasureNeeds needs = measure_needs(plan.policies, plan.base); needs.any() && out.seeds_planned > 0) {
        out.measured = measure_program(plan.base, run, needs.points);
        out.measuring_runs = 1;
    }
    std::mutex mu;
    std::exception_ptr error;
    // Runs a worker takes at a time (consecutive in run order) and hands to the tally together:
    // one claim, one lock and, mostly, runs tallied and freed on the thread that made them. One
    // job tallies each run as it ends (a failure stops the plan with no run made after it).
    const std::uint64_t batch_runs = jobs == 1 ? 1 : kBatch;

    // Every worker's runs, kept until every thread has stopped: the tally may still hold a
    // worker's runs when that worker has ended.
    std::vector<std::vector<std::unique_ptr<Finished>>> kept;
    kept.reserve(jobs);

    auto worker = [&](unsigned w) {
        std::vector<std::unique_ptr<Finished>> made;  // this worker's runs, reused
        std::vector<Finished*> idle, batch, spent;
        batch.reserve(batch_runs);
        try {
            // The worker's own copy of the runs' configuration: no run copies the plan's (nor
            // counts references to its step profile, which every thread would share).
            aio::sim::Config cfg = plan.base;
            out.measured.apply(cfg);
            if (cfg.step_profile && jobs > 1)
                cfg.step_profile = std::make_shared<const std::vector<std::uint64_t>>(*cfg.step_profile);
            auto hand_over = [&] {
                if (batch.empty()) return;
                tally.deliver(w, batch, spent);
                batch.clear();
                for (Finished* f : spent) {
                    f->result = RunResult{};  // memory of this thread, freed on this thread
                    idle.push_back(f);
                }
                spent.clear();
            };
            for (bool more = true; more;) {
                const std::uint64_t first = next.value.fetch_add(batch_runs);
                for (std::uint64_t k = first; k < first + batch_runs; ++k) {
                    more = false;
                    if (k >= cut.value.load()) break;
                    std::optional<RunAt> at = order.at(k, out.seeds_planned);
                    if (!at) break;
                    if (plan.time_budget && at->seed_index > 0 && order.starts_seed(k) &&
                        Clock::now() - t0 >= *plan.time_budget) {
                        std::uint64_t c = cut.value.load();
                        while (k < c && !cut.value.compare_exchange_weak(c, k)) {}
                        tally.wake();
                        break;
                    }
                    if (plan.stop_at_first && k > earliest_failure.value.load()) break;
                    if (!tally.admits_now(k)) {
                        hand_over();  // the run the window waits for may be one of these
                        if (!tally.admit(k)) break;
                    }
                    more = true;
                    cfg.schedule.policy = at->policy;
                    cfg.schedule.seed =
                        at->policy == Policy::fifo && !plan.fifo_keeps_seed ? 0 : plan.seed(at->seed_index);
                    cfg.schedule.decisions.reset();
                    own_parameters(cfg.schedule, plan.base.schedule);
                    at->worker = w;
                    RunResult r = run(cfg, *at);
                    if (r.failure && !judge) {  // with a judge, the tally says which failures stop the plan
                        std::uint64_t cur = earliest_failure.value.load();
                        while (k < cur && !earliest_failure.value.compare_exchange_weak(cur, k)) {}
                    }
                    if (idle.empty()) {
                        made.push_back(std::make_unique<Finished>());
                        idle.push_back(made.back().get());
                    }
                    Finished* f = idle.back();
                    idle.pop_back();
                    f->at = *at;
                    f->result = std::move(r);
                    f->owner = w;
                    batch.push_back(f);
                }
                hand_over();
            }
        } catch (...) {
            {
                std::lock_guard lock(mu);
                if (!error) error = std::current_exception();
            }
            tally.abandon();
        }
        std::lock_guard lock(mu);
        kept.push_back(std::move(made));  // reserved: no allocation
    };

    if (jobs == 1) {
        worker(0);  // on the caller's thread: a program need not be thread-safe to be explored
    } else {
        std::vector<std::thread> threads;
        for (unsigned j = 0; j < jobs; ++j) threads.emplace_back(worker, j);
        for (auto& t : threads) t.join();
    }
    if (error) std::rethrow_exception(error);
    return out;
}

}  // namespace aio::check
