#pragma once
// The whole simulator. Read in this order: sim_loop, config, schedule, record, failure,
// policy, decision, replay, trace, errors, determinism, prng.
#include "aio/sim/determinism.hpp"
#include "aio/sim/config.hpp"
#include "aio/sim/decision.hpp"
#include "aio/sim/errors.hpp"
#include "aio/sim/failure.hpp"
#include "aio/sim/limits.hpp"
#include "aio/sim/parse.hpp"
#include "aio/sim/policy.hpp"
#include "aio/sim/prng.hpp"
#include "aio/sim/record.hpp"
#include "aio/sim/replay.hpp"
#include "aio/sim/schedule.hpp"
#include "aio/sim/sim_loop.hpp"
#include "aio/sim/trace.hpp"
#include "aio/sim/validate.hpp"
