#pragma once
// The waiting mechanism shared by the sync primitives: asyncio's "waiter future in a deque".
//
// asyncio's primitives park a task on a fresh future appended to a deque, wake it with
// fut.set_result(), and let task.cancel() cancel that future. A Waiter is that future
// without the heap: it lives in the waiting frame (an awaiter or a coroutine local), is a
// detail::Waitable the task suspends on, and wakes its task exactly as a future with one
// done-callback would: set_result() and cancel_wait() schedule the task's step on the next
// pass of the loop. So wake-up orders match CPython hop for hop, and a woken waiter whose
// task is cancelled before it runs is "done, not cancelled", as in asyncio.
//
// Ownership: a Waiter belongs to its frame and unlinks itself when destroyed (a frame
// destroyed at loop close, or by EventLoop::kill_tasks). A waiter destroyed after it was woken
// but before its task ran again took a wake-up with it that the primitive meant for a task that
// goes on (a lock hand-off, a semaphore unit, a queue item or slot, a notification): its
// primitive's on_lost_wakeup hook, called then, hands it on as the primitive's cancellation
// path would. A WaiterList belongs to its primitive; destroying a primitive
// while tasks wait on it is a bug of the program (the tasks would resume into freed memory),
// but the list at least detaches its waiters so their frames can still be destroyed.
#include <coroutine>
#include <cstddef>
#include <optional>
#include <string>

#include "aio/errors.hpp"
#include "aio/detail/future_awaiter.hpp"
#include "aio/detail/future_state.hpp"
#include "aio/detail/ref.hpp"
#include "aio/detail/task_state.hpp"

namespace aio {
class EventLoop;
}

namespace aio::detail {

class WaiterList;

class Waiter final : public Waitable {
public:
    Waiter() noexcept = default;
    /// Awaiters are moved before they are awaited (await_transform); only an idle waiter
    /// moves, and it moves as a fresh one.
    Waiter(Waiter&&) noexcept {}
    Waiter& operator=(Waiter&&) = delete;
    /// Inline: an awaiter that did not wait (its waiter never armed) pays no call.
    ~Waiter() {
        if (list_ || lost_) [[unlikely]]
            leave();
    }
    /// What the destructor does, done now by an owner that must run the lost-wakeup hook
    /// while it is still whole: leaves the list, and hands a wake-up taken on.
    void leave() noexcept;

    bool pending() const noexcept { return state_ == State::pending; }
    /// asyncio's fut.done(): woken or cancelled.
    bool done() const noexcept { return state_ == State::done || state_ == State::cancelled; }
    bool cancelled() const noexcept { return state_ == State::cancelled; }
    bool linked() const noexcept { return list_ != nullptr; }

    /// Called (after the waiter left its list) when the waiter is destroyed woken but not
    /// resumed (see above); `owner` is the primitive. Must not throw.
    using LostWakeup = void (*)(void* owner) noexcept;
    void on_lost_wakeup(LostWakeup fn, void* owner) noexcept {
        lost_ = fn;
        owner_ = owner;
    }
    /// A staged wait (Waitable::restep, TaskBase::stage_wait): `fn(owner, *this, task)` runs
    /// in the task's next step before its coroutine resumes, and returns true when it armed
    /// the waiter again (a queue's getter that finds the queue empty again queues at the back,
    /// as asyncio's `while self.empty(): await getter` does) instead of resuming the
    /// coroutine. Set after on_lost_wakeup(); the hooks share `owner`.
    using Restep = bool (*)(void* owner, Waiter& w, TaskBase& task);
    void on_restep(Restep fn) noexcept { restep_ = fn; }
    bool restep(TaskBase& task) override { return restep_ && restep_(owner_, *this, task); }
    /// Woken by set_result() (asyncio: fut.done() and not fut.cancelled()).
    bool woken() const noexcept { return state_ == State::done; }

    /// Starts waiting for `task` (the future is created pending).
    void arm(TaskBase& task) noexcept {
        task_ = &task;
        state_ = State::pending;
    }
    /// fut.set_result(): the task runs on the next pass. Only for a pending waiter.
    void set_result();
    /// task.cancel() reaching the waiter (fut.cancel(msg)): true when it was pending.
    bool cancel_wait(const std::optional<std::string>& msg) override;
    /// fut.cancel() by the waiting task itself once it runs again: no wake-up to schedule.
    void cancel_in_place() noexcept {
        if (state_ == State::pending) state_ = State::cancelled;
    }
    /// What `await fut` does once the task runs again: deliver a pending task cancellation,
    /// or raise CancelledError(msg) if the waiter was cancelled (the message is kept by the
    /// task, as for a sleep: TaskBase::set_wait_cancel_message).
    void resume() {
        lost_ = nullptr;  // the task runs: the primitive's own code handles what follows
        if (state_ == State::cancelled) [[unlikely]] {
            task_->drop_cancel_delivery();  // the waiter's own CancelledError wins (asyncio)
            task_->throw_wait_cancelled();
        }
        task_->check_cancel();
    }

private:
    friend class WaiterList;
    friend struct WaitOn;
    enum class State : unsigned char { idle, pending, done, cancelled };
    State state_ = State::idle;
    TaskBase* task_ = nullptr;
    WaiterList* list_ = nullptr;
    Waiter* prev_ = nullptr;
    Waiter* next_ = nullptr;
    LostWakeup lost_ = nullptr;  // cleared once resume() delivered the wake-up
    Restep restep_ = nullptr;
    void* owner_ = nullptr;
};

/// A primitive's deque of waiters, in arrival order. Intrusive: nothing is allocated.
class WaiterList {
public:
    WaiterList() noexcept = default;
    WaiterList(const WaiterList&) = delete;
    WaiterList& operator=(const WaiterList&) = delete;
    ~WaiterList();

    bool empty() const noexcept { return head_ == nullptr; }
    std::size_t size() const noexcept { return size_; }
    Waiter* front() const noexcept { return head_; }
    static Waiter* next(const Waiter* w) noexcept { return w->next_; }

    void push_back(Waiter& w) noexcept;
    /// deque.remove(fut); false if w is not in this list (asyncio's ValueError).
    bool remove(Waiter& w) noexcept;
    /// deque.popleft().
    Waiter& pop_front() noexcept {
        Waiter& w = *head_;
        head_ = w.next_;
        if (head_)
            head_->prev_ = nullptr;
        else
            tail_ = nullptr;
        w.list_ = nullptr;
        w.next_ = nullptr;  // prev_ is null already: w was the head
        --size_;
        return w;
    }

private:
    Waiter* head_ = nullptr;
    Waiter* tail_ = nullptr;
    std::size_t size_ = 0;
};

/// asyncio's _LoopBoundMixin: a primitive belongs to the loop of its first blocking use.
class LoopBinding {
public:
    /// Binds to `loop` on first use; throws RuntimeError("<what> is bound to a different
    /// event loop") when bound to another one.
    void check(EventLoop& loop, const char* what);

private:
    // A pending future of the bound loop. Its loop() turns null when that loop is destroyed,
    // so a later loop allocated at the same address is not mistaken for it.
    Ref<FutureBase> anchor_;
};

/// Parks the current task on `w` at the back of `list` (`self._get_loop().create_future()`,
/// `waiters.append(fut)`, `await fut`). `what` names the operation for errors and deadlock
/// reports.
struct WaitOn {
    using is_aio_awaitable = void;
    Waiter& w;
    WaiterList& list;
    LoopBinding& binding;
    const char* what;

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h);
    void await_resume() { w.resume(); }
    /// A staged waiter's restep hook queuing it again (at the back of `list`): the task,
    /// current in its step, suspends on it anew at the same resume point.
    void rearm(TaskBase& task);
};

}  // namespace aio::detail
