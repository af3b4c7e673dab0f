// Task tags as hosts (host_tags.hpp): the loop's TagScope, current_tag and kill_tasks.
#include "host_tags.hpp"

#include <fmt/format.h>

#include "aio/sim/network.hpp"

namespace aio::sim::net_parts {

std::uint32_t current_tag(EventLoop& loop) noexcept { return loop.current_tag(); }

std::shared_ptr<void> enter_tag(EventLoop& loop, std::uint32_t tag) {
    return std::make_shared<EventLoop::TagScope>(loop, tag);
}

std::size_t kill_host_tasks(EventLoop& loop, std::uint32_t tag, const std::string& host) {
    return loop.kill_tasks(tag, std::make_exception_ptr(HostCrashed(fmt::format(
                                    "aio::sim::HostCrashed: host '{}' crashed: its tasks stopped at once", host))));
}

}  // namespace aio::sim::net_parts
