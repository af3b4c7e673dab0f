#pragma once
// The loop's inbox for call_soon_threadsafe(): the only part of a loop other threads touch.
// Other threads post entries; the loop's thread drains them into its ready queue at the start
// of each pass. Posting does not wake the loop: the caller then calls the driver's wake().
#include <atomic>
#include <cstddef>
#include <mutex>
#include <vector>

#include "aio/detail/ready_queue.hpp"

namespace aio::detail {

class ThreadsafeInbox {
public:
    /// Adds e (any thread). Returns false, and keeps nothing, once the inbox is closed.
    bool post(const ReadyEntry& e);
    /// True when something was posted and not drained yet (any thread; the loop reads it
    /// before it waits).
    bool pending() const noexcept { return pending_.load(std::memory_order_acquire); }
    /// Moves what was posted into `ready`, in posting order; returns how many (loop thread).
    std::size_t drain_into(ReadyQueue& ready);
    /// From now on post() refuses (the loop closes).
    void close() noexcept;
    /// Drops everything posted and not drained (drop_entry on each).
    void drop_all() noexcept;

private:
    std::mutex mu_;
    std::vector<ReadyEntry> entries_;
    std::atomic<bool> pending_{false};
    bool closed_ = false;
};

}  // namespace aio::detail
