// The simulator's default (fifo) loop for the conformance pairs' `--loop sim` runs, and the fifo
// loop with the replay parameters of a pair's NAME.sim file (`--loop sim:PARAMS`).
#include <aio/sim/config.hpp>
#include <aio/sim/sim_loop.hpp>

#include "conformance.hpp"

namespace conformance {
std::function<std::unique_ptr<aio::EventLoop>()> sim_loop_factory = aio::sim::loop_factory(aio::sim::Config{});
std::function<std::function<std::unique_ptr<aio::EventLoop>()>(const std::string& params)> sim_loop_factory_with =
    [](const std::string& params) {
        return aio::sim::loop_factory(aio::sim::Config::from_replay("aiosim1:fifo:" + params));
    };
}  // namespace conformance
