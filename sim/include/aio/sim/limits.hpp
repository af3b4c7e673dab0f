#pragma once
// aio::sim::Limits: when a simulated run is declared runaway (LimitExceeded) instead of
// hanging. Both are checked between passes of the loop, so a run may overshoot by one pass.
#include <chrono>
#include <cstdint>

#include "aio/clock.hpp"

namespace aio::sim {

struct Limits {
    /// Ready entries (task steps and callbacks) the loop may run.
    std::uint64_t max_steps = 10'000'000;
    /// How far virtual time may advance (30 days).
    Duration max_virtual_time = std::chrono::hours(24 * 30);
    friend bool operator==(const Limits&, const Limits&) = default;
};

}  // namespace aio::sim
