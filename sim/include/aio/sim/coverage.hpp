#pragma once
// aio::sim::RunCoverage: what one simulated run showed about the order of the steps that touch
// the same object, for exploration coverage ("37 of 41 conflicting await-point pairs seen in
// both orders") and for the strategies that look at conflicts (pos).
//
// An await point is where a task step begins: the user-code source location of the co_await
// the task resumed from (library frames skipped), named "file.cpp:42" by the file's base
// name, so the name is the same on every machine. A task's first step (no co_await yet) is named
// by its create_task call when user code made it, else "file.cpp (start)" by its coroutine's
// file (gather's tasks, aio::run's main task); a step that runs only library code has no point
// and makes no pair. Plain callbacks are not steps here (neither points nor order_hash). Two steps conflict when they touch the same
// object (a future, a task, a sync primitive, a queue, a stream, or what aio::sim::touch()
// names) and belong to different tasks. Each conflicting pair is recorded once per run, in
// the order the run took: (a, b) means a step at a touched the object before a step at b.
//
// Filled when Config::coverage is set (RunRecord::coverage); off, it costs nothing but a
// branch per touch.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace aio::sim {

struct RunCoverage {
    /// The await points seen in the run, in first-seen order ("cache.cpp:42").
    std::vector<std::string> points{};
    /// Ordered conflicting pairs (indexes into points; first ran before second), each once,
    /// in first-seen order. A pair (a, a) is two tasks at the same await point.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs{};
    /// A hash of the run's order (the task of every step, in order), equal for equal orders:
    /// counts distinct schedules. Defined on values (task ids), never on addresses.
    std::uint64_t order_hash = 0;
    friend bool operator==(const RunCoverage&, const RunCoverage&) = default;
};

}  // namespace aio::sim
