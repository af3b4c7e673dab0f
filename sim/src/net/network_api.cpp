// aio::sim::network() and fault_point(): the running loop's network (network.hpp).
#include <fmt/format.h>

#include "aio/sim/network.hpp"
#include "aio/sim/sim_loop.hpp"
#include "loopback_network.hpp"
#include "sim_network.hpp"

namespace aio::sim {

namespace {
Coro<bool> ready(bool v) { co_return v; }
}  // namespace

Network& network() {
    EventLoop* loop = EventLoop::running();
    if (!loop)
        throw RuntimeError(
            "aio::sim::network(): no running event loop; call it from a coroutine run by aio::run (or "
            "aio::sim::run)");
    if (auto* sim = dynamic_cast<SimLoop*>(loop)) return sim->network();
    return net_parts::loopback_network(*loop);
}

Coro<bool> fault_point(std::string_view name) {
    EventLoop* loop = EventLoop::running();
    auto* sim = dynamic_cast<SimLoop*>(loop);
    if (!sim) return ready(false);
    return ready(static_cast<net_parts::SimNetwork&>(sim->network()).fault_point(name));
}

}  // namespace aio::sim
