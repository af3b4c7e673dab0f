// urw: the uniform random walk over interleavings (URW of the RFF and SURW papers); policy.hpp
// has the description.
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "seeded_sources.hpp"

namespace aio::sim::sources {

namespace {

class UrwSource final : public DecisionSource {
public:
    UrwSource(std::uint64_t seed, Profile profile) : rng_(seed), profile_(std::move(profile)) {}

    std::size_t choose(const ChoicePoint& p) override {
        if (p.kind != Choice::ready) return other_answer(rng_, p);
        weights_.resize(p.n);
        std::uint64_t total = 0;
        for (std::size_t i = 0; i < p.n; ++i) {
            weights_[i] = remaining(p, p.candidate_task(i));
            total += weights_[i];  // each weight is at most 2^32, n far below 2^32
        }
        std::uint64_t r = rng_.below(total);
        std::size_t pick = 0;
        while (r >= weights_[pick]) r -= weights_[pick++];
        const std::uint64_t task = p.candidate_task(pick);
        if (task >= chosen_.size()) chosen_.resize(task + 1, 0);
        ++chosen_[task];
        return pick;
    }

private:
    static constexpr std::uint64_t max_weight = 1ull << 32;

    // The steps task has left by the profile, at least 1 while it is a candidate; 1 for a
    // plain callback (one step of its own), for a task the profile does not know, and for
    // every task without a profile.
    std::uint64_t remaining(const ChoicePoint& p, std::uint64_t task) const {
        if (task == 0 || !profile_ || task >= profile_->size()) return 1;
        const std::uint64_t total = (*profile_)[task];
        std::uint64_t ran = 0;
        if (p.steps_so_far)
            ran = task < p.steps_so_far->size() ? (*p.steps_so_far)[task] : 0;
        else
            ran = task < chosen_.size() ? chosen_[task] : 0;  // only the steps this source chose
        return total > ran ? std::min(total - ran, max_weight) : 1;
    }

    Prng rng_;
    Profile profile_;
    std::vector<std::uint64_t> weights_;
    std::vector<std::uint64_t> chosen_;  // by task id: how often this source picked it
};

}  // namespace

std::unique_ptr<DecisionSource> make_urw_source(std::uint64_t seed, Profile profile) {
    return std::make_unique<UrwSource>(seed, std::move(profile));
}

}  // namespace aio::sim::sources
