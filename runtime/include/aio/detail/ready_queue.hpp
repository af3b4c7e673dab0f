#pragma once
// The loop's ready queue: asyncio's `_ready` deque of handles, without the handles.
//
// An entry is a plain function pointer and its argument, so scheduling a task step or a
// future's done-callback allocates nothing. `task` names the task the entry belongs to (or
// null for a plain callback): the simulator's policies and traces use it, the loop core does
// not.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace aio::detail {

class TaskBase;

struct ReadyEntry {
    void (*fn)(void* arg) = nullptr;
    void* arg = nullptr;
    TaskBase* task = nullptr;
    void run() const { fn(arg); }
};

/// A growable ring buffer. Front pop and back push are O(1); erase() in the middle is O(n)
/// and only used by perturbing schedulers and by rare cancellation races.
///
/// It also keeps the loop pass's batch: the entries that were ready when the pass began
/// (asyncio's `ntodo`), the only ones the pass runs. Taking an entry or removing one that is
/// still in the batch (a callback of the pass cancels a queued wake-up: remove_reader, a
/// cancelled wait) shortens it, so the pass never runs into what the pass itself scheduled.
class ReadyQueue {
public:
    ReadyQueue() { grow(64); }

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

    /// The pass begins: every entry queued now is in its batch.
    void begin_batch() noexcept { batch_ = size_; }
    /// Entries of the running pass's batch not run (taken) yet; always <= size().
    std::size_t batch_left() const noexcept { return batch_; }

    void push_back(const ReadyEntry& e) {
        if (size_ == cap_) [[unlikely]]
            grow(cap_ * 2);
        buf_[(head_ + size_) & (cap_ - 1)] = e;
        ++size_;
    }
    ReadyEntry pop_front() noexcept {
        ReadyEntry e = buf_[head_];
        head_ = (head_ + 1) & (cap_ - 1);
        --size_;
        if (batch_ != 0) --batch_;
        return e;
    }
    const ReadyEntry& operator[](std::size_t i) const noexcept { return buf_[(head_ + i) & (cap_ - 1)]; }

    /// Removes and returns entry i, keeping the order of the others.
    ReadyEntry take(std::size_t i) noexcept {
        if (i == 0) return pop_front();
        ReadyEntry e = (*this)[i];
        for (std::size_t k = i; k + 1 < size_; ++k) at(k) = at(k + 1);
        --size_;
        if (i < batch_) --batch_;
        return e;
    }
    /// Removes every entry whose argument is `arg`; returns how many were removed.
    std::size_t remove_arg(const void* arg) noexcept {
        std::size_t out = 0, removed = 0, removed_in_batch = 0;
        for (std::size_t k = 0; k < size_; ++k) {
            if (at(k).arg == arg) {
                ++removed;
                if (k < batch_) ++removed_in_batch;
                continue;
            }
            if (out != k) at(out) = at(k);
            ++out;
        }
        size_ = out;
        batch_ -= removed_in_batch;
        return removed;
    }
    void clear() noexcept { size_ = head_ = batch_ = 0; }

private:
    ReadyEntry& at(std::size_t i) noexcept { return buf_[(head_ + i) & (cap_ - 1)]; }
    // Out of line: push_back is inlined into every awaitable's suspend.
    [[gnu::noinline]] void grow(std::size_t cap) {
        auto nb = std::make_unique<ReadyEntry[]>(cap);
        for (std::size_t k = 0; k < size_; ++k) nb[k] = (*this)[k];
        buf_ = std::move(nb);
        cap_ = cap;
        head_ = 0;
    }

    std::unique_ptr<ReadyEntry[]> buf_;
    std::size_t cap_ = 0, head_ = 0, size_ = 0, batch_ = 0;
};

}  // namespace aio::detail
