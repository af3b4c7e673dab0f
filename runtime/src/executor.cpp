#include "aio/executor.hpp"

#include <algorithm>

#include "aio/errors.hpp"

namespace aio {

std::size_t ThreadPoolExecutor::default_max_workers() {
    std::size_t hw = std::max(1u, std::thread::hardware_concurrency());
    return std::min<std::size_t>(32, hw + 4);
}

ThreadPoolExecutor::ThreadPoolExecutor(std::size_t max_workers) : max_workers_(std::max<std::size_t>(1, max_workers)) {}

ThreadPoolExecutor::~ThreadPoolExecutor() { shutdown(true); }

bool ThreadPoolExecutor::is_shutdown() const {
    std::lock_guard lk(mu_);
    return shutdown_;
}

void ThreadPoolExecutor::submit(std::function<void()> job) {
    {
        std::lock_guard lk(mu_);
        if (shutdown_) throw RuntimeError("cannot schedule new work after the executor was shut down");
        jobs_.push_back(std::move(job));
        // Start a worker when none is idle to take the job (ThreadPoolExecutor's
        // _adjust_thread_count).
        if (idle_ < jobs_.size() && workers_.size() < max_workers_) workers_.emplace_back([this] { worker_main(); });
    }
    cv_.notify_one();
}

void ThreadPoolExecutor::shutdown(bool wait) {
    std::vector<std::thread> to_join;
    {
        std::lock_guard lk(mu_);
        shutdown_ = true;
        if (wait) to_join.swap(workers_);
    }
    cv_.notify_all();
    for (auto& t : to_join)
        if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
}

void ThreadPoolExecutor::worker_main() {
    std::unique_lock lk(mu_);
    for (;;) {
        ++idle_;
        cv_.wait(lk, [&] { return shutdown_ || !jobs_.empty(); });
        --idle_;
        if (jobs_.empty()) return;  // shut down and nothing left to run
        auto job = std::move(jobs_.front());
        jobs_.pop_front();
        lk.unlock();
        job();
        job = nullptr;
        lk.lock();
    }
}

}  // namespace aio
