#pragma once
// The conflict tracker of a simulated run: which objects each task step touches (the runtime's
// access observer, aio/detail/access_observer.hpp), for
//  - exploration coverage (Config::coverage): the await point of every task step, the
//    ordered conflicting pairs (consecutive steps of different tasks that touch the same
//    object, in the order taken), and the hash of the run's order of task steps
//    (RunCoverage, aio/sim/coverage.hpp);
//  - the conflict query of ready choices (ChoicePoint::conflicts_of), for policies that ask.
//
// It is also the loop's observer while installed, passing every event on to the trace
// recorder (when tracing), so the two share the loop's single observer slot.
//
// A step is a ready entry: touches made while loop.steps_run() is unchanged belong to it. The
// task of a touch is the loop's current task, or the task whose step began at this count (its
// completion runs after it left the loop's current task), or none (a plain callback: it counts
// for the conflict query, never for pairs). An object is a serial index, given at its first touch
// in the run's order; its address maps to that index only until the object reports its end
// (AccessObserver::ended), so a later object at a reused address gets a fresh index: which
// addresses the allocator reuses never changes a conflict or a pair. The address map is used for
// lookups only; every output follows the run's order.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "aio/detail/access_observer.hpp"
#include "aio/detail/loop_observer.hpp"
#include "aio/event_loop.hpp"
#include "aio/sim/coverage.hpp"

namespace aio::sim::loop_parts {

struct PointTable;  // coverage_tracker.cpp: await points' names, shared by a thread's runs

class CoverageTracker final : public aio::detail::LoopObserver, public aio::detail::AccessObserver {
public:
    /// `record`: keep await points, pairs and the order hash (Config::coverage); without it
    /// only the conflict query is served.
    CoverageTracker(const EventLoop& loop, bool record);

    /// A tracker for a run of `loop`: the one this thread recycled last (its containers keep
    /// their capacity: a run allocates nothing the previous run on the thread already had),
    /// reset, or a new one.
    static std::unique_ptr<CoverageTracker> make(const EventLoop& loop, bool record);
    /// Keeps `t` for the next make() on this thread (one spare per thread).
    static void recycle(std::unique_ptr<CoverageTracker> t) noexcept;

    /// The observer events go on to (the trace recorder), or null.
    void set_next(aio::detail::LoopObserver* next) noexcept { next_ = next; }

    /// What the run showed so far (a copy: the run may go on).
    RunCoverage coverage() const;

    /// ChoicePoint::conflicts_of for a ready choice over `ready`: whether candidate i's step
    /// may conflict with the step that ran last: its task is that step's, or that step woke
    /// it, or its own last step touched an object that step touched. A plain callback: true
    /// (what it touches is known only once it runs).
    bool conflicts(const aio::detail::ReadyQueue& ready, std::size_t i) const;

    // AccessObserver
    void touched(const void* obj) noexcept override;
    void scheduled(const aio::detail::ReadyEntry& e) noexcept override;
    void ended(const void* obj) noexcept override;

    // LoopObserver: passed on to next_; task_step also begins the step.
    void task_created(aio::detail::TaskBase& t) override {
        if (next_) next_->task_created(t);
    }
    void task_step(aio::detail::TaskBase& t) override;
    void task_done(aio::detail::TaskBase& t) override {
        if (next_) next_->task_done(t);
    }
    void cancel_requested(aio::detail::TaskBase& t, const std::optional<std::string>& msg) override {
        if (next_) next_->cancel_requested(t, msg);
    }
    void timer_scheduled(const aio::detail::TimerNode& n, aio::detail::TaskBase* t) override {
        if (next_) next_->timer_scheduled(n, t);
    }
    void timer_fired(const aio::detail::TimerNode& n, aio::detail::TaskBase* t) override {
        if (next_) next_->timer_fired(n, t);
    }
    void span_begin(std::uint64_t task, std::string_view task_name, std::string_view label) override {
        if (next_) next_->span_begin(task, task_name, label);
    }
    void span_end(std::uint64_t task, std::string_view task_name, std::string_view label) override {
        if (next_) next_->span_end(task, task_name, label);
    }

private:
    static constexpr std::uint32_t no_point = UINT32_MAX;

    struct TaskRec {
        std::uint64_t serial = 0;              // steps_run() when its last step began
        std::uint32_t point = no_point;        // that step's await point
        std::vector<std::uint32_t> touched{};  // what that step touched (object indices), each once
    };
    struct ObjRec {
        std::uint64_t task = 0;          // the last task step that touched it (0: none yet)
        std::uint32_t point = no_point;  // that step's await point
        std::uint64_t task_serial = 0;   // that step's serial
        std::uint64_t any_serial = 0;    // the serial of the last step (task or callback) that touched it
    };
    // The step that ran last (the latest serial that touched, woke or began a task step).
    struct LastStep {
        std::uint64_t serial = UINT64_MAX;
        std::uint64_t task = 0;
        std::vector<std::uint64_t> woken{};
    };

    // The task a touch at this moment belongs to (0: a plain callback).
    std::uint64_t touching_task() const noexcept;
    LastStep& last_step(std::uint64_t task);
    TaskRec& task_rec(std::uint64_t id);
    std::uint32_t await_point(const aio::detail::TaskBase& t);
    // This run's index of a point of the thread's table (point_table() in the .cpp), given at
    // its first use in the run.
    std::uint32_t local_point(std::uint32_t global);
    // Back to a fresh run's state, keeping capacity.
    void reset(const EventLoop& loop, bool record) noexcept;

    const EventLoop* loop_;
    bool record_;
    aio::detail::LoopObserver* next_ = nullptr;
    std::vector<TaskRec> tasks_;                                // by task id
    std::size_t tasks_used_ = 0;                                // entries of tasks_ this run uses
    std::unordered_map<const void*, std::uint32_t> object_of_;  // a live object's index, by address
    std::vector<ObjRec> objects_;                               // by object index
    LastStep last_;
    std::uint64_t step_task_ = 0;             // the task whose step began last
    std::uint64_t step_serial_ = UINT64_MAX;  // and when

    // Coverage (record_ only). Point names live in the thread's table (formatted once per
    // source location per thread, not once per run); a run keeps the table's ids of its
    // points in first-seen order, and where each stands in that list.
    std::shared_ptr<PointTable> table_;  // the names (of the thread that made the tracker)
    std::vector<std::uint32_t> points_;  // table ids, in first-seen order
    struct Local {
        std::uint64_t run = 0;    // the run (run_) it was given in
        std::uint32_t index = 0;  // its index in points_
    };
    std::vector<Local> local_of_;  // by table id
    std::uint64_t run_ = 1;        // this run's number on this tracker (stamps local_of_)
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs_;
    std::unordered_set<std::uint64_t> pair_seen_;
    std::uint64_t order_hash_ = 0xcbf29ce484222325ull;
};

/// Whether a source file is part of the library (its frames are skipped when naming an await
/// point): a public header (".../include/aio/...") or a source file of runtime/src, sim/src or
/// properties/src. Everything else is user code (tests, scenarios, programs).
bool is_library_file(std::string_view path) noexcept;

/// "cache.cpp:42": the base name of `path` and the line.
std::string point_name(std::string_view path, std::uint32_t line);
/// "cache.cpp (start)": the first step of a task created by the library, by its coroutine's file.
std::string start_name(std::string_view path);

}  // namespace aio::sim::loop_parts
