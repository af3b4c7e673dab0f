#pragma once
// The trace recorder of a simulated run: the loop observer that turns what happens in the
// loop into TraceEvents (kept under TraceMode::full), hashes every event's fields (the trace
// hash, trace.hpp; nothing is formatted under TraceMode::hash), and keeps the determinism fingerprint (one StepPrint per ready entry run).
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aio/detail/loop_observer.hpp"
#include "aio/event_loop.hpp"
#include "aio/sim/config.hpp"
#include "aio/sim/record.hpp"
#include "aio/sim/trace.hpp"

namespace aio::sim::loop_parts {

class TraceRecorder final : public aio::detail::LoopObserver {
public:
    /// Events are stamped with `loop`'s step count and `now`, the virtual time as it is (not a
    /// clock read: reading the clock may move it).
    TraceRecorder(const EventLoop& loop, const TimePoint& now) noexcept : loop_(loop), now_(now) {}

    void set_mode(TraceMode m) noexcept { mode_ = m; }
    TraceMode mode() const noexcept { return mode_; }
    bool on() const noexcept { return mode_ != TraceMode::off; }

    /// Adds one event (only when on()).
    /// `host`: the task's host (TraceEvent::host), for its created event.
    void emit(TraceKind k, std::uint64_t task, std::string_view name, std::string_view detail = {},
              TimePoint until = {}, std::uint32_t host = 0);
    /// Adds one non-zero decision (only when on()): "<letter><index> of <n>" in the text form.
    void emit_decision(char letter, std::uint64_t index, std::uint64_t n);
    /// Adds one network event (only when on()): no task, the host's number and a flow id.
    void emit_net(TraceKind k, std::uint32_t host, std::uint64_t flow, std::string detail);
    /// Adds one step to the fingerprint.
    void print_step(const StepPrint& p) { prints_.push_back(p); }

    std::uint64_t hash() const noexcept { return hash_; }
    std::vector<TraceEvent>& events() noexcept { return events_; }
    std::vector<StepPrint>& prints() noexcept { return prints_; }

    void task_created(aio::detail::TaskBase& t) override;
    void task_step(aio::detail::TaskBase& t) override;
    void task_done(aio::detail::TaskBase& t) override;
    void cancel_requested(aio::detail::TaskBase& t, const std::optional<std::string>& msg) override;
    void timer_scheduled(const aio::detail::TimerNode& n, aio::detail::TaskBase* t) override;
    void timer_fired(const aio::detail::TimerNode& n, aio::detail::TaskBase* t) override;
    // Named spans (aio::TraceSpan): one line each, the label quoted.
    void span_begin(std::uint64_t task, std::string_view task_name, std::string_view label) override;
    void span_end(std::uint64_t task, std::string_view task_name, std::string_view label) override;

private:
    const EventLoop& loop_;
    const TimePoint& now_;
    TraceMode mode_ = TraceMode::off;
    std::uint64_t hash_ = fnv1a64_offset;
    std::vector<TraceEvent> events_;
    void add(const TraceEventView& v, std::uint32_t host = 0, std::uint64_t flow = 0);
    // A raised event's detail: the exception described, escaped (the last one's kept).
    const std::string& raised_text(const std::exception_ptr& e);
    std::exception_ptr raised_;
    std::string raised_text_;
    std::vector<StepPrint> prints_;
};

}  // namespace aio::sim::loop_parts
