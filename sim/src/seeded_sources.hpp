#pragma once
// The seeded decision sources that live in files of their own (pos_source.cpp,
// urw_source.cpp), and what every seeded source shares: how it answers the kinds it does not
// look at. policy.hpp documents the policies; make_seeded_source (policy.cpp) picks a source.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "aio/sim/decision.hpp"
#include "aio/sim/prng.hpp"

namespace aio::sim::sources {

/// 'f' and 'b': non-zero in p.rate of 1000 chances, then uniform among the non-zero answers.
inline std::size_t fault_answer(Prng& rng, const ChoicePoint& p) {
    if (rng.below(1000) >= p.rate) return 0;
    return 1 + static_cast<std::size_t>(rng.below(p.n - 1));
}

inline bool is_fault(Choice c) noexcept { return c == Choice::fault || c == Choice::point; }

/// A choice a task-priority source does not order (everything but ready-queue choices):
/// faults as fault_answer, everything else uniform, as under random.
inline std::size_t other_answer(Prng& rng, const ChoicePoint& p) {
    if (is_fault(p.kind)) return fault_answer(rng, p);
    return static_cast<std::size_t>(rng.below(p.n));
}

using Profile = std::shared_ptr<const std::vector<std::uint64_t>>;

/// pos: partial-order sampling over task steps (policy.hpp).
std::unique_ptr<DecisionSource> make_pos_source(std::uint64_t seed);
/// urw: the uniform random walk over interleavings, weighted by `profile` (null: weight 1).
std::unique_ptr<DecisionSource> make_urw_source(std::uint64_t seed, Profile profile);

}  // namespace aio::sim::sources
