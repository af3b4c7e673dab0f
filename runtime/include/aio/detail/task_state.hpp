#pragma once
// The state behind aio::Task<T>: asyncio's Task, the future that drives a coroutine.
//
// Ownership: the task owns its coroutine frame (the root Coro and everything it awaits)
// and destroys it as soon as the coroutine finishes, after moving the result out. While the
// task is pending its loop holds one reference to it; handles hold the others. If the loop
// is closed while the task is still pending, the loop destroys the frame (RAII cleanup in
// it runs) and reports "Task was destroyed but it is pending!".
//
// Stepping: a task is resumed only by its step() (a ReadyEntry), which marks it current,
// resumes the coroutine where it last suspended, and, when the root coroutine has finished,
// completes the future. Every aio awaitable calls suspend_on()/yield_now() when suspending
// and check_cancel() when resuming; that is how cancellation reaches the await point.
//
// Tag: a number the task carries for its whole life, set when it is created: the tag of the
// loop's TagScope if one is open, else its creator's (the task whose step created it), else 0
// (EventLoop::current_tag()). The simulated network uses it as the task's host.
// EventLoop::kill_tasks(tag, why) kills every pending task with a tag (kill() below).
#include <coroutine>
#include <memory>
#include <cstdint>
#include <optional>
#include <source_location>
#include <string>
#include <vector>

#include "aio/coro.hpp"
#include "aio/errors.hpp"
#include "aio/detail/context_slot.hpp"
#include "aio/detail/future_state.hpp"
#include "aio/detail/wait_note.hpp"

namespace aio::detail {

class TaskBase : public FutureBase {
public:
    TaskBase(EventLoop* loop, std::coroutine_handle<> root, std::string name, std::uint64_t id,
             std::source_location created_at) noexcept
        : FutureBase(loop),
          root_(root),
          resume_point_(root),
          id_(id),
          name_(name.empty() ? nullptr : std::make_unique<std::string>(std::move(name))),
          created_at_(created_at) {}
    ~TaskBase() override;

    static void step_entry(void* self) { static_cast<TaskBase*>(self)->step(); }
    ReadyEntry step_ready_entry() noexcept { return {&TaskBase::step_entry, this, this}; }

    std::uint64_t id() const noexcept { return id_; }
    std::string name() const;
    /// The name set at creation or by set_name(); empty for the default "Task-<id>", which
    /// name() builds on each call (the tracer renders it without allocating).
    const std::string& given_name() const noexcept { return name_ ? *name_ : no_name_; }
    void set_name(std::string n) { name_ = n.empty() ? nullptr : std::make_unique<std::string>(std::move(n)); }
    const std::source_location& created_at() const noexcept { return created_at_; }

    /// asyncio Task.cancel(msg).
    bool cancel(std::optional<std::string> msg = std::nullopt) override;
    FutureBase* cancel_forwarder() noexcept override { return this; }
    int cancelling() const noexcept { return num_cancels_requested_; }
    int uncancel() noexcept {
        if (num_cancels_requested_ > 0) --num_cancels_requested_;
        return num_cancels_requested_;
    }
    bool must_cancel() const noexcept { return must_cancel_; }

    // --- used by awaitables -------------------------------------------------------------
    /// The task suspends at `h`, waiting for `w`; `w` will schedule step_ready_entry().
    /// `what` describes the wait for deadlock reports (a string literal, e.g. "sleep").
    void suspend_on(Waitable* w, std::coroutine_handle<> h, const char* what = nullptr) {
        resume_point_ = h;
        fut_waiter_ = w;
        waiting_what_ = what;
        if (must_cancel_ && w->cancel_wait(cancel_message())) must_cancel_ = false;
    }
    /// After suspend_on(w, ...): the task's next step calls w->restep() first (Waitable).
    void stage_wait() noexcept { staged_wait_ = true; }
    /// Where the task's coroutine resumes (the innermost suspended frame).
    std::coroutine_handle<> resume_point() const noexcept { return resume_point_; }
    /// The task gives up the loop for one pass (asyncio's bare `yield`).
    void set_resume_point(std::coroutine_handle<> h) noexcept { resume_point_ = h; }
    /// Throws CancelledError at the await point if this step was started to deliver a
    /// cancellation (asyncio's coro.throw(CancelledError)).
    void check_cancel() {
        if (throw_cancel_) [[unlikely]] {
            throw_cancel_ = false;
            throw_cancelled();
        }
    }
    /// Whether this step was started to deliver a cancellation (check_cancel() would throw).
    bool cancel_delivery_pending() const noexcept { return throw_cancel_; }
    /// For a wait that itself ended in CancelledError (it was cancelled before a later
    /// cancel() set must_cancel): that error reaches the await point, not CancelledError(the
    /// later message). asyncio's __step keeps an exc that already is a CancelledError.
    void drop_cancel_delivery() noexcept { throw_cancel_ = false; }
    /// For awaitables without a future of their own (sleep): the message of the cancel()
    /// that ended the wait, thrown as CancelledError(message) at the await point.
    void set_wait_cancel_message(const std::optional<std::string>& msg) {
        if (msg || messages_) messages().wait = msg;
    }
    // Inline (always): the raise then starts in the awaiting coroutine's frame, which catches
    // it, and crosses no library frame (issue 15: every raise at the floor).
    [[noreturn, gnu::always_inline]] void throw_wait_cancelled() {
        throw CancelledError(messages_ && messages_->wait ? *messages_->wait : std::string());
    }
    Waitable* waiting_on() const noexcept { return fut_waiter_; }
    /// What the task is waiting for, for deadlock reports ("sleep until 3s", "Task first").
    std::string waiting_description() const;
    /// The note on the current wait (wait_note.hpp), while the task waits; null otherwise.
    const WaitNote* wait_note() const noexcept { return fut_waiter_ ? wait_note_ : nullptr; }
    void set_wait_note(const WaitNote* n) noexcept { wait_note_ = n; }

    void step();
    /// step()'s body, inline where it is defined (src/task_step.hpp) for the loop's pass,
    /// which runs a task's step entry without calling step_entry and step().
    inline void run_step();
    bool started() const noexcept { return started_; }
    /// The promise of the task's root coroutine (the top of its await chain: follow
    /// PromiseBase::awaiting_ down); null once the frame is gone.
    virtual const PromiseBase* root_promise() const noexcept = 0;

    /// Destroys the coroutine frame of a task that will never run again (loop closing).
    void abandon() noexcept;

    /// The task's tag (see above); fixed at creation.
    std::uint32_t tag() const noexcept { return tag_; }
    void set_tag(std::uint32_t tag) noexcept { tag_ = tag; }
    /// EventLoop::kill_tasks' work for one task, which must not be in a step: destroys the frame
    /// without another step (its RAII destructors run, nothing else of it does), drops its stray
    /// wake-ups from the ready queue, and completes it with `why` (a CancelledError: cancelled),
    /// marked retrieved; its done-callbacks are scheduled as for any completion.
    void kill(std::exception_ptr why) noexcept;
    /// True once kill() ran (the task is done) or while a kill waits for the step it is in.
    bool killed() const noexcept { return killed_; }
    /// kill_tasks() reached this task during its own step: the step ends, then the loop kills it.
    void kill_after_step() noexcept { killed_ = kill_after_step_ = true; }
    void mark_killed() noexcept { killed_ = true; }

    bool is_task() const noexcept override { return true; }
    bool abandoned() const noexcept { return abandoned_; }

    /// The context the task runs in (context.hpp): a copy of its creator's, set at creation.
    /// Nothing switches it per step: current_context_slot() finds it through the current task.
    ContextSlot& context_slot() noexcept { return ctx_; }

protected:
    friend class CancelWalk;
    friend class WaitNoteScope;
    // Task.cancel(msg) in two halves, around the call fut_waiter.cancel(msg) that the walk makes
    // (see CancelWalk). cancel_start returns what to pass the cancellation to, or null with
    // cancel()'s answer in `result`; cancel_finish takes that waitable's answer. With `marked`
    // (aio::run's cleanup), a task already in it answers true and is not asked again.
    Waitable* cancel_start(const std::optional<std::string>& msg, std::vector<TaskBase*>* marked, bool& result);
    bool cancel_finish(bool waiter_cancelled, const std::optional<std::string>& msg);

    /// Moves the finished root's result or exception into the future.
    virtual void finish_from_root() = 0;
    virtual void destroy_frame() noexcept = 0;
    /// Completes the task from the root promise's outcome (shared by every T).
    void complete(std::exception_ptr exc);
    [[noreturn]] void throw_cancelled();
    void step_slow();
    // The end of a step that finished the coroutine or must kill the task.
    [[gnu::noinline, gnu::cold]] void end_step();
    // A staged wait's hook (stage_wait()); true when the task waits again.
    bool restep_staged(Waitable* waited);

    // What a step reads comes first, on one cache line (with the loop's pointer and the
    // state, FutureBase's): the coroutine handles, the wait, the flags, and the id (the
    // simulator's step count).
    std::coroutine_handle<> root_;
    std::coroutine_handle<> resume_point_;
    Waitable* fut_waiter_ = nullptr;
    bool must_cancel_ = false;
    bool throw_cancel_ = false;
    bool started_ = false;
    bool abandoned_ = false;
    bool kill_after_step_ = false;
    bool staged_wait_ = false;        // see stage_wait()
    bool forwarding_cancel_ = false;  // cancel() is passing a cancellation to fut_waiter_
    bool cancel_marked_ = false;      // in cancel_once_each's `marked`
    bool killed_ = false;

public:
    /// Scratch flag for GatherBase::start()'s duplicate check; false outside of it.
    bool gather_mark = false;
    bool log_destroy_pending = true;

protected:
    int num_cancels_requested_ = 0;
    std::uint64_t id_;
    const char* waiting_what_ = nullptr;
    const WaitNote* wait_note_ = nullptr;  // in the waiting frame (WaitNoteScope)
    // Most tasks keep the default name: a given one lives in a block of its own (8 bytes in
    // the task instead of a 32-byte std::string; issue 15's cold start counts task bytes).
    std::unique_ptr<std::string> name_;
    static const std::string no_name_;
    std::source_location created_at_;
    ContextSlot ctx_;
    std::uint32_t tag_ = 0;
};

/// aio::run's cleanup (asyncio's `for task in to_cancel: task.cancel()`), in linear time: a
/// task that the cancellation of an earlier one already reached through the awaits is not
/// cancelled again (asyncio walks a chain of n tasks n times, once per cancel()).
void cancel_once_each(const std::vector<TaskBase*>& tasks);

template <class T>
class TaskState final : public TaskBase {
public:
    TaskState(EventLoop* loop, Coro<T> coro, std::string name, std::uint64_t id, std::source_location loc) noexcept
        : TaskBase(loop, coro.handle(), std::move(name), id, loc), coro_(std::move(coro)) {}

    std::optional<T> value;

private:
    void finish_from_root() override {
        auto& p = coro_.handle().promise();
        std::exception_ptr exc = p.exception_;
        if (!exc && !must_cancel_) value.emplace(std::move(*p.value_));
        coro_.reset();  // the frame is gone before anybody sees the task done
        root_ = resume_point_ = {};
        complete(std::move(exc));
    }
    void destroy_frame() noexcept override {
        coro_.reset();
        root_ = resume_point_ = {};
    }
    const PromiseBase* root_promise() const noexcept override { return coro_ ? &coro_.handle().promise() : nullptr; }
    Coro<T> coro_;
};

template <>
class TaskState<void> final : public TaskBase {
public:
    TaskState(EventLoop* loop, Coro<void> coro, std::string name, std::uint64_t id, std::source_location loc) noexcept
        : TaskBase(loop, coro.handle(), std::move(name), id, loc), coro_(std::move(coro)) {}

private:
    void finish_from_root() override {
        std::exception_ptr exc = coro_.handle().promise().exception_;
        coro_.reset();
        root_ = resume_point_ = {};
        complete(std::move(exc));
    }
    void destroy_frame() noexcept override {
        coro_.reset();
        root_ = resume_point_ = {};
    }
    const PromiseBase* root_promise() const noexcept override { return coro_ ? &coro_.handle().promise() : nullptr; }
    Coro<void> coro_;
};

}  // namespace aio::detail
