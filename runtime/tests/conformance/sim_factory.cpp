// The simulator's default (fifo) loop for the conformance pairs' `--loop sim` runs.
#include <aio/sim/sim_loop.hpp>

#include "conformance.hpp"

namespace conformance {
std::function<std::unique_ptr<aio::EventLoop>()> sim_loop_factory = aio::sim::loop_factory(aio::sim::Config{});
}
