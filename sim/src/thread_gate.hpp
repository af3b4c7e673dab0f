#pragma once
// The thread gate of the simulator's to_thread: functions run on real worker threads (the
// gate's own pool) while the loop keeps running; their completions are held here, in
// submission order, until the loop lets them in at a deterministic point (SimLoop's
// complete_threads). Workers share only a finished-count with the loop, so no loop object is
// touched off the loop's thread.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aio/clock.hpp"
#include "aio/executor.hpp"

namespace aio::sim::loop_parts {

/// A submitted job's completion and who submitted it.
struct ThreadJob {
    std::function<void()> done;  // run on the loop's thread once let in
    std::uint64_t task = 0;
    std::string task_name;
    std::uint64_t submit_step = 0;
};

class ThreadGate {
public:
    ThreadGate();
    ~ThreadGate();
    ThreadGate(const ThreadGate&) = delete;
    ThreadGate& operator=(const ThreadGate&) = delete;

    /// Runs `job` on a worker (its exception, if any, is dropped: to_thread's job stores its
    /// own) and holds `completion` until taken; returns the held completion.
    const ThreadJob& submit(std::function<void()> job, ThreadJob completion);

    /// The held completions, in submission order.
    const std::vector<ThreadJob>& in_flight() const noexcept { return in_flight_; }
    bool empty() const noexcept { return in_flight_.empty(); }

    enum class Wait {
        finished,  // every submitted job has finished
        posted,    // `posted()` turned true first (a worker posted a callback and may wait for it)
        stuck,     // `timeout` of real time passed first
    };
    /// Blocks until every submitted job has finished, looking at `posted()` every 20 ms.
    Wait wait_all(Duration timeout, const std::function<bool()>& posted);
    /// Takes the k-th held completion out.
    ThreadJob take(std::size_t k);
    /// Gives up on the jobs in flight: their completions are dropped and their workers joined
    /// by a detached thread whenever they finish.
    void abandon();
    /// At the loop's end: waits up to `timeout` for the jobs in flight, then abandons them.
    void shutdown(Duration timeout);

private:
    struct Sync;
    std::shared_ptr<Sync> sync_;
    std::unique_ptr<ThreadPoolExecutor> pool_;
    std::vector<ThreadJob> in_flight_;  // submission order
    std::uint64_t submitted_ = 0;
};

}  // namespace aio::sim::loop_parts
