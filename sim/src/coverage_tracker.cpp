#include "coverage_tracker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "aio/detail/task_state.hpp"

namespace aio::sim::loop_parts {

namespace {

// The hash of the order: FNV-1a over each step's task id, byte by byte (least significant
// first), so it is defined on the values and the same on every machine.
std::uint64_t mix(std::uint64_t h, std::uint64_t v) noexcept {
    for (int b = 0; b < 8; ++b) {
        h ^= (v >> (8 * b)) & 0xffu;
        h *= 0x100000001b3ull;
    }
    return h;
}

bool has_segment(std::string_view path, std::string_view segment) noexcept {
    for (std::size_t at = path.find(segment); at != std::string_view::npos; at = path.find(segment, at + 1))
        if (at == 0 || path[at - 1] == '/') return true;
    return false;
}

}  // namespace

// The await points' names of this thread's runs: a source location (file_name() pointer and
// line) gets its name ("cache.cpp:42") and whether a file is the library's once per thread,
// not once per run. Ids are the table's own, never output: a run lists its points by name in
// its own first-seen order (RunCoverage::points). Bounded by the program's source locations.
// A file_name() pointer is a lookup key only (a static string of the binary).
struct PointTable {
    struct LocKey {
        const char* file;
        std::uint32_t line;
        bool operator==(const LocKey&) const = default;
    };
    struct LocHash {
        std::size_t operator()(const LocKey& k) const noexcept {
            return std::hash<const char*>()(k.file) * 31u + k.line;
        }
    };
    std::vector<std::string> names;
    std::unordered_map<std::string, std::uint32_t> by_name;
    std::unordered_map<LocKey, std::uint32_t, LocHash> by_loc;
    std::unordered_map<const char*, bool> library;  // by a source_location's file_name()

    std::uint32_t named(std::string name) {
        auto [it, fresh] = by_name.try_emplace(std::move(name), static_cast<std::uint32_t>(names.size()));
        if (fresh) names.push_back(it->first);
        return it->second;
    }
    std::uint32_t at(const char* file, std::uint32_t line);
    bool library_file(const char* file) {
        auto it = library.find(file);
        if (it != library.end()) return it->second;
        const bool lib = is_library_file(file);
        library.emplace(file, lib);
        return lib;
    }
};

namespace {

// This thread's table. A tracker holds its own reference (taken when it is made for a run), so
// its names stay valid wherever the loop ends and whenever the thread exits.
const std::shared_ptr<PointTable>& point_table() {
    thread_local const std::shared_ptr<PointTable> table = std::make_shared<PointTable>();
    return table;
}

// The spare tracker of this thread (CoverageTracker::recycle). Once it is destroyed (the
// thread exits) spare_gone is set: a loop destroyed later in the exit does not recycle.
thread_local bool spare_gone = false;
struct Spare {
    std::unique_ptr<CoverageTracker> tracker;
    ~Spare() { spare_gone = true; }
};
thread_local Spare spare;

}  // namespace

bool is_library_file(std::string_view path) noexcept {
    std::string buf;  // paths written with backslashes (MSVC-style) compare as with slashes
    if (path.find('\\') != std::string_view::npos) {
        buf.assign(path);
        std::replace(buf.begin(), buf.end(), '\\', '/');
        path = buf;
    }
    return has_segment(path, "include/aio/") || has_segment(path, "runtime/src/") || has_segment(path, "sim/src/") ||
           has_segment(path, "properties/src/");
}

std::string start_name(std::string_view path) {
    const std::size_t slash = path.find_last_of("/\\");
    if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
    return fmt::format("{} (start)", path);
}

std::string point_name(std::string_view path, std::uint32_t line) {
    const std::size_t slash = path.find_last_of("/\\");
    if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
    return fmt::format("{}:{}", path, line);
}

std::uint32_t PointTable::at(const char* file, std::uint32_t line) {
    const LocKey key{file, line};
    auto it = by_loc.find(key);
    if (it != by_loc.end()) return it->second;
    // Line 0: a task's first step named by its coroutine's file (no line: see await_point).
    const std::uint32_t p = named(line == 0 ? start_name(file) : point_name(file, line));
    by_loc.emplace(key, p);
    return p;
}

std::unique_ptr<CoverageTracker> CoverageTracker::make(const EventLoop& loop, bool record) {
    if (!spare_gone && spare.tracker) {
        std::unique_ptr<CoverageTracker> t = std::move(spare.tracker);
        t->reset(loop, record);
        return t;
    }
    return std::make_unique<CoverageTracker>(loop, record);
}

void CoverageTracker::recycle(std::unique_ptr<CoverageTracker> t) noexcept {
    if (!spare_gone && t) spare.tracker = std::move(t);
}

CoverageTracker::CoverageTracker(const EventLoop& loop, bool record) : loop_(&loop), record_(record) {
    if (record_) table_ = point_table();
}

void CoverageTracker::reset(const EventLoop& loop, bool record) noexcept {
    if (record && !table_) table_ = point_table();
    loop_ = &loop;
    record_ = record;
    next_ = nullptr;
    tasks_used_ = 0;
    object_of_.clear();
    objects_.clear();
    last_.serial = UINT64_MAX;
    last_.task = 0;
    last_.woken.clear();
    step_task_ = 0;
    step_serial_ = UINT64_MAX;
    points_.clear();
    ++run_;  // every local_of_ entry is stale
    pairs_.clear();
    pair_seen_.clear();
    order_hash_ = 0xcbf29ce484222325ull;
}

RunCoverage CoverageTracker::coverage() const {
    RunCoverage c;
    const PointTable& table = *table_;
    c.points.reserve(points_.size());
    for (const std::uint32_t p : points_) c.points.push_back(table.names[p]);
    c.pairs = pairs_;
    c.order_hash = order_hash_;
    return c;
}

std::uint32_t CoverageTracker::local_point(std::uint32_t global) {
    if (local_of_.size() <= global) local_of_.resize(global + 1);
    Local& l = local_of_[global];
    if (l.run != run_) {
        l.run = run_;
        l.index = static_cast<std::uint32_t>(points_.size());
        points_.push_back(global);
    }
    return l.index;
}

std::uint64_t CoverageTracker::touching_task() const noexcept {
    if (const aio::detail::TaskBase* t = loop_->current_task_raw()) return t->id();
    if (loop_->steps_run() == step_serial_) return step_task_;  // a task's completion, after its step
    return 0;
}

CoverageTracker::LastStep& CoverageTracker::last_step(std::uint64_t task) {
    const std::uint64_t serial = loop_->steps_run();
    if (last_.serial != serial) {
        last_.serial = serial;
        last_.task = task;
        last_.woken.clear();
    }
    return last_;
}

CoverageTracker::TaskRec& CoverageTracker::task_rec(std::uint64_t id) {
    if (tasks_used_ <= id) {
        if (tasks_.size() <= id) tasks_.resize(id + 1);
        for (std::size_t i = tasks_used_; i <= id; ++i) {  // a previous run's: to a fresh record
            TaskRec& r = tasks_[i];
            r.serial = 0;
            r.point = no_point;
            r.touched.clear();
        }
        tasks_used_ = id + 1;
    }
    return tasks_[id];
}

void CoverageTracker::touched(const void* obj) noexcept {
    const std::uint64_t serial = loop_->steps_run();
    const std::uint64_t task = touching_task();
    last_step(task);
    auto [at, fresh] = object_of_.try_emplace(obj, static_cast<std::uint32_t>(objects_.size()));
    if (fresh) objects_.emplace_back();
    const std::uint32_t index = at->second;
    ObjRec& o = objects_[index];
    o.any_serial = serial;
    if (task == 0) return;                                  // a plain callback: no await point, no pair
    if (o.task == task && o.task_serial == serial) return;  // this step touched it already
    TaskRec& tr = task_rec(task);
    if (record_ && o.task != 0 && o.task != task && o.point != no_point && tr.point != no_point) {
        const std::uint64_t key = (std::uint64_t{o.point} << 32) | tr.point;
        if (pair_seen_.insert(key).second) pairs_.emplace_back(o.point, tr.point);
    }
    o.task = task;
    o.point = tr.point;
    o.task_serial = serial;
    tr.touched.push_back(index);
}

void CoverageTracker::ended(const void* obj) noexcept {
    // Its record stays (indices in tasks' touched lists still name it); only the address is freed.
    object_of_.erase(obj);
}

void CoverageTracker::scheduled(const aio::detail::ReadyEntry& e) noexcept {
    if (!e.task) return;
    LastStep& l = last_step(touching_task());
    const std::uint64_t id = e.task->id();
    if (std::find(l.woken.begin(), l.woken.end(), id) == l.woken.end()) l.woken.push_back(id);
}

void CoverageTracker::task_step(aio::detail::TaskBase& t) {
    if (next_) next_->task_step(t);
    const std::uint64_t serial = loop_->steps_run();
    const std::uint64_t id = t.id();
    step_task_ = id;
    step_serial_ = serial;
    last_step(id);
    TaskRec& tr = task_rec(id);
    tr.serial = serial;
    tr.touched.clear();
    order_hash_ = mix(order_hash_, id);
    if (record_) tr.point = await_point(t);
}

bool CoverageTracker::conflicts(const aio::detail::ReadyQueue& ready, std::size_t i) const {
    const aio::detail::TaskBase* t = ready[i].task;
    if (!t) return true;
    if (last_.serial != loop_->steps_run()) return false;  // the last step touched and woke nothing
    const std::uint64_t id = t->id();
    if (id == last_.task) return true;
    if (std::find(last_.woken.begin(), last_.woken.end(), id) != last_.woken.end()) return true;
    if (id >= tasks_used_) return false;
    for (const std::uint32_t obj : tasks_[id].touched)
        if (objects_[obj].any_serial == last_.serial) return true;
    return false;
}

// The deepest frame of t's await chain whose latest co_await is in user code; for a task's
// first step (no co_await yet), where it was created if that is user code. no_point for a step
// that runs only library code (aio::run's shutdown tasks): it makes no pair. The chain is walked
// in a loop (a million nested awaits are a million iterations, not a million calls).
std::uint32_t CoverageTracker::await_point(const aio::detail::TaskBase& t) {
    PointTable& table = *table_;
    const aio::detail::PromiseBase* root = t.root_promise();
    const std::source_location& created = t.created_at();
    const bool created_in_user_code = created.line() != 0 && !table.library_file(created.file_name());
    if (!t.started()) {
        // The first step: where the task was created, when user code created it; else the file
        // of its coroutine (a task of gather(), of aio::run) with no line (compilers disagree
        // on the line of a coroutine's definition).
        if (created_in_user_code) return local_point(table.at(created.file_name(), created.line()));
        if (root && root->where_.line() != 0 && !table.library_file(root->where_.file_name()))
            return local_point(table.at(root->where_.file_name(), 0));
        return no_point;  // the library's own task (aio::run's shutdown): no user await point
    }
    const std::source_location* best = nullptr;
    for (const aio::detail::PromiseBase* p = root; p; p = p->awaiting_) {
        const std::source_location& w = p->where_;
        if (w.line() != 0 && !table.library_file(w.file_name())) best = &w;
    }
    if (best) return local_point(table.at(best->file_name(), best->line()));
    if (created_in_user_code) return local_point(table.at(created.file_name(), created.line()));
    return no_point;
}

}  // namespace aio::sim::loop_parts
