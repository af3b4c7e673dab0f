// The simulator's loop: its side of the seam (aio/loop_seam.hpp) and its failures. The virtual
// clock, the driver that advances it and the chooser that asks the decision source live here;
// the parts they use are in their own files: the decision log (decision_log.hpp), the
// blocked-task report (await_graph.hpp), the to_thread gate (thread_gate.hpp), the trace
// recorder (trace_recorder.hpp) and timer ties (timer_ties.hpp).
#include "aio/sim/sim_loop.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <utility>

#include "aio/loop_seam.hpp"
#include "aio/sim/validate.hpp"
#include "await_graph.hpp"
#include "coverage_tracker.hpp"
#include "decision_log.hpp"
#include "net/sim_network.hpp"
#include "thread_gate.hpp"
#include "timer_ties.hpp"
#include "trace_recorder.hpp"

namespace aio::sim {

namespace {

constexpr std::size_t jitter_levels = 9;  // 0..8 eighths of Schedule::jitter

std::uint64_t ready_task_of(const void* ctx, std::size_t i) {
    const detail::TaskBase* t = (*static_cast<const detail::ReadyQueue*>(ctx))[i].task;
    return t ? t->id() : 0;
}
std::uint64_t single_task_of(const void* ctx, std::size_t) {
    return ctx ? static_cast<const detail::TaskBase*>(ctx)->id() : 0;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// ChoicePoint::conflicts_of of a ready choice: ctx is the Impl's ReadyConflicts.
struct ReadyConflicts {
    const loop_parts::CoverageTracker* tracker = nullptr;
    const detail::ReadyQueue* ready = nullptr;
};
bool ready_conflicts(const void* ctx, std::size_t i) {
    const auto* c = static_cast<const ReadyConflicts*>(ctx);
    return c->tracker->conflicts(*c->ready, i);
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) noexcept {
    return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

}  // namespace

struct SimLoop::Impl final : seam::Clock, seam::Driver, seam::Chooser, net_parts::NetHooks {
    Impl(SimLoop& l, std::shared_ptr<const Config> c, RecordSink s)
        : loop(l), cfg(std::move(c)), sink(std::move(s)), recorder(l, now_) {}

    SimLoop& loop;
    std::shared_ptr<const Config> cfg;
    RecordSink sink;
    Schedule params;  // the effective parameters (decisions: see log.made())
    loop_parts::DecisionLog log;
    std::vector<std::uint64_t> task_steps;  // steps run per task id (RunRecord::steps_per_task)
    bool offer_ready = false, offer_timers = false, offer_thread = false, offer_overtake = false;
    bool step_cost = false;               // Schedule::cost > 0: the clock moves while entries run
    bool plain_ready = false;             // choose_ready only counts the step (see there)
    Duration owed{};                      // the cost of the entry running (or last run), not yet on the clock
    std::vector<std::size_t> heap_stack;  // scratch for TimerHeap::latest_due_by

    // Failures: raised at the next point where throwing cannot land inside a coroutine.
    std::exception_ptr pending;
    bool failed = false;  // cleanup mode: no more decisions, fresh budgets
    std::optional<RunFailure> failure;
    std::uint64_t step_limit_at = 0;
    TimePoint time_limit_at{};

    // The virtual clock: starts at 0, moves in wait() (to the earliest timer, or the last one of
    // its batch), as each entry begins (Schedule::cost), at a step's first read (jitter) and
    // when a timer overtakes ready work (choose_overtake).
    TimePoint now_{};
    bool clock_jitter = false;
    std::uint64_t jittered_step = UINT64_MAX;

    loop_parts::ThreadGate gate;
    loop_parts::TimerTies ties;
    loop_parts::TraceRecorder recorder;
    // Conflict tracking (coverage_tracker.hpp): when Config::coverage is set or the source asks.
    std::unique_ptr<loop_parts::CoverageTracker> tracker;
    ReadyConflicts ready_conflicts_ctx;
    mutable std::unique_ptr<net_parts::SimNetwork> net;  // network() makes it

    void setup() {
        // A small program's runs then grow neither (one allocation each instead of several).
        task_steps.reserve(16);
        heap_stack.reserve(16);
        params = cfg->schedule;
        params.decisions.reset();
        // Fitted (seeded runs only; a decision list answers by itself): the record says to what.
        if (params.policy == Policy::delay && params.delay_points == 0 && !cfg->schedule.decisions)
            params.delay_points = cfg->measured_points != 0 ? cfg->measured_points : unfitted_delay_points;
        log.open(*cfg, params);
        offer_ready = sim::offers(params.policy, Choice::ready);
        offer_timers = sim::offers(params.policy, Choice::timer);
        offer_thread = sim::offers(params.policy, Choice::thread);
        offer_overtake = sim::offers(params.policy, Choice::overtake) && params.ahead > Duration::zero();
        step_cost = params.cost > Duration::zero();
        plain_ready = !offer_ready && !step_cost && !cfg->fingerprint;
        clock_jitter = sim::offers(params.policy, Choice::jitter);
        step_limit_at = params.limits.max_steps;
        time_limit_at = TimePoint(params.limits.max_virtual_time);
        recorder.set_mode(cfg->trace);
        loop.install_seam({this, this, this});
        if (recorder.on()) loop.set_observer(&recorder);
        if (cfg->coverage || log.wants_conflicts()) {
            tracker = loop_parts::CoverageTracker::make(loop, cfg->coverage);
            tracker->set_next(recorder.on() ? &recorder : nullptr);
            loop.set_observer(tracker.get());
            loop.set_access_observer(tracker.get());
            ready_conflicts_ctx.tracker = tracker.get();
        }
        if (params.task_start == TaskStart::eager) loop.set_eager_tasks(true);
        if (params.task_start == TaskStart::per_run) loop.set_eager_tasks(decide(Choice::start, 2) == 1);
        rearm();
    }

    // The simulated network, made on first use: a program that never touches it (most) does
    // not build and destroy it with every loop. Making it has no effect on the run (its one
    // host, "main", is a name and an address).
    net_parts::SimNetwork& network() const {
        if (!net) {
            net = std::make_unique<net_parts::SimNetwork>(loop, params.network, const_cast<Impl&>(*this));
            net->set_offer_latency(sim::offers(params.policy, Choice::latency));
        }
        return *net;
    }

    // --- decisions ------------------------------------------------------------------------
    std::size_t decide(Choice kind, std::size_t n, std::uint64_t (*task_of)(const void*, std::size_t) = nullptr,
                       const void* ctx = nullptr, std::uint32_t rate = 0) {
        if (failed || !log.active()) return 0;
        ChoicePoint p{kind, n, log.decisions(), loop.steps_run(), now_, task_of, ctx, rate};
        if (kind == Choice::ready) p.steps_so_far = &task_steps;
        if (kind == Choice::ready && tracker) {
            ready_conflicts_ctx.ready = static_cast<const detail::ReadyQueue*>(ctx);
            p.conflicts_of = &ready_conflicts;
            p.conflict_ctx = &ready_conflicts_ctx;
        }
        const loop_parts::DecisionLog::Answer a = log.ask(p);
        if (a.error) {
            fail(a.error);
            return 0;
        }
        if (a.mismatch) {
            fail(divergence(p, *a.mismatch));
            return 0;
        }
        if (a.index != 0 && recorder.on()) recorder.emit_decision(choice_letter(kind), a.index, n);
        return a.index;
    }

    // --- failures ---------------------------------------------------------------------------
    void fail(std::exception_ptr e) {
        if (failed || pending) return;
        pending = std::move(e);
        arm_step_alarm(0);  // raised at the start of the next pass at the latest
    }
    [[noreturn]] void raise(std::exception_ptr e) {
        if (!failed) {
            failed = true;
            failure = RunFailure::from_exception(e);
            // The cleanup that follows (aio::run cancels everything) gets fresh budgets.
            step_limit_at = saturating_add(loop.steps_run(), params.limits.max_steps);
            time_limit_at = deadline_after(now_, params.limits.max_virtual_time);
        }
        pending = nullptr;
        rearm();
        std::rethrow_exception(e);
    }
    void throw_pending() {
        if (pending) [[unlikely]]
            raise(pending);
    }
    void rearm() {
        std::uint64_t a = step_limit_at;
        if (!gate.empty())
            a = std::min(a, saturating_add(gate.in_flight().front().submit_step, cfg->thread_step_budget));
        if (pending) a = 0;
        arm_step_alarm(a);
    }

    std::string context() const {
        std::string s = fmt::format("step {}, virtual time {} s", loop.steps_run(), format_time(now_));
        if (auto* t = loop.current_task_raw()) s += ", in task " + loop_parts::label(*t);
        return s;
    }
    std::exception_ptr divergence(const ChoicePoint& p, const std::string& why) {
        std::string msg = fmt::format(
            "aio::sim::ReplayDivergence: the replay no longer fits the program at decision #{} ({}{}): {}. The "
            "program changed since the replay string was recorded (or the string belongs to another program or "
            "build); record a new one.",
            p.position, context(), loop_parts::candidates(p, loop), why);
        return std::make_exception_ptr(ReplayDivergence(msg, p.position, p.step, p.time));
    }

    // --- failure reports ------------------------------------------------------------------
    std::string phase_note() const {
        return failed ? fmt::format(" during the cleanup after an earlier failure ({})", first_line(failure->message))
                      : "";
    }

    // Timers at TimePoint::max() (a sleep or timeout whose delay does not fit the clock) are
    // "never": with nothing else to do the program would hang, as asyncio does.
    std::string never_note() const {
        const std::size_t n = loop.timers().size();
        if (n == 0) return {};
        return fmt::format(
            " that can fire ({} timer{} never fire: their deadline lies past the end of virtual time, "
            "about 292 years, so a sleep or timeout of that delay means forever)",
            n, n == 1 ? " is set to" : "s are set to");
    }

    // The network's hosts by number, for the blocked-task report.
    std::vector<loop_parts::HostInfo> host_infos() const {
        std::vector<loop_parts::HostInfo> out;
        for (const Host* h : network().hosts()) out.push_back({h->name(), h->address()});
        return out;
    }

    std::exception_ptr deadlock_error() const {
        auto tasks = loop_parts::blocked_tasks(loop, host_infos());
        auto cycles = loop_parts::find_cycles(tasks);
        std::string msg = fmt::format(
            "aio::sim::Deadlock{}: no task can ever run again ({}): nothing is ready, no timer is set{} and no "
            "to_thread work is in flight.\nPending tasks, in creation order:\n{}"
            "Every task above waits for something only another waiting task could provide. aio::run's cleanup now "
            "cancels them.",
            phase_note(), context(), never_note(), loop_parts::format_blocked(tasks, cycles));
        return std::make_exception_ptr(Deadlock(std::move(msg), std::move(tasks), std::move(cycles)));
    }

    std::exception_ptr step_limit_error() const {
        std::string msg = fmt::format(
            "aio::sim::LimitExceeded{}: step limit reached: {} ready entries run ({}); the limit is "
            "Config::schedule.limits.max_steps = {} (replay parameter steps=). The program may never finish, e.g. "
            "a task that keeps yielding with sleep(0) or tasks that keep waking each other. Pending tasks:\n{}"
            "If the run is just long, raise the limit.",
            phase_note(), loop.steps_run(), context(), params.limits.max_steps,
            loop_parts::pending_report(loop, host_infos()));
        return std::make_exception_ptr(LimitExceeded(std::move(msg), LimitExceeded::Which::steps));
    }

    std::exception_ptr time_limit_error(TimePoint next, const char* what = "the next timer is due at") const {
        std::string msg = fmt::format(
            "aio::sim::LimitExceeded{}: virtual time limit reached: {} {} s, beyond the limit "
            "at {} s ({}); the limit is Config::schedule.limits.max_virtual_time = {} (replay parameter vtime=). The "
            "program may never finish, e.g. a task that keeps re-arming a timer. Pending tasks:\n{}"
            "If the run is just long, raise the limit.",
            phase_note(), what, format_time(next), format_time(time_limit_at), context(),
            format_duration(params.limits.max_virtual_time), loop_parts::pending_report(loop, host_infos()));
        return std::make_exception_ptr(LimitExceeded(std::move(msg), LimitExceeded::Which::virtual_time));
    }

    std::exception_ptr end_of_time_error() const {
        std::string msg = fmt::format(
            "aio::sim::LimitExceeded{}: virtual time would pass the end of virtual time (TimePoint::max(), about 292 "
            "years) ({}); the limit Config::schedule.limits.max_virtual_time = {} (replay parameter vtime=) allows "
            "the clock to get this far. Lower the limit (720h by default) or the delays. Pending tasks:\n{}",
            phase_note(), context(), format_duration(params.limits.max_virtual_time),
            loop_parts::pending_report(loop, host_infos()));
        return std::make_exception_ptr(LimitExceeded(std::move(msg), LimitExceeded::Which::virtual_time));
    }

    // --- to_thread ----------------------------------------------------------------------------
    // Blocks until every in-flight job has finished, then schedules their completions.
    void complete_threads() {
        const auto waited = gate.wait_all(cfg->thread_timeout, [this] { return loop.has_threadsafe(); });
        // A worker posted a callback and may be waiting for it: run it (nondeterministic).
        if (waited == loop_parts::ThreadGate::Wait::posted) return;
        if (waited == loop_parts::ThreadGate::Wait::stuck) raise(stuck_threads_error());
        while (!gate.empty()) {
            std::size_t k = 0;
            if (offer_thread && gate.in_flight().size() > 1)
                k = decide(
                    Choice::thread, gate.in_flight().size(),
                    [](const void* ctx, std::size_t i) {
                        return (*static_cast<const std::vector<loop_parts::ThreadJob>*>(ctx))[i].task;
                    },
                    &gate.in_flight());
            loop_parts::ThreadJob job = gate.take(k);
            if (recorder.on()) recorder.emit(TraceKind::thread_done, job.task, job.task_name);
            loop.call_soon(std::move(job.done));
        }
        rearm();
    }

    std::exception_ptr stuck_threads_error() {
        std::string jobs;
        for (const loop_parts::ThreadJob& j : gate.in_flight())
            jobs += fmt::format("  a job submitted by #{} '{}' at step {}\n", j.task, j.task_name, j.submit_step);
        std::string msg = fmt::format(
            "aio::sim::Deadlock{}: to_thread work has not finished after {} of real time while the simulator waits "
            "for it ({}):\n{}Under the simulator a function run by to_thread must not wait for the event loop (for "
            "a later to_thread job, or for a result it posts with call_soon_threadsafe): the loop only moves on "
            "once every job in flight has finished. The jobs are abandoned. Pending tasks:\n{}",
            phase_note(), format_duration(cfg->thread_timeout), context(), jobs,
            loop_parts::pending_report(loop, host_infos()));
        gate.abandon();
        rearm();
        return std::make_exception_ptr(Deadlock(std::move(msg), loop_parts::blocked_tasks(loop, host_infos()), {}));
    }

    // --- the clock ------------------------------------------------------------------------------
    // Under the timers policy the first clock read of each task step may find the clock a
    // little later (jitter_clock): the step ran that long before reading it.
    TimePoint now() override {
        if (clock_jitter && jittered_step != loop.steps_run()) [[unlikely]]
            return jitter_clock();
        return now_;
    }

    TimePoint jitter_clock() {
        // Only a task step's first read: the loop's own reads (which timers are due) and plain
        // callbacks see the clock as it is. A deadline computed from this read (sleep, timeout(d))
        // moves with it; an absolute one (timeout_at(t)) does not, as on a real clock. Moving a
        // timer's deadline after the fact would make two timeout_at(t) with the same t fire apart.
        detail::TaskBase* task = loop.current_task_raw();
        if (task == nullptr) return now_;
        jittered_step = loop.steps_run();
        std::size_t k = decide(Choice::jitter, jitter_levels, &single_task_of, task);
        if (k != 0) {
            const TimePoint later = deadline_after(now_, params.jitter * static_cast<std::int64_t>(k) / 8);
            // Inside a task step: the error is raised at the next pass; the clock stays put.
            if (later == TimePoint::max()) [[unlikely]]
                fail(end_of_time_error());
            else
                now_ = later;
        }
        return now_;
    }

    // --- the driver -----------------------------------------------------------------------------
    void wait(std::optional<TimePoint> deadline) override {
        if (step_cost) settle();
        if (!gate.empty()) {
            // Virtual time stands still while thread work is in flight.
            complete_threads();
            throw_pending();
            return;
        }
        // The earliest timer at TimePoint::max() means every timer is "never".
        if (!deadline || *deadline == TimePoint::max()) {
            if (loop.has_threadsafe()) return;
            raise(deadlock_error());
        }
        TimePoint target = *deadline;
        if (target > now_) {
            if (clock_jitter) {
                // The idle loop may wake late, so more timers are due at once.
                std::size_t k = decide(Choice::jitter, jitter_levels);
                target = deadline_after(target, params.jitter * static_cast<std::int64_t>(k) / 8);
            }
            if (params.batch > Duration::zero()) target = std::max(target, batch_end(*deadline));
            // Reaching TimePoint::max() would make it "now" and every "never" due.
            if (target == TimePoint::max()) raise(end_of_time_error());
            if (target > time_limit_at) raise(time_limit_error(target));
            now_ = target;
        }
        throw_pending();
    }
    // Timer batching: every timer due within Schedule::batch of the earliest one (`first`) fires
    // in the same pass; the clock moves to the last of them. "Never" (TimePoint::max()) and
    // timers past the virtual time limit do not join a batch, and a batch ends at the first
    // simulated I/O event (TimerNode::io: a network delivery), for which a real selector returns
    // at once instead of at the end of its rounded-up wait.
    TimePoint batch_end(TimePoint first) {
        TimePoint limit = std::min(deadline_after(first, params.batch), time_limit_at);
        if (limit == TimePoint::max()) limit = TimePoint::max() - Duration(1);
        const detail::TimerHeap& heap = loop.timers();
        heap.visit_due_by(limit, heap_stack, [&](const detail::TimerNode& n) {
            if (n.io) limit = std::min(limit, n.when);
        });
        TimePoint last = first;
        heap.visit_due_by(limit, heap_stack, [&](const detail::TimerNode& n) { last = std::max(last, n.when); });
        return last;
    }

    // wait() never blocks for real except in complete_threads, which looks at the inbox itself.
    void wake() noexcept override {}

    // --- the chooser ----------------------------------------------------------------------------
    Offers offers() const noexcept override {
        Offers o;
        o.ready = true;  // every step passes choose_ready: it counts the steps per task
        o.timers = offer_timers;
        o.before_timers = offer_overtake || step_cost;
        o.eager_start = params.task_start == TaskStart::per_task;
        return o;
    }

    std::size_t choose_ready(const detail::ReadyQueue& ready, std::size_t) override {
        // The common case (fifo: no decision, no step cost, no fingerprint) only counts the
        // step: every entry of every run passes here (issue 15 §4).
        if (plain_ready) [[likely]] {
            count_step(ready[0].task);
            throw_pending();
            return 0;
        }
        return choose_ready_slow(ready);
    }
    void count_step(const detail::TaskBase* t) {
        const std::uint64_t id = t ? t->id() : 0;
        if (id >= task_steps.size()) [[unlikely]]
            grow_task_steps(id);
        ++task_steps[id];
    }
    [[gnu::noinline]] void grow_task_steps(std::uint64_t id) { task_steps.resize(id + 1, 0); }
    [[gnu::noinline]] std::size_t choose_ready_slow(const detail::ReadyQueue& ready) {
        if (step_cost) {
            settle();
            owed = params.cost;  // the entry about to run takes that long: its reads see its start
        }
        const std::size_t n = ready.size();
        std::size_t i = 0;
        if (offer_ready && n > 1) i = decide(Choice::ready, n, &ready_task_of, &ready);
        const detail::TaskBase* t = ready[i].task;
        count_step(t);
        if (cfg->fingerprint)
            recorder.print_step({t ? t->id() : 0, static_cast<std::uint32_t>(n), now_.time_since_epoch().count()});
        throw_pending();
        return i;
    }

    // Schedule::cost: each ready entry takes that long. A step's clock reads see its start; the
    // next entry, and the loop's own read at the next pass start, see its end.
    void settle() {
        if (owed == Duration::zero()) return;
        const TimePoint later = deadline_after(now_, owed);
        owed = Duration::zero();
        if (later == TimePoint::max()) [[unlikely]]
            raise(end_of_time_error());
        if (later > time_limit_at) [[unlikely]]
            raise(time_limit_error(later, "the clock, moved by the step cost (replay parameter cost=), reaches"));
        now_ = later;
    }

    // Choice 'o': the earliest timer, due within Schedule::ahead, fires in this pass (after the
    // entries already ready, before what they schedule) instead of after the ready work drains:
    // on a real clock the steps before this pass may have taken that long.
    void before_due_timers(const detail::TimerNode& earliest, bool ready_work) override {
        if (step_cost) settle();
        if (!offer_overtake || !ready_work) return;
        const TimePoint when = earliest.when;
        if (when <= now_ || when == TimePoint::max() || when > time_limit_at) return;
        if (when > deadline_after(now_, params.ahead)) return;
        if (decide(Choice::overtake, 2, &single_task_of, earliest.on_expire.task) == 1) now_ = when;
        throw_pending();
    }

    void timer_added(detail::TimerNode& n, detail::TaskBase*) override { ties.timer_added(n.seq, now_, loop.timers()); }

    void order_due_timers(seam::DueTimers& due) override {
        ties.fire(due, [this](std::size_t n, std::uint64_t (*task_of)(const void*, std::size_t), const void* ctx) {
            return decide(Choice::timer, n, task_of, ctx);
        });
        throw_pending();
    }

    bool choose_eager_start(detail::TaskBase& t, bool) override {
        return decide(Choice::start, 2, &single_task_of, &t) == 1;
    }

    void on_step_alarm() override {
        throw_pending();
        if (loop.steps_run() >= step_limit_at) raise(step_limit_error());
        if (!gate.empty() &&
            loop.steps_run() >= saturating_add(gate.in_flight().front().submit_step, cfg->thread_step_budget))
            complete_threads();
        rearm();
        throw_pending();
    }

    // --- the network's hooks -------------------------------------------------------------------
    std::size_t decide(Choice kind, std::size_t n, std::uint32_t rate) override {
        return decide(kind, n, nullptr, nullptr, rate);
    }
    TimePoint virtual_now() const noexcept override { return now_; }
    bool tracing() const noexcept override { return recorder.on(); }
    void trace(TraceKind kind, std::uint32_t host, std::uint64_t flow, std::string detail) override {
        recorder.emit_net(kind, host, flow, std::move(detail));
    }

    void fill(RunRecord& r) {
        r.schedule = params;
        r.schedule.decisions = log.made();
        r.replay = r.schedule.to_string();
        r.decisions = log.decisions();
        r.nonzero_decisions = log.made().size();
        r.points = std::move(log.points());
        r.steps = loop.steps_run();
        r.steps_per_task = task_steps;
        r.end_time = deadline_after(now_, owed);
        r.eager = loop.eager_tasks();
        r.coverage.reset();
        if (tracker && cfg->coverage) r.coverage = tracker->coverage();
        r.trace_hash.reset();
        if (recorder.on()) r.trace_hash = recorder.hash();
        r.trace = std::move(recorder.events());
        r.fingerprint = std::move(recorder.prints());
        r.failure = failure;
        r.faults = net ? net->faults() : std::vector<std::string>{};
        r.replay_incomplete.reset();
        if (log.replay() && cfg->strict_replay)
            if (const Decision* d = log.replay()->first_unused())
                r.replay_incomplete = RunFailure::from_exception(std::make_exception_ptr(ReplayDivergence(
                    fmt::format(
                        "aio::sim::ReplayDivergence: the replay no longer fits the program: the run ended after {} "
                        "decisions, before decision #{} ({}{}) of the replay string was reached. The program "
                        "changed since the replay string was recorded (or the string belongs to another program or "
                        "build); record a new one.",
                        log.decisions(), d->position, choice_letter(d->kind), d->index),
                    log.decisions(), loop.steps_run(), now_)));
    }
};

// ---- SimLoop ------------------------------------------------------------------------------

SimLoop::SimLoop(Config cfg, RecordSink sink)
    : SimLoop(std::make_shared<const Config>(std::move(cfg)), std::move(sink)) {}

namespace {
// Set by loop_factory around the construction of a loop whose Config it has validated
// before (its first loop did): the constructor skips validate() for that Config only.
thread_local const Config* t_validated = nullptr;
}  // namespace

SimLoop::SimLoop(std::shared_ptr<const Config> cfg, RecordSink sink)
    : impl_(std::make_unique<Impl>(*this, std::move(cfg), std::move(sink))) {
    // Debug mode's slow-callback warnings measure real time: not under the simulator.
    slow_callback_duration = Duration::max();
    // A Config built in code is checked as one read from a replay string.
    if (impl_->cfg.get() != std::exchange(t_validated, nullptr)) validate(*impl_->cfg);
    impl_->setup();
}

SimLoop::~SimLoop() {
    if (!is_closed() && !is_running()) {
        try {
            close();
        } catch (...) {}
    }
    set_observer(nullptr);
    set_access_observer(nullptr);
    impl_->gate.shutdown(impl_->cfg->thread_timeout);
    std::vector<std::string> faults = impl_->net ? impl_->net->faults() : std::vector<std::string>{};
    impl_->net.reset();  // its servers and links go while the loop is still whole
    if (impl_->sink) {
        RunRecord r;
        impl_->fill(r);
        r.faults = std::move(faults);
        try {
            impl_->sink(std::move(r));
        } catch (...) {}  // a destructor must not throw; a sink that throws loses its record
    }
    install_seam({});  // impl_ dies before EventLoop's destructor runs
    impl_->ready_conflicts_ctx.tracker = nullptr;
    loop_parts::CoverageTracker::recycle(std::move(impl_->tracker));  // for the thread's next run
}

const Config& SimLoop::config() const noexcept { return *impl_->cfg; }
std::uint64_t SimLoop::decisions() const noexcept { return impl_->log.decisions(); }
std::uint64_t SimLoop::nonzero_decisions() const noexcept { return impl_->log.made().size(); }

Schedule SimLoop::schedule() const {
    Schedule s = impl_->params;
    s.decisions = impl_->log.made();
    return s;
}

RunRecord SimLoop::make_record() const {
    // fill() moves the trace out; work on a copy of the parts it moves.
    Impl& im = *impl_;
    auto events = im.recorder.events();
    auto prints = im.recorder.prints();
    RunRecord r;
    im.fill(r);
    im.recorder.events() = std::move(events);
    im.recorder.prints() = std::move(prints);
    return r;
}

std::string SimLoop::pending_tasks_report() const { return loop_parts::pending_report(*this, impl_->host_infos()); }

void SimLoop::run_in_executor(std::function<void()> job, std::function<void()> done) {
    check_not_closed("run_in_executor");
    Impl& im = *impl_;
    const detail::TaskBase* t = current_task_raw();
    const loop_parts::ThreadJob& held =
        im.gate.submit(std::move(job), {std::move(done), t ? t->id() : 0, t ? t->name() : std::string(), steps_run()});
    if (im.recorder.on()) im.recorder.emit(TraceKind::thread_submit, held.task, held.task_name);
    im.rearm();
}

Network& SimLoop::network() noexcept { return impl_->network(); }

Coro<std::vector<AddrInfo>> SimLoop::getaddrinfo(std::string host, std::string port, AddrInfoHints hints) {
    check_thread("loop.getaddrinfo()");
    check_not_closed("getaddrinfo");
    co_return co_await impl_->network().getaddrinfo(std::move(host), std::move(port), hints);
}

Coro<std::shared_ptr<Transport>> SimLoop::create_connection(ProtocolFactory factory, std::string host,
                                                            std::uint16_t port, ConnectOptions options) {
    check_thread("loop.create_connection()");
    check_not_closed("create_connection");
    co_return co_await impl_->network().create_connection(std::move(factory), std::move(host), port,
                                                          std::move(options));
}

Coro<Server> SimLoop::create_server(ProtocolFactory factory, std::string host, std::uint16_t port,
                                    ServerOptions options) {
    check_thread("loop.create_server()");
    check_not_closed("create_server");
    co_return co_await impl_->network().create_server(std::move(factory), std::move(host), port, std::move(options));
}

namespace {
[[noreturn]] void no_unix_sockets(const char* what) {
    throw RuntimeError(fmt::format(
        "aio::sim::SimLoop: {} is not available in the simulator: its network has hosts and ports, no file "
        "system, so no Unix sockets; connect with create_connection(host, port) (aio::open_connection) and serve "
        "with create_server(factory, \"\", port) (aio::start_server)",
        what));
}
}  // namespace

Coro<std::shared_ptr<Transport>> SimLoop::create_unix_connection(ProtocolFactory, std::string) {
    no_unix_sockets("loop.create_unix_connection()");
    co_return nullptr;
}

Coro<Server> SimLoop::create_unix_server(ProtocolFactory, std::string, ServerOptions) {
    no_unix_sockets("loop.create_unix_server()");
    co_return Server{};
}

LoopFactory loop_factory(Config cfg, RecordSink sink) {
    // The Config is validated by the first loop made (a bad one throws there, as a SimLoop built
    // from it would), not again by every later one: nobody else holds it to change it. The flag
    // is shared by the factory's copies (RunOptions is copied into each run).
    struct Shared {
        explicit Shared(Config c) : cfg(std::move(c)) {}
        const Config cfg;
        std::atomic<bool> validated{false};
    };
    auto shared = std::make_shared<Shared>(std::move(cfg));
    return [shared, sink = std::move(sink)]() -> std::unique_ptr<EventLoop> {
        std::shared_ptr<const Config> c(shared, &shared->cfg);
        const bool validated = shared->validated.load(std::memory_order_acquire);
        if (validated) t_validated = c.get();
        std::unique_ptr<EventLoop> loop;
        try {
            loop = std::make_unique<SimLoop>(std::move(c), sink);
        } catch (...) {
            t_validated = nullptr;
            throw;
        }
        if (!validated) shared->validated.store(true, std::memory_order_release);
        return loop;
    };
}

}  // namespace aio::sim
