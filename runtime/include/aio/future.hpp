#pragma once
// aio::Future<T>: asyncio's Future, a result that is set later, on the loop's thread.
//
// Completion (set_result, set_exception, cancel) schedules the done-callbacks and wakes every
// awaiting task on a later pass of the loop, exactly as asyncio does. result() of a pending
// future throws InvalidStateError; of a cancelled one, CancelledError; of a failed one, the
// exception. An exception nobody retrieved is reported to the loop's exception handler when
// the last handle goes ("Future exception was never retrieved").
//
// Handles are copyable and share the state; they must stay on the loop's thread (their count is
// not atomic: never copy or drop one on another thread). While the loop runs, set_result,
// set_exception, cancel and add_done_callback throw RuntimeError on any other thread: post them
// with loop.call_soon_threadsafe().
#include <concepts>
#include <cstddef>
#include <functional>
#include <type_traits>
#include <variant>

#include "aio/context.hpp"
#include "aio/detail/done_fn.hpp"
#include "aio/detail/future_awaiter.hpp"

namespace aio {

template <class T = void>
class Future {
    using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;
    using State = detail::FutureState<Stored>;

public:
    using is_aio_awaitable = void;
    using value_type = T;

    Future() = default;
    /// A pending future of `loop` (asyncio's loop.create_future()).
    explicit Future(EventLoop& loop) : s_(new State(&loop)) {}

    bool valid() const noexcept { return static_cast<bool>(s_); }
    bool done() const noexcept { return s_->done(); }
    bool cancelled() const noexcept { return s_->cancelled(); }
    bool cancel(std::optional<std::string> msg = std::nullopt) {
        detail::check_loop_thread(s_->loop(), "Future.cancel()");
        return s_->cancel(std::move(msg));
    }

    /// The value; throws as described above.
    const Stored& result() const {
        s_->throw_if_not_result();
        return *s_->value;
    }
    std::exception_ptr exception() const { return s_->exception(); }

    template <class... U>
    void set_result(U&&... v) {
        detail::check_loop_thread(s_->loop(), "Future.set_result()");
        if (s_->done()) throw InvalidStateError("invalid state: the future is already done");
        s_->value.emplace(std::forward<U>(v)...);
        s_->finish_with_value();
    }
    void set_exception(std::exception_ptr e) {
        detail::check_loop_thread(s_->loop(), "Future.set_exception()");
        s_->set_exception(std::move(e));
    }

    /// fn(future) runs on a later pass of the loop once the future is done, in a copy of the
    /// context current now, or in `context` (context=).
    template <class F>
        requires std::invocable<F&, Future>
    void add_done_callback(F fn) {
        detail::check_loop_thread(s_->loop(), "Future.add_done_callback()");
        detail::add_done_fn_of<Future>(*s_, *this, std::move(fn));
    }
    /// asyncio's remove_done_callback(fn): removes every pending callback added as an F equal
    /// to `fn` (a function pointer, a functor with ==); returns how many. Lambdas have no ==:
    /// a lambda callback cannot be removed (keep a functor or a function pointer for that).
    template <class F>
        requires std::equality_comparable<F>
    std::size_t remove_done_callback(const F& fn) {
        detail::check_loop_thread(s_->loop(), "Future.remove_done_callback()");
        return detail::remove_done_fn_of<Future>(*s_, fn);
    }
    /// asyncio's get_loop(): the loop the future belongs to.
    EventLoop& get_loop() const {
        if (!s_->loop()) throw RuntimeError("the future's event loop was destroyed");
        return *s_->loop();
    }
    template <class F>
        requires std::invocable<F&, Future>
    void add_done_callback(F fn, const Context& context) {
        detail::check_loop_thread(s_->loop(), "Future.add_done_callback()");
        detail::add_done_fn_of<Future>(*s_, *this, std::move(fn), context.cell());
    }

    detail::FutureBase* state() const noexcept { return s_.get(); }

    struct Awaiter : detail::FutureAwaiter {
        detail::Ref<State> keep;
        [[gnu::always_inline]] T await_resume() {
            resume();
            if constexpr (std::is_void_v<T>) {
                return;
            } else if constexpr (std::is_copy_constructible_v<T>) {
                return *keep->value;
            } else {
                return std::move(*keep->value);
            }
        }
    };
    Awaiter operator co_await() const { return Awaiter{{s_.get()}, s_}; }

private:
    detail::Ref<State> s_;
};

}  // namespace aio
