#pragma once
// The blocked-task report (the Deadlock and limit messages' "Pending tasks" part): for every
// pending task, what it awaits, and the await graph's cycles. Read-only over the loop's public
// state; walks are iterative (a chain of a million tasks is fine).
#include <cstdint>
#include <string>
#include <vector>

#include "aio/event_loop.hpp"
#include "aio/sim/errors.hpp"

namespace aio::sim::loop_parts {

/// "#3 'worker'".
std::string label(const aio::detail::TaskBase& t);
/// A simulated host, by number (a task's tag is its host's number).
struct HostInfo {
    std::string name;
    std::string address;  // "10.0.0.2"
};

/// Every pending task of `loop` in creation order, with what it awaits. With `hosts` (more
/// than one): each task's host, addresses in what it awaits named by their hosts
/// ("app:49152->db:5432"), and for tasks waiting on a connection (reading, or draining) an
/// edge to each task waiting on the other end of that connection: across hosts, a task
/// reading waits for the other end to write, one draining for the other end to read, so two
/// ends waiting on each other are an await cycle.
std::vector<BlockedTask> blocked_tasks(const EventLoop& loop, const std::vector<HostInfo>& hosts = {});
/// The await cycles among `tasks`, each starting at its smallest id (bounded, see the source).
std::vector<std::vector<std::uint64_t>> find_cycles(const std::vector<BlockedTask>& tasks);
/// The report's text: one line per task (the first 50), then the cycles.
std::string format_blocked(const std::vector<BlockedTask>& tasks,
                           const std::vector<std::vector<std::uint64_t>>& cycles);
/// format_blocked() of the loop's pending tasks as of now.
std::string pending_report(const EventLoop& loop, const std::vector<HostInfo>& hosts = {});

}  // namespace aio::sim::loop_parts
