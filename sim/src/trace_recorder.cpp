// The trace recorder: loop events to trace lines, their hash, and the fingerprint.
#include "trace_recorder.hpp"

#include "aio/detail/task_state.hpp"
#include "aio/detail/timer_heap.hpp"
#include "aio/errors.hpp"

namespace aio::sim::loop_parts {

void TraceRecorder::emit(TraceKind k, std::uint64_t task, std::string_view name, std::string detail, TimePoint until,
                         std::uint32_t host) {
    TraceEvent e{now_, loop_.steps_run(), k, task, std::string(name), std::move(detail), until, host};
    line_.clear();
    append_trace_line(line_, e);
    line_ += '\n';
    hash_ = fnv1a64(line_, hash_);
    if (mode_ == TraceMode::full) events_.push_back(std::move(e));
}

void TraceRecorder::emit_net(TraceKind k, std::uint32_t host, std::uint64_t flow, std::string detail) {
    TraceEvent e{now_, loop_.steps_run(), k, 0, {}, std::move(detail), {}, host, flow};
    line_.clear();
    append_trace_line(line_, e);
    line_ += '\n';
    hash_ = fnv1a64(line_, hash_);
    if (mode_ == TraceMode::full) events_.push_back(std::move(e));
}

// The created event carries the task's host (its tag: the network's host number, 0 for "main"),
// which the text form leaves out (so the hash is as without a network) and the Chrome trace
// uses to put the task in its host's process.
void TraceRecorder::task_created(aio::detail::TaskBase& t) {
    emit(TraceKind::created, t.id(), t.name(), {}, {}, t.tag());
}

void TraceRecorder::task_step(aio::detail::TaskBase& t) { emit(TraceKind::step, t.id(), t.name()); }

void TraceRecorder::task_done(aio::detail::TaskBase& t) {
    if (t.cancelled())
        emit(TraceKind::cancelled, t.id(), t.name());
    else if (const auto& e = t.peek_exception())
        emit(TraceKind::raised, t.id(), t.name(), escape_text(describe(e), false));
    else
        emit(TraceKind::done, t.id(), t.name());
}

void TraceRecorder::cancel_requested(aio::detail::TaskBase& t, const std::optional<std::string>& msg) {
    emit(TraceKind::cancel, t.id(), t.name(), msg ? "msg=\"" + escape_text(*msg, true) + '"' : std::string());
}

void TraceRecorder::timer_scheduled(const aio::detail::TimerNode& n, aio::detail::TaskBase* t) {
    emit(t ? TraceKind::sleep : TraceKind::timer, t ? t->id() : 0, t ? t->name() : std::string(),
         "until=" + format_time(n.when), n.when);
}

void TraceRecorder::timer_fired(const aio::detail::TimerNode& n, aio::detail::TaskBase* t) {
    emit(TraceKind::fired, t ? t->id() : 0, t ? t->name() : std::string(), {}, n.when);
}

void TraceRecorder::span_begin(std::uint64_t task, std::string_view task_name, std::string_view label) {
    emit(TraceKind::span, task, task_name, '"' + escape_text(label, true) + '"');
}

void TraceRecorder::span_end(std::uint64_t task, std::string_view task_name, std::string_view label) {
    emit(TraceKind::span_end, task, task_name, '"' + escape_text(label, true) + '"');
}

}  // namespace aio::sim::loop_parts
