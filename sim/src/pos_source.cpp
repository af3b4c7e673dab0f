// pos: partial-order sampling (Yuan, Yang, Gu, "Partial Order Aware Concurrency Sampling",
// CAV 2018) adapted to task steps; policy.hpp has the description.
#include <cstdint>
#include <optional>
#include <vector>

#include "seeded_sources.hpp"

namespace aio::sim::sources {

namespace {

class PosSource final : public DecisionSource {
public:
    explicit PosSource(std::uint64_t seed) : rng_(seed) {}

    std::size_t choose(const ChoicePoint& p) override {
        if (p.kind != Choice::ready) return other_answer(rng_, p);
        // The step that ran last made its task's next step a new event, and it raced with the
        // candidates whose steps conflict with it: all of those get a fresh priority.
        if (ran_) forget(*ran_);
        for (std::size_t i = 0; i < p.n; ++i)
            if (p.candidate_conflicts(i)) forget(p.candidate_task(i));
        std::size_t best = 0;
        std::uint64_t best_prio = priority_of(p.candidate_task(0));
        for (std::size_t i = 1; i < p.n; ++i) {
            const std::uint64_t pr = priority_of(p.candidate_task(i));
            if (pr > best_prio) {  // ties (callbacks share one priority) keep FIFO order
                best = i;
                best_prio = pr;
            }
        }
        ran_ = p.candidate_task(best);
        return best;
    }

private:
    // 0: not drawn yet (drawn when first seen again); a drawn priority is never 0.
    std::uint64_t priority_of(std::uint64_t task) {
        if (task >= prio_.size()) prio_.resize(task + 1, 0);
        if (prio_[task] == 0) prio_[task] = rng_.next() | 1;
        return prio_[task];
    }
    void forget(std::uint64_t task) {
        if (task < prio_.size()) prio_[task] = 0;
    }

    Prng rng_;
    std::vector<std::uint64_t> prio_;  // by task id; index 0: every plain callback
    std::optional<std::uint64_t> ran_;
};

}  // namespace

std::unique_ptr<DecisionSource> make_pos_source(std::uint64_t seed) { return std::make_unique<PosSource>(seed); }

}  // namespace aio::sim::sources
