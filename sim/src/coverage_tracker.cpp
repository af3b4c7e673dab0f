#include "coverage_tracker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

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

RunCoverage CoverageTracker::coverage() const {
    RunCoverage c;
    c.points = points_;
    c.pairs = pairs_;
    c.order_hash = order_hash_;
    return c;
}

std::uint64_t CoverageTracker::touching_task() const noexcept {
    if (const aio::detail::TaskBase* t = loop_.current_task_raw()) return t->id();
    if (loop_.steps_run() == step_serial_) return step_task_;  // a task's completion, after its step
    return 0;
}

CoverageTracker::LastStep& CoverageTracker::last_step(std::uint64_t task) {
    const std::uint64_t serial = loop_.steps_run();
    if (last_.serial != serial) {
        last_.serial = serial;
        last_.task = task;
        last_.woken.clear();
    }
    return last_;
}

CoverageTracker::TaskRec& CoverageTracker::task_rec(std::uint64_t id) {
    if (tasks_.size() <= id) tasks_.resize(id + 1);
    return tasks_[id];
}

void CoverageTracker::touched(const void* obj) noexcept {
    const std::uint64_t serial = loop_.steps_run();
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
    const std::uint64_t serial = loop_.steps_run();
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
    if (last_.serial != loop_.steps_run()) return false;  // the last step touched and woke nothing
    const std::uint64_t id = t->id();
    if (id == last_.task) return true;
    if (std::find(last_.woken.begin(), last_.woken.end(), id) != last_.woken.end()) return true;
    if (id >= tasks_.size()) return false;
    for (const std::uint32_t obj : tasks_[id].touched)
        if (objects_[obj].any_serial == last_.serial) return true;
    return false;
}

bool CoverageTracker::library_file(const char* file) {
    auto it = library_.find(file);
    if (it != library_.end()) return it->second;
    const bool lib = is_library_file(file);
    library_.emplace(file, lib);
    return lib;
}

std::uint32_t CoverageTracker::named_point(const std::string& name) {
    auto [it, fresh] = point_of_name_.emplace(name, static_cast<std::uint32_t>(points_.size()));
    if (fresh) points_.push_back(name);
    return it->second;
}

std::uint32_t CoverageTracker::point_index(const char* file, std::uint32_t line) {
    const LocKey key{file, line};
    auto it = point_of_loc_.find(key);
    if (it != point_of_loc_.end()) return it->second;
    const std::uint32_t p = named_point(point_name(file, line));
    point_of_loc_.emplace(key, p);
    return p;
}

// The deepest frame of t's await chain whose latest co_await is in user code; for a task's
// first step (no co_await yet), where it was created if that is user code. no_point for a step
// that runs only library code (aio::run's shutdown tasks): it makes no pair. The chain is walked
// in a loop (a million nested awaits are a million iterations, not a million calls).
std::uint32_t CoverageTracker::await_point(const aio::detail::TaskBase& t) {
    const aio::detail::PromiseBase* root = t.root_promise();
    const std::source_location& created = t.created_at();
    const bool created_in_user_code = created.line() != 0 && !library_file(created.file_name());
    if (!t.started()) {
        // The first step: where the task was created, when user code created it; else the file
        // of its coroutine (a task of gather(), of aio::run) with no line (compilers disagree
        // on the line of a coroutine's definition).
        if (created_in_user_code) return point_index(created.file_name(), created.line());
        if (root && root->where_.line() != 0 && !library_file(root->where_.file_name()))
            return named_point(start_name(root->where_.file_name()));
        return no_point;  // the library's own task (aio::run's shutdown): no user await point
    }
    const std::source_location* best = nullptr;
    for (const aio::detail::PromiseBase* p = root; p; p = p->awaiting_) {
        const std::source_location& w = p->where_;
        if (w.line() != 0 && !library_file(w.file_name())) best = &w;
    }
    if (best) return point_index(best->file_name(), best->line());
    if (created_in_user_code) return point_index(created.file_name(), created.line());
    return no_point;
}

}  // namespace aio::sim::loop_parts
