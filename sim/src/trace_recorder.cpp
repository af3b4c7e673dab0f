// The trace recorder: loop events to trace lines, their hash, and the fingerprint.
#include "trace_recorder.hpp"

#include "aio/detail/task_state.hpp"
#include "aio/detail/timer_heap.hpp"
#include "aio/errors.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace aio::sim::loop_parts {

void TraceRecorder::add(const TraceEventView& v, std::uint32_t host, std::uint64_t flow) {
    hash_ = trace_hash_event(v, hash_);
    if (mode_ == TraceMode::full)
        events_.push_back(TraceEvent{v.time, v.step, v.kind, v.task, std::string(v.name), std::string(v.detail),
                                     v.until, host, flow, v.choice, v.index, v.of});
}

void TraceRecorder::emit(TraceKind k, std::uint64_t task, std::string_view name, std::string_view detail,
                         TimePoint until, std::uint32_t host) {
    add({.time = now_,
         .step = loop_.steps_run(),
         .kind = k,
         .task = task,
         .name = name,
         .detail = detail,
         .until = until},
        host);
}

void TraceRecorder::emit_decision(char letter, std::uint64_t index, std::uint64_t n) {
    add({.time = now_,
         .step = loop_.steps_run(),
         .kind = TraceKind::decision,
         .choice = letter,
         .index = index,
         .of = n});
}

void TraceRecorder::emit_net(TraceKind k, std::uint32_t host, std::uint64_t flow, std::string detail) {
    add({.time = now_, .step = loop_.steps_run(), .kind = k, .detail = detail}, host, flow);
}

namespace {

// A task's name as name() gives it, without building a string: its given name, or
// "Task-<id>" written into `buf`.
std::string_view name_of(const aio::detail::TaskBase& t, std::array<char, 32>& buf) noexcept {
    if (!t.given_name().empty()) return t.given_name();
    constexpr std::string_view prefix = "Task-";
    std::copy(prefix.begin(), prefix.end(), buf.begin());
    const auto r = std::to_chars(buf.data() + prefix.size(), buf.data() + buf.size(), t.id());
    return {buf.data(), static_cast<std::size_t>(r.ptr - buf.data())};
}

}  // namespace

// The created event carries the task's host (its tag: the network's host number, 0 for "main"),
// which the text form leaves out (so the hash is as without a network) and the Chrome trace
// uses to put the task in its host's process.
void TraceRecorder::task_created(aio::detail::TaskBase& t) {
    std::array<char, 32> buf;
    emit(TraceKind::created, t.id(), name_of(t, buf), {}, {}, t.tag());
}

void TraceRecorder::task_step(aio::detail::TaskBase& t) {
    std::array<char, 32> buf;
    emit(TraceKind::step, t.id(), name_of(t, buf));
}

void TraceRecorder::task_done(aio::detail::TaskBase& t) {
    std::array<char, 32> buf;
    if (t.cancelled())
        emit(TraceKind::cancelled, t.id(), name_of(t, buf));
    else if (const auto& e = t.peek_exception())
        emit(TraceKind::raised, t.id(), name_of(t, buf), raised_text(e));
    else
        emit(TraceKind::done, t.id(), name_of(t, buf));
}

const std::string& TraceRecorder::raised_text(const std::exception_ptr& e) {
    // The same exception object often ends several tasks (it propagates through awaits and
    // gather): described once. Holding it keeps the object, so equal pointers are one object.
    if (e != raised_) {
        raised_text_ = escape_text(describe(e), false);
        raised_ = e;
    }
    return raised_text_;
}

void TraceRecorder::cancel_requested(aio::detail::TaskBase& t, const std::optional<std::string>& msg) {
    std::array<char, 32> buf;
    emit(TraceKind::cancel, t.id(), name_of(t, buf), msg ? "msg=\"" + escape_text(*msg, true) + '"' : std::string());
}

void TraceRecorder::timer_scheduled(const aio::detail::TimerNode& n, aio::detail::TaskBase* t) {
    // The detail stays empty: the text form renders "until=<deadline>" from `until`.
    std::array<char, 32> buf;
    emit(t ? TraceKind::sleep : TraceKind::timer, t ? t->id() : 0, t ? name_of(*t, buf) : std::string_view(), {},
         n.when);
}

void TraceRecorder::timer_fired(const aio::detail::TimerNode& n, aio::detail::TaskBase* t) {
    std::array<char, 32> buf;
    emit(TraceKind::fired, t ? t->id() : 0, t ? name_of(*t, buf) : std::string_view(), {}, n.when);
}

void TraceRecorder::span_begin(std::uint64_t task, std::string_view task_name, std::string_view label) {
    emit(TraceKind::span, task, task_name, '"' + escape_text(label, true) + '"');
}

void TraceRecorder::span_end(std::uint64_t task, std::string_view task_name, std::string_view label) {
    emit(TraceKind::span_end, task, task_name, '"' + escape_text(label, true) + '"');
}

}  // namespace aio::sim::loop_parts
