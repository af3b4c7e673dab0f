#pragma once
// The shared state behind aio::Future<T> and aio::Task<T>: asyncio's Future, minus the value.
//
// Ownership: a FutureBase is reference counted (detail::Ref). Handles (Future<T>, Task<T>)
// hold references; a task that is still pending is also held by its loop, so dropping every
// handle to a running task does not destroy it (asyncio's loop keeps scheduled tasks alive
// the same way). Only the loop's thread may touch a FutureBase.
//
// Done-callbacks are ReadyEntries: when the future completes, each one is scheduled with
// call_soon semantics (it runs on a later pass of the loop), exactly as asyncio's
// Future.__schedule_callbacks does. This is what makes orders match CPython hop for hop.
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aio/detail/ready_queue.hpp"
#include "aio/detail/ref.hpp"

namespace aio {
class EventLoop;
}

namespace aio::detail {

class FutureBase;
class CancelWalk;
class TaskBase;

/// Something a task can be suspended on that task.cancel() can cancel (a future, a sleep).
class Waitable {
public:
    /// asyncio's Future.cancel(msg) as seen from a waiting task: true when the wait was
    /// cancelled and the waiting task's wake-up is now scheduled.
    virtual bool cancel_wait(const std::optional<std::string>& msg) = 0;
    /// A task or a gather: its cancel passes the cancellation on to what it awaits. Such
    /// cancels are run by one loop (CancelWalk) instead of calling each other, so that a chain
    /// of a million tasks awaiting each other is cancelled without a million nested calls.
    virtual FutureBase* cancel_forwarder() noexcept { return nullptr; }
    /// A staged wait (the task called TaskBase::stage_wait() after suspending on it): called
    /// by the waiting task's next step, inside the step (the task is current) and before the
    /// coroutine resumes. True when the wait was armed again (the task suspended on a
    /// waitable anew and the coroutine is not resumed): asyncio's `while cond: await fut`
    /// going round once more, without a coroutine frame of its own.
    virtual bool restep(TaskBase& task) {
        (void)task;
        return false;
    }

protected:
    ~Waitable() = default;
};

/// A future's done-callbacks in registration order. Nearly every future has at most one
/// (the task or gather awaiting it), so the first lives inline and only later ones allocate
/// (a vector of their own, behind one pointer: 8 bytes in every future instead of 24).
class DoneCallbacks {
public:
    bool empty() const noexcept { return first_.fn == nullptr; }
    std::size_t size() const noexcept { return empty() ? 0 : 1 + (rest_ ? rest_->size() : 0); }
    void push_back(const ReadyEntry& e) {
        if (empty()) {
            first_ = e;
            return;
        }
        if (!rest_) rest_ = std::make_unique<std::vector<ReadyEntry>>();
        rest_->push_back(e);
    }
    template <class F>
    void for_each(F&& f) const {
        if (empty()) return;
        f(first_);
        if (rest_)
            for (const auto& e : *rest_) f(e);
    }
    /// Removes (in order) every entry for which pred(entry) is true; returns how many.
    template <class P>
    std::size_t remove_if(P&& pred) {
        if (empty()) return 0;
        const bool first_goes = pred(first_);
        std::size_t removed = first_goes ? 1 : 0;
        if (rest_) {
            std::vector<ReadyEntry>& rest = *rest_;
            std::size_t out = 0;
            for (std::size_t k = 0; k < rest.size(); ++k) {
                if (pred(rest[k])) {
                    ++removed;
                    continue;
                }
                rest[out++] = rest[k];
            }
            rest.resize(out);
        }
        if (first_goes) {
            if (!rest_ || rest_->empty()) {
                first_ = {};
            } else {
                first_ = rest_->front();
                rest_->erase(rest_->begin());
            }
        }
        return removed;
    }
    /// Moves every entry out, leaving this empty.
    DoneCallbacks take() noexcept {
        DoneCallbacks out;
        out.first_ = std::exchange(first_, ReadyEntry{});
        out.rest_ = std::move(rest_);
        return out;
    }

private:
    ReadyEntry first_{};
    std::unique_ptr<std::vector<ReadyEntry>> rest_;  // the second and later, if ever any
};

class FutureBase : public RefCounted, public Waitable {
public:
    enum class State : unsigned char { pending, finished, cancelled };

    /// Registers with `loop` (which detaches its futures when it is destroyed first).
    explicit FutureBase(EventLoop* loop) noexcept;
    ~FutureBase() override;

    EventLoop* loop() const noexcept { return loop_; }
    State state() const noexcept { return state_; }
    bool done() const noexcept { return state_ != State::pending; }
    bool cancelled() const noexcept { return state_ == State::cancelled; }

    /// asyncio Future.cancel(msg): false if already done.
    virtual bool cancel(std::optional<std::string> msg = std::nullopt);
    bool cancel_wait(const std::optional<std::string>& msg) override { return cancel(msg); }

    /// Throws what result() would throw (InvalidStateError if pending, CancelledError if
    /// cancelled, the stored exception if one was set) and marks the exception retrieved.
    /// Inline, so that the rethrow starts in the caller's frame: a rethrow from a library
    /// function would leave its copy of the exception_ptr to a landing pad there, and the
    /// unwinding would restart (_Unwind_Resume) before it reached the code that catches.
    void throw_if_not_result() {
        if (std::exception_ptr e = result_error()) [[unlikely]]
            std::rethrow_exception(std::move(e));
    }
    /// What throw_if_not_result() would throw, without throwing it (null: finished with a
    /// value); marks the exception retrieved.
    std::exception_ptr result_error();
    /// asyncio Future.exception(): null if finished with a value.
    std::exception_ptr exception();
    /// The stored exception (null if none), without marking it retrieved: for observers
    /// (traces) that must not change what the loop reports.
    const std::exception_ptr& peek_exception() const noexcept { return exception_; }
    void set_exception(std::exception_ptr e);
    /// Marks the future finished with its (already stored) value and schedules callbacks.
    void finish_with_value();

    void add_done_callback(const ReadyEntry& e);
    /// Removes callbacks whose argument is `arg`; returns how many were removed.
    std::size_t remove_done_callback(const void* arg);
    /// f(entry) for each pending done-callback, in registration order; f must not change them.
    template <class F>
    void for_each_done_callback(F&& f) const {
        callbacks_.for_each(f);
    }

    /// The CancelledError result() throws for a cancelled future.
    std::exception_ptr make_cancelled_error() const;
    const std::optional<std::string>& cancel_message() const noexcept {
        return messages_ ? messages_->cancel : no_message_;
    }

    /// Called when the loop that owns this future is destroyed before the future.
    void detach_from_loop() noexcept {
        loop_ = nullptr;
        prev_ = next_ = nullptr;
    }
    virtual bool is_task() const noexcept { return false; }

    // The loop's intrusive list of its futures and tasks, in creation order.
    FutureBase* prev_ = nullptr;
    FutureBase* next_ = nullptr;

protected:
    void schedule_callbacks();
    void report_unretrieved() noexcept;

    EventLoop* loop_;
    State state_ = State::pending;
    bool exception_retrieved_ = false;
    std::exception_ptr exception_;
    /// Sets the message cancel(msg) was given (allocates only for an actual message).
    void set_cancel_message(std::optional<std::string> msg) {
        if (msg || messages_) messages().cancel = std::move(msg);
    }

    // Cancellation messages are rare: they live in a block of their own, allocated on first
    // use, which keeps every future and task 72 bytes smaller.
    struct Messages {
        std::optional<std::string> cancel;  // the message cancel(msg) was given
        std::optional<std::string> wait;    // a task's: the message that ended its current wait
    };
    Messages& messages() {
        if (!messages_) messages_ = std::make_unique<Messages>();
        return *messages_;
    }
    static const std::optional<std::string> no_message_;

    std::exception_ptr cancelled_exc_;  // the CancelledError a task's coroutine ended with
    std::unique_ptr<Messages> messages_;
    DoneCallbacks callbacks_;
};

template <class T>
class FutureState final : public FutureBase {
public:
    using FutureBase::FutureBase;
    std::optional<T> value;
};

}  // namespace aio::detail
