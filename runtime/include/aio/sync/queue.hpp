#pragma once
// aio::Queue<T>, aio::PriorityQueue<T, Compare>, aio::LifoQueue<T>: asyncio.Queue and its
// subclasses, for producer and consumer tasks of one loop.
//
//     aio::Queue<int> q(2);                        // maxsize 2; <= 0 means unbounded
//     co_await q.put(1);                           // waits while the queue is full
//     int v = co_await q.get();                    // waits while it is empty
//     q.task_done();                               // one per item got, then:
//     co_await q.join();                           // waits until every item was processed
//
// Contract, as asyncio 3.12:
//  - put()/get() return at once when they can; otherwise the task queues (FIFO) until a
//    get()/put() makes room or an item, and then re-checks (it may queue again, at the
//    back). put_nowait() throws QueueFull on a full queue, get_nowait() QueueEmpty on an
//    empty one.
//  - Cancellation: a cancelled put() or get() raises CancelledError and neither stores nor
//    takes an item; a task woken for a slot or an item but cancelled before it ran passes
//    the wake-up on to the next waiter, so nothing is lost or stuck.
//  - task_done() throws ValueError("task_done() called too many times") when called more
//    often than items were put; join() waits until the count of unfinished items is 0.
//  - Queue hands items out in FIFO order, LifoQueue in LIFO order, PriorityQueue smallest
//    first by Compare (std::less: lowest first, like asyncio and unlike std::priority_queue;
//    equal items come out in exactly the order Python's heapq gives).
//  - put(item) takes the item (by value) when called; the awaitables put()/get()/join()
//    return must be awaited at once. They allocate nothing, even when the task has to wait.
//  - A queue belongs to the loop of its first blocking put()/get(); it must outlive every
//    task waiting on it. PriorityQueue and LifoQueue are Queues (they override the storage).
#include <coroutine>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "aio/coro.hpp"
#include "aio/errors.hpp"
#include "aio/detail/access_observer.hpp"
#include "aio/sync/detail/waiter.hpp"
#include "aio/sync/event.hpp"

namespace aio {

template <class T>
class Queue {
public:
    using value_type = T;
    class PutAwaiter;
    class GetAwaiter;
    class JoinAwaiter;

    /// maxsize <= 0: unbounded.
    explicit Queue(std::ptrdiff_t maxsize = 0) : maxsize_(maxsize) { finished_.set(); }
    Queue(const Queue&) = delete;
    Queue& operator=(const Queue&) = delete;
    virtual ~Queue() { detail::touch_end(this); }

    std::ptrdiff_t maxsize() const noexcept { return maxsize_; }
    /// Number of items in the queue.
    std::size_t qsize() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    /// True when maxsize > 0 and the queue holds maxsize items (never for an unbounded one).
    bool full() const noexcept { return maxsize_ > 0 && qsize() >= static_cast<std::size_t>(maxsize_); }

    /// Awaitable: waits for a free slot, then stores item.
    [[nodiscard]] PutAwaiter put(T item) {
        detail::touch(this);
        return PutAwaiter(*this, std::move(item));
    }
    /// Stores item now; QueueFull if the queue is full.
    void put_nowait(T item) {
        detail::touch(this);
        if (full()) throw QueueFull();
        store_put(std::move(item));
        ++size_;
        ++unfinished_tasks_;
        finished_.clear();
        wakeup_next(getters_);
    }
    /// Awaitable: waits for an item and yields it.
    [[nodiscard]] GetAwaiter get() {
        detail::touch(this);
        return GetAwaiter(*this);
    }
    /// Takes an item now; QueueEmpty if the queue is empty.
    T get_nowait() {
        detail::touch(this);
        if (empty()) throw QueueEmpty();
        T item = store_get();
        --size_;
        wakeup_next(putters_);
        return item;
    }
    /// Marks one item got earlier as processed.
    void task_done() {
        detail::touch(this);
        if (unfinished_tasks_ == 0) throw ValueError("task_done() called too many times");
        if (--unfinished_tasks_ == 0) finished_.set();
    }
    /// Awaitable: waits until every item put has been marked done.
    [[nodiscard]] JoinAwaiter join() {
        detail::touch(this);
        return JoinAwaiter(*this);
    }
    /// Items put and not yet marked done (asyncio's _unfinished_tasks).
    std::size_t unfinished_tasks() const noexcept { return unfinished_tasks_; }
    /// Tasks blocked in put() / get() (woken or cancelled ones until they have run).
    std::size_t putters() const noexcept { return putters_.size(); }
    std::size_t getters() const noexcept { return getters_.size(); }

    /// The awaitable put() returns. It allocates nothing: a task that has to wait parks on
    /// the awaiter's own waiter (no coroutine frame), and its re-check of the queue after a
    /// wake-up runs in its step (Waitable::restep).
    class PutAwaiter {
    public:
        using is_aio_awaitable = void;
        PutAwaiter(Queue& q, T item) : q_(&q), item_(std::move(item)) {}
        // The waiter is built only when the task waits (an awaiter that does not wait stays
        // small and cheap); only an awaiter not yet awaited moves.
        PutAwaiter(PutAwaiter&& o) noexcept(std::is_nothrow_move_constructible_v<T>)
            : q_(o.q_), item_(std::move(o.item_)) {}
        PutAwaiter& operator=(PutAwaiter&&) = delete;
        ~PutAwaiter() {
            if (suspended_) w_.~Waiter();
        }
        bool await_ready() {
            if (q_->full()) return false;
            q_->put_nowait(std::move(item_));
            return true;
        }
        void await_suspend(std::coroutine_handle<> h) {
            std::construct_at(&w_);
            suspended_ = true;
            w_.on_lost_wakeup(&Queue::lost_putter_wakeup, q_);
            w_.on_restep(&Queue::restep_putter);
            detail::WaitOn{w_, q_->putters_, q_->binding_, "aio::Queue::put()"}.await_suspend(h);
        }
        void await_resume() {
            if (!suspended_) return;
            q_->finish_put_wait(w_);
            q_->put_nowait(std::move(item_));
        }

    private:
        Queue* q_;
        T item_;
        union {
            detail::Waiter w_;  // built in await_suspend
        };
        bool suspended_ = false;
    };

    /// The awaitable get() returns: no allocation, as put()'s.
    class GetAwaiter {
    public:
        using is_aio_awaitable = void;
        explicit GetAwaiter(Queue& q) noexcept : q_(&q) {}
        GetAwaiter(GetAwaiter&& o) noexcept : q_(o.q_) {}  // only before it is awaited
        GetAwaiter& operator=(GetAwaiter&&) = delete;
        ~GetAwaiter() {
            if (suspended_) w_.~Waiter();
        }
        bool await_ready() {
            if (q_->empty()) return false;
            item_.emplace(q_->get_nowait());
            return true;
        }
        void await_suspend(std::coroutine_handle<> h) {
            std::construct_at(&w_);
            suspended_ = true;
            w_.on_lost_wakeup(&Queue::lost_getter_wakeup, q_);
            w_.on_restep(&Queue::restep_getter);
            detail::WaitOn{w_, q_->getters_, q_->binding_, "aio::Queue::get()"}.await_suspend(h);
        }
        T await_resume() {
            if (!suspended_) return std::move(*item_);
            q_->finish_get_wait(w_);
            return q_->get_nowait();
        }

    private:
        Queue* q_;
        std::optional<T> item_;
        union {
            detail::Waiter w_;  // built in await_suspend
        };
        bool suspended_ = false;
    };

    /// The awaitable join() returns.
    class JoinAwaiter {
    public:
        using is_aio_awaitable = void;
        explicit JoinAwaiter(Queue& q) noexcept : inner_(q.finished_, "aio::Queue::join()") {}
        // The finished event is set exactly when no item is unfinished.
        bool await_ready() const noexcept { return inner_.await_ready(); }
        void await_suspend(std::coroutine_handle<> h) { inner_.await_suspend(h); }
        void await_resume() { inner_.await_resume(); }

    private:
        Event::WaitAwaiter inner_;
    };

protected:
    // The storage, overridden by the subclasses (asyncio's _init/_put/_get). Its size is
    // counted here (size_), not asked for: std::deque::size() alone cost a fifth of a
    // hand-off, and empty() runs up to three times per get().
    virtual void store_put(T&& item) { items_.push_back(std::move(item)); }
    virtual T store_get() {
        T item = std::move(items_.front());
        items_.pop_front();
        return item;
    }

private:
    // asyncio's put()/get() loop `while self.full(): await putter` (`while self.empty()`),
    // one round per step of the waiting task: a woken putter (getter) that finds the queue
    // full (empty) again, because a put_nowait() (get_nowait()) came first, queues again at
    // the back. A waiter cancelled, or woken and then cancelled, resumes instead.
    static bool restep_putter(void* self, detail::Waiter& w, detail::TaskBase& task) {
        auto* q = static_cast<Queue*>(self);
        if (!w.woken() || task.cancel_delivery_pending() || !q->full()) return false;
        detail::WaitOn{w, q->putters_, q->binding_, "aio::Queue::put()"}.rearm(task);
        return true;
    }
    static bool restep_getter(void* self, detail::Waiter& w, detail::TaskBase& task) {
        auto* q = static_cast<Queue*>(self);
        if (!w.woken() || task.cancel_delivery_pending() || !q->empty()) return false;
        detail::WaitOn{w, q->getters_, q->binding_, "aio::Queue::get()"}.rearm(task);
        return true;
    }

    // The end of a wait, in the waiting task's step: the CancelledError (the waiter's own, or
    // a cancellation delivered after the wake-up) is raised, and a wake-up the task cannot use
    // any more goes on to the next waiter (asyncio's `except: ... self._wakeup_next(...)`).
    void finish_put_wait(detail::Waiter& putter) {
        try {
            putter.resume();
        } catch (...) {
            putter.cancel_in_place();
            putters_.remove(putter);  // absent if a get_nowait() already popped it
            if (!full() && !putter.cancelled()) wakeup_next(putters_);
            throw;
        }
    }
    void finish_get_wait(detail::Waiter& getter) {
        try {
            getter.resume();
        } catch (...) {
            getter.cancel_in_place();
            getters_.remove(getter);  // absent if a put_nowait() already popped it
            if (!empty() && !getter.cancelled()) wakeup_next(getters_);
            throw;
        }
    }

    // A woken getter's (putter's) frame was destroyed (its task killed): as the catch blocks
    // above, the wake-up goes on to the next one.
    static void lost_getter_wakeup(void* self) noexcept {
        auto* q = static_cast<Queue*>(self);
        if (!q->empty()) wakeup_next(q->getters_);
    }
    static void lost_putter_wakeup(void* self) noexcept {
        auto* q = static_cast<Queue*>(self);
        if (!q->full()) wakeup_next(q->putters_);
    }

    // Wakes the first waiter not cancelled, dropping the cancelled ones in front of it.
    static void wakeup_next(detail::WaiterList& waiters) {
        while (!waiters.empty()) {
            detail::Waiter& w = waiters.pop_front();
            if (!w.done()) {
                w.set_result();
                break;
            }
        }
    }

    std::ptrdiff_t maxsize_;
    std::size_t size_ = 0;  // items in the storage: store_put() adds one, store_get() takes one
    std::deque<T> items_;
    detail::WaiterList getters_;
    detail::WaiterList putters_;
    std::size_t unfinished_tasks_ = 0;
    Event finished_;
    detail::LoopBinding binding_;
};

namespace detail {

// Python's heapq push and pop, step for step (the same sift-down / sift-up as CPython's
// _heapq), so items that compare equal come out in Python's order, whatever the standard
// library (std::push_heap's tie order is implementation-defined).
template <class T, class Less>
void heapq_sift_down(std::vector<T>& heap, std::size_t startpos, std::size_t pos, Less& less) {
    T newitem = std::move(heap[pos]);
    while (pos > startpos) {
        std::size_t parentpos = (pos - 1) >> 1;
        if (!less(newitem, heap[parentpos])) break;
        heap[pos] = std::move(heap[parentpos]);
        pos = parentpos;
    }
    heap[pos] = std::move(newitem);
}

template <class T, class Less>
void heapq_sift_up(std::vector<T>& heap, std::size_t pos, Less& less) {
    const std::size_t endpos = heap.size(), startpos = pos;
    T newitem = std::move(heap[pos]);
    std::size_t childpos = 2 * pos + 1;
    while (childpos < endpos) {
        std::size_t rightpos = childpos + 1;
        if (rightpos < endpos && !less(heap[childpos], heap[rightpos])) childpos = rightpos;
        heap[pos] = std::move(heap[childpos]);
        pos = childpos;
        childpos = 2 * pos + 1;
    }
    heap[pos] = std::move(newitem);
    heapq_sift_down(heap, startpos, pos, less);
}

template <class T, class Less>
void heapq_push(std::vector<T>& heap, T item, Less& less) {
    heap.push_back(std::move(item));
    heapq_sift_down(heap, 0, heap.size() - 1, less);
}

template <class T, class Less>
T heapq_pop(std::vector<T>& heap, Less& less) {
    T last = std::move(heap.back());
    heap.pop_back();
    if (heap.empty()) return last;
    T first = std::move(heap.front());
    heap.front() = std::move(last);
    heapq_sift_up(heap, 0, less);
    return first;
}

}  // namespace detail

/// asyncio.PriorityQueue: get() yields the smallest item by Compare first.
template <class T, class Compare = std::less<T>>
class PriorityQueue : public Queue<T> {
public:
    explicit PriorityQueue(std::ptrdiff_t maxsize = 0, Compare comp = Compare())
        : Queue<T>(maxsize), comp_(std::move(comp)) {}

protected:
    void store_put(T&& item) override { detail::heapq_push(heap_, std::move(item), comp_); }
    T store_get() override { return detail::heapq_pop(heap_, comp_); }

private:
    std::vector<T> heap_;
    Compare comp_;
};

/// asyncio.LifoQueue: get() yields the most recently put item first.
template <class T>
class LifoQueue : public Queue<T> {
public:
    explicit LifoQueue(std::ptrdiff_t maxsize = 0) : Queue<T>(maxsize) {}

protected:
    void store_put(T&& item) override { items_.push_back(std::move(item)); }
    T store_get() override {
        T item = std::move(items_.back());
        items_.pop_back();
        return item;
    }

private:
    std::vector<T> items_;
};

}  // namespace aio
