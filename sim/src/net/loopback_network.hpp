#pragma once
// The loopback Network of a loop that is not a SimLoop: hosts are this machine's loopback
// addresses 127.0.0.N (N in add order, "main" 127.0.0.1), their names the loop's host aliases
// (EventLoop::add_host_alias), so open_connection("db", port) reaches 127.0.0.2; spawn() is
// create_task under the host's tag; the fault controls throw RuntimeError. One per loop, made on
// first use and dropped after the loop is gone.
#include "aio/event_loop.hpp"
#include "aio/sim/network.hpp"

namespace aio::sim::net_parts {

Network& loopback_network(EventLoop& loop);

}  // namespace aio::sim::net_parts
