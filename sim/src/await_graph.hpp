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
/// Every pending task of `loop` in creation order, with what it awaits.
std::vector<BlockedTask> blocked_tasks(const EventLoop& loop);
/// The await cycles among `tasks`, each starting at its smallest id (bounded, see the source).
std::vector<std::vector<std::uint64_t>> find_cycles(const std::vector<BlockedTask>& tasks);
/// The report's text: one line per task (the first 50), then the cycles.
std::string format_blocked(const std::vector<BlockedTask>& tasks,
                           const std::vector<std::vector<std::uint64_t>>& cycles);
/// format_blocked() of the loop's pending tasks as of now.
std::string pending_report(const EventLoop& loop);

}  // namespace aio::sim::loop_parts
