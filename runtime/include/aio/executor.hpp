#pragma once
// aio::ThreadPoolExecutor: the loop's default executor (asyncio's ThreadPoolExecutor), where
// to_thread() runs blocking functions. Threads are started lazily, one per submitted job that
// finds no idle worker, up to max_workers (default min(32, hardware threads + 4), as CPython).
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace aio {

class ThreadPoolExecutor {
public:
    explicit ThreadPoolExecutor(std::size_t max_workers = default_max_workers());
    ~ThreadPoolExecutor();  // shutdown(true)
    ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
    ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;

    /// Runs job on a worker thread. Throws aio::RuntimeError after shutdown().
    void submit(std::function<void()> job);
    /// Stops accepting jobs; with wait, runs the queued jobs and joins every worker.
    void shutdown(bool wait = true);
    bool is_shutdown() const;
    std::size_t max_workers() const noexcept { return max_workers_; }

    static std::size_t default_max_workers();

private:
    void worker_main();

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> jobs_;
    std::vector<std::thread> workers_;
    std::size_t idle_ = 0;
    std::size_t max_workers_;
    bool shutdown_ = false;
};

namespace detail {
/// How many executors EventLoop::shutdown_default_executor() abandoned (a timeout) whose
/// workers have not all finished yet (tests wait for 0 before they end).
std::size_t executors_being_abandoned() noexcept;
}  // namespace detail

}  // namespace aio
