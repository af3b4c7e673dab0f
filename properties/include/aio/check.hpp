#pragma once
// aio::check: test your own async code under many schedules of the simulator. Read in this
// order: explore (the one-call form), schedule, shrink, plan (the exploration loop); rapidcheck.hpp and doctest.hpp are the
// (header-only) integrations with rapidcheck and doctest.
#include "aio/check/environment.hpp"
#include "aio/check/explore.hpp"
#include "aio/check/plan.hpp"
#include "aio/check/schedule.hpp"
#include "aio/check/shrink.hpp"
