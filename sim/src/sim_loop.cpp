// The simulator's loop: virtual time, choice points, deadlock and limit detection,
// deterministic to_thread, traces.
#include "aio/sim/sim_loop.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "aio/detail/gather_state.hpp"
#include "aio/executor.hpp"
#include "aio/sim/validate.hpp"

namespace aio::sim {

namespace {

constexpr std::size_t jitter_levels = 9;  // 0..8 eighths of Schedule::jitter
constexpr std::size_t report_max_tasks = 50;
constexpr std::size_t report_max_cycles = 20;
constexpr std::size_t report_max_cycle_members = 20;
constexpr std::size_t report_max_gather_children = 8;
constexpr std::size_t cycle_id_slack = 1024;

std::uint64_t ready_task_of(const void* ctx, std::size_t i) {
    const detail::TaskBase* t = (*static_cast<const detail::ReadyQueue*>(ctx))[i].task;
    return t ? t->id() : 0;
}
std::uint64_t single_task_of(const void* ctx, std::size_t) {
    return ctx ? static_cast<const detail::TaskBase*>(ctx)->id() : 0;
}

std::string label(const detail::TaskBase& t) { return fmt::format("#{} '{}'", t.id(), t.name()); }

std::string where(const std::source_location& l) {
    std::string_view f = l.file_name();
    if (auto slash = f.find_last_of("/\\"); slash != std::string_view::npos) f = f.substr(slash + 1);
    return fmt::format("{}:{} in {}", f, l.line(), l.function_name());
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) noexcept {
    return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

// Shared with the worker threads: only a count, so no loop object is touched off-thread.
struct ThreadSync {
    std::mutex mu;
    std::condition_variable cv;
    std::uint64_t finished = 0;
};

}  // namespace

struct SimLoop::Impl final : detail::LoopObserver {
    Impl(SimLoop& l, std::shared_ptr<const Config> c, RecordSink s) : loop(l), cfg(std::move(c)), sink(std::move(s)) {}

    SimLoop& loop;
    std::shared_ptr<const Config> cfg;
    RecordSink sink;
    Schedule params;  // the effective parameters (decisions: see `made`)
    std::unique_ptr<DecisionSource> source;
    ReplaySource* replay = nullptr;
    bool offer_ready = false, offer_timers = false, offer_thread = false;
    std::uint64_t decisions = 0;
    std::vector<Decision> made;

    // Failures: raised at the next point where throwing cannot land inside a coroutine.
    std::exception_ptr pending;
    bool failed = false;  // cleanup mode: no more decisions, fresh budgets
    std::optional<RunFailure> failure;
    std::uint64_t step_limit_at = 0;
    TimePoint time_limit_at{};

    // timers policy: the creation instant of every timer, as runs of sequence numbers
    // (instants are non-decreasing in sequence order because virtual time is monotonic).
    std::vector<std::pair<std::uint64_t, TimePoint>> instants;
    std::vector<detail::TimerNode*> due;
    std::vector<std::pair<std::size_t, std::size_t>> chains;

    // to_thread.
    struct Job {
        std::function<void()> done;
        std::uint64_t task = 0;
        std::string task_name;
        std::uint64_t submit_step = 0;
    };
    std::shared_ptr<ThreadSync> sync;
    std::unique_ptr<ThreadPoolExecutor> pool;
    std::vector<Job> in_flight;  // submission order
    std::uint64_t submitted = 0;

    // Trace and fingerprint.
    TraceMode trace = TraceMode::off;
    std::uint64_t hash = fnv1a64_offset;
    std::vector<TraceEvent> events;
    std::string line;
    std::vector<StepPrint> prints;

    void setup() {
        params = cfg->schedule;
        params.decisions.reset();
        const bool start_choice = params.task_start == TaskStart::per_run || params.task_start == TaskStart::per_task;
        if (cfg->schedule.decisions) {
            auto r = std::make_unique<ReplaySource>(*cfg->schedule.decisions, cfg->strict_replay);
            replay = r.get();
            source = std::move(r);
        } else if (params.policy != Policy::fifo || start_choice) {
            source = make_seeded_source(params.policy, params.seed, params.pct_depth, params.pct_steps);
        }
        offer_ready = offers(params.policy, Choice::ready);
        offer_timers = offers(params.policy, Choice::timer);
        offer_thread = offers(params.policy, Choice::thread);
        loop.perturbing_ = offer_ready || cfg->fingerprint;
        loop.timer_hooks_ = offer_timers;
        loop.clock_jitter_ = offer_timers;
        loop.start_hook_ = params.task_start == TaskStart::per_task;
        step_limit_at = params.limits.max_steps;
        time_limit_at = TimePoint(params.limits.max_virtual_time);
        trace = cfg->trace;
        if (trace != TraceMode::off) loop.set_observer(this);
        if (params.task_start == TaskStart::eager) loop.set_eager_tasks(true);
        if (params.task_start == TaskStart::per_run) loop.set_eager_tasks(decide(Choice::start, 2) == 1);
        rearm();
    }

    // --- decisions ------------------------------------------------------------------------
    std::size_t decide(Choice kind, std::size_t n, std::uint64_t (*task_of)(const void*, std::size_t) = nullptr,
                       const void* ctx = nullptr) {
        if (failed || !source) return 0;
        ChoicePoint p{kind, n, decisions, loop.steps_run(), loop.now_, task_of, ctx};
        std::size_t i = 0;
        try {
            i = source->choose(p);
        } catch (...) {
            fail(std::current_exception());
            return 0;
        }
        ++decisions;
        if (i >= n) {
            fail(divergence(p, source->explain_mismatch(p, i)));
            return 0;
        }
        if (i != 0) {
            made.push_back({p.position, kind, static_cast<std::uint32_t>(i)});
            if (trace != TraceMode::off)
                emit(TraceKind::decision, 0, {}, fmt::format("{}{} of {}", choice_letter(kind), i, n));
        }
        return i;
    }

    // --- failures ---------------------------------------------------------------------------
    void fail(std::exception_ptr e) {
        if (failed || pending) return;
        pending = std::move(e);
        loop.step_alarm_ = 0;  // raised at the start of the next pass at the latest
    }
    [[noreturn]] void raise(std::exception_ptr e) {
        if (!failed) {
            failed = true;
            failure = RunFailure::from_exception(e);
            // The cleanup that follows (aio::run cancels everything) gets fresh budgets.
            step_limit_at = saturating_add(loop.steps_run(), params.limits.max_steps);
            time_limit_at = deadline_after(loop.now_, params.limits.max_virtual_time);
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
        if (!in_flight.empty()) a = std::min(a, saturating_add(in_flight.front().submit_step, cfg->thread_step_budget));
        if (pending) a = 0;
        loop.step_alarm_ = a;
    }

    std::string context() const {
        std::string s = fmt::format("step {}, virtual time {} s", loop.steps_run(), format_time(loop.now_));
        if (auto* t = loop.current_task_raw()) s += ", in task " + label(*t);
        return s;
    }
    std::string candidates(const ChoicePoint& p) const {
        if (!p.task_of) return {};
        std::map<std::uint64_t, std::string> names;
        for (const AnyTask& h : loop.all_tasks()) names[h.id()] = h.name();
        auto named = [&](std::uint64_t id) {
            auto it = names.find(id);
            return it != names.end() ? fmt::format("#{} '{}'", id, it->second) : fmt::format("#{}", id);
        };
        if (p.kind == Choice::start || p.kind == Choice::jitter)  // one task, n alternatives
            return p.candidate_task(0) ? "; for task " + named(p.candidate_task(0)) : std::string();
        std::string s = "; candidates: ";
        const std::size_t shown = std::min<std::size_t>(p.n, 8);
        for (std::size_t i = 0; i < shown; ++i) {
            if (i) s += ", ";
            const std::uint64_t id = p.candidate_task(i);
            s += id == 0 ? std::string("a callback") : named(id);
        }
        if (shown < p.n) s += fmt::format(" and {} more", p.n - shown);
        return s;
    }
    std::exception_ptr divergence(const ChoicePoint& p, const std::string& why) {
        std::string msg = fmt::format(
            "aio::sim::ReplayDivergence: the replay no longer fits the program at decision #{} ({}{}): {}. The "
            "program changed since the replay string was recorded (or the string belongs to another program or "
            "build); record a new one.",
            p.position, context(), candidates(p), why);
        return std::make_exception_ptr(ReplayDivergence(msg, p.position, p.step, p.time));
    }

    // --- reports ----------------------------------------------------------------------------
    std::vector<BlockedTask> blocked_tasks() const {
        std::vector<BlockedTask> out;
        for (const AnyTask& h : loop.all_tasks()) {
            const detail::TaskBase& t = *h.state_ptr();
            BlockedTask b{t.id(), t.name(), {}, {}, t.created_at()};
            detail::Waitable* w = t.waiting_on();
            auto* f = w ? dynamic_cast<detail::FutureBase*>(w) : nullptr;
            if (&t == loop.current_task_raw()) {
                b.awaits = "nothing (it is running now)";
            } else if (!w) {
                b.awaits = t.started()
                               ? "nothing the loop knows of (ready to run, or suspended on an awaitable that did "
                                 "not register with the task)"
                               : "its first step (not started yet)";
            } else if (f && f->is_task()) {
                auto& o = static_cast<const detail::TaskBase&>(*f);
                b.awaits = "Task " + label(o);
                b.waits_for.push_back(o.id());
            } else if (auto* g = f ? dynamic_cast<const detail::GatherBase*>(f) : nullptr) {
                std::string parts;
                std::size_t listed = 0;
                for (const detail::TaskBase* c : g->children()) {
                    if (!c->done()) b.waits_for.push_back(c->id());
                    if (listed == report_max_gather_children) continue;  // a million children: name a few
                    if (listed++) parts += ", ";
                    parts += label(*c);
                    if (c->done()) parts += " (done)";
                }
                if (g->children().size() > listed) parts += fmt::format(" and {} more", g->children().size() - listed);
                b.awaits = "gather(" + parts + ")";
            } else {
                b.awaits = t.waiting_description();
            }
            out.push_back(std::move(b));
        }
        return out;
    }

    // Every cycle a depth-first search over "awaits" meets (one per edge back into the path),
    // each starting at its smallest id. The search keeps its own stack: a chain of a million
    // tasks is a path a million deep. Recording stops once the cycles hold twice as many ids as
    // there are tasks plus cycle_id_slack, which bounds the work (and the exception's size) in
    // graphs where many edges lead back into a long path.
    static std::vector<std::vector<std::uint64_t>> find_cycles(const std::vector<BlockedTask>& tasks) {
        constexpr std::size_t none = SIZE_MAX;
        std::vector<std::pair<std::uint64_t, std::size_t>> by_id;
        by_id.reserve(tasks.size());
        for (std::size_t i = 0; i < tasks.size(); ++i) by_id.emplace_back(tasks[i].id, i);
        std::sort(by_id.begin(), by_id.end());
        auto index_of = [&](std::uint64_t id) {
            auto it = std::lower_bound(by_id.begin(), by_id.end(), std::pair<std::uint64_t, std::size_t>(id, 0));
            return it != by_id.end() && it->first == id ? it->second : none;
        };
        enum : unsigned char { unseen, on_path, finished };
        std::vector<unsigned char> color(tasks.size(), unseen);
        std::vector<std::size_t> path_pos(tasks.size(), none);
        struct Visit {
            std::size_t task;
            std::size_t next_edge;
        };
        std::vector<Visit> visits;
        std::vector<std::uint64_t> path;
        std::set<std::vector<std::uint64_t>> found;
        std::vector<std::vector<std::uint64_t>> out;
        const std::size_t budget = 2 * tasks.size() + cycle_id_slack;
        std::size_t recorded = 0;
        auto enter = [&](std::size_t i) {
            color[i] = on_path;
            path_pos[i] = path.size();
            path.push_back(tasks[i].id);
            visits.push_back({i, 0});
        };
        for (std::size_t root = 0; root < tasks.size(); ++root) {
            if (color[root] != unseen) continue;
            enter(root);
            while (!visits.empty()) {
                Visit& v = visits.back();
                const auto& edges = tasks[v.task].waits_for;
                if (v.next_edge == edges.size()) {
                    color[v.task] = finished;
                    path.pop_back();
                    visits.pop_back();
                    continue;
                }
                const std::size_t j = index_of(edges[v.next_edge++]);
                if (j == none) continue;
                if (color[j] == unseen) {
                    enter(j);
                } else if (color[j] == on_path && recorded < budget) {
                    std::vector<std::uint64_t> cyc(path.begin() + static_cast<std::ptrdiff_t>(path_pos[j]), path.end());
                    std::rotate(cyc.begin(), std::min_element(cyc.begin(), cyc.end()), cyc.end());
                    recorded += cyc.size();
                    if (found.insert(cyc).second) out.push_back(std::move(cyc));
                }
            }
        }
        return out;
    }

    static std::string format_blocked(const std::vector<BlockedTask>& tasks,
                                      const std::vector<std::vector<std::uint64_t>>& cycles) {
        std::string s;
        if (tasks.empty()) s += "  (none)\n";
        std::size_t shown = 0;
        for (const auto& b : tasks) {
            if (++shown > report_max_tasks) {
                s += fmt::format("  ... and {} more\n", tasks.size() - report_max_tasks);
                break;
            }
            s += fmt::format("  #{} '{}' awaits {}; created at {}\n", b.id, b.name, b.awaits, where(b.created_at));
        }
        // A long cycle shows its first and last members: the message stays readable and small.
        auto hidden = [](const std::vector<std::uint64_t>& c, std::size_t k) {
            const std::size_t head = report_max_cycle_members / 2;
            return c.size() > report_max_cycle_members && k >= head && k < c.size() - head;
        };
        std::map<std::uint64_t, std::string_view> names;  // of the members shown
        for (std::size_t i = 0; i < std::min(cycles.size(), report_max_cycles); ++i)
            for (std::size_t k = 0; k < cycles[i].size(); ++k)
                if (!hidden(cycles[i], k)) names.emplace(cycles[i][k], std::string_view());
        for (const auto& b : tasks)
            if (auto it = names.find(b.id); it != names.end()) it->second = b.name;
        auto name_of = [&](std::uint64_t id) { return names[id]; };
        std::size_t cycles_shown = 0;
        for (const auto& c : cycles) {
            if (++cycles_shown > report_max_cycles) {
                s += fmt::format("... and {} more await cycles (Deadlock::cycles() lists them)\n",
                                 cycles.size() - report_max_cycles);
                break;
            }
            s += "Await cycle: ";
            for (std::size_t k = 0; k < c.size(); ++k) {
                if (hidden(c, k)) {
                    const std::size_t skipped = c.size() - report_max_cycle_members;
                    s += fmt::format("({} more) -> ", skipped);
                    k += skipped - 1;
                    continue;
                }
                s += fmt::format("#{} '{}' -> ", c[k], name_of(c[k]));
            }
            s += fmt::format("#{} '{}'\n", c.front(), name_of(c.front()));
        }
        return s;
    }

    std::string pending_report() const {
        auto tasks = blocked_tasks();
        return format_blocked(tasks, find_cycles(tasks));
    }

    std::string phase_note() const {
        return failed ? fmt::format(" during the cleanup after an earlier failure ({})", first_line(failure->message))
                      : "";
    }

    // Timers at TimePoint::max() (a sleep or timeout whose delay does not fit the clock) are
    // "never": with nothing else to do the program would hang, as asyncio does.
    std::string never_note() const {
        const std::size_t n = loop.timer_count();
        if (n == 0) return {};
        return fmt::format(
            " that can fire ({} timer{} never fire: their deadline lies past the end of virtual time, "
            "about 292 years, so a sleep or timeout of that delay means forever)",
            n, n == 1 ? " is set to" : "s are set to");
    }

    std::exception_ptr deadlock_error() const {
        auto tasks = blocked_tasks();
        auto cycles = find_cycles(tasks);
        std::string msg = fmt::format(
            "aio::sim::Deadlock{}: no task can ever run again ({}): nothing is ready, no timer is set{} and no "
            "to_thread work is in flight.\nPending tasks, in creation order:\n{}"
            "Every task above waits for something only another waiting task could provide. aio::run's cleanup now "
            "cancels them.",
            phase_note(), context(), never_note(), format_blocked(tasks, cycles));
        return std::make_exception_ptr(Deadlock(std::move(msg), std::move(tasks), std::move(cycles)));
    }

    std::exception_ptr step_limit_error() const {
        std::string msg = fmt::format(
            "aio::sim::LimitExceeded{}: step limit reached: {} ready entries run ({}); the limit is "
            "Config::schedule.limits.max_steps = {} (replay parameter steps=). The program may never finish, e.g. a "
            "task "
            "that keeps yielding with sleep(0) or tasks that keep waking each other. Pending tasks:\n{}"
            "If the run is just long, raise the limit.",
            phase_note(), loop.steps_run(), context(), params.limits.max_steps, pending_report());
        return std::make_exception_ptr(LimitExceeded(std::move(msg), LimitExceeded::Which::steps));
    }

    std::exception_ptr time_limit_error(TimePoint next) const {
        std::string msg = fmt::format(
            "aio::sim::LimitExceeded{}: virtual time limit reached: the next timer is due at {} s, beyond the limit "
            "at {} s ({}); the limit is Config::schedule.limits.max_virtual_time = {} (replay parameter vtime=). The "
            "program "
            "may never finish, e.g. a task that keeps re-arming a timer. Pending tasks:\n{}"
            "If the run is just long, raise the limit.",
            phase_note(), format_time(next), format_time(time_limit_at), context(),
            format_duration(params.limits.max_virtual_time), pending_report());
        return std::make_exception_ptr(LimitExceeded(std::move(msg), LimitExceeded::Which::virtual_time));
    }

    std::exception_ptr end_of_time_error() const {
        std::string msg = fmt::format(
            "aio::sim::LimitExceeded{}: virtual time would pass the end of virtual time (TimePoint::max(), about 292 "
            "years) ({}); the limit Config::schedule.limits.max_virtual_time = {} (replay parameter vtime=) allows the "
            "clock "
            "to get this far. Lower the limit (720h by default) or the delays. Pending tasks:\n{}",
            phase_note(), context(), format_duration(params.limits.max_virtual_time), pending_report());
        return std::make_exception_ptr(LimitExceeded(std::move(msg), LimitExceeded::Which::virtual_time));
    }

    // --- to_thread ----------------------------------------------------------------------------
    // Blocks until every in-flight job has finished, then schedules their completions.
    void complete_threads() {
        {
            std::unique_lock lk(sync->mu);
            const auto t0 = std::chrono::steady_clock::now();
            while (sync->finished < submitted) {
                if (sync->cv.wait_for(lk, std::chrono::milliseconds(20)) != std::cv_status::timeout) continue;
                // A worker posted a callback and may be waiting for it: run it (nondeterministic).
                if (loop.has_threadsafe()) return;
                if (std::chrono::steady_clock::now() - t0 >= cfg->thread_timeout) {
                    lk.unlock();
                    raise(stuck_threads_error());
                }
            }
        }
        while (!in_flight.empty()) {
            std::size_t k = 0;
            if (offer_thread && in_flight.size() > 1)
                k = decide(
                    Choice::thread, in_flight.size(),
                    [](const void* ctx, std::size_t i) { return (*static_cast<const std::vector<Job>*>(ctx))[i].task; },
                    &in_flight);
            Job job = std::move(in_flight[k]);
            in_flight.erase(in_flight.begin() + static_cast<std::ptrdiff_t>(k));
            if (trace != TraceMode::off) emit(TraceKind::thread_done, job.task, job.task_name);
            loop.call_soon(std::move(job.done));
        }
        rearm();
    }

    std::exception_ptr stuck_threads_error() {
        std::string jobs;
        for (const Job& j : in_flight)
            jobs += fmt::format("  a job submitted by #{} '{}' at step {}\n", j.task, j.task_name, j.submit_step);
        std::string msg = fmt::format(
            "aio::sim::Deadlock{}: to_thread work has not finished after {} of real time while the simulator waits "
            "for it ({}):\n{}Under the simulator a function run by to_thread must not wait for the event loop (for "
            "a later to_thread job, or for a result it posts with call_soon_threadsafe): the loop only moves on "
            "once every job in flight has finished. The jobs are abandoned. Pending tasks:\n{}",
            phase_note(), format_duration(cfg->thread_timeout), context(), jobs, pending_report());
        abandon_threads();
        return std::make_exception_ptr(Deadlock(std::move(msg), blocked_tasks(), {}));
    }

    // Gives up on in-flight jobs: their completions are dropped and their workers joined by
    // a detached thread whenever they finish.
    void abandon_threads() {
        in_flight.clear();
        submitted = 0;
        sync = std::make_shared<ThreadSync>();
        if (pool) std::thread([p = std::move(pool)]() mutable { p.reset(); }).detach();
        rearm();
    }

    void shutdown_pool() {
        if (!pool) return;
        bool all_done;
        {
            std::unique_lock lk(sync->mu);
            all_done = sync->cv.wait_for(lk, cfg->thread_timeout, [&] { return sync->finished >= submitted; });
        }
        if (all_done)
            pool.reset();
        else
            abandon_threads();
    }

    // --- timers -------------------------------------------------------------------------------
    TimePoint instant_of(std::uint64_t seq) const {
        auto it = std::upper_bound(instants.begin(), instants.end(), seq,
                                   [](std::uint64_t s, const auto& e) { return s < e.first; });
        return it == instants.begin() ? TimePoint{} : std::prev(it)->second;
    }
    void prune_instants() {
        const auto& heap = loop.timers();
        std::uint64_t min_seq = UINT64_MAX;
        for (std::size_t i = 0; i < heap.size(); ++i) min_seq = std::min(min_seq, heap[i]->seq);
        // Keep the run containing min_seq and everything after it.
        auto it = std::upper_bound(instants.begin(), instants.end(), min_seq,
                                   [](std::uint64_t s, const auto& e) { return s < e.first; });
        if (it != instants.begin()) instants.erase(instants.begin(), std::prev(it));
    }

    // --- trace (LoopObserver) -------------------------------------------------------------------
    void emit(TraceKind k, std::uint64_t task, std::string_view name, std::string detail = {}, TimePoint until = {}) {
        TraceEvent e{loop.now_, loop.steps_run(), k, task, std::string(name), std::move(detail), until};
        line.clear();
        append_trace_line(line, e);
        line += '\n';
        hash = fnv1a64(line, hash);
        if (trace == TraceMode::full) events.push_back(std::move(e));
    }
    void task_created(detail::TaskBase& t) override { emit(TraceKind::created, t.id(), t.name()); }
    void task_step(detail::TaskBase& t) override { emit(TraceKind::step, t.id(), t.name()); }
    void task_done(detail::TaskBase& t) override {
        if (t.cancelled())
            emit(TraceKind::cancelled, t.id(), t.name());
        else if (const auto& e = t.peek_exception())
            emit(TraceKind::raised, t.id(), t.name(), escape_text(describe(e), false));
        else
            emit(TraceKind::done, t.id(), t.name());
    }
    void cancel_requested(detail::TaskBase& t, const std::optional<std::string>& msg) override {
        emit(TraceKind::cancel, t.id(), t.name(), msg ? "msg=\"" + escape_text(*msg, true) + '"' : std::string());
    }
    void timer_scheduled(const detail::TimerNode& n, detail::TaskBase* t) override {
        emit(t ? TraceKind::sleep : TraceKind::timer, t ? t->id() : 0, t ? t->name() : std::string(),
             "until=" + format_time(n.when), n.when);
    }
    void timer_fired(const detail::TimerNode& n, detail::TaskBase* t) override {
        emit(TraceKind::fired, t ? t->id() : 0, t ? t->name() : std::string(), {}, n.when);
    }

    // --- named spans (LoopObserver; aio::TraceSpan): one line each, the label quoted ---------
    void span_begin(std::uint64_t task, std::string_view task_name, std::string_view label) override {
        emit(TraceKind::span, task, task_name, '"' + escape_text(label, true) + '"');
    }
    void span_end(std::uint64_t task, std::string_view task_name, std::string_view label) override {
        emit(TraceKind::span_end, task, task_name, '"' + escape_text(label, true) + '"');
    }

    void fill(RunRecord& r) {
        r.schedule = params;
        r.schedule.decisions = made;
        r.replay = r.schedule.to_string();
        r.decisions = decisions;
        r.nonzero_decisions = made.size();
        r.steps = loop.steps_run();
        r.end_time = loop.now_;
        r.eager = loop.eager_tasks();
        r.trace_hash.reset();
        if (trace != TraceMode::off) r.trace_hash = hash;
        r.trace = std::move(events);
        r.fingerprint = std::move(prints);
        r.failure = failure;
        r.replay_incomplete.reset();
        if (replay && cfg->strict_replay)
            if (const Decision* d = replay->first_unused())
                r.replay_incomplete = RunFailure::from_exception(std::make_exception_ptr(ReplayDivergence(
                    fmt::format(
                        "aio::sim::ReplayDivergence: the replay no longer fits the program: the run ended after {} "
                        "decisions, before decision #{} ({}{}) of the replay string was reached. The program "
                        "changed since the replay string was recorded (or the string belongs to another program or "
                        "build); record a new one.",
                        decisions, d->position, choice_letter(d->kind), d->index),
                    decisions, loop.steps_run(), loop.now_)));
    }
};

// ---- SimLoop ------------------------------------------------------------------------------

SimLoop::SimLoop(Config cfg, RecordSink sink)
    : SimLoop(std::make_shared<const Config>(std::move(cfg)), std::move(sink)) {}

SimLoop::SimLoop(std::shared_ptr<const Config> cfg, RecordSink sink)
    : impl_(std::make_unique<Impl>(*this, std::move(cfg), std::move(sink))) {
    // Debug mode's slow-callback warnings measure real time: not under the simulator.
    slow_callback_duration = Duration::max();
    validate(*impl_->cfg);  // a Config built in code is checked as one read from a replay string
    impl_->setup();
}

SimLoop::~SimLoop() {
    if (!is_closed() && !is_running()) {
        try {
            close();
        } catch (...) {}
    }
    set_observer(nullptr);
    impl_->shutdown_pool();
    if (impl_->sink) {
        RunRecord r;
        impl_->fill(r);
        try {
            impl_->sink(std::move(r));
        } catch (...) {}  // a destructor must not throw; a sink that throws loses its record
    }
}

const Config& SimLoop::config() const noexcept { return *impl_->cfg; }
std::uint64_t SimLoop::decisions() const noexcept { return impl_->decisions; }
std::uint64_t SimLoop::nonzero_decisions() const noexcept { return impl_->made.size(); }

Schedule SimLoop::schedule() const {
    Schedule s = impl_->params;
    s.decisions = impl_->made;
    return s;
}

RunRecord SimLoop::make_record() const {
    // fill() moves the trace out; work on a copy of the parts it moves.
    Impl& im = *impl_;
    auto events = im.events;
    auto prints = im.prints;
    RunRecord r;
    im.fill(r);
    im.events = std::move(events);
    im.prints = std::move(prints);
    return r;
}

std::string SimLoop::pending_tasks_report() const { return impl_->pending_report(); }

void SimLoop::wait_for_work(std::optional<TimePoint> deadline) {
    Impl& im = *impl_;
    if (!im.in_flight.empty()) {
        // Virtual time stands still while thread work is in flight.
        im.complete_threads();
        im.throw_pending();
        return;
    }
    // The earliest timer at TimePoint::max() means every timer is "never".
    if (!deadline || *deadline == TimePoint::max()) {
        if (has_threadsafe()) return;
        im.raise(im.deadlock_error());
    }
    TimePoint target = *deadline;
    if (target > now_) {
        if (im.offer_timers) {
            // The idle loop may wake late, so more timers are due at once.
            std::size_t k = im.decide(Choice::jitter, jitter_levels);
            target = deadline_after(target, im.params.jitter * static_cast<std::int64_t>(k) / 8);
        }
        // Reaching TimePoint::max() would make it "now" and every "never" due.
        if (target == TimePoint::max()) im.raise(im.end_of_time_error());
        if (target > im.time_limit_at) im.raise(im.time_limit_error(target));
        now_ = target;
    }
    im.throw_pending();
}

std::size_t SimLoop::choose_ready(const detail::ReadyQueue& ready, std::size_t) {
    Impl& im = *impl_;
    const std::size_t n = ready.size();
    std::size_t i = 0;
    if (im.offer_ready && n > 1) i = im.decide(Choice::ready, n, &ready_task_of, &ready);
    if (im.cfg->fingerprint) {
        const detail::TaskBase* t = ready[i].task;
        im.prints.push_back({t ? t->id() : 0, static_cast<std::uint32_t>(n), now_.time_since_epoch().count()});
    }
    im.throw_pending();
    return i;
}

TimePoint SimLoop::jitter_clock() {
    // Only a task step's first read: the loop's own reads (which timers are due) and plain
    // callbacks see the clock as it is. A deadline computed from this read (sleep, timeout(d))
    // moves with it; an absolute one (timeout_at(t)) does not, as on a real clock. Moving a
    // timer's deadline after the fact would make two timeout_at(t) with the same t fire apart.
    Impl& im = *impl_;
    detail::TaskBase* task = current_task_raw();
    if (task == nullptr) return now_;
    jittered_step_ = steps_run();
    std::size_t k = im.decide(Choice::jitter, jitter_levels, &single_task_of, task);
    if (k != 0) {
        const TimePoint later = deadline_after(now_, im.params.jitter * static_cast<std::int64_t>(k) / 8);
        // Inside a task step: the error is raised at the next pass; the clock stays put.
        if (later == TimePoint::max()) [[unlikely]]
            im.fail(im.end_of_time_error());
        else
            now_ = later;
    }
    return now_;
}

void SimLoop::on_timer_added(detail::TimerNode& n, detail::TaskBase*) {
    Impl& im = *impl_;
    if (im.instants.empty() || im.instants.back().second != now_) {
        if (im.instants.size() > 2 * timers().size() + 64) im.prune_instants();
        im.instants.emplace_back(n.seq, now_);
    }
}

void SimLoop::fire_due_timers(TimePoint end) {
    Impl& im = *impl_;
    auto& due = im.due;
    due.clear();
    while (!timers().empty() && timers().top()->when <= end) due.push_back(timers().pop());
    for (std::size_t g = 0; g < due.size();) {
        std::size_t h = g + 1;
        while (h < due.size() && due[h]->when == due[g]->when) ++h;
        if (h - g == 1 || !im.offer_timers) {
            for (; g < h; ++g) fire_timer(due[g]);
            continue;
        }
        // Timers due at the same instant: any interleaving of the runs created at the same
        // instant, each run in creation order.
        auto& chains = im.chains;
        chains.clear();
        for (std::size_t k = g; k < h;) {
            std::size_t e = k + 1;
            const TimePoint at = im.instant_of(due[k]->seq);
            while (e < h && im.instant_of(due[e]->seq) == at) ++e;
            chains.emplace_back(k, e);
            k = e;
        }
        while (!chains.empty()) {
            std::size_t c = 0;
            if (chains.size() > 1)
                c = im.decide(
                    Choice::timer, chains.size(),
                    [](const void* ctx, std::size_t i) -> std::uint64_t {
                        const Impl& self = *static_cast<const Impl*>(ctx);
                        const detail::TaskBase* t = self.due[self.chains[i].first]->on_expire.task;
                        return t ? t->id() : 0;
                    },
                    &im);
            auto& ch = chains[c];
            fire_timer(due[ch.first]);
            if (++ch.first == ch.second) chains.erase(chains.begin() + static_cast<std::ptrdiff_t>(c));
        }
        g = h;
    }
    im.throw_pending();
}

bool SimLoop::choose_eager_start(detail::TaskBase& t) {
    return impl_->decide(Choice::start, 2, &single_task_of, &t) == 1;
}

void SimLoop::on_step_alarm() {
    Impl& im = *impl_;
    im.throw_pending();
    if (steps_run() >= im.step_limit_at) im.raise(im.step_limit_error());
    if (!im.in_flight.empty() &&
        steps_run() >= saturating_add(im.in_flight.front().submit_step, im.cfg->thread_step_budget))
        im.complete_threads();
    im.rearm();
    im.throw_pending();
}

void SimLoop::run_in_executor(std::function<void()> job, std::function<void()> done) {
    check_not_closed("run_in_executor");
    Impl& im = *impl_;
    if (!im.pool) {
        im.pool = std::make_unique<ThreadPoolExecutor>();
        if (!im.sync) im.sync = std::make_shared<ThreadSync>();
    }
    const detail::TaskBase* t = current_task_raw();
    Impl::Job j{std::move(done), t ? t->id() : 0, t ? t->name() : std::string(), steps_run()};
    im.pool->submit([sync = im.sync, job = std::move(job)]() mutable {
        try {
            job();
        } catch (...) {
            // to_thread's job stores its own exception; a raw job's is dropped, as the
            // loop has no one to give it to.
        }
        job = nullptr;
        {
            std::lock_guard lk(sync->mu);
            ++sync->finished;
        }
        sync->cv.notify_all();
    });
    ++im.submitted;
    if (im.trace != TraceMode::off) im.emit(TraceKind::thread_submit, j.task, j.task_name);
    im.in_flight.push_back(std::move(j));
    im.rearm();
}

LoopFactory loop_factory(Config cfg, RecordSink sink) {
    auto shared = std::make_shared<const Config>(std::move(cfg));
    return [shared, sink = std::move(sink)]() -> std::unique_ptr<EventLoop> {
        return std::make_unique<SimLoop>(shared, sink);
    };
}

}  // namespace aio::sim
