#pragma once
// Named slices of a task's trace: a label for what the task is doing, so that a trace shows
// "backend fetch" around an await instead of an anonymous sleep.
//
//     aio::Coro<Reply> get(Key k) {
//         aio::TraceSpan span("backend fetch");     // until the end of the scope
//         co_return co_await fetch(k);
//     }
//     Reply r = co_await aio::span("backend fetch", fetch(k));   // the same, around one await
//
// The loop's observer (the simulator's trace recorder, when tracing) gets span_begin and
// span_end with the running task; the trace shows them as `span` / `span-end` lines and as a
// named slice on the task's track in Perfetto. Without an observer (the real loop, or the
// simulator not tracing) a TraceSpan costs one branch on construction and one on destruction;
// aio::span() also costs the coroutine frame of its wrapper. The label is not copied: it must
// outlive the TraceSpan (a string literal does; aio::span keeps its own copy).
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "aio/coro.hpp"
#include "aio/detail/loop_observer.hpp"
#include "aio/detail/task_state.hpp"
#include "aio/event_loop.hpp"

namespace aio {

class TraceSpan {
public:
    explicit TraceSpan(std::string_view label) : label_(label) {
        EventLoop* loop = EventLoop::running();
        if (loop == nullptr || loop->observer() == nullptr) [[likely]]
            return;
        loop_ = loop;
        // Kept for the end: the span may end while the task's frame is being destroyed.
        if (const detail::TaskBase* task = loop->current_task_raw()) {
            task_ = task->id();
            task_name_ = task->name();
        }
        loop->observer()->span_begin(task_, task_name_, label_);
    }
    ~TraceSpan() {
        if (loop_ == nullptr) [[likely]]
            return;
        if (detail::LoopObserver* o = loop_->observer()) o->span_end(task_, task_name_, label_);
    }
    TraceSpan(const TraceSpan&) = delete;
    TraceSpan& operator=(const TraceSpan&) = delete;

private:
    std::string_view label_;
    EventLoop* loop_ = nullptr;  // set only when an observer saw the beginning
    std::uint64_t task_ = 0;
    std::string task_name_;
};

/// Awaits `coro` inside a TraceSpan named `label`: co_await aio::span("fetch", fetch()).
template <class T>
Coro<T> span(std::string label, Coro<T> coro) {
    TraceSpan s(label);
    if constexpr (std::is_void_v<T>)
        co_await std::move(coro);
    else
        co_return co_await std::move(coro);
}

}  // namespace aio
