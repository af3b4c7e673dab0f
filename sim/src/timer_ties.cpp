// Timer ties: creation instants and the chains of simultaneous timers.
#include "timer_ties.hpp"

#include <algorithm>
#include <iterator>

#include "aio/detail/ready_queue.hpp"
#include "aio/detail/task_state.hpp"

namespace aio::sim::loop_parts {

void TimerTies::timer_added(std::uint64_t seq, TimePoint now, const aio::detail::TimerHeap& heap) {
    if (instants_.empty() || instants_.back().second != now) {
        if (instants_.size() > 2 * heap.size() + 64) prune(heap);
        instants_.emplace_back(seq, now);
    }
}

std::uint64_t TimerTies::chain_task(const void* ctx, std::size_t i) {
    const TimerTies& self = *static_cast<const TimerTies*>(ctx);
    const aio::detail::TaskBase* t = (*self.due_)[self.chains_[i].first].on_expire.task;
    return t ? t->id() : 0;
}

TimePoint TimerTies::instant_of(std::uint64_t seq) const {
    auto it = std::upper_bound(instants_.begin(), instants_.end(), seq,
                               [](std::uint64_t s, const auto& e) { return s < e.first; });
    return it == instants_.begin() ? TimePoint{} : std::prev(it)->second;
}

void TimerTies::prune(const aio::detail::TimerHeap& heap) {
    std::uint64_t min_seq = UINT64_MAX;
    for (std::size_t i = 0; i < heap.size(); ++i) min_seq = std::min(min_seq, heap[i]->seq);
    // Keep the run containing min_seq and everything after it.
    auto it = std::upper_bound(instants_.begin(), instants_.end(), min_seq,
                               [](std::uint64_t s, const auto& e) { return s < e.first; });
    if (it != instants_.begin()) instants_.erase(instants_.begin(), std::prev(it));
}

}  // namespace aio::sim::loop_parts
