#pragma once
// aio::Context and aio::copy_context(): Python's contextvars.Context.
//
//     aio::Context ctx = aio::copy_context();        // O(1): the maps are immutable
//     int n = ctx.run([&] { request_id.set(7); return 1; });
//     ctx.get(request_id);                            // 7: run() set it in ctx
//
// A Context is a handle (copies name the same context, as Python's references do) to a
// mutable cell around an immutable map. Where contexts come from:
//   - each task runs in a copy of the context current when it was created, or in the one given
//     to create_task(coro, name, ctx) (that very context, not a copy: sets in the task show
//     through ctx); Task::get_context() names a task's;
//   - each callback of call_soon / call_later / call_at / call_soon_threadsafe /
//     add_done_callback runs in a copy taken when it was scheduled, or in the one given;
//   - to_thread runs its function in a copy taken when it was called;
//   - aio::Runner keeps one context for all its run() calls (a copy of the context current at
//     its first run()); aio::run() is one Runner, so its main task's sets are not seen outside.
// run(fn) is synchronous: fn must not return a coroutine (a co_await would leave the context
// entered for other tasks' steps). A context is used on one thread at a time: run() on two
// threads at once is the "already entered" RuntimeError; setting variables in a task's context
// from another thread while the task runs is a data race.
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

#include "aio/coro.hpp"
#include "aio/detail/context_slot.hpp"

namespace aio {

template <class T>
class ContextVar;

class Context {
public:
    /// A new, empty context (Python's contextvars.Context()).
    Context();
    Context(const Context& o) noexcept : cell_(o.cell_) { cell_->add_ref(); }
    Context(Context&& o) noexcept : cell_(std::exchange(o.cell_, nullptr)) {}
    Context& operator=(Context o) noexcept {
        std::swap(cell_, o.cell_);
        return *this;
    }
    ~Context() {
        if (cell_) cell_->release();
    }

    /// Calls fn() with this context current and returns its result; a set() inside stays in
    /// this context. RuntimeError("cannot enter context: <Context> is already entered") if this
    /// context is entered already (a nested run(), or run() on another thread meanwhile).
    template <class F>
    std::invoke_result_t<F&&> run(F&& fn) {
        using R = std::invoke_result_t<F&&>;
        static_assert(!is_coro_v<std::remove_cvref_t<R>>,
                      "aio::Context::run() is synchronous: pass a function that does not return a "
                      "coroutine (create the task with create_task(coro, name, context) instead)");
        Enter enter(cell_);
        return std::forward<F>(fn)();
    }
    /// A copy of this context (Context.copy()): later sets in either do not reach the other.
    Context copy() const;

    // --- the Mapping side -----------------------------------------------------------------
    /// The number of variables with a value in this context.
    std::size_t size() const noexcept;
    template <class T>
    bool contains(const ContextVar<T>& var) const noexcept {
        return cell_->map && cell_->map->find(var.id());
    }
    /// The variable's value in this context (ctx[var] / ctx.get(var)); nullopt when it has none
    /// (the variable's default is not consulted, as in Python).
    template <class T>
    std::optional<T> get(const ContextVar<T>& var) const {
        const detail::CtxValue* v = cell_->map ? cell_->map->find(var.id()) : nullptr;
        if (!v) return std::nullopt;
        return static_cast<const detail::CtxBox<T>*>(v)->value;
    }

    friend bool operator==(const Context& a, const Context& b) noexcept { return a.cell_ == b.cell_; }

    /// The context of `cell` (one more reference to it).
    static Context from_cell(detail::ContextCell* cell) noexcept {
        cell->add_ref();
        return Context(cell, Adopt{});
    }
    detail::ContextCell* cell() const noexcept { return cell_; }

private:
    struct Adopt {};
    Context(detail::ContextCell* cell, Adopt) noexcept : cell_(cell) {}
    friend Context copy_context();

    class Enter {
    public:
        explicit Enter(detail::ContextCell* cell);
        ~Enter();
        Enter(const Enter&) = delete;
        Enter& operator=(const Enter&) = delete;

    private:
        detail::ContextSlot slot_;
        detail::ContextFrame frame_;
    };

    detail::ContextCell* cell_;
};

/// A copy of the current context (contextvars.copy_context()).
Context copy_context();

}  // namespace aio
