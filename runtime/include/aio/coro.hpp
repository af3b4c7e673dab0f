#pragma once
// aio::Coro<T>: a lazy coroutine, asyncio's coroutine object.
//
//     aio::Coro<int> answer() { co_await aio::sleep(1s); co_return 42; }
//
// Calling answer() runs nothing: the body starts when the Coro is awaited
// (`co_await answer()`, which resumes it by symmetric transfer so deep await chains do not
// grow the stack) or when it is wrapped in a task (`aio::create_task(answer())`).
//
// Ownership: a Coro owns its frame and destroys it in its destructor. Awaiting a Coro does
// not transfer ownership; the temporary `answer()` lives until the end of the co_await.
// A Coro can be awaited once. A moved-from Coro is empty (`!coro`).
//
// Destroying the frame of a coroutine suspended in `co_await child()` destroys the chain
// it awaits, innermost frame first, each frame's locals in reverse order as usual. That
// is the order nested destructors give, except that locals the awaiting coroutine
// constructed after the awaited Coro object now go after the child's frame, not before it.
// The chain is walked in a loop, so a million nested awaits are destroyed without a million
// nested calls.
//
// Inside a Coro, only aio awaitables may be co_awaited (Coro, Task, Future, sleep, gather,
// the sync primitives...): a foreign awaitable would suspend the task without telling the
// loop how to resume it, so it is rejected at compile time.
#include <concepts>
#include <coroutine>
#include <exception>
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

// Symmetric transfer (await_suspend returning the coroutine to run next) keeps deep await
// chains off the native stack only if the compiler emits the transfer as a tail call. Clang
// always does; GCC only with -foptimize-sibling-calls (on at -O2, -O3, -Os) and when no
// sanitizer instruments calls (ASan, TSan). Elsewhere (a Debug or sanitizer build) some ten
// thousand nested awaits would overflow the stack, so the awaiters instead hand the next
// coroutine to the trampoline that resumes every task (detail::resume_chain) and return to
// it: one more return and call per await. GCC cannot tell -O1/-Og from -O2 in the
// preprocessor: with those, define AIO_SYMMETRIC_TRANSFER=0 (or add -foptimize-sibling-calls).
// Both settings have the same signatures and the task's step runs the trampoline in either,
// so code built one way works with a library built the other way.
#ifndef AIO_SYMMETRIC_TRANSFER
#if defined(__clang__) || (defined(__OPTIMIZE__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__))
#define AIO_SYMMETRIC_TRANSFER 1
#else
#define AIO_SYMMETRIC_TRANSFER 0
#endif
#endif

namespace aio {

template <class T = void>
class Coro;

/// Types that may be co_awaited inside an aio::Coro declare `using is_aio_awaitable = void;`.
template <class A>
concept AioAwaitable = requires { typename std::remove_cvref_t<A>::is_aio_awaitable; };

namespace detail {

template <class>
inline constexpr bool always_false = false;

/// The coroutine the trampoline on this thread resumes next (see transfer_to).
inline thread_local std::coroutine_handle<> t_resume_next;

/// What an await_suspend returns to run `next` now: `next` itself (symmetric transfer), or,
/// without guaranteed tail calls, a no-op after handing `next` to the trampoline.
inline std::coroutine_handle<> transfer_to(std::coroutine_handle<> next) noexcept {
#if AIO_SYMMETRIC_TRANSFER
    return next;
#else
    t_resume_next = next;
    return std::noop_coroutine();
#endif
}

/// The trampoline: resumes h, then every coroutine handed over with transfer_to() meanwhile.
/// Whoever resumes an aio coroutine (a task's step) resumes it through this.
inline void resume_chain(std::coroutine_handle<> h) {
    h.resume();
    while (t_resume_next) std::exchange(t_resume_next, {}).resume();
}

class PromiseBase;

/// Destroys frame h (whose promise is p) and, first, the chain of frames it awaits.
inline void destroy_frame(std::coroutine_handle<> h, PromiseBase& p) noexcept;

class PromiseBase {
public:
    std::suspend_always initial_suspend() noexcept { return {}; }

    struct FinalAwaiter {
        bool await_ready() noexcept { return false; }
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
            // The awaiting coroutine resumes next; a task's root has none and returns to the
            // task's step, which notices the root is done.
            if (auto c = h.promise().continuation_) return transfer_to(c);
            return std::noop_coroutine();
        }
        void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }

    void unhandled_exception() noexcept { exception_ = std::current_exception(); }

    // Rvalue awaitables are moved into the frame (GCC materialises a copy otherwise).
    // `where` is the co_await's own location (a default argument is evaluated where the
    // compiler calls await_transform: at the co_await); keeping it costs one pointer store.
    template <class A>
    A await_transform(A&& a, std::source_location where = std::source_location::current()) noexcept(
        std::is_nothrow_move_constructible_v<std::remove_cvref_t<A>> || std::is_lvalue_reference_v<A>) {
        static_assert(AioAwaitable<A>,
                      "aio::Coro can only co_await aio awaitables (aio::Coro, aio::Task, aio::Future, "
                      "aio::sleep, aio::gather, the aio sync primitives...). To wait for other "
                      "asynchronous work, complete an aio::Future from it.");
        where_ = where;
        return std::forward<A>(a);
    }

    std::coroutine_handle<> continuation_;
    std::exception_ptr exception_;
    // While this coroutine is suspended in `co_await child`: the child's promise. While this
    // coroutine is being awaited: the handle inside the Coro object that owns its frame.
    // destroy_frame() uses them to destroy a suspended chain from the inside out.
    PromiseBase* awaiting_ = nullptr;
    std::coroutine_handle<>* owner_ = nullptr;
    // The source location of this coroutine's latest co_await (before the first: the
    // coroutine's definition, see get_return_object): where it is suspended, or, while it
    // runs, the await it last resumed from. The simulator names
    // a task step by it (an await point, aio/sim/coverage.hpp), walking awaiting_ down.
    std::source_location where_{};
};

inline void destroy_frame(std::coroutine_handle<> h, PromiseBase& p) noexcept {
    if (!p.awaiting_) [[likely]] {
        h.destroy();
        return;
    }
    // Down the chain, turning each awaiting_ link around to point at the awaiting frame (no
    // allocation, no recursion), then back up, destroying each frame after the one it awaits.
    PromiseBase* up = nullptr;
    PromiseBase* cur = &p;
    while (cur->awaiting_) {
        PromiseBase* down = cur->awaiting_;
        cur->awaiting_ = up;
        up = cur;
        cur = down;
    }
    while (up) {
        // The awaiting frame's Coro object is emptied first: its destructor must not destroy
        // the frame a second time.
        std::coroutine_handle<> child = std::exchange(*cur->owner_, {});
        PromiseBase* next_up = std::exchange(up->awaiting_, nullptr);
        child.destroy();
        cur = up;
        up = next_up;
    }
    h.destroy();
}

template <class T>
class Promise final : public PromiseBase {
public:
    Coro<T> get_return_object(std::source_location at = std::source_location::current()) noexcept;
    template <class U = T>
        requires std::convertible_to<U, T>
    void return_value(U&& v) noexcept(std::is_nothrow_constructible_v<T, U>) {
        value_.emplace(std::forward<U>(v));
    }
    T take() {
        if (exception_) std::rethrow_exception(exception_);
        return std::move(*value_);
    }
    std::optional<T> value_;
};

template <>
class Promise<void> final : public PromiseBase {
public:
    Coro<void> get_return_object(std::source_location at = std::source_location::current()) noexcept;
    void return_void() noexcept {}
    void take() {
        if (exception_) std::rethrow_exception(exception_);
    }
};

}  // namespace detail

template <class T>
class [[nodiscard]] Coro {
public:
    using promise_type = detail::Promise<T>;
    using value_type = T;
    using handle_type = std::coroutine_handle<promise_type>;
    using is_aio_awaitable = void;

    Coro() noexcept = default;
    explicit Coro(handle_type h) noexcept : h_(h) {}
    Coro(Coro&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    Coro& operator=(Coro&& o) noexcept {
        if (this != &o) {
            reset();
            h_ = std::exchange(o.h_, {});
        }
        return *this;
    }
    ~Coro() { reset(); }

    explicit operator bool() const noexcept { return static_cast<bool>(h_); }
    handle_type handle() const noexcept { return handle_type::from_address(h_.address()); }
    /// Gives up ownership of the frame (a task takes it over).
    handle_type release() noexcept {
        handle_type h = handle();
        h_ = {};
        return h;
    }
    void reset() noexcept {
        if (h_) {
            detail::PromiseBase& p = handle().promise();
            detail::destroy_frame(std::exchange(h_, {}), p);
        }
    }

    struct Awaiter {
        handle_type callee;
        // The awaited Coro's handle (see PromiseBase::owner_); null when an awaitable drives a
        // Coro it keeps itself (Queue's slow paths): that one is destroyed by its holder.
        std::coroutine_handle<>* owner = nullptr;
        detail::PromiseBase* caller_promise = nullptr;
        bool await_ready() const noexcept { return false; }
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> caller) noexcept {
            callee.promise().continuation_ = caller;
            if constexpr (std::is_base_of_v<detail::PromiseBase, P>) {
                if (owner) {
                    caller_promise = &caller.promise();
                    caller_promise->awaiting_ = &callee.promise();
                    callee.promise().owner_ = owner;
                }
            }
            return detail::transfer_to(callee);
        }
        T await_resume() {
            if (caller_promise) caller_promise->awaiting_ = nullptr;
            return callee.promise().take();
        }
    };
    Awaiter operator co_await() && noexcept { return Awaiter{handle(), &h_}; }
    Awaiter operator co_await() & noexcept { return Awaiter{handle(), &h_}; }

private:
    // Type-erased so that destroy_frame() can empty it whatever T is.
    std::coroutine_handle<> h_;
};

namespace detail {
// `at` is the coroutine's own definition (its file; the line differs between compilers):
// where_ until the first co_await, so a task's first step names the file it runs in.
template <class T>
Coro<T> Promise<T>::get_return_object(std::source_location at) noexcept {
    where_ = at;
    return Coro<T>(Coro<T>::handle_type::from_promise(*this));
}
inline Coro<void> Promise<void>::get_return_object(std::source_location at) noexcept {
    where_ = at;
    return Coro<void>(Coro<void>::handle_type::from_promise(*this));
}
}  // namespace detail

template <class T>
inline constexpr bool is_coro_v = false;
template <class T>
inline constexpr bool is_coro_v<Coro<T>> = true;

}  // namespace aio
