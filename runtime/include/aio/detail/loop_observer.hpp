#pragma once
// Hooks through which a loop reports what happens in it (the simulator's trace and
// determinism fingerprint are built on these). The loop calls them only when an observer is
// installed, so the real loop pays one predictable branch per event.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "aio/clock.hpp"

namespace aio::detail {

class TaskBase;
struct TimerNode;

class LoopObserver {
public:
    virtual ~LoopObserver() = default;
    virtual void task_created(TaskBase&) {}
    virtual void task_step(TaskBase&) {}
    virtual void task_done(TaskBase&) {}  // finished, raised or cancelled: see its state
    virtual void cancel_requested(TaskBase&, const std::optional<std::string>& /*msg*/) {}
    /// A timer was scheduled; `task` is the sleeping task, or null for call_later.
    virtual void timer_scheduled(const TimerNode&, TaskBase* /*task*/) {}
    /// A timer's deadline passed and its callback is now ready.
    virtual void timer_fired(const TimerNode&, TaskBase* /*task*/) {}
    /// A named span (aio::TraceSpan) began or ended in task `task` (0: outside a task), whose
    /// name was `task_name` when it began.
    virtual void span_begin(std::uint64_t /*task*/, std::string_view /*task_name*/, std::string_view /*label*/) {}
    virtual void span_end(std::uint64_t /*task*/, std::string_view /*task_name*/, std::string_view /*label*/) {}
};

}  // namespace aio::detail
