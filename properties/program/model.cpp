#include "model.hpp"

#include <cassert>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <utility>

namespace aio::props {

std::int64_t phase_delay(std::int64_t now, int k, int m, int j) {
    std::int64_t d = ((k - now) % m + m) % m;
    if (d == 0) d = m;
    return d + static_cast<std::int64_t>(j - 1) * m;
}

namespace {

// An exception: CancelledError, a ProgError ("3") or an ExceptionGroup ("g(3,5)").
struct Exc {
    bool cancelled = false;
    bool group = false;
    std::string text;
};
const Exc cancelled_error{true, false, {}};

// What a suspended task is resumed with.
struct Resume {
    int value = 0;
    std::optional<Exc> exc;
};

class Model {
public:
    Model(const Program& p, ModelBelief belief) : p_(p), belief_(belief), tasks_(p.nodes.size()) {
        pred_.outcome.nodes.resize(p.nodes.size());
    }

    Prediction run() {
        spawn(0, -1);
        for (;;) {
            drain();
            if (tasks_[0].st == St::done) break;
            if (timers_.empty()) throw std::logic_error("model: main is blocked forever (generator bug)");
            now_ = timers_.begin()->first.first;
            while (!timers_.empty() && timers_.begin()->first.first == now_) {
                int k = timers_.begin()->second;
                timers_.erase(timers_.begin());
                if (k < 0) {  // a timeout's call_at handle
                    const int id = -k - 1;
                    post([this, id] { on_timeout(id); });
                    continue;
                }
                tasks_[k].st = St::ready;
                post([this, k] { resume(k, {}); });
            }
        }
        // aio::run: cancel everything still pending, in creation order, then let the
        // cancellations finish. A task an earlier cancellation reached is not asked again
        // (README, Differences from asyncio; asyncio.run asks it again).
        shutdown_asked_.assign(tasks_.size(), false);
        for (int k : creation_order_)
            if (tasks_[k].st != St::done && !tasks_[k].is_inline) cancel(k);
        shutdown_asked_.clear();
        drain();
        for (int k : creation_order_)
            if (tasks_[k].st != St::done) throw std::logic_error("model: a task survived shutdown");
        pred_.outcome.run = pred_.outcome.nodes[0];
        return pred_;
    }

private:
    enum class St { unstarted, ready, sleeping, awaiting, gathering, grouping, done };
    enum class Stage { start_sleep, body, end_sleep };
    struct Frame {
        const Block* block;
        std::size_t pc;
        const Block* handler;  // non-null: this frame is the body of a try
        int timeout = -1;      // >= 0: this frame is the body of that timeout (or a wait_for)
    };
    struct TimeoutState {
        int task = -1;
        int entry_cancelling = 0;
        bool expiring = false;
        bool active = true;
        std::pair<std::int64_t, std::uint64_t> timer{};
    };
    struct Task {
        St st = St::unstarted;
        Stage stage = Stage::start_sleep;
        std::vector<Frame> stack;
        int acc = 0;
        bool must_cancel = false;
        std::optional<Exc> rethrow;  // a ProgError waiting out its phase sleep
        int awaiting = -1;           // node awaited
        int gathering = -1;          // gather index
        int grouping = -1;           // task group whose __aexit__ this task waits in
        std::pair<std::int64_t, std::uint64_t> timer{};
        int parent = -1;
        int yields = 0;
        int spawn_yields = 0;  // parent's yield count when this task was spawned
        std::int64_t spawn_time = 0;
        std::vector<int> awaiters;  // tasks awaiting this one
        std::vector<int> gathers;   // gathers this task belongs to
        std::vector<int> groups;    // task groups this task belongs to
        bool has_result = false;    // done: returned
        int cancelling = 0;         // Task.cancelling(): cancel() calls not withdrawn (root tasks)
        bool is_inline = false;     // a wait_for node: runs inside its parent's task
        Exc exc;                    // done and not returned
    };
    // asyncio.TaskGroup (taskgroups.py, 3.12) as used by a task_group statement: the body
    // only creates the children, so the parent goes straight to __aexit__'s wait.
    struct GroupState {
        std::vector<int> children;
        int parent = -1;
        int pending = 0;  // len(tg._tasks)
        std::vector<Exc> errors;
        bool aborting = false;
        bool parent_cancel_requested = false;
        bool propagate_cancel = false;
        bool fut_done = false;  // _on_completed_fut is done
    };
    struct GatherState {
        std::vector<int> children;
        int waiter = -1;
        int finished = 0;
        bool done = false;
        bool cancel_requested = false;
    };

    void post(std::function<void()> f) { work_.push_back(std::move(f)); }
    void drain() {
        while (!work_.empty()) {
            auto f = std::move(work_.front());
            work_.pop_front();
            f();
        }
    }

    void spawn(int k, int parent, bool inline_start = false) {
        Task& t = tasks_[k];
        t.parent = parent;
        t.spawn_yields = parent >= 0 ? tasks_[parent].yields : 0;
        t.spawn_time = now_;
        creation_order_.push_back(k);
        Fate& f = pred_.outcome.nodes[k];
        f.kind = Fate::Kind::pending;
        if (inline_start)
            start(k);
        else
            post([this, k] { start(k); });
    }

    void start(int k) {
        Task& t = tasks_[k];
        if (t.st == St::done) return;
        if (t.must_cancel) {  // cancelled before its first step: the body never runs
            finish(k, cancelled_error);
            return;
        }
        pred_.outcome.nodes[k].started = true;
        t.acc = p_.nodes[k].value;
        t.stage = Stage::start_sleep;
        sleep(k, 1);
    }

    // Time is kept in eighths of a unit: timeouts expire between the phase instants.
    static constexpr std::int64_t scale = 8;
    std::int64_t units() const { return now_ / scale; }
    // The time (eighths) of node k's j-th phase instant after the current unit.
    std::int64_t phase_target(int k, int j) const {
        return scale * (units() + phase_delay(units(), k, p_.modulus(), j));
    }

    void sleep(int k, int j) {
        Task& t = tasks_[k];
        t.st = St::sleeping;
        t.timer = {phase_target(k, j), ++seq_};
        timers_.emplace(t.timer, k);
    }

    // async with timeout(...): __aenter__ (reschedule -> call_at).
    // Its deadline: (4 + depth)/8 of a unit after k's n-th phase instant, depth = the
    // timeouts k is already inside (nested timeouts never share a deadline).
    int enter_timeout(int k, int n) {
        const int id = static_cast<int>(timeouts_.size());
        int depth = 0;
        for (const Frame& f : tasks_[k].stack) depth += f.timeout >= 0;
        TimeoutState ts;
        ts.task = k;
        ts.entry_cancelling = tasks_[root(k)].cancelling;
        ts.timer = {phase_target(k, n) + 4 + depth, ++seq_};
        timeouts_.push_back(ts);
        timers_.emplace(ts.timer, -id - 1);
        return id;
    }

    void on_timeout(int id) {
        TimeoutState& ts = timeouts_[id];
        if (!ts.active) return;
        ts.expiring = true;
        cancel(ts.task);
    }

    // __aexit__ with exception e (none: the block finished); true when it raises
    // TimeoutError instead.
    bool exit_timeout(int id, const std::optional<Exc>& e) {
        TimeoutState& ts = timeouts_[id];
        ts.active = false;
        timers_.erase(ts.timer);
        if (!ts.expiring) return false;
        Task& t = tasks_[root(ts.task)];
        --t.cancelling;  // uncancel()
        if (t.cancelling > ts.entry_cancelling || !e || !e->cancelled) {
            ++pred_.expired_not_raised;
            return false;
        }
        ++pred_.timeouts_fired;
        return true;
    }

    // The statement caught TimeoutError.
    void timed_out(int k) {
        tasks_[k].acc += 1000;
        sleep(k, 1);
    }

    // Resumes task k at its suspension point with r (asyncio's __wakeup/__step).
    void resume(int k, Resume r) {
        Task& t = tasks_[k];
        if (t.st == St::done) return;
        t.st = St::ready;
        if (t.must_cancel) {
            t.must_cancel = false;
            r.exc = cancelled_error;
        }
        if (t.rethrow) {  // the phase sleep after a failed await ended (or was cancelled)
            Exc e = *t.rethrow;
            t.rethrow.reset();
            if (!r.exc) r.exc = e;
        }
        if (r.exc) {
            throw_into(k, *r.exc);
            return;
        }
        t.acc += r.value;
        if (t.stage == Stage::start_sleep) {
            t.stage = Stage::body;
            t.stack.push_back({&p_.nodes[k].body, 0, nullptr});
        } else if (t.stage == Stage::end_sleep) {
            t.has_result = true;
            finish(k, {});
            return;
        }
        step(k);
    }

    // Unwinds k's frames to the innermost try that catches e, or finishes the task.
    void throw_into(int k, Exc e) {
        Task& t = tasks_[k];
        if (t.stage == Stage::body) {
            while (!t.stack.empty()) {
                Frame f = t.stack.back();
                t.stack.pop_back();
                if (f.timeout >= 0 && exit_timeout(f.timeout, e)) {
                    timed_out(k);
                    return;
                }
                if (f.handler && !e.cancelled && !e.group) {  // try catches ProgError only
                    t.stack.push_back({f.handler, 0, nullptr});
                    step(k);
                    return;
                }
            }
        }
        t.stack.clear();
        finish(k, e);
    }

    // Runs k's statements until it suspends or ends.
    void step(int k) {
        Task& t = tasks_[k];
        for (;;) {
            if (t.stack.empty()) {
                t.stage = Stage::end_sleep;
                sleep(k, 1);
                return;
            }
            Frame& f = t.stack.back();
            if (f.pc == f.block->size()) {
                const int timeout = f.timeout;
                t.stack.pop_back();
                if (timeout >= 0) {  // the timeout block finished: __aexit__, then a phase sleep
                    if (exit_timeout(timeout, std::nullopt))
                        throw std::logic_error("model: TimeoutError without error");
                    sleep(k, 1);
                    return;
                }
                continue;
            }
            const Stmt& s = (*f.block)[f.pc++];
            using K = Stmt::Kind;
            switch (s.kind) {
            case K::sleep: sleep(k, s.n); return;
            case K::yield: ++t.yields; break;
            case K::raise: throw_into(k, Exc{false, false, std::to_string(s.n)}); return;
            case K::spawn: spawn(s.node, k); break;
            case K::await_task: {
                Task& y = tasks_[s.node];
                if (pred_.outcome.nodes[s.node].kind == Fate::Kind::not_spawned) break;
                if (y.st == St::done) {
                    if (y.has_result) {
                        t.acc += pred_.outcome.nodes[s.node].value;
                        sleep(k, 1);
                    } else {
                        after_failed_wait(k, y.exc);
                    }
                    return;
                }
                t.st = St::awaiting;
                t.awaiting = s.node;
                y.awaiters.push_back(k);
                return;
            }
            case K::gather: {
                int g = static_cast<int>(gathers_.size());
                gathers_.push_back({s.nodes, k, 0, false, false});
                for (int c : s.nodes) {
                    spawn(c, k);
                    tasks_[c].gathers.push_back(g);
                }
                t.st = St::gathering;
                t.gathering = g;
                if (s.nodes.empty()) complete_gather(g, {});
                return;
            }
            case K::cancel:
                if (pred_.outcome.nodes[s.node].kind == Fate::Kind::not_spawned) break;
                cancel(s.node, k);
                sleep(k, 1);
                return;
            case K::try_catch: t.stack.push_back({&s.body, 0, &s.handler}); break;
            case K::nested_run: break;
            case K::timeout: {
                const int id = enter_timeout(k, s.n);
                t.stack.push_back({&s.body, 0, nullptr, id});
                break;
            }
            case K::wait_for: {
                // The coroutine runs inside this task: model it as a task started at once
                // and awaited, inside a timeout frame that the await's end closes.
                const int id = enter_timeout(k, s.n);
                t.stack.push_back({&empty_block_, 0, nullptr, id});
                tasks_[s.node].is_inline = true;
                spawn(s.node, k, /*inline_start=*/true);
                Task& y = tasks_[s.node];
                if (y.st == St::done) throw std::logic_error("model: wait_for's node ended at once");
                t.st = St::awaiting;
                t.awaiting = s.node;
                y.awaiters.push_back(k);
                return;
            }
            case K::task_group: {
                int g = static_cast<int>(groups_.size());
                groups_.push_back({});
                groups_[g].parent = k;
                for (int c : s.nodes) {
                    spawn(c, k);
                    tasks_[c].groups.push_back(g);
                    groups_[g].children.push_back(c);
                    ++groups_[g].pending;
                }
                group_wait(k, g);
                return;
            }
            }
        }
    }

    // The await ended with e: CancelledError propagates at once; a ProgError waits out a
    // phase sleep first.
    void after_failed_wait(int k, Exc e) {
        if (e.cancelled) {
            throw_into(k, e);
            return;
        }
        tasks_[k].rethrow = e;
        sleep(k, 1);
    }

    // asyncio Task.cancel(); `by` is the cancelling task (-1 for run()'s shutdown).
    // The asyncio task that runs node k's code.
    int root(int k) const { return tasks_[k].is_inline ? root(tasks_[k].parent) : k; }

    // `count`: a Task.cancel() call (counted by cancelling()); false when the cancellation
    // only travels from a task into the wait_for node it runs inline.
    bool cancel(int k, int by = -1, bool count = true) {
        Task& t = tasks_[k];
        if (t.st == St::done) return false;
        if (count && !shutdown_asked_.empty()) {
            if (shutdown_asked_[static_cast<std::size_t>(k)]) return true;
            shutdown_asked_[static_cast<std::size_t>(k)] = true;
        }
        if (count) ++tasks_[root(k)].cancelling;
        switch (t.st) {
        case St::unstarted:
            if (by >= 0 && by == t.parent && tasks_[by].yields != t.spawn_yields) pred_.ambiguous = true;
            t.must_cancel = true;
            return true;
        case St::sleeping:
            timers_.erase(t.timer);
            t.st = St::ready;
            post([this, k] { resume(k, Resume{0, cancelled_error}); });
            return true;
        case St::awaiting:
            if (cancel(t.awaiting, -1, !tasks_[t.awaiting].is_inline)) return true;
            break;
        case St::gathering:
            if (cancel_gather(t.gathering)) return true;
            break;
        case St::grouping: {
            GroupState& gs = groups_[t.grouping];
            if (!gs.fut_done) {  // _on_completed_fut.cancel()
                gs.fut_done = true;
                const int g = t.grouping;
                post([this, k, g] { group_resume(k, g, true); });
                return true;
            }
            break;
        }
        default: break;
        }
        t.must_cancel = true;
        return true;
    }

    bool cancel_gather(int g) {
        GatherState& gs = gathers_[g];
        if (gs.done) return false;
        bool any = false;
        for (int c : gs.children)
            if (cancel(c)) any = true;
        if (any) gs.cancel_requested = true;
        return any;
    }

    void finish(int k, std::optional<Exc> e) {
        if (k == 0) {
            // run() cancels what is pending now. A task spawned in this instant whose spawner
            // yielded since has started in asyncio's order, but a policy that may run the
            // spawner's continuation first (random, pct) can end main before its first step.
            for (int j : creation_order_) {
                const Task& c = tasks_[j];
                if (c.parent >= 0 && c.spawn_time == now_ && tasks_[c.parent].yields != c.spawn_yields)
                    pred_.ambiguous = true;
            }
        }
        Task& t = tasks_[k];
        t.st = St::done;
        Fate& f = pred_.outcome.nodes[k];
        f.end = units();
        if (!e) {
            f.kind = Fate::Kind::returned;
            f.value = t.acc;
        } else if (e->cancelled) {
            t.exc = *e;
            f.kind = Fate::Kind::cancelled;
            if (f.started) ++f.cleanups;
        } else {
            t.exc = *e;
            f.kind = Fate::Kind::raised;
            f.error = e->text;
        }
        // Done-callbacks run on a later pass, in registration order.
        for (int w : t.awaiters) post([this, w, k] { wake_awaiter(w, k); });
        t.awaiters.clear();
        for (int g : t.gathers) post([this, g, k] { gather_child_done(g, k); });
        for (int g : t.groups) post([this, g, k] { group_child_done(g, k); });
    }

    void wake_awaiter(int w, int k) {
        Task& t = tasks_[w];
        if (t.st != St::awaiting || t.awaiting != k) return;
        t.awaiting = -1;
        const Task& y = tasks_[k];
        if (!t.stack.empty() && t.stack.back().block == &empty_block_) {  // wait_for(node k) ended
            const int id = t.stack.back().timeout;
            t.stack.pop_back();
            std::optional<Exc> e;
            if (!y.has_result) e = y.exc;
            if (t.must_cancel) {
                t.must_cancel = false;
                e = cancelled_error;
            }
            if (exit_timeout(id, e)) {
                timed_out(w);
                return;
            }
            if (!e) {
                t.acc += pred_.outcome.nodes[k].value;
                sleep(w, 1);
            } else {
                after_failed_wait(w, *e);
            }
            return;
        }
        if (y.has_result) {
            t.acc += pred_.outcome.nodes[k].value;
            if (t.must_cancel) {
                t.must_cancel = false;
                throw_into(w, cancelled_error);
                return;
            }
            sleep(w, 1);
        } else {
            Exc e = y.exc;
            if (t.must_cancel) {
                t.must_cancel = false;
                e = cancelled_error;
            }
            after_failed_wait(w, e);
        }
    }

    // __aexit__: `while self._tasks: await self._on_completed_fut`, then the verdict.
    void group_wait(int k, int g) {
        GroupState& gs = groups_[g];
        Task& t = tasks_[k];
        if (gs.pending > 0) {
            gs.fut_done = false;
            t.st = St::grouping;
            t.grouping = g;
            return;
        }
        t.grouping = -1;
        if (gs.propagate_cancel && gs.errors.empty()) {
            throw_into(k, cancelled_error);
            return;
        }
        if (!gs.errors.empty()) {
            std::string text = "g(";
            for (std::size_t i = 0; i < gs.errors.size(); ++i) text += (i ? "," : "") + gs.errors[i].text;
            after_failed_wait(k, Exc{false, true, text + ")"});
            return;
        }
        for (int c : gs.children)
            if (tasks_[c].has_result) t.acc += pred_.outcome.nodes[c].value;
        sleep(k, 1);
    }

    // The parent's await of _on_completed_fut ended (cancelled: CancelledError).
    void group_resume(int k, int g, bool cancelled) {
        Task& t = tasks_[k];
        if (t.st != St::grouping || t.grouping != g) return;
        if (t.must_cancel) {
            t.must_cancel = false;
            cancelled = true;
        }
        GroupState& gs = groups_[g];
        if (cancelled && !gs.aborting) {
            gs.propagate_cancel = true;
            group_abort(g);
        }
        group_wait(k, g);
    }

    void group_abort(int g) {
        groups_[g].aborting = true;
        for (int c : groups_[g].children)
            if (tasks_[c].st != St::done) cancel(c);
    }

    // _on_task_done
    void group_child_done(int g, int c) {
        GroupState& gs = groups_[g];
        --gs.pending;
        if (gs.pending == 0 && tasks_[gs.parent].st == St::grouping && tasks_[gs.parent].grouping == g &&
            !gs.fut_done) {
            gs.fut_done = true;
            const int parent = gs.parent;
            post([this, parent, g] { group_resume(parent, g, false); });
        }
        const Task& t = tasks_[c];
        if (t.has_result || t.exc.cancelled) return;
        gs.errors.push_back(t.exc);
        if (!gs.aborting && !gs.parent_cancel_requested) {
            group_abort(g);
            gs.parent_cancel_requested = true;
            cancel(gs.parent);
        }
    }

    void gather_child_done(int g, int k) {
        GatherState& gs = gathers_[g];
        ++gs.finished;
        if (gs.done) return;
        const Task& c = tasks_[k];
        if (!c.has_result) {
            if (belief_ == ModelBelief::gather_cancels_siblings)
                for (int other : gs.children) cancel(other);
            complete_gather(g, c.exc);
            return;
        }
        if (gs.finished == static_cast<int>(gs.children.size()))
            complete_gather(g, gs.cancel_requested ? std::optional<Exc>(cancelled_error) : std::nullopt);
    }

    void complete_gather(int g, std::optional<Exc> e) {
        GatherState& gs = gathers_[g];
        gs.done = true;
        int w = gs.waiter;
        int sum = 0;
        if (!e)
            for (int c : gs.children) sum += pred_.outcome.nodes[c].value;
        post([this, w, g, e, sum] {
            Task& t = tasks_[w];
            if (t.st != St::gathering || t.gathering != g) return;
            t.gathering = -1;
            std::optional<Exc> ex = e;
            if (t.must_cancel) {
                t.must_cancel = false;
                ex = cancelled_error;
            }
            if (ex) {
                after_failed_wait(w, *ex);
                return;
            }
            t.acc += sum;
            sleep(w, 1);
        });
    }

    const Program& p_;
    ModelBelief belief_;
    std::vector<Task> tasks_;
    std::vector<GatherState> gathers_;
    std::vector<GroupState> groups_;
    std::vector<TimeoutState> timeouts_;
    const Block empty_block_;
    std::vector<int> creation_order_;
    std::vector<bool> shutdown_asked_;  // during run()'s shutdown: the tasks cancel() reached
    std::deque<std::function<void()>> work_;
    std::map<std::pair<std::int64_t, std::uint64_t>, int> timers_;
    std::int64_t now_ = 0;
    std::uint64_t seq_ = 0;
    Prediction pred_;
};

}  // namespace

Prediction predict(const Program& p, ModelBelief belief) {
    if (!p.phased) throw std::logic_error("predict(): the model needs a phased program");
    return Model(p, belief).run();
}

}  // namespace aio::props
