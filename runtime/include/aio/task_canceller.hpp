#pragma once
// aio::TaskCanceller: the one way to cancel a task from another thread.
//
//     aio::TaskCanceller stop = task.canceller();        // on the loop's thread
//     std::thread worker([stop] { ...; stop.cancel("shutting down"); });
//
// A Task handle must not cross threads: its reference count is not atomic (copying it into a
// lambda for call_soon_threadsafe already races), and while the loop runs, task.cancel() on
// another thread throws RuntimeError. A TaskCanceller may be copied, kept and destroyed on any
// thread. cancel(msg) posts task.cancel(msg) to the task's loop with call_soon_threadsafe (it
// runs on a later pass of the loop, as asyncio's `loop.call_soon_threadsafe(task.cancel, msg)`)
// and returns true; it posts nothing and returns false once the task is known to be done or
// its loop closed. true means "posted": the task may still finish before the request runs,
// which then does nothing. A canceller keeps neither the task nor the loop alive.
#include <memory>
#include <optional>
#include <string>

namespace aio {

class AnyTask;
namespace detail {
struct CancelLink;
}

class TaskCanceller {
public:
    /// Cancels nothing (cancel() returns false).
    TaskCanceller() = default;
    /// Posts task.cancel(msg) to the task's loop; safe on any thread. See above.
    bool cancel(std::optional<std::string> msg = std::nullopt) const;

private:
    friend class AnyTask;
    explicit TaskCanceller(std::shared_ptr<detail::CancelLink> link) : link_(std::move(link)) {}
    std::shared_ptr<detail::CancelLink> link_;
};

}  // namespace aio
