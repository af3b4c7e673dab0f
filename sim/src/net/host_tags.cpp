// Task tags as hosts (host_tags.hpp), before the runtime has tags: every task runs on "main".
#include "host_tags.hpp"

#include <fmt/format.h>

#include "aio/sim/network.hpp"

namespace aio::sim::net_parts {

std::uint32_t current_tag(EventLoop&) noexcept { return 0; }

std::shared_ptr<void> enter_tag(EventLoop&, std::uint32_t) { return nullptr; }

std::size_t kill_host_tasks(EventLoop&, std::uint32_t, const std::string& host) {
    throw RuntimeError(
        fmt::format("aio::sim::Network::crash('{}'): this runtime cannot stop a host's tasks yet", host));
}

}  // namespace aio::sim::net_parts
