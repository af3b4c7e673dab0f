#include "aio/detail/threadsafe_inbox.hpp"

#include "aio/detail/callback.hpp"

namespace aio::detail {

bool ThreadsafeInbox::post(const ReadyEntry& e) {
    std::lock_guard lk(mu_);
    if (closed_) return false;
    entries_.push_back(e);
    pending_.store(true, std::memory_order_release);
    return true;
}

std::size_t ThreadsafeInbox::drain_into(ReadyQueue& ready) {
    if (!pending()) return 0;
    std::vector<ReadyEntry> got;
    {
        std::lock_guard lk(mu_);
        got.swap(entries_);
        pending_.store(false, std::memory_order_release);
    }
    for (auto& e : got) ready.push_back(e);
    return got.size();
}

void ThreadsafeInbox::close() noexcept {
    std::lock_guard lk(mu_);
    closed_ = true;
}

void ThreadsafeInbox::drop_all() noexcept {
    std::lock_guard lk(mu_);
    for (auto& e : entries_) drop_entry(e);
    entries_.clear();
    pending_.store(false, std::memory_order_release);
}

}  // namespace aio::detail
