#pragma once
// Timer ties under the timers policy: the order in which timers due at the same instant fire.
// asyncio fires them in creation order; a real loop that reads the clock a little late may
// create them in another order, but only timers created at the same (virtual) instant can swap.
// So simultaneous timers form chains, one per creation instant, each in creation order, and
// every interleaving of the chains is a possible firing order.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "aio/clock.hpp"
#include "aio/loop_seam.hpp"
#include "aio/detail/timer_heap.hpp"

namespace aio::sim::loop_parts {

class TimerTies {
public:
    /// A timer was created (seq: its creation order) at virtual time `now`; `heap` holds every
    /// timer scheduled (to forget the instants of timers long gone).
    void timer_added(std::uint64_t seq, TimePoint now, const aio::detail::TimerHeap& heap);

    /// Who candidate chain i's next timer belongs to, for a ChoicePoint's task_of (ctx: this).
    static std::uint64_t chain_task(const void* ctx, std::size_t i);

    /// Fires every due timer: groups of the same deadline in an interleaving of their chains,
    /// choosing the next chain with decide(n, task_of, ctx) -> index < n.
    template <class Decide>
    void fire(seam::DueTimers& due, Decide&& decide) {
        due_ = &due;
        for (std::size_t g = 0; g < due.size();) {
            std::size_t h = g + 1;
            while (h < due.size() && due[h].when == due[g].when) ++h;
            if (h - g == 1) {
                for (; g < h; ++g) due.fire(g);
                continue;
            }
            chains_.clear();
            for (std::size_t k = g; k < h;) {
                std::size_t e = k + 1;
                const TimePoint at = instant_of(due[k].seq);
                while (e < h && instant_of(due[e].seq) == at) ++e;
                chains_.emplace_back(k, e);
                k = e;
            }
            while (!chains_.empty()) {
                std::size_t c = 0;
                if (chains_.size() > 1) c = decide(chains_.size(), &TimerTies::chain_task, this);
                auto& ch = chains_[c];
                due.fire(ch.first);
                if (++ch.first == ch.second) chains_.erase(chains_.begin() + static_cast<std::ptrdiff_t>(c));
            }
            g = h;
        }
        due_ = nullptr;
    }

private:
    TimePoint instant_of(std::uint64_t seq) const;
    void prune(const aio::detail::TimerHeap& heap);

    // The creation instant of every timer, as runs of sequence numbers (instants are
    // non-decreasing in sequence order because virtual time is monotonic).
    std::vector<std::pair<std::uint64_t, TimePoint>> instants_;
    const seam::DueTimers* due_ = nullptr;                     // during fire()
    std::vector<std::pair<std::size_t, std::size_t>> chains_;  // [first, end) into *due_
};

}  // namespace aio::sim::loop_parts
