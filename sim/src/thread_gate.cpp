// The simulator's to_thread gate.
#include "thread_gate.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace aio::sim::loop_parts {

// Shared with the worker threads: only a count, so no loop object is touched off-thread.
struct ThreadGate::Sync {
    std::mutex mu;
    std::condition_variable cv;
    std::uint64_t finished = 0;
};

ThreadGate::ThreadGate() = default;
ThreadGate::~ThreadGate() = default;

const ThreadJob& ThreadGate::submit(std::function<void()> job, ThreadJob completion) {
    if (!pool_) {
        pool_ = std::make_unique<ThreadPoolExecutor>();
        if (!sync_) sync_ = std::make_shared<Sync>();
    }
    pool_->submit([sync = sync_, job = std::move(job)]() mutable {
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
    ++submitted_;
    in_flight_.push_back(std::move(completion));
    return in_flight_.back();
}

ThreadGate::Wait ThreadGate::wait_all(Duration timeout, const std::function<bool()>& posted) {
    std::unique_lock lk(sync_->mu);
    const auto t0 = std::chrono::steady_clock::now();
    while (sync_->finished < submitted_) {
        if (sync_->cv.wait_for(lk, std::chrono::milliseconds(20)) != std::cv_status::timeout) continue;
        if (posted()) return Wait::posted;
        if (std::chrono::steady_clock::now() - t0 >= timeout) return Wait::stuck;
    }
    return Wait::finished;
}

ThreadJob ThreadGate::take(std::size_t k) {
    ThreadJob job = std::move(in_flight_[k]);
    in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(k));
    return job;
}

void ThreadGate::abandon() {
    in_flight_.clear();
    submitted_ = 0;
    sync_ = std::make_shared<Sync>();
    if (pool_) std::thread([p = std::move(pool_)]() mutable { p.reset(); }).detach();
}

void ThreadGate::shutdown(Duration timeout) {
    if (!pool_) return;
    bool all_done;
    {
        std::unique_lock lk(sync_->mu);
        all_done = sync_->cv.wait_for(lk, timeout, [&] { return sync_->finished >= submitted_; });
    }
    if (all_done)
        pool_.reset();
    else
        abandon();
}

}  // namespace aio::sim::loop_parts
