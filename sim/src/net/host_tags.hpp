#pragma once
// The network's use of the loop's task tags (a host's number is the tag of its tasks): the
// running task's tag, a scope in which created tasks get a tag, and a host's crash (every task
// with its tag stops). One place, so the network's code does not depend on how the runtime
// spells them.
#include <cstdint>
#include <memory>
#include <string>

#include "aio/event_loop.hpp"

namespace aio::sim::net_parts {

std::uint32_t current_tag(EventLoop& loop) noexcept;
/// While the returned object lives, tasks created on `loop` get `tag`.
std::shared_ptr<void> enter_tag(EventLoop& loop, std::uint32_t tag);
/// Stops every task of the host (HostCrashed for their awaiters); the count stopped.
std::size_t kill_host_tasks(EventLoop& loop, std::uint32_t tag, const std::string& host);

}  // namespace aio::sim::net_parts
