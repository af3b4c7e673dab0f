#pragma once
// aio::sim::check_determinism: FoundationDB's "unseed" check for one configuration. Runs
// make_main() twice under cfg (fingerprint and trace hash on), then compares, step by
// step, which task ran, out of how many ready entries, at what virtual time; then the trace
// hashes and the outcomes (the result or the exception's description). Throws
// DeterminismError naming the first step where the two runs split (or what else differs);
// returns the first run's record otherwise. An exception from the program is part of the
// outcome, not an error of the check.
#include <functional>

#include "aio/coro.hpp"
#include "aio/sim/config.hpp"
#include "aio/sim/record.hpp"

namespace aio::sim {

RunRecord check_determinism(const std::function<Coro<void>()>& make_main, Config cfg);

}  // namespace aio::sim
