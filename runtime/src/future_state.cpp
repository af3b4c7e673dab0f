// asyncio's Future and Task state machines (futures.py, tasks.py), and gather's future.
#include <fmt/format.h>

#include <sys/socket.h>

#include <algorithm>
#include <any>
#include <optional>

#include "aio/detail/access_observer.hpp"
#include "aio/detail/callback.hpp"
#include "aio/detail/future_awaiter.hpp"
#include "aio/detail/future_state.hpp"
#include "aio/detail/gather_state.hpp"
#include "aio/detail/task_state.hpp"
#include "aio/event_loop.hpp"
#include "aio/net/address.hpp"
#include "aio/net/transport.hpp"
#include "report.hpp"
#include "task_step.hpp"

namespace aio::detail {

void drop_entry(const ReadyEntry& e) noexcept {
    if (e.fn == &CallbackNode::invoke)
        CallbackNode::drop(e.arg);
    else if (e.fn == &GatherBase::on_child_done)
        GatherBase::drop_slot(e.arg);
}

// ---- FutureBase -----------------------------------------------------------------------

FutureBase::FutureBase(EventLoop* loop) noexcept : loop_(loop) {
    if (loop_) loop_->link_future(this);
}

const std::optional<std::string> FutureBase::no_message_;

FutureBase::~FutureBase() {
    touch_end(this);
    callbacks_.for_each(drop_entry);
    if (state_ == State::finished && exception_ && !exception_retrieved_) report_unretrieved();
    if (loop_) loop_->unlink_future(this);
}

void FutureBase::report_unretrieved() noexcept {
    exception_retrieved_ = true;
    ExceptionContext ctx;
    ctx.exception = exception_;
    if (is_task()) {
        auto* t = static_cast<TaskBase*>(this);
        ctx.message = "Task exception was never retrieved";
        ctx.task_name = t->name();
        ctx.task_id = t->id();
        ctx.created_at = t->created_at();
    } else {
        ctx.message = "Future exception was never retrieved";
    }
    report(loop_, ctx);
}

bool FutureBase::cancel(std::optional<std::string> msg) {
    touch(this);
    exception_retrieved_ = true;
    if (state_ != State::pending) return false;
    state_ = State::cancelled;
    set_cancel_message(std::move(msg));
    schedule_callbacks();
    return true;
}

void FutureBase::schedule_callbacks() {
    if (callbacks_.empty()) return;
    DoneCallbacks cbs = callbacks_.take();
    if (!loop_ || loop_->is_closed()) {
        cbs.for_each(drop_entry);
        return;
    }
    EventLoop* loop = loop_;
    cbs.for_each([loop](const ReadyEntry& e) {
        note_scheduled(e);
        loop->push_ready(e);
    });
}

std::exception_ptr FutureBase::result_error() {
    if (state_ == State::cancelled) return make_cancelled_error();
    if (state_ != State::finished) return std::make_exception_ptr(InvalidStateError("Result is not set."));
    exception_retrieved_ = true;
    return exception_;
}

std::exception_ptr FutureBase::exception() {
    if (state_ == State::cancelled) std::rethrow_exception(make_cancelled_error());
    if (state_ != State::finished) throw InvalidStateError("Exception is not set.");
    exception_retrieved_ = true;
    return exception_;
}

void FutureBase::set_exception(std::exception_ptr e) {
    touch(this);
    if (state_ != State::pending) throw InvalidStateError("invalid state: the future is already done");
    if (!e) throw ValueError("set_exception() needs an exception, got a null std::exception_ptr");
    exception_ = std::move(e);
    exception_retrieved_ = false;
    state_ = State::finished;
    schedule_callbacks();
}

void FutureBase::finish_with_value() {
    touch(this);
    state_ = State::finished;
    schedule_callbacks();
}

void FutureBase::add_done_callback(const ReadyEntry& e) {
    if (state_ != State::pending) {
        if (loop_ && !loop_->is_closed())
            loop_->push_ready(e);
        else
            drop_entry(e);
    } else {
        callbacks_.push_back(e);
    }
}

std::size_t FutureBase::remove_done_callback(const void* arg) {
    return callbacks_.remove_if([&](const ReadyEntry& e) {
        if (e.arg != arg) return false;
        drop_entry(e);
        return true;
    });
}

std::exception_ptr FutureBase::make_cancelled_error() const {
    if (cancelled_exc_) return cancelled_exc_;
    return std::make_exception_ptr(CancelledError(cancel_message().value_or(std::string())));
}

void add_callback(FutureBase& f, std::function<void()> fn, ContextCell* context) {
    auto* node =
        context ? new CallbackNode(f.loop(), std::move(fn), context) : new CallbackNode(f.loop(), std::move(fn));
    Ref<CallbackNode> keep(node);
    f.add_done_callback(node->entry());
}

// ---- TaskBase -------------------------------------------------------------------------

}  // namespace aio::detail

aio::EventLoop& aio::AnyTask::get_loop() const {
    EventLoop* l = state().loop();
    if (!l) throw RuntimeError("the task's event loop was destroyed");
    return *l;
}

namespace aio::detail {

TaskBase::~TaskBase() {
    if (state_ == State::pending && log_destroy_pending) {
        ExceptionContext ctx;
        ctx.message = "Task was destroyed but it is pending!";
        ctx.task_name = name();
        ctx.task_id = id_;
        ctx.created_at = created_at_;
        report(loop_, ctx);
    }
    if (state_ == State::finished && exception_ && !exception_retrieved_) report_unretrieved();
}

const std::string TaskBase::no_name_;

std::string TaskBase::name() const { return name_ ? *name_ : fmt::format("Task-{}", id_); }

// ---- cancellation ---------------------------------------------------------------------
//
// Task.cancel() calls fut_waiter.cancel(msg), which for a task awaiting a task is again
// Task.cancel(), and gather's cancel() calls cancel() on each child: a chain of n tasks is n
// nested calls, and a million of them overflow the stack. CancelWalk runs the same calls
// from one loop with an explicit stack of the cancels under way: each task or gather runs the
// part of its cancel() before the nested call (cancel_start), the walk then enters what it
// passes the cancellation to, and hands the answer back (cancel_finish). Every effect
// (counts, messages, observer events, the cycle break) happens in the order the nested calls
// would make it.
class CancelWalk {
public:
    static bool run(Waitable& root, const std::optional<std::string>& msg, std::vector<TaskBase*>* marked) {
        struct Frame {
            FutureBase* fut;  // a task waiting for its waiter's answer, or a gather
            std::size_t next_child;
            bool any_child_cancelled;
        };
        std::vector<Frame> stack;
        bool result = false;  // the answer of the cancel that finished last
        Waitable* w = &root;
        while (w) {
            if (FutureBase* f = w->cancel_forwarder()) {
                if (f->is_task()) {
                    auto* t = static_cast<TaskBase*>(f);
                    if (Waitable* waiter = t->cancel_start(msg, marked, result)) {
                        if (waiter->cancel_forwarder()) {
                            stack.push_back({t, 0, false});
                            w = waiter;
                            continue;
                        }
                        // A sleep, a future or a sync primitive's waiter: nothing nests.
                        result = t->cancel_finish(waiter->cancel_wait(msg), msg);
                    }
                } else {
                    auto* g = static_cast<GatherBase*>(f);
                    if (g->cancel_start())
                        stack.push_back({g, 0, false});
                    else
                        result = false;
                }
            } else {
                result = w->cancel_wait(msg);
            }
            // Hand `result` back until a gather has another child to cancel.
            w = nullptr;
            while (!stack.empty() && !w) {
                Frame& top = stack.back();
                if (top.fut->is_task()) {
                    result = static_cast<TaskBase*>(top.fut)->cancel_finish(result, msg);
                    stack.pop_back();
                    continue;
                }
                auto* g = static_cast<GatherBase*>(top.fut);
                if (top.next_child > 0 && result) top.any_child_cancelled = true;
                if (top.next_child < g->children().size()) {
                    w = g->children()[top.next_child++];
                } else {
                    result = g->cancel_finish(top.any_child_cancelled);
                    stack.pop_back();
                }
            }
        }
        return result;
    }
    static void unmark(const std::vector<TaskBase*>& marked) noexcept {
        for (auto* t : marked) t->cancel_marked_ = false;
    }
};

bool TaskBase::cancel(std::optional<std::string> msg) {
    touch(this);
    return CancelWalk::run(*this, msg, nullptr);
}

Waitable* TaskBase::cancel_start(const std::optional<std::string>& msg, std::vector<TaskBase*>* marked, bool& result) {
    exception_retrieved_ = true;
    result = true;
    if (done()) {
        result = false;
        return nullptr;
    }
    if (forwarding_cancel_) [[unlikely]] {
        // The cancellation came back to this task through the tasks it awaits: an await
        // cycle (asyncio recurses until RecursionError). Break it here: stop waiting and
        // raise CancelledError at this task's await point; the others then see it finish.
        if (auto* f = dynamic_cast<FutureBase*>(fut_waiter_)) {
            f->remove_done_callback(this);
            fut_waiter_ = nullptr;
            must_cancel_ = true;
            set_cancel_message(msg);
            loop_->push_ready(step_ready_entry());
        }
        return nullptr;
    }
    if (marked) {
        if (cancel_marked_) return nullptr;
        cancel_marked_ = true;
        marked->push_back(this);
    }
    ++num_cancels_requested_;
    if (loop_ && loop_->observer()) loop_->observer()->cancel_requested(*this, msg);
    if (fut_waiter_) {
        forwarding_cancel_ = true;
        return fut_waiter_;
    }
    result = cancel_finish(false, msg);
    return nullptr;
}

bool TaskBase::cancel_finish(bool waiter_cancelled, const std::optional<std::string>& msg) {
    forwarding_cancel_ = false;
    if (waiter_cancelled) return true;
    must_cancel_ = true;
    set_cancel_message(msg);
    return true;
}

void cancel_once_each(const std::vector<TaskBase*>& tasks) {
    std::vector<TaskBase*> marked;
    struct Unmark {
        std::vector<TaskBase*>& marked;
        ~Unmark() { CancelWalk::unmark(marked); }
    } unmark{marked};
    const std::optional<std::string> no_message;
    for (auto* t : tasks) CancelWalk::run(*t, no_message, &marked);
}

void TaskBase::throw_cancelled() { throw CancelledError(cancel_message().value_or(std::string())); }

namespace {

std::string endpoint_words(const std::optional<SocketAddress>& a) {
    if (!a) return "?";
    if (a->family() == AF_UNIX) return a->path().empty() ? std::string("unix") : a->path();
    return fmt::format("{}:{}", a->host(), a->port());
}

}  // namespace

std::string describe_wait_note(const WaitNote& n) {
    if (n.kind == WaitNote::Kind::connect)
        return fmt::format("{}() connecting to {} (no answer yet)", n.function, n.target ? n.target : "?");
    std::string conn = "a closed transport";
    if (n.transport) {
        conn = endpoint_words(n.transport->sockname()) + "->" + endpoint_words(n.transport->peername());
        const std::any id = n.transport->get_extra_info("connection");
        if (const auto* v = std::any_cast<std::uint64_t>(&id)) conn = fmt::format("conn #{} ", *v) + conn;
    }
    if (n.kind == WaitNote::Kind::read)
        return fmt::format("StreamReader.{}() reading {} (waiting for data from the peer)", n.function, conn);
    return fmt::format("StreamWriter.{}() writing {} (waiting for the peer to read: its window is full)", n.function,
                       conn);
}

WaitNoteScope::WaitNoteScope(TaskBase* task, const WaitNote& note) noexcept
    : task_(task), previous_(task ? task->wait_note_ : nullptr) {
    if (task_) task_->wait_note_ = &note;
}

WaitNoteScope::~WaitNoteScope() {
    if (task_) task_->wait_note_ = previous_;
}

std::string TaskBase::waiting_description() const {
    if (!fut_waiter_) return started_ ? "ready to run" : "not started";
    if (wait_note_) return describe_wait_note(*wait_note_);
    if (auto* f = dynamic_cast<FutureBase*>(fut_waiter_)) {
        if (f->is_task()) return fmt::format("Task '{}'", static_cast<TaskBase*>(f)->name());
        return waiting_what_ ? waiting_what_ : "a Future";
    }
    return waiting_what_ ? waiting_what_ : "an awaitable";
}

void TaskBase::step() { run_step(); }

// Out of line, so that step()'s common path (the coroutine suspended again) saves few registers.
void TaskBase::end_step() {
    if (kill_after_step_) {
        loop_->kill_after_step(this);  // may destroy *this: nothing may follow
        return;
    }
    finish_from_root();  // may destroy *this: nothing may follow
}

void TaskBase::step_slow() {
    if (done() || abandoned_) return;
    if (must_cancel_) {
        must_cancel_ = false;
        throw_cancel_ = true;
    }
    Waitable* const waited = fut_waiter_;
    fut_waiter_ = nullptr;
    EventLoop* loop = loop_;
    if (loop->observer()) loop->observer()->task_step(*this);
    if (!started_) {
        started_ = true;
        if (throw_cancel_) {
            // Cancelled before its first step: the body never runs (asyncio throws
            // CancelledError into the unstarted coroutine, which raises at once).
            throw_cancel_ = false;
            destroy_frame();
            complete(std::make_exception_ptr(CancelledError(cancel_message().value_or(std::string()))));
            return;
        }
    }
    loop->enter_task(this);
    if (!staged_wait_ || !restep_staged(waited)) resume_chain(resume_point_);
    loop->leave_task(this);
    throw_cancel_ = false;
    if (kill_after_step_) [[unlikely]] {
        loop->kill_after_step(this);  // may destroy *this: nothing may follow
        return;
    }
    if (root_.done()) finish_from_root();  // may destroy *this: nothing may follow
}

bool TaskBase::restep_staged(Waitable* waited) {
    staged_wait_ = false;
    return waited && waited->restep(*this);
}

void TaskBase::complete(std::exception_ptr exc) {
    if (exc) {
        if (is_cancelled_error(exc)) {
            cancelled_exc_ = exc;
            FutureBase::cancel(std::nullopt);
        } else {
            exception_ = std::move(exc);
            exception_retrieved_ = false;
            state_ = State::finished;
            schedule_callbacks();
        }
    } else if (must_cancel_) {
        // Cancelled during its last step, after its last await (asyncio's "Task is
        // cancelled right before coro stops").
        must_cancel_ = false;
        FutureBase::cancel(cancel_message());
    } else {
        finish_with_value();
    }
    if (loop_->observer()) loop_->observer()->task_done(*this);
    loop_->task_finished(this);
}

void TaskBase::abandon() noexcept {
    abandoned_ = true;
    // What the task waited on lived in the frame (a sleep, a sync primitive's waiter): a
    // later cancel() must not reach it.
    fut_waiter_ = nullptr;
    waiting_what_ = nullptr;
    destroy_frame();
    // Its done-callbacks can never run now, and they often hold a reference to this task
    // (a TaskGroup, shield or add_done_callback closure): keeping them would leak the cycle.
    callbacks_.take().for_each(drop_entry);
}

void TaskBase::kill(std::exception_ptr why) noexcept {
    killed_ = true;
    kill_after_step_ = false;
    started_ = true;  // a step entry left anywhere finds the task done and returns
    fut_waiter_ = nullptr;
    waiting_what_ = nullptr;
    // The frame goes without another step: RAII destructors run; the waits unlink themselves.
    destroy_frame();
    must_cancel_ = throw_cancel_ = false;  // a cancel() by one of those destructors: moot
    // Wake-ups already queued (a timer fired, a future finished, a waiter was handed a lock).
    loop_->remove_ready(this);
    complete(std::move(why));  // schedules the done-callbacks; drops the loop's reference
    exception_retrieved_ = true;
}

// ---- awaiting -------------------------------------------------------------------------

void throw_no_current_task(const char* what) {
    if (!EventLoop::running())
        throw RuntimeError(fmt::format("{} needs a running event loop: no running event loop", what));
    throw RuntimeError(
        fmt::format("{} must be awaited inside an aio task (a coroutine run by aio::run or create_task)", what));
}

void throw_enter_task_conflict(TaskBase* entering, TaskBase* current) {
    throw RuntimeError(fmt::format("Cannot enter into task '{}' while another task '{}' is being executed.",
                                   entering->name(), current->name()));
}

void throw_foreign_future(const FutureBase& f, std::string_view who) {
    std::string what = f.is_task() ? fmt::format("Task '{}'", static_cast<const TaskBase&>(f).name()) : "a Future";
    throw RuntimeError(
        fmt::format("{}: {} is attached to a different event loop{}; a task or future can only be awaited on the loop "
                    "that created it: create it on this loop, or hand its result over with loop.call_soon_threadsafe()",
                    who, what, f.loop() ? "" : " (one that was destroyed)"));
}

bool FutureAwaiter::await_ready() {
    touch(fut);
    if (fut->done()) return true;
    task = &require_current_task("co_await on a future or task");
    if (fut->loop() != task->loop()) [[unlikely]]
        throw_foreign_future(*fut, fmt::format("co_await in Task '{}'", task->name()));
    if (fut == task) throw RuntimeError(fmt::format("Task cannot await on itself: '{}'", task->name()));
    return false;
}

std::exception_ptr FutureAwaiter::resume_error() {
    if (task) {
        if (!fut->done()) fut->remove_done_callback(task);
        if (task->cancel_delivery_pending()) [[unlikely]] {
            // asyncio's __wakeup takes fut.result() first and __step keeps it if it is a
            // CancelledError (the future was cancelled before a later task.cancel()); any other
            // outcome is replaced by CancelledError(msg), and an exception counts as retrieved.
            const bool finished = fut->state() == FutureBase::State::finished;
            if (fut->cancelled() || (finished && is_cancelled_error(fut->peek_exception()))) {
                task->drop_cancel_delivery();
            } else {
                if (finished) (void)fut->exception();
                task->check_cancel();
            }
        }
    }
    return fut->result_error();
}

// ---- gather ---------------------------------------------------------------------------

bool GatherBase::cancel(std::optional<std::string> msg) { return CancelWalk::run(*this, msg, nullptr); }

void GatherBase::start(std::vector<TaskBase*> children) {
    children_ = std::move(children);
    slots_.reserve(children_.size());
    // One slot per distinct child, in argument order: a child seen before carries the mark
    // (cleared again below; nothing between can throw, slots_ has its capacity).
    for (auto* c : children_) {
        if (c->gather_mark) continue;
        c->gather_mark = true;
        slots_.push_back({this, c});
    }
    for (auto& s : slots_) s.child->gather_mark = false;
    if (slots_.empty()) {
        collect();
        finish_with_value();
        return;
    }
    std::vector<TaskBase*> done_now;
    for (auto& s : slots_) {
        if (s.child->done()) {
            done_now.push_back(s.child);
        } else {
            add_ref();
            s.child->add_done_callback({&GatherBase::on_child_done, &s, nullptr});
        }
    }
    for (auto* c : done_now) child_done(c);
}

void GatherBase::on_child_done(void* slot) {
    auto* s = static_cast<Slot*>(slot);
    Ref<GatherBase> g = Ref<GatherBase>::adopt(s->gather);
    g->child_done(s->child);
}

void GatherBase::child_done(TaskBase* fut) {
    ++nfinished_;
    if (done()) {
        if (!fut->cancelled()) (void)fut->exception();  // marks it retrieved
        return;
    }
    if (!return_exceptions_) {
        if (fut->cancelled()) {
            set_exception(fut->make_cancelled_error());
            return;
        }
        if (auto e = fut->exception()) {
            set_exception(e);
            // A kill's exception is never reported as lost, here neither (the gather's awaiter
            // was often killed with the child).
            if (fut->killed()) exception_retrieved_ = true;
            return;
        }
    }
    if (nfinished_ == slots_.size()) {
        if (cancel_requested_) {
            // Cancelling the gather propagates even with return_exceptions (bpo-32684).
            set_exception(fut->make_cancelled_error());
        } else {
            collect();
            finish_with_value();
        }
    }
}

}  // namespace aio::detail
