#pragma once
// The loop's timers: a 4-ary min-heap of intrusive nodes ordered by (deadline, sequence).
//
// The sequence number is the order of scheduling, so timers due at the same instant fire in
// the order they were created (asyncio's heapq gives no such guarantee for exact ties; on a
// real clock exact ties are rare and later timers have later deadlines anyway). Nodes store
// their heap index, so cancelling a timer removes it at once in O(log n) instead of leaving a
// tombstone: a cancelled sleep costs nothing later and the node's owner may be destroyed.
// Four children per node instead of two halve the depth: a pop sifts through half as many
// levels, and each level moves a node whose heap_index lives in some coroutine frame (a
// cache miss with many timers), while the four keys compared per level are adjacent. Keys
// are unique, so the order timers fire in does not depend on the heap's shape.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "aio/clock.hpp"
#include "aio/detail/ready_queue.hpp"

namespace aio::detail {

struct TimerNode {
    // 32 bits, next to `io`: a node is 48 bytes instead of 56 (it lives in every sleeping
    // coroutine's frame). A loop holds fewer than 2^32 - 1 timers (push() checks).
    static constexpr std::uint32_t npos = static_cast<std::uint32_t>(-1);
    TimePoint when{};
    std::uint64_t seq = 0;
    std::uint32_t heap_index = npos;
    /// An I/O event modelled as a timer (the simulated network's deliveries): a real loop's
    /// selector returns for it at once, so the simulator's timer batching stops there.
    bool io = false;
    ReadyEntry on_expire;  // pushed onto the ready queue when the deadline passes
    bool scheduled() const noexcept { return heap_index != npos; }
};

class TimerHeap {
public:
    bool empty() const noexcept { return heap_.empty(); }
    std::size_t size() const noexcept { return heap_.size(); }
    TimerNode* top() const noexcept { return heap_.front().node; }
    TimerNode* operator[](std::size_t i) const noexcept { return heap_[i].node; }
    /// Calls f(node) for every timer due by `limit` (when <= limit), in no particular order.
    /// Visits only those and their children (a subtree whose root is later than `limit` is all
    /// later): O(k) for k timers due by `limit`. `stack`: scratch space.
    template <class F>
    void visit_due_by(TimePoint limit, std::vector<std::size_t>& stack, F&& f) const {
        stack.clear();
        if (!heap_.empty()) stack.push_back(0);
        while (!stack.empty()) {
            const std::size_t i = stack.back();
            stack.pop_back();
            if (heap_[i].when > limit) continue;
            f(static_cast<const TimerNode&>(*heap_[i].node));
            const std::size_t first = kArity * i + 1;
            for (std::size_t c = first; c < first + kArity && c < heap_.size(); ++c) stack.push_back(c);
        }
    }

    void push(TimerNode* n, std::uint64_t seq) {
        if (heap_.size() >= TimerNode::npos) throw std::length_error("aio: too many timers in one loop");
        n->seq = seq;
        n->heap_index = static_cast<std::uint32_t>(heap_.size());
        heap_.push_back({n->when, seq, n});
        sift_up(n->heap_index);
    }
    TimerNode* pop() noexcept {
        TimerNode* n = heap_.front().node;
        n->heap_index = TimerNode::npos;
        Entry last = heap_.back();
        heap_.pop_back();
        if (!heap_.empty()) {
            heap_.front() = last;
            sift_down(0);
        }
        return n;
    }
    void remove(TimerNode* n) noexcept {
        std::size_t i = n->heap_index;
        n->heap_index = TimerNode::npos;
        Entry last = heap_.back();
        heap_.pop_back();
        if (last.node == n) return;
        heap_[i] = last;
        last.node->heap_index = static_cast<std::uint32_t>(i);
        sift_down(i);
        sift_up(last.node->heap_index);
    }
    /// Re-establishes order after a node's deadline changed (timeout rescheduling).
    void update(TimerNode* n) noexcept {
        heap_[n->heap_index].when = n->when;
        sift_down(n->heap_index);
        sift_up(n->heap_index);
    }

private:
    // The keys live in the heap's own array, so sifting compares neighbouring memory
    // instead of dereferencing nodes scattered over coroutine frames.
    struct Entry {
        TimePoint when;
        std::uint64_t seq;
        TimerNode* node;
    };
    // Branch-free: with many timers the comparisons during a sift are unpredictable, and a
    // mispredicted branch per level cost more than the comparison itself.
    static bool less(const Entry& a, const Entry& b) noexcept {
        const auto aw = a.when.time_since_epoch().count(), bw = b.when.time_since_epoch().count();
        return (aw < bw) | ((aw == bw) & (a.seq < b.seq));
    }
    void place(std::size_t i, const Entry& e) noexcept {
        heap_[i] = e;
        e.node->heap_index = static_cast<std::uint32_t>(i);
    }
    static constexpr std::size_t kArity = 4;
    void sift_up(std::size_t i) noexcept {
        Entry e = heap_[i];
        while (i > 0) {
            std::size_t p = (i - 1) / kArity;
            if (!less(e, heap_[p])) break;
            place(i, heap_[p]);
            i = p;
        }
        place(i, e);
    }
    void sift_down(std::size_t i) noexcept {
        Entry e = heap_[i];
        const std::size_t sz = heap_.size();
        for (;;) {
            const std::size_t first = kArity * i + 1;
            if (first >= sz) break;
            const std::size_t last = first + kArity < sz ? first + kArity : sz;
            std::size_t c = first;
            for (std::size_t k = first + 1; k < last; ++k) c = less(heap_[k], heap_[c]) ? k : c;
            if (!less(heap_[c], e)) break;
            place(i, heap_[c]);
            i = c;
        }
        place(i, e);
    }

    std::vector<Entry> heap_;
};

}  // namespace aio::detail
