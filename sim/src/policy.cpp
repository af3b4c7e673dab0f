// The policies' seeded decision sources.
#include "aio/sim/policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "aio/sim/prng.hpp"
#include "aio/sim/schedule.hpp"
#include "seeded_sources.hpp"

namespace aio::sim {

std::span<const Policy> policies() noexcept {
    static constexpr Policy all[] = {Policy::fifo, Policy::timers, Policy::random, Policy::pct,
                                     Policy::pos,  Policy::urw,    Policy::delay};
    return all;
}

std::string_view policy_name(Policy p) noexcept {
    switch (p) {
    case Policy::fifo: return "fifo";
    case Policy::timers: return "timers";
    case Policy::random: return "random";
    case Policy::pct: return "pct";
    case Policy::pos: return "pos";
    case Policy::urw: return "urw";
    case Policy::delay: return "delay";
    }
    return "unknown";
}

std::optional<Policy> policy_from_name(std::string_view s) noexcept {
    for (Policy p : policies())
        if (policy_name(p) == s) return p;
    return std::nullopt;
}

std::string_view policy_names() noexcept { return "fifo, timers, random, pct, pos, urw, delay"; }

std::string_view task_start_name(TaskStart s) noexcept {
    switch (s) {
    case TaskStart::scheduled: return "scheduled";
    case TaskStart::eager: return "eager";
    case TaskStart::per_run: return "run";
    case TaskStart::per_task: return "task";
    }
    return "unknown";
}

std::optional<TaskStart> task_start_from_name(std::string_view s) noexcept {
    for (TaskStart t : {TaskStart::scheduled, TaskStart::eager, TaskStart::per_run, TaskStart::per_task})
        if (task_start_name(t) == s) return t;
    return std::nullopt;
}

bool offers(Policy p, Choice c) noexcept {
    switch (c) {
    case Choice::ready:
        return p == Policy::random || p == Policy::pct || p == Policy::pos || p == Policy::urw || p == Policy::delay;
    case Choice::timer: return p == Policy::timers || p == Policy::delay;
    case Choice::jitter: return p == Policy::timers;  // not delay: timing noise (policy.hpp)
    case Choice::thread: return p != Policy::fifo;
    case Choice::start: return false;  // decided by TaskStart, not by the policy
    case Choice::latency: return p != Policy::fifo && p != Policy::delay;
    case Choice::overtake: return p != Policy::fifo;  // timing only: every perturbing policy
    case Choice::fault:
    case Choice::point: return true;  // whenever the fault budget (NetConfig::faults) is not 0
    }
    return false;
}

bool realizable(Policy p) noexcept {
    switch (p) {
    case Policy::fifo:
    case Policy::timers: return true;
    case Policy::random:
    case Policy::pct:
    case Policy::pos:
    case Policy::urw:
    case Policy::delay: return false;  // they reorder the ready queue
    }
    return false;
}

bool cpython_can_run(Policy p, TaskStart s) noexcept { return realizable(p) && s != TaskStart::per_task; }

std::string cpython_order_note(Policy p, TaskStart s) {
    const std::string policy(policy_name(p));
    if (p == Policy::fifo && s != TaskStart::per_task)
        return "order: asyncio's own (policy fifo): CPython runs exactly this order";
    if (cpython_can_run(p, s))
        return "order: one CPython's asyncio can run (policy " + policy +
               " varies only what asyncio leaves open): the bug can happen in production";
    if (realizable(p))
        return "order: one CPython runs only with a custom task factory (task_start=task mixes eager and "
               "scheduled starts in one run)";
    return "order: a perturbed one CPython's asyncio does not run (policy " + policy +
           " breaks call_soon's FIFO order): the code depends on that order";
}

bool cpython_can_run(const Schedule& s) noexcept {
    if (!s.decisions) return cpython_can_run(s.policy, s.task_start);
    for (const Decision& d : *s.decisions) {
        if (d.kind == Choice::ready) return false;
        if (d.kind == Choice::start && s.task_start == TaskStart::per_task) return false;
    }
    return true;
}

std::string cpython_order_note(const Schedule& s) {
    if (!s.decisions) return cpython_order_note(s.policy, s.task_start);
    std::size_t ready = 0, starts = 0;
    for (const Decision& d : *s.decisions) {
        if (d.kind == Choice::ready) ++ready;
        if (d.kind == Choice::start && s.task_start == TaskStart::per_task) ++starts;
    }
    const std::string policy(policy_name(s.policy));
    if (ready > 0)
        return fmt::format(
            "order: one CPython's asyncio cannot run ({} ready-queue {} a later entry before the front; found by "
            "policy {}): the code relies on the FIFO order of call_soon / the order woken waiters resume, which "
            "asyncio guarantees",
            ready, ready == 1 ? "decision runs" : "decisions run", policy);
    if (starts > 0)
        return fmt::format(
            "order: one CPython runs only with a custom task factory ({} task-start {} eager and scheduled "
            "starts in one run; found by policy {})",
            starts, starts == 1 ? "decision mixes" : "decisions mix", policy);
    if (s.decisions->empty()) {
        if (s.policy == Policy::fifo) return cpython_order_note(s.policy, s.task_start);
        return "order: asyncio's own (no decision deviates from it; found by policy " + policy +
               "): CPython runs exactly this order";
    }
    if (realizable(s.policy)) return cpython_order_note(s.policy, s.task_start);
    return "order: one CPython's asyncio can run (its decisions vary only what asyncio leaves open: timer ties, "
           "jitter, thread order, the network; found by policy " +
           policy + "): the bug can happen in production";
}

namespace {

using sources::fault_answer;
using sources::is_fault;

// fifo (task starts only), timers and random: uniform answers, except that jitter is
// 0 half of the time so most timers stay exact and replay strings stay short.
class UniformSource final : public DecisionSource {
public:
    explicit UniformSource(std::uint64_t seed) : rng_(seed) {}
    std::size_t choose(const ChoicePoint& p) override {
        if (p.kind == Choice::jitter) return rng_.one_in(2) ? 0 : 1 + static_cast<std::size_t>(rng_.below(p.n - 1));
        if (is_fault(p.kind)) return fault_answer(rng_, p);
        return static_cast<std::size_t>(rng_.below(p.n));
    }

private:
    Prng rng_;
};

class PctSource final : public DecisionSource {
public:
    PctSource(std::uint64_t seed, int depth, std::uint64_t steps) : rng_(seed), depth_(std::max(1, depth)) {
        steps = std::max<std::uint64_t>(1, steps);
        for (int i = 1; i < depth_; ++i) change_points_.push_back(1 + rng_.below(steps));
        std::sort(change_points_.begin(), change_points_.end());
    }

    std::size_t choose(const ChoicePoint& p) override {
        if (is_fault(p.kind)) return fault_answer(rng_, p);
        if (p.kind != Choice::ready) return static_cast<std::size_t>(rng_.below(p.n));
        ++step_;
        std::size_t best = pick(p);
        const std::uint64_t task = p.candidate_task(best);
        if (task != 0) {
            // Change points that fell on callback choices apply at the next task choice.
            bool changed = false;
            while (next_change_ < change_points_.size() && change_points_[next_change_] <= step_) {
                ++next_change_;
                priority(task) = static_cast<std::uint64_t>(depth_) - next_change_;  // d - i
                changed = true;
            }
            if (task == last_task_ && !changed) {
                if (++repeats_ >= spin_limit) {
                    priority(task) = 0;  // a spinning task yields to everything else
                    changed = true;
                }
            }
            if (changed) {
                best = pick(p);
                repeats_ = 0;
            }
            const std::uint64_t ran = p.candidate_task(best);
            if (ran != last_task_) repeats_ = 0;
            last_task_ = ran;
        }
        return best;
    }

private:
    static constexpr int spin_limit = 16;
    static constexpr std::uint64_t initial_bit = 1ull << 63;  // above every changed priority

    std::uint64_t& priority(std::uint64_t task) {
        if (task >= prio_.size()) prio_.resize(task + 1, 0);
        return prio_[task];
    }
    std::uint64_t priority_of(std::uint64_t task) {
        if (task == 0) return UINT64_MAX;  // callbacks belong to no task: run them first
        if (task >= assigned_.size()) assigned_.resize(task + 1, false);
        if (!assigned_[task]) {
            assigned_[task] = true;
            priority(task) = rng_.next() | initial_bit;
        }
        return prio_[task];
    }
    std::size_t pick(const ChoicePoint& p) {
        std::size_t best = 0;
        std::uint64_t best_prio = priority_of(p.candidate_task(0));
        for (std::size_t i = 1; i < p.n; ++i) {
            std::uint64_t pr = priority_of(p.candidate_task(i));
            if (pr > best_prio) {
                best = i;
                best_prio = pr;
            }
        }
        return best;
    }

    Prng rng_;
    int depth_;
    std::vector<std::uint64_t> change_points_;
    std::size_t next_change_ = 0;
    std::uint64_t step_ = 0;
    std::vector<std::uint64_t> prio_;
    std::vector<bool> assigned_;
    std::uint64_t last_task_ = 0;
    int repeats_ = 0;
};

// delay: `bound` positions drawn uniformly in [0, points) up front; a drawn position gets a
// uniform non-zero index, every other point 0. The positions are sorted and deduplicated, so
// at most `bound` answers are non-zero whatever the run does.
class DelaySource final : public DecisionSource {
public:
    DelaySource(std::uint64_t seed, int bound, std::uint64_t points) : rng_(seed) {
        points = std::max<std::uint64_t>(1, points);
        for (int i = 0; i < std::max(0, bound); ++i) at_.push_back(rng_.below(points));
        std::sort(at_.begin(), at_.end());
        at_.erase(std::unique(at_.begin(), at_.end()), at_.end());
    }
    std::size_t choose(const ChoicePoint& p) override {
        while (next_ < at_.size() && at_[next_] < p.position) ++next_;
        if (next_ == at_.size() || at_[next_] != p.position) return 0;
        ++next_;
        return 1 + static_cast<std::size_t>(rng_.below(p.n - 1));
    }

private:
    Prng rng_;
    std::vector<std::uint64_t> at_;
    std::size_t next_ = 0;
};

}  // namespace

std::unique_ptr<DecisionSource> make_delay_source(std::uint64_t seed, int bound, std::uint64_t points) {
    return std::make_unique<DelaySource>(seed, bound, points);
}

std::unique_ptr<DecisionSource> make_seeded_source(Policy p, std::uint64_t seed, int pct_depth,
                                                   std::uint64_t pct_steps) {
    return make_seeded_source(p, seed, pct_depth, pct_steps, nullptr);
}

std::uint64_t fitted_pct_steps(const std::vector<std::uint64_t>* profile) noexcept {
    if (!profile) return unfitted_pct_steps;
    std::uint64_t total = 0;
    for (std::uint64_t n : *profile) total = n > UINT64_MAX - total ? UINT64_MAX : total + n;
    return std::max<std::uint64_t>(total, 1);
}

std::unique_ptr<DecisionSource> make_seeded_source(Policy p, std::uint64_t seed, int pct_depth, std::uint64_t pct_steps,
                                                   std::shared_ptr<const std::vector<std::uint64_t>> profile) {
    switch (p) {
    case Policy::pct:
        if (pct_steps == 0) pct_steps = fitted_pct_steps(profile.get());
        return std::make_unique<PctSource>(seed, pct_depth, pct_steps);
    case Policy::pos: return sources::make_pos_source(seed);
    case Policy::urw: return sources::make_urw_source(seed, std::move(profile));
    case Policy::delay: return make_delay_source(seed, default_delay_bound, unfitted_delay_points);
    case Policy::fifo:
    case Policy::timers:
    case Policy::random: break;
    }
    return std::make_unique<UniformSource>(seed);
}

}  // namespace aio::sim
