// The loop core: asyncio's BaseEventLoop (base_events.py) minus I/O.
#include "aio/event_loop.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "aio/detail/callback.hpp"
#include "aio/detail/gather_state.hpp"
#include "aio/detail/signals.hpp"
#include "aio/task.hpp"
#include "aio/wait_for.hpp"
#include "net/socket_transport.hpp"
#include "report.hpp"
#include "task_step.hpp"

namespace aio {

using detail::t_running_loop;

EventLoop& get_running_loop() {
    if (!t_running_loop) throw RuntimeError("no running event loop");
    return *t_running_loop;
}

bool debug_from_environment() noexcept {
    const char* v = std::getenv("AIO_DEBUG");
    return v && *v;
}

AnyTask current_task() { return get_running_loop().current_task(); }

// ---- construction and teardown ----------------------------------------------------------

EventLoop::EventLoop() : debug_(debug_from_environment()) {}

EventLoop::~EventLoop() {
    if (!closed_ && !running_) {
        try {
            close();
        } catch (...) {}
    }
    // A loop destroyed while running was not closed: no signal may still name its socketpair.
    detail::forget_signal_handlers(*this);
    // Futures and tasks that outlive the loop (held by user handles) must not call back.
    for (auto* f = futures_.front(); f;) {
        auto* next = f->next_;
        f->detach_from_loop();
        f = next;
    }
    futures_.reset();
}

void detail::EndLink::attach(AccessObserver* o) noexcept {
    if (head_) {
        (prev_ ? prev_->next_ : *head_) = next_;
        if (next_) next_->prev_ = prev_;
        prev_ = next_ = nullptr;
        head_ = nullptr;
    }
    observer_ = o;
    if (!o) return;
    head_ = &t_end_links;
    next_ = *head_;
    if (next_) next_->prev_ = this;
    *head_ = this;
}

void EventLoop::install_seam(const seam::Seam& parts) noexcept {
    clock_ = parts.clock ? parts.clock : &steady_clock_;
    driver_ = parts.driver ? parts.driver : &epoll_driver_;
    // The dynamic_cast only for a driver given (it walks the type's bases): the default is ours.
    fd_driver_ = parts.driver ? dynamic_cast<seam::FdDriver*>(parts.driver) : &epoll_driver_;
    chooser_ = parts.chooser;
    const seam::Chooser::Offers o = chooser_ ? chooser_->offers() : seam::Chooser::Offers{};
    choose_ready_ = o.ready;
    choose_timers_ = o.timers;
    before_timers_ = o.before_timers;
    timers_seam_ = o.timers || o.before_timers;
    choose_start_ = o.eager_start;
}

void EventLoop::register_task(detail::TaskBase* t, std::string name, detail::ContextCell* context) {
    t->set_tag(current_tag());
    // The task's context: one pointer copy (and no count) while no variable was ever set.
    if (context) [[unlikely]] {
        t->context_slot() = detail::ContextSlot::shared(context);
    } else {
        detail::ContextFrame* top = detail::t_context_frames;
        const detail::ContextSlot& creator = current_task_ && (!top || top->task != current_task_)
                                                 ? current_task_->context_slot()
                                                 : (top ? *top->slot : detail::thread_base_context());
        t->context_slot() = creator.copy();
    }
    t->add_ref();  // the loop's reference while the task is pending
    bool eager = false;
    if (running_) {
        eager = eager_tasks_;
        if (choose_start_) [[unlikely]]
            eager = chooser_->choose_eager_start(*t, eager);
    }
    if (!eager) [[likely]] {
        if (!name.empty()) t->set_name(std::move(name));
        push_ready(t->step_ready_entry());
        if (observer_) observer_->task_created(*t);
        return;
    }
    if (observer_) observer_->task_created(*t);
    start_eagerly(*t);
    // asyncio 3.12's create_task names the task after the factory (and so the eager first
    // step) returned: tasks._set_task_name(task, name).
    if (!name.empty()) t->set_name(std::move(name));
}

// Task.__eager_start: the new task becomes the current task for its first step, then the
// creator is current again. A task still pending afterwards is suspended on something that
// will schedule its next step, exactly as after an ordinary first step.
// The creator's step is still under way beneath t's: kill_tasks() must not destroy its frame
// (outer_steps_), and a TagScope the creator opened is set aside meanwhile.
void EventLoop::start_eagerly(detail::TaskBase& t) {
    if (current_task_) outer_steps_.push_back(current_task_);
    struct Restore {
        EventLoop* l;
        detail::TaskBase* prev;
        std::uint32_t scope_tag;
        bool scope_open;
        ~Restore() {
            l->current_task_ = prev;
            l->scope_tag_ = scope_tag;
            l->tag_scope_open_ = scope_open;
            if (prev) l->outer_steps_.pop_back();
        }
    } restore{this, current_task_, scope_tag_, tag_scope_open_};
    current_task_ = nullptr;
    tag_scope_open_ = false;
    t.step();
}

void EventLoop::task_finished(detail::TaskBase* t) noexcept { t->release(); }

// ---- kills --------------------------------------------------------------------------------

std::size_t EventLoop::kill_tasks(std::uint32_t tag, std::exception_ptr why) {
    check_thread("loop.kill_tasks()");
    check_not_closed("kill_tasks");
    if (!why)
        throw ValueError(
            "kill_tasks() needs the exception the killed tasks' awaiters get, got a null std::exception_ptr");
    std::vector<detail::Ref<detail::TaskBase>> victims;
    for (auto* f = futures_.front(); f; f = f->next_) {
        if (!f->is_task() || f->done()) continue;
        auto* t = static_cast<detail::TaskBase*>(f);
        if (t->tag() == tag && !t->killed()) victims.emplace_back(t);
    }
    deferred_kills_.reserve(deferred_kills_.size() + outer_steps_.size() + 1);
    // Marked first: a kill_tasks() called by a destructor in a frame destroyed below skips them.
    for (auto& t : victims) t->mark_killed();
    for (auto& t : victims) {
        const bool stepping = t.get() == current_task_ ||
                              std::find(outer_steps_.begin(), outer_steps_.end(), t.get()) != outer_steps_.end();
        if (stepping) {
            t->kill_after_step();
            deferred_kills_.emplace_back(t, why);  // capacity reserved: no throw here
        } else {
            t->kill(why);
        }
    }
    return victims.size();
}

void EventLoop::kill_after_step(detail::TaskBase* t) noexcept {
    for (auto it = deferred_kills_.begin(); it != deferred_kills_.end(); ++it) {
        if (it->first.get() != t) continue;
        auto entry = std::move(*it);
        deferred_kills_.erase(it);
        entry.first->kill(std::move(entry.second));
        return;  // entry's reference may free t
    }
}

namespace detail {
void check_loop_thread_slow(const EventLoop& loop, const char* what) {
    // Not running anywhere (set-up before run(), clean-up after it): any thread may call.
    if (!loop.owned_by_a_thread()) return;
    throw RuntimeError(fmt::format(
        "Non-thread-safe operation invoked on an event loop other than the current one: {} was called on a "
        "thread that is not the one running the loop. Only loop.call_soon_threadsafe() may be called from other "
        "threads (post the call through it); to cancel a task from another thread, get a task.canceller() on "
        "the loop's thread and call its cancel()",
        what));
}
}  // namespace detail

void EventLoop::check_not_closed(const char* what) const {
    if (closed_) throw RuntimeError(fmt::format("Event loop is closed (called {} on a closed loop)", what));
}

void EventLoop::check_running_allowed() {
    if (running_) throw RuntimeError("This event loop is already running");
    if (t_running_loop) throw RuntimeError("Cannot run the event loop while another loop is running");
}

void EventLoop::drop_everything_scheduled() noexcept {
    inbox_.drop_all();
    while (!ready_.empty()) detail::drop_entry(ready_.pop_front());
    while (!timers_.empty()) detail::drop_entry(timers_.pop()->on_expire);
}

void EventLoop::close() {
    if (running_) throw RuntimeError("Cannot close a running event loop");
    if (closed_) return;
    // Wait for executor jobs first (their completions are dropped below); an executor that
    // shutdown_default_executor() abandoned is not the loop's any more. Then no worker posts.
    if (executor_) executor_->shutdown(true);
    if (executor_link_) executor_link_->close();
    closed_ = true;
    asyncgens_.clear();
    inbox_.close();
    drop_everything_scheduled();
    detail::forget_signal_handlers(*this);  // asyncio's close(): every handler removed
    drop_fd_callbacks();
    quiet_watches_ = 0;
    // Tasks still pending will never run again: destroy their frames (RAII cleanup in them
    // runs) and drop the loop's reference, which reports each as destroyed while pending.
    std::vector<detail::Ref<detail::TaskBase>> pending;
    for (auto* f = futures_.front(); f; f = f->next_)
        if (f->is_task() && !f->done()) pending.emplace_back(static_cast<detail::TaskBase*>(f));
    for (auto& t : pending) t->abandon();
    drop_everything_scheduled();  // anything the destroyed frames scheduled
    for (auto& t : pending) t->release();
    pending.clear();
    // Transports still open: their connections end without connection_lost() (asyncio's
    // garbage-collected transport closes its socket). Moved out first: a destructor that
    // reaches back into the table finds it empty.
    auto open_transports = std::move(transports_);
    transports_.clear();
    for (auto& [fd, t] : open_transports) t->loop_closed();
    open_transports.clear();
    drop_everything_scheduled();
}

// ---- callbacks --------------------------------------------------------------------------

Handle EventLoop::call_soon(std::function<void()> fn) {
    check_thread("loop.call_soon()");
    check_not_closed("call_soon");
    detail::Ref<detail::CallbackNode> node(new detail::CallbackNode(this, std::move(fn)));
    // What call_soon_threadsafe posted and the loop has not drained yet goes first: call order,
    // as asyncio's _ready, for every post that happened before this call (one load when empty).
    if (inbox_.pending()) [[unlikely]]
        inbox_.drain_into(ready_);
    push_ready(node->entry());
    return Handle(std::move(node));
}

Handle EventLoop::call_soon(std::function<void()> fn, const Context& context) {
    check_thread("loop.call_soon()");
    check_not_closed("call_soon");
    detail::Ref<detail::CallbackNode> node(new detail::CallbackNode(this, std::move(fn), context.cell()));
    if (inbox_.pending()) [[unlikely]]
        inbox_.drain_into(ready_);  // earlier posts first, as in call_soon(fn)
    push_ready(node->entry());
    return Handle(std::move(node));
}

Handle EventLoop::call_later(Duration delay, std::function<void()> fn, const Context& context) {
    check_thread("loop.call_later()");
    return call_at(deadline_after(time(), delay), std::move(fn), context);
}

Handle EventLoop::call_at(TimePoint when, std::function<void()> fn, const Context& context) {
    check_thread("loop.call_at()");
    check_not_closed("call_at");
    detail::Ref<detail::CallbackNode> node(new detail::CallbackNode(this, std::move(fn), context.cell()));
    node->timer.on_expire = node->entry();
    add_timer(&node->timer, when);
    return Handle(std::move(node));
}

void EventLoop::call_soon_threadsafe(std::function<void()> fn, const Context& context) {
    auto* node = new detail::CallbackNode(this, std::move(fn), context.cell());
    detail::ReadyEntry e = node->entry();
    if (detail::t_running_loop == this) {
        // On the loop's thread, inside its run: straight into the ready queue behind earlier
        // posts (no wake-up: the loop is not waiting), so it keeps call order with everything
        // queued later, task wake-ups included.
        if (inbox_.pending()) [[unlikely]]
            inbox_.drain_into(ready_);
        push_ready(e);
        return;
    }
    if (!inbox_.post(e)) {
        detail::drop_entry(e);
        throw RuntimeError("Event loop is closed (called call_soon_threadsafe on a closed loop)");
    }
    driver_->wake();
}

Handle EventLoop::call_later(Duration delay, std::function<void()> fn) {
    check_thread("loop.call_later()");
    return call_at(deadline_after(time(), delay), std::move(fn));
}

Handle EventLoop::call_at(TimePoint when, std::function<void()> fn) {
    check_thread("loop.call_at()");
    check_not_closed("call_at");
    detail::Ref<detail::CallbackNode> node(new detail::CallbackNode(this, std::move(fn)));
    node->timer.on_expire = node->entry();
    add_timer(&node->timer, when);
    return Handle(std::move(node));
}

void EventLoop::call_soon_threadsafe(std::function<void()> fn) {
    auto* node = new detail::CallbackNode(this, std::move(fn));
    detail::ReadyEntry e = node->entry();  // the node's only reference, owned by the entry
    if (detail::t_running_loop == this) {
        // On the loop's thread, inside its run: straight into the ready queue behind earlier
        // posts (no wake-up: the loop is not waiting), so it keeps call order with everything
        // queued later, task wake-ups included.
        if (inbox_.pending()) [[unlikely]]
            inbox_.drain_into(ready_);
        push_ready(e);
        return;
    }
    if (!inbox_.post(e)) {
        detail::drop_entry(e);
        throw RuntimeError("Event loop is closed (called call_soon_threadsafe on a closed loop)");
    }
    driver_->wake();
}

void EventLoop::add_timer(detail::TimerNode* n, TimePoint when, detail::TaskBase* task) {
    n->when = when;
    timers_.push(n, ++timer_seq_);
    if (choose_timers_) [[unlikely]]
        chooser_->timer_added(*n, task);
    if (observer_) observer_->timer_scheduled(*n, task);
}

void EventLoop::fire_timer(detail::TimerNode* n) {
    if (n->scheduled()) timers_.remove(n);
    if (observer_) observer_->timer_fired(*n, n->on_expire.task);
    ready_.push_back(n->on_expire);
}

// A pass's due timers with a chooser that asks about timers: before_due_timers (which may move
// its clock: a timer overtaking the ready work), then the order of the due ones.
void EventLoop::timers_with_chooser() {
    if (before_timers_) chooser_->before_due_timers(*timers_.top(), !ready_.empty());
    const TimePoint end = clock_->now();
    if (timers_.top()->when > end) return;
    if (choose_timers_) {
        fire_due_timers(end);
        return;
    }
    while (!timers_.empty() && timers_.top()->when <= end) {
        detail::TimerNode* n = timers_.pop();
        if (observer_) observer_->timer_fired(*n, n->on_expire.task);
        ready_.push_back(n->on_expire);
    }
}

// The chooser's order. Every due timer fires, whatever the chooser does: it may only order them.
void EventLoop::fire_due_timers(TimePoint end) {
    due_.clear();
    while (!timers_.empty() && timers_.top()->when <= end) due_.push_back(timers_.pop());
    due_fired_.assign(due_.size(), 0);
    seam::DueTimers due(*this, due_.data(), due_fired_.data(), due_.size());
    struct FireRest {
        seam::DueTimers& due;
        ~FireRest() {
            for (std::size_t i = 0; i < due.size(); ++i) due.fire(i);
        }
    } fire_rest{due};
    chooser_->order_due_timers(due);
}

namespace seam {

void DueTimers::fire(std::size_t i) {
    if (done_[i]) return;
    done_[i] = 1;
    loop_.fire_timer(timers_[i]);
}

std::size_t Chooser::choose_ready(const detail::ReadyQueue&, std::size_t) { return 0; }
void Chooser::order_due_timers(DueTimers& due) {
    for (std::size_t i = 0; i < due.size(); ++i) due.fire(i);
}
bool Chooser::choose_eager_start(detail::TaskBase&, bool loop_default) { return loop_default; }
void Chooser::timer_added(detail::TimerNode&, detail::TaskBase*) {}
void Chooser::before_due_timers(const detail::TimerNode&, bool) {}
void Chooser::on_step_alarm() { arm_step_alarm(UINT64_MAX); }

void CondvarDriver::wait(std::optional<TimePoint> deadline) {
    std::unique_lock lk(mu_);
    auto woken = [&] { return woken_; };
    // TimePoint::max() is "never": waiting until it would only hand libstdc++'s wait_until a
    // time point it converts with unchecked arithmetic.
    if (deadline && *deadline != TimePoint::max())
        cv_.wait_until(lk, std::chrono::steady_clock::time_point(deadline->time_since_epoch()), woken);
    else
        cv_.wait(lk, woken);
    woken_ = false;
}

void CondvarDriver::wake() noexcept {
    {
        std::lock_guard lk(mu_);
        woken_ = true;
    }
    cv_.notify_one();
}

}  // namespace seam

// ---- running --------------------------------------------------------------------------

void EventLoop::run_forever() {
    check_not_closed("run_forever");
    check_running_allowed();
    running_ = true;
    t_running_loop = this;
    detail::t_access_observer = access_observer_;
    owned_.store(true, std::memory_order_relaxed);
    struct Reset {
        EventLoop* l;
        ~Reset() {
            l->owned_.store(false, std::memory_order_relaxed);
            l->stopping_ = false;
            l->running_ = false;
            t_running_loop = nullptr;
            detail::t_access_observer = nullptr;
        }
    } reset{this};
    for (;;) {
        run_once();
        if (stopping_) break;
    }
}

void EventLoop::run_until_done(detail::FutureBase& f) {
    check_not_closed("run_until_complete");
    check_running_allowed();
    if (f.loop() != this) throw ValueError("run_until_complete(): the future belongs to another event loop");
    struct StopWhenDone {
        EventLoop* loop;
        static void fire(void* self) { static_cast<StopWhenDone*>(self)->loop->stop(); }
    } stopper{this};
    if (f.done()) return;
    f.add_done_callback({&StopWhenDone::fire, &stopper, nullptr});
    try {
        run_forever();
    } catch (...) {
        f.remove_done_callback(&stopper);
        remove_ready(&stopper);
        throw;
    }
    f.remove_done_callback(&stopper);
    remove_ready(&stopper);
    if (!f.done()) throw RuntimeError("Event loop stopped before Future completed.");
}

// A task's step runs inline (TaskBase::run_step: what step_entry would call), any other entry
// through its function.
[[gnu::always_inline]] inline void EventLoop::run_entry(void (*fn)(void*), void* arg) {
    if (fn == &detail::TaskBase::step_entry) [[likely]]
        static_cast<detail::TaskBase*>(arg)->run_step();
    else
        fn(arg);
}

void EventLoop::run_once() {
    if (chooser_ && steps_ >= chooser_->step_alarm()) [[unlikely]]
        chooser_->on_step_alarm();
    if (ready_.empty() && !stopping_ && !inbox_.pending()) {
        std::optional<TimePoint> deadline;
        if (!timers_.empty()) deadline = timers_.top()->when;
        driver_->wait(deadline);
    } else if (fd_driver_ && (fd_driver_->watch_count() != quiet_watches_ ||
                              (quiet_watches_ != 0 && detail::g_signal_arrived.load(std::memory_order_relaxed))))
        [[unlikely]] {
        fd_driver_->poll();  // asyncio polls its selector on every pass: ready work never starves I/O
    }
    if (inbox_.pending()) inbox_.drain_into(ready_);  // the check inline: most passes find nothing
    if (!timers_.empty()) {
        if (timers_seam_) [[unlikely]]
            timers_with_chooser();
        else {
            // Inline: measured faster than a call here (the sleep(0s) pass, issue 15 §4).
            const TimePoint end = clock_->now();
            while (!timers_.empty() && timers_.top()->when <= end) {
                detail::TimerNode* n = timers_.pop();
                if (observer_) observer_->timer_fired(*n, n->on_expire.task);
                ready_.push_back(n->on_expire);
            }
        }
    }
    // Run exactly what was ready when the pass began; what they schedule runs next pass. An
    // entry of the batch that a step removes (a cancelled wake-up) leaves the batch too.
    ready_.begin_batch();
    if (!debug_ && !choose_ready_) [[likely]] {
        while (ready_.batch_left() != 0) {
            // The entry read in place (a copy of it went through the stack, and the step's
            // loads of the task waited for that store to be forwarded).
            void (*const fn)(void*) = ready_[0].fn;
            void* const arg = ready_[0].arg;
            (void)ready_.pop_front();
            ++steps_;
            run_entry(fn, arg);
        }
        return;
    }
    run_batch_chosen();
}

// The pass's batch with a chooser (the simulator) or in debug mode.
void EventLoop::run_batch_chosen() {
    while (ready_.batch_left() != 0) {
        std::size_t i = choose_ready_ ? chooser_->choose_ready(ready_, ready_.batch_left()) : 0;
        const detail::ReadyEntry e = ready_.take(i);
        ++steps_;
        if (debug_) [[unlikely]]
            run_entry_debug(e);
        else
            run_entry(e.fn, e.arg);
    }
}

void EventLoop::run_entry_debug(const detail::ReadyEntry& e) {
    auto t0 = std::chrono::steady_clock::now();
    // Name the task before running it: the step may finish and free it.
    std::string what;
    if (e.task)
        what = fmt::format("<Task name='{}' created at {}:{}>", e.task->name(), e.task->created_at().file_name(),
                           e.task->created_at().line());
    e.fn(e.arg);
    auto dt = std::chrono::steady_clock::now() - t0;
    if (dt >= slow_callback_duration) {
        if (what.empty()) what = "<Handle callback>";
        log(fmt::format("Executing {} took {:.3f} seconds", what, to_seconds(dt)));
    }
}

// ---- tasks ------------------------------------------------------------------------------

std::vector<AnyTask> EventLoop::all_tasks() const {
    std::vector<AnyTask> out;
    for (auto* f = futures_.front(); f; f = f->next_)
        if (f->is_task() && !f->done())
            out.emplace_back(detail::Ref<detail::TaskBase>(static_cast<detail::TaskBase*>(f)));
    return out;
}

AnyTask EventLoop::current_task() const {
    return current_task_ ? AnyTask(detail::Ref<detail::TaskBase>(current_task_)) : AnyTask();
}

// ---- errors and logging -----------------------------------------------------------------

void EventLoop::log(std::string_view line) noexcept {
    try {
        if (log_sink_) {
            log_sink_(line);
            return;
        }
        std::fwrite(line.data(), 1, line.size(), stderr);
        std::fputc('\n', stderr);
    } catch (...) {}
}

void EventLoop::default_exception_handler(const ExceptionContext& ctx) noexcept {
    try {
        log(detail::format_context(ctx, debug_));
    } catch (...) {}
}

void EventLoop::call_exception_handler(const ExceptionContext& ctx) noexcept {
    if (!exception_handler_) {
        default_exception_handler(ctx);
        return;
    }
    try {
        exception_handler_(*this, ctx);
    } catch (...) {
        // A failing handler must not hide the original error (asyncio logs both).
        try {
            ExceptionContext inner;
            inner.message = "Unhandled error in exception handler";
            inner.exception = std::current_exception();
            default_exception_handler(inner);
            default_exception_handler(ctx);
        } catch (...) {}
    }
}

// ---- executor ---------------------------------------------------------------------------

ThreadPoolExecutor& EventLoop::default_executor() {
    check_not_closed("default_executor");
    if (!executor_) executor_ = std::make_unique<ThreadPoolExecutor>();
    return *executor_;
}

namespace detail {
namespace {
void abandon_executor(std::unique_ptr<ThreadPoolExecutor> ex, std::thread joiner) noexcept;
}  // namespace
}  // namespace detail

void EventLoop::set_default_executor(std::unique_ptr<ThreadPoolExecutor> executor) {
    check_thread("loop.set_default_executor()");
    check_not_closed("set_default_executor");
    if (!executor) throw ValueError("set_default_executor(): the executor is null");
    if (executor_) {
        executor_->shutdown(false);  // takes no more jobs; the queued ones still run and post back
        detail::abandon_executor(std::move(executor_), std::thread());
    }
    executor_ = std::move(executor);
}

std::shared_ptr<detail::ExecutorLink> EventLoop::threadsafe_link() {
    check_thread("loop.threadsafe_link()");
    if (closed_) return std::make_shared<detail::ExecutorLink>(nullptr);  // posts nothing
    if (!executor_link_) executor_link_ = std::make_shared<detail::ExecutorLink>(this);
    return executor_link_;
}

void EventLoop::run_in_executor(std::function<void()> job, std::function<void()> done) {
    auto& ex = default_executor();
    if (!executor_link_) executor_link_ = std::make_shared<detail::ExecutorLink>(this);
    ++thread_work_;
    ex.submit([this, link = executor_link_, job = std::move(job), done = std::move(done)]() mutable {
        job();
        job = nullptr;  // before done can run: what they share is then released on the loop
        // `this` is used only on the loop's thread, where the loop is alive when this runs.
        link->post([this, done = std::move(done)] {
            --thread_work_;
            done();
        });
    });
}

namespace detail {

void ExecutorLink::post(std::function<void()> fn) noexcept {
    {
        std::lock_guard lk(mu_);
        if (loop_) {
            try {
                loop_->call_soon_threadsafe(std::move(fn));
                return;
            } catch (...) {}
        }
    }
    fn = nullptr;  // the loop is gone: dropped here, outside the lock
}

void ExecutorLink::close() noexcept {
    std::lock_guard lk(mu_);
    loop_ = nullptr;
}

namespace {
std::atomic<std::size_t> g_abandoned{0};

// Joins the joiner, then destroys the executor, on a detached thread: nobody waits for it.
void abandon_executor(std::unique_ptr<ThreadPoolExecutor> ex, std::thread joiner) noexcept {
    g_abandoned.fetch_add(1, std::memory_order_relaxed);
    try {
        std::thread([ex = std::move(ex), joiner = std::move(joiner)]() mutable {
            if (joiner.joinable()) joiner.join();
            ex.reset();
            g_abandoned.fetch_sub(1, std::memory_order_release);
        }).detach();
    } catch (...) {
        // No thread for the reaper: leak the executor rather than block on its workers.
        if (joiner.joinable()) joiner.detach();
        (void)ex.release();
        g_abandoned.fetch_sub(1, std::memory_order_release);
    }
}
}  // namespace

std::size_t executors_being_abandoned() noexcept { return g_abandoned.load(std::memory_order_acquire); }

}  // namespace detail

Coro<void> EventLoop::shutdown_default_executor(std::optional<Duration> timeout) {
    if (!executor_) co_return;
    if (!executor_link_) executor_link_ = std::make_shared<detail::ExecutorLink>(this);
    Future<void> joined(*this);
    detail::FutureBase* state = joined.state();
    ThreadPoolExecutor* ex = executor_.get();
    // `alive` is read and cleared on the loop's thread only: the joiner's completion touches
    // `joined` only while this frame (which holds it) exists.
    auto alive = std::make_shared<bool>(true);
    // Join on a helper thread so the loop keeps running the jobs' completions meanwhile.
    struct Joiner {
        EventLoop* loop;
        std::shared_ptr<bool> alive;
        std::thread thread;
        ~Joiner() {
            *alive = false;
            // Not joined (a timeout, a cancellation, the frame destroyed): the executor and the
            // joiner go to a detached thread, which waits for them.
            if (thread.joinable()) detail::abandon_executor(std::move(loop->executor_), std::move(thread));
        }
    } joiner{this, alive, std::thread([link = executor_link_, ex, state, alive] {
                 ex->shutdown(true);
                 link->post([state, alive] {
                     if (!*alive) return;
                     auto* typed = static_cast<detail::FutureState<std::monostate>*>(state);
                     if (typed->done()) return;
                     typed->value.emplace();
                     typed->finish_with_value();
                 });
             })};
    bool timed_out = false;
    try {
        if (timeout)
            co_await wait_for(joined, *timeout);
        else
            co_await joined;
    } catch (const TimeoutError&) {
        timed_out = true;
    }
    if (!timed_out) {
        joiner.thread.join();
        co_return;
    }
    ExceptionContext ctx;
    ctx.message = fmt::format("The executor did not finishing joining its threads within {:g} seconds.",
                              std::chrono::duration<double>(*timeout).count());
    call_exception_handler(ctx);
    executor_->shutdown(false);
    // ~Joiner abandons the executor.
}

}  // namespace aio
