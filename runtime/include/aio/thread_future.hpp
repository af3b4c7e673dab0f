#pragma once
// aio::ThreadFuture<T>: concurrent.futures.Future, a result handed between threads.
//
//     aio::ThreadFuture<int> f = aio::run_coroutine_threadsafe(work(), loop);  // another thread
//     int v = f.result(2s);          // blocks this thread; TimeoutError after 2 s
//
// Unlike aio::Future (one loop's thread only), every member may be called on any thread and a
// handle may be copied and dropped anywhere: the state is shared (std::shared_ptr) and guarded
// by a mutex. The states are concurrent.futures': pending -> running
// (set_running_or_notify_cancel) -> finished, or pending -> cancelled. cancel() succeeds only
// while pending. result(timeout) and exception(timeout) block the calling thread until the
// future is done (real time, not any loop's), then return the value / rethrow the exception,
// throw CancelledError when it was cancelled, TimeoutError when `timeout` passed first. Done
// callbacks run on the thread that completes the future, after the state is set and outside
// the lock, or at once on the adding thread when it is already done; an exception thrown by
// one is dropped (concurrent.futures logs it), the later callbacks still run.
//
// It never touches an event loop: aio::run_coroutine_threadsafe() (a loop's task into a
// ThreadFuture) and aio::wrap_future() (a ThreadFuture into a loop's aio::Future) connect it.
// The value is destroyed on the thread that drops the last handle.
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "aio/clock.hpp"
#include "aio/errors.hpp"

namespace aio {

template <class T = void>
class ThreadFuture {
public:
    using value_type = T;
    using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

    /// A pending future of its own.
    ThreadFuture() : s_(std::make_shared<State>()) {}

    /// pending -> cancelled (the callbacks run) and true; true if already cancelled; false once
    /// running or finished.
    bool cancel() {
        std::unique_lock lk(s_->mu);
        if (s_->status == Status::cancelled) return true;
        if (s_->status != Status::pending) return false;
        s_->status = Status::cancelled;
        finish(lk);
        return true;
    }
    bool cancelled() const { return status() == Status::cancelled; }
    bool running() const { return status() == Status::running; }
    bool done() const {
        Status st = status();
        return st == Status::cancelled || st == Status::finished;
    }

    /// What an executor calls before it runs the work: false if the future was cancelled (do
    /// not run it), true after pending -> running (cancel() now fails). InvalidStateError in
    /// any other state.
    bool set_running_or_notify_cancel() {
        std::lock_guard lk(s_->mu);
        if (s_->status == Status::cancelled) return false;
        if (s_->status != Status::pending) throw InvalidStateError("ThreadFuture in unexpected state");
        s_->status = Status::running;
        return true;
    }

    /// Finishes the future with a value; InvalidStateError if it is cancelled or finished.
    template <class... U>
    void set_result(U&&... v) {
        std::unique_lock lk(s_->mu);
        check_settable();
        s_->value.emplace(std::forward<U>(v)...);
        s_->status = Status::finished;
        finish(lk);
    }
    /// Finishes the future with an exception; InvalidStateError if it is cancelled or finished.
    void set_exception(std::exception_ptr e) {
        if (!e) throw ValueError("ThreadFuture::set_exception() needs an exception");
        std::unique_lock lk(s_->mu);
        check_settable();
        s_->error = std::move(e);
        s_->status = Status::finished;
        finish(lk);
    }

    /// Waits (at most `timeout`, forever without one) and returns the value, or rethrows the
    /// exception; CancelledError if cancelled, TimeoutError if not done in time. The reference
    /// stays valid while a handle to this future exists.
    const Stored& result(std::optional<Duration> timeout = std::nullopt) const {
        const State& s = wait_done(timeout);  // the outcome is immutable from here on
        if (s.error) std::rethrow_exception(s.error);
        return *s.value;
    }
    /// Waits as result() does; the exception (null if the future has a value).
    std::exception_ptr exception(std::optional<Duration> timeout = std::nullopt) const {
        return wait_done(timeout).error;
    }

    /// fn(future) once the future is done: on the thread that completes it, or here and now
    /// when it is already done.
    template <class F>
        requires std::invocable<F&, const ThreadFuture&>
    void add_done_callback(F fn) {
        {
            std::lock_guard lk(s_->mu);
            if (s_->status != Status::cancelled && s_->status != Status::finished) {
                s_->callbacks.emplace_back(std::move(fn));
                return;
            }
        }
        invoke(fn, *this);
    }

    friend bool operator==(const ThreadFuture& a, const ThreadFuture& b) noexcept { return a.s_ == b.s_; }

private:
    enum class Status : unsigned char { pending, running, cancelled, finished };
    struct State {
        mutable std::mutex mu;
        mutable std::condition_variable cv;
        Status status = Status::pending;
        std::optional<Stored> value;
        std::exception_ptr error;
        std::vector<std::function<void(const ThreadFuture&)>> callbacks;
    };

    Status status() const {
        std::lock_guard lk(s_->mu);
        return s_->status;
    }
    void check_settable() const {
        if (s_->status == Status::cancelled || s_->status == Status::finished)
            throw InvalidStateError("invalid state: the ThreadFuture is already done");
    }
    // Called with the state just set, under `lk`: wakes the waiters, runs the callbacks unlocked.
    void finish(std::unique_lock<std::mutex>& lk) {
        auto callbacks = std::move(s_->callbacks);
        s_->callbacks.clear();
        lk.unlock();
        s_->cv.notify_all();
        for (auto& cb : callbacks) invoke(cb, *this);
    }
    template <class F>
    static void invoke(F& fn, const ThreadFuture& self) noexcept {
        try {
            fn(self);
        } catch (...) {  // concurrent.futures logs "exception calling callback" and goes on
        }
    }
    const State& wait_done(std::optional<Duration> timeout) const {
        std::unique_lock lk(s_->mu);
        auto is_done = [&] { return s_->status == Status::cancelled || s_->status == Status::finished; };
        // A timeout beyond a century is "forever" (steady_clock::now() + it could overflow).
        if (!timeout || *timeout >= std::chrono::hours(24 * 365 * 100)) {
            s_->cv.wait(lk, is_done);
        } else if (!s_->cv.wait_for(lk, std::max(*timeout, Duration::zero()), is_done)) {
            throw TimeoutError("ThreadFuture::result(): not done within the timeout");
        }
        if (s_->status == Status::cancelled) throw CancelledError();
        return *s_;
    }

    std::shared_ptr<State> s_;
};

}  // namespace aio
