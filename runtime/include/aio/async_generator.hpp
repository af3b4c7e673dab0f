#pragma once
// aio::AsyncGenerator<T>: Python's async generator (`async def f(): ... yield v ...`).
//
//     aio::AsyncGenerator<int> ticks(int n) {
//         for (int i = 0; i < n; ++i) {
//             co_await aio::sleep(1s);
//             co_yield i;
//         }
//     }
//     aio::Coro<void> consume() {
//         auto g = ticks(3);
//         while (auto v = co_await g.next()) use(*v);       // Python: async for v in g
//         // or: for (auto it = co_await g.begin(); it != g.end(); co_await ++it) use(*it);
//     }
//
// A generator is lazy like a Coro: calling ticks(3) runs nothing. Each `co_await g.next()`
// (Python's `await anext(g)`) runs the body, in the awaiting task, up to its next co_yield and
// returns the value; std::nullopt when the body has finished (StopAsyncIteration). Between
// yields the body may co_await anything a Coro may: its awaits are awaits of the task that
// iterates it (its steps are that task's steps, on the simulator too), so cancelling that task
// while the body awaits throws CancelledError at the body's await point, which unwinds the
// body (its catch blocks and RAII run) and then reaches the consumer. An exception escaping the
// body ends the generator and is thrown by that next(); later next() calls give nullopt.
//
// aclose() (Python's aclose()): throws aio::GeneratorExit (errors.hpp; not a std::exception)
// into the body at the co_yield where it is suspended; the body's catch blocks and RAII run and
// may co_await. If the body finishes (by GeneratorExit or by returning), aclose() returns;
// if it throws another exception, aclose() throws that; if it co_yields again, aclose() throws
// RuntimeError("async generator ignored GeneratorExit") and the generator stays suspended
// there. aclose() of a generator that never started, or has finished, does nothing (a never
// started one is finished afterwards). athrow(e) throws e into the body at its co_yield and
// returns the next value yielded, or nullopt if the body then finished; thrown into a
// generator that never started, e is thrown by athrow() itself and the generator is finished.
// While a next()/athrow()/aclose() of a generator is under way, another one throws
// RuntimeError("anext(): asynchronous generator is already running") (or "athrow(): ...",
// "aclose(): ..."), as Python's.
//
// C++ forbids co_await and co_yield inside a catch block. Cleanup that awaits is written as
// Python's `finally` would be by hand: catch into a std::exception_ptr, await, rethrow:
//
//     std::exception_ptr exit;
//     try { for (;;) co_yield co_await next_item(); } catch (...) { exit = std::current_exception(); }
//     co_await flush();                           // runs on aclose(), cancellation, errors
//     if (exit) std::rethrow_exception(exit);
//
// Finalisation (asyncio's asyncgen hooks). The first next()/athrow() registers the generator
// with the running loop (loop.shutdown_asyncgens() closes the registered ones that are still
// suspended; aio::run does that after cancelling the pending tasks, as asyncio.run does).
// Destroying the AsyncGenerator object (it owns the frame):
//  - never started, or finished: the frame is destroyed at once;
//  - suspended at a co_yield, and the loop it first ran on is not closed (Python: the
//    refcount drop calls the loop's finalizer hook): the frame is handed to the loop, which on
//    its next pass creates a task running aclose() on it (an ordinary task: a failure in it is
//    reported as "Task exception was never retrieved"). If that task is cancelled before its
//    first step (aio::run's shutdown cancels every pending task), the frame is destroyed
//    without resuming: its RAII runs, its catch blocks do not (see README, Differences);
//  - the loop closed (or destroyed): the frame is destroyed at once (RAII only);
//  - while a step of it runs (a next() awaits it): the frame is finished with after that step,
//    by the rules above.
// `AsyncGenerator<T&>` is not supported: yield pointers or std::reference_wrapper.
#include <coroutine>
#include <exception>
#include <iterator>
#include <memory>
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

#include "aio/coro.hpp"
#include "aio/errors.hpp"
#include "aio/event_loop.hpp"
#include "aio/task.hpp"
#include "aio/detail/asyncgen_registry.hpp"

namespace aio {

template <class T>
class AsyncGenerator;

namespace detail {

/// What every generator's promise shares whatever T is (async_generator.cpp).
class AsyncGenCore : public PromiseBase {
public:
    AsyncGenCore() = default;
    AsyncGenCore(const AsyncGenCore&) = delete;
    AsyncGenCore& operator=(const AsyncGenCore&) = delete;
    ~AsyncGenCore();

    /// asyncio's firstiter hook: registers with the running loop (once).
    void first_iteration() noexcept;
    /// The loop it first ran on, if that loop is not closed.
    EventLoop* live_loop() const noexcept;
    /// The generator function's name (its std::source_location::function_name()).
    const char* name() const noexcept { return name_; }

    struct YieldAwaiter {
        AsyncGenCore* p;
        bool await_ready() const noexcept { return false; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<>) noexcept {
            if (p->closing_) p->ignored_exit_ = true;
            return transfer_to(p->continuation_);
        }
        void await_resume() {
            if (p->inject_) std::rethrow_exception(std::exchange(p->inject_, nullptr));
        }
    };

    // --- the state of the iteration (used by AsyncGenerator's awaiters) --------------------
    std::exception_ptr inject_;                  // thrown at the co_yield when the body resumes
    std::coroutine_handle<>* object_ = nullptr;  // the owning AsyncGenerator's handle
    std::coroutine_handle<> detached_;           // the frame, once its object died mid-step
    const char* name_ = "";
    std::coroutine_handle<> frame_;  // this generator's frame
    bool started_ = false;
    bool running_ = false;
    bool closing_ = false;       // an aclose() is under way
    bool ignored_exit_ = false;  // the body co_yielded during aclose()
    bool finalized_ = false;     // owned by the finaliser's aclose task: destroy, never re-hand
    bool taken_ = false;         // closed by shutdown_asyncgens()

    // Set by AsyncGenPromise<T>: closes the generator that `cell` points to (null: gone).
    Coro<void> (*close_registered_)(std::shared_ptr<AsyncGenCore*> cell) = nullptr;
    std::shared_ptr<AsyncGenCore*> cell_;  // shutdown_asyncgens()'s pointer to this generator

private:
    friend class AsyncGenRegistry;
    AsyncGenCore* prev_ = nullptr;
    AsyncGenCore* next_ = nullptr;
    EventLoop* loop_ = nullptr;
    bool registered_ = false;
};

/// Calls fn on the loop's thread on its next pass (call_soon there, call_soon_threadsafe from
/// another thread). Throws what they throw.
void post_to_loop(EventLoop& loop, std::function<void()> fn);

template <class T>
class AsyncGenPromise final : public AsyncGenCore {
public:
    AsyncGenPromise() { close_registered_ = &close_registered; }
    AsyncGenerator<T> get_return_object(std::source_location at = std::source_location::current()) noexcept;
    void return_void() noexcept {}
    template <class U = T>
        requires std::convertible_to<U, T>
    YieldAwaiter yield_value(U&& v) noexcept(std::is_nothrow_constructible_v<T, U>) {
        value_.emplace(std::forward<U>(v));
        return YieldAwaiter{this};
    }
    std::optional<T> value_;

private:
    static Coro<void> close_registered(std::shared_ptr<AsyncGenCore*> cell);
};

}  // namespace detail

template <class T>
class [[nodiscard]] AsyncGenerator {
    static_assert(!std::is_reference_v<T>, "aio::AsyncGenerator<T&> is not supported: yield a pointer");
    static_assert(std::is_move_constructible_v<T>, "aio::AsyncGenerator<T>: T must be move-constructible");

public:
    using promise_type = detail::AsyncGenPromise<T>;
    using handle_type = std::coroutine_handle<promise_type>;
    using value_type = T;

    AsyncGenerator() noexcept = default;
    explicit AsyncGenerator(handle_type h) noexcept : h_(h) {
        if (h_) h.promise().object_ = &h_;
    }
    AsyncGenerator(AsyncGenerator&& o) noexcept : h_(std::exchange(o.h_, {})) { adopt(); }
    AsyncGenerator& operator=(AsyncGenerator&& o) noexcept {
        if (this != &o) {
            reset();
            h_ = std::exchange(o.h_, {});
            adopt();
        }
        return *this;
    }
    ~AsyncGenerator() { reset(); }

    /// True while the object holds a frame (false when moved from).
    explicit operator bool() const noexcept { return static_cast<bool>(h_); }
    /// True when there is nothing more to get: no frame, or the body has finished.
    bool done() const noexcept { return !h_ || h_.done(); }
    /// True while a next()/athrow()/aclose() of it is under way (Python's ag_running).
    bool running() const noexcept { return h_ && promise().running_; }

    enum class Op { next, athrow, aclose };

    /// The awaiter of next(), athrow() and aclose().
    class [[nodiscard]] Step {
    public:
        using is_aio_awaitable = void;
        Step(handle_type h, Op op, std::exception_ptr inject) noexcept : h_(h), op_(op), inject_(std::move(inject)) {}

        bool await_ready() {
            if (!h_ || h_.done()) {
                h_ = {};
                return true;
            }
            auto& p = h_.promise();
            if (p.running_) {
                static constexpr const char* what[] = {"anext", "athrow", "aclose"};
                early_ = std::make_exception_ptr(RuntimeError(std::string(what[static_cast<int>(op_)]) +
                                                              "(): asynchronous generator is already running"));
                return true;
            }
            if (!p.started_ && op_ != Op::next) {
                // aclose() of a never started generator finishes it; athrow() throws e here.
                if (op_ == Op::athrow) early_ = inject_;
                if (p.object_) *p.object_ = {};
                handle_type h = std::exchange(h_, {});
                detail::destroy_frame(h, p);
                return true;
            }
            return false;
        }
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> caller) noexcept {
            auto& p = h_.promise();
            p.continuation_ = caller;
            if constexpr (std::is_base_of_v<detail::PromiseBase, P>) {
                if (p.object_) {
                    caller_ = &caller.promise();
                    caller_->awaiting_ = &p;
                    p.owner_ = p.object_;
                }
            }
            if (op_ == Op::aclose) {
                p.inject_ = std::make_exception_ptr(GeneratorExit{});
                p.closing_ = true;
            } else if (op_ == Op::athrow) {
                p.inject_ = std::move(inject_);
            }
            if (!p.started_) p.first_iteration();
            p.running_ = true;
            p.started_ = true;
            return detail::transfer_to(h_);
        }
        /// next()/athrow(): the value yielded, nullopt once finished. aclose(): nullopt.
        std::optional<T> await_resume() {
            if (caller_) caller_->awaiting_ = nullptr;
            if (early_) std::rethrow_exception(early_);
            if (!h_) return std::nullopt;
            auto& p = h_.promise();
            p.running_ = false;
            std::optional<T> v;
            std::exception_ptr e;
            if (h_.done()) {
                e = std::exchange(p.exception_, nullptr);
                if (op_ == Op::aclose && e && is_exit(e)) e = nullptr;
            } else if (op_ == Op::aclose) {
                p.value_.reset();
                if (p.ignored_exit_) e = std::make_exception_ptr(RuntimeError("async generator ignored GeneratorExit"));
            } else {
                v = std::exchange(p.value_, std::nullopt);
            }
            p.closing_ = p.ignored_exit_ = false;
            p.inject_ = nullptr;
            if (!p.object_ && p.detached_) {
                // The object died during the step: the frame is finished with now.
                std::coroutine_handle<> raw = std::exchange(p.detached_, {});
                p.owner_ = nullptr;
                AsyncGenerator::dispose(handle_type::from_address(raw.address()));
            }
            if (e) std::rethrow_exception(e);
            return v;
        }

    private:
        static bool is_exit(const std::exception_ptr& e) {
            try {
                std::rethrow_exception(e);
            } catch (const GeneratorExit&) {
                return true;
            } catch (...) {
                return false;
            }
        }
        handle_type h_;
        Op op_;
        std::exception_ptr inject_;
        std::exception_ptr early_;
        detail::PromiseBase* caller_ = nullptr;
    };

    /// Python's `await anext(g)`: the next value, std::nullopt when the body has finished.
    Step next() noexcept { return Step(handle(), Op::next, nullptr); }
    /// Python's `await g.athrow(e)`: e thrown at the body's co_yield; the next value yielded,
    /// nullopt if the body then finished (Python: StopAsyncIteration).
    Step athrow(std::exception_ptr e) noexcept { return Step(handle(), Op::athrow, std::move(e)); }
    template <class E>
        requires(!std::is_same_v<std::decay_t<E>, std::exception_ptr>)
    Step athrow(E e) {
        return athrow(std::make_exception_ptr(std::move(e)));
    }
    /// Python's `await g.aclose()` (see the top of this file). Awaiting it gives nullopt.
    Step aclose() noexcept { return Step(handle(), Op::aclose, nullptr); }

    /// The range-style form: `for (auto it = co_await g.begin(); it != g.end(); co_await ++it)`.
    /// `*it` is the value the generator yielded last (it lives in the generator until the
    /// next step). A generator is iterated once: begin() resumes it, as ++ does.
    class iterator {
    public:
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        iterator() noexcept = default;
        explicit iterator(AsyncGenerator* g) noexcept : g_(g) {}
        T& operator*() const noexcept { return *g_->promise().value_; }
        T* operator->() const noexcept { return &*g_->promise().value_; }
        bool operator==(std::default_sentinel_t) const noexcept { return !g_ || g_->done() || !g_->promise().value_; }
        /// Awaitable: resumes the generator; gives this iterator back.
        auto operator++() noexcept { return Advance{g_->next(), this, g_}; }

    private:
        AsyncGenerator* g_ = nullptr;
    };
    struct [[nodiscard]] Advance {
        using is_aio_awaitable = void;
        Step step;
        iterator* it;
        AsyncGenerator* gen;
        bool await_ready() { return step.await_ready(); }
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> caller) noexcept {
            return step.await_suspend(caller);
        }
        iterator& await_resume() {
            std::optional<T> v = step.await_resume();
            if (v && gen->h_) gen->promise().value_ = std::move(v);
            return *it;
        }
    };
    struct [[nodiscard]] Begin {
        using is_aio_awaitable = void;
        Step step;
        iterator it;
        bool await_ready() { return step.await_ready(); }
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> caller) noexcept {
            return step.await_suspend(caller);
        }
        iterator await_resume() {
            std::optional<T> v = step.await_resume();
            if (v && gen->h_) gen->promise().value_ = std::move(v);
            return it;
        }
        AsyncGenerator* gen;
    };
    Begin begin() noexcept { return Begin{next(), iterator(this), this}; }
    std::default_sentinel_t end() const noexcept { return {}; }

private:
    friend class detail::AsyncGenPromise<T>;
    friend class iterator;

    handle_type handle() const noexcept { return handle_type::from_address(h_.address()); }
    promise_type& promise() const noexcept { return handle().promise(); }
    // The frame's pointers to its owner follow the object (moved during a step too: the await
    // chain of the consumer then empties the new object when it is destroyed from outside).
    void adopt() noexcept {
        if (!h_) return;
        auto& p = promise();
        p.object_ = &h_;
        if (p.running_ && p.owner_) p.owner_ = &h_;
    }

    void reset() noexcept {
        if (!h_) return;
        handle_type h = handle();
        auto& p = h.promise();
        std::coroutine_handle<> raw = std::exchange(h_, {});
        p.object_ = nullptr;
        if (p.running_) {
            // A step is under way (something awaits it): its awaiter finishes with the frame.
            p.detached_ = raw;
            p.owner_ = &p.detached_;
            return;
        }
        dispose(h);
    }

    // The frame nobody owns any more: destroyed, or handed to its loop for closing.
    static void dispose(handle_type h) noexcept {
        auto& p = h.promise();
        EventLoop* loop = p.live_loop();
        if (p.finalized_ || !p.started_ || h.done() || !loop) {
            detail::destroy_frame(h, p);
            return;
        }
        std::shared_ptr<AsyncGenerator> holder;
        try {
            holder = std::make_shared<AsyncGenerator>(h);
        } catch (...) {
            detail::destroy_frame(h, p);
            return;
        }
        // From now on holder owns the frame; finalized: its destructor destroys the frame
        // if the callback below never runs.
        p.finalized_ = true;
        try {
            detail::post_to_loop(*loop, [holder] {
                if (!*holder) return;
                EventLoop& l = get_running_loop();
                l.create_task(close_orphan(std::move(*holder)));
            });
        } catch (...) {}
    }

    // asyncio's finalizer hook's task: `create_task(agen.aclose())`.
    static Coro<void> close_orphan(AsyncGenerator g) { co_await g.aclose(); }

    std::coroutine_handle<> h_;
};

namespace detail {

template <class T>
AsyncGenerator<T> AsyncGenPromise<T>::get_return_object(std::source_location at) noexcept {
    where_ = at;
    name_ = at.function_name();
    frame_ = std::coroutine_handle<AsyncGenPromise>::from_promise(*this);
    return AsyncGenerator<T>(std::coroutine_handle<AsyncGenPromise>::from_promise(*this));
}

template <class T>
Coro<void> AsyncGenPromise<T>::close_registered(std::shared_ptr<AsyncGenCore*> cell) {
    AsyncGenCore* core = *cell;
    if (!core || core->finalized_) co_return;  // destroyed, or handed to the finaliser meanwhile
    auto& p = static_cast<AsyncGenPromise&>(*core);
    using Gen = AsyncGenerator<T>;
    co_await typename Gen::Step(Gen::handle_type::from_promise(p), Gen::Op::aclose, nullptr);
}

}  // namespace detail

}  // namespace aio
