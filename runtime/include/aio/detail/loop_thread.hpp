#pragma once
// Which loop runs on this thread, and the check every non-thread-safe entry point makes
// (asyncio's debug-mode _check_thread, here always on).
//
// A loop belongs to the thread that runs it. While it runs, calling call_soon, call_at,
// create_task, Task.cancel, Future.set_result, ... from another thread is a data race on the
// loop's queues and on the task's non-atomic state (the call is silently lost, or worse), so it
// throws RuntimeError instead. On the loop's own thread the check is one thread-local load and
// a compare; only a caller on another thread (or outside any running loop) takes the slow path.
namespace aio {
class EventLoop;
}

namespace aio::detail {

/// The loop running on this thread (constant-initialised, so reading it is one load).
inline constinit thread_local EventLoop* t_running_loop = nullptr;

/// Throws RuntimeError("Non-thread-safe operation invoked on an event loop other than the
/// current one: ...") when `loop` is running on another thread; `what` names the call.
void check_loop_thread_slow(const EventLoop& loop, const char* what);

inline void check_loop_thread(const EventLoop* loop, const char* what) {
    if (t_running_loop != loop && loop) [[unlikely]]
        check_loop_thread_slow(*loop, what);
}

}  // namespace aio::detail
