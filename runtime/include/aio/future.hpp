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
#include <functional>
#include <type_traits>
#include <variant>

#include "aio/context.hpp"
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
    void add_done_callback(std::function<void(Future)> fn) {
        detail::check_loop_thread(s_->loop(), "Future.add_done_callback()");
        Future self = *this;
        detail::add_callback(*s_, [self, fn = std::move(fn)] { fn(self); });
    }
    void add_done_callback(std::function<void(Future)> fn, const Context& context) {
        detail::check_loop_thread(s_->loop(), "Future.add_done_callback()");
        Future self = *this;
        detail::add_callback(
            *s_, [self, fn = std::move(fn)] { fn(self); }, context.cell());
    }

    detail::FutureBase* state() const noexcept { return s_.get(); }

    struct Awaiter : detail::FutureAwaiter {
        detail::Ref<State> keep;
        T await_resume() {
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
