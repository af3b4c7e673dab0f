#pragma once
// aio::run and aio::Runner: asyncio.run and asyncio.Runner.
//
//     int main() { return aio::run(amain()); }
//     aio::run(amain(), {.debug = true, .loop_factory = aio::sim::loop_factory(cfg)});
//
// run(coro, options):
//  1. throws RuntimeError("aio::run() cannot be called from a running event loop") if a loop
//     runs on this thread (another thread, e.g. inside aio::to_thread, may run its own);
//  2. creates a fresh loop (options.loop_factory() if given, else the real-time loop) and sets
//     its debug mode (options.debug, or AIO_DEBUG from the environment if nullopt);
//  3. runs coro as the main task until it completes;
//  4. cancels every task still pending and runs the loop until they have all finished their
//     cancellation (their catch blocks and RAII cleanup run); an exception other than
//     CancelledError raised during that cleanup goes to the loop's exception handler;
//  5. closes the async generators left suspended (loop.shutdown_asyncgens(), whose failures go
//     to the exception handler), shuts down the default executor (waiting for to_thread work
//     up to thread_join_timeout, 300 s: a job still running then is reported and abandoned),
//     closes the loop, and clears the running loop;
//  6. returns the main coroutine's result, or rethrows its exception (CancelledError if the
//     main task was cancelled).
// An empty (moved-from) coroutine throws ValueError; a non-coroutine argument does not
// compile.
//
// Ctrl-C (runners.py 3.12): while run() (or Runner::run()) runs on the main thread with SIGINT
// at its default disposition (SIG_DFL) and a loop that watches file descriptors, SIGINT has a
// handler. The first SIGINT cancels the main task; the main coroutine gets CancelledError at its
// await and cleans up; if it ends cancelled, step 4 runs (every other task is cancelled and
// cleaned up) and run() throws aio::KeyboardInterrupt (errors.hpp: like CancelledError, not a
// std::exception), or CancelledError if someone else cancelled the main task too. A SIGINT
// that arrives once the main task is done also makes run() throw KeyboardInterrupt. A second
// SIGINT while run() still runs (main ignores or is slow to honour the cancellation) kills the
// process at once by SIGINT (exit status 128 + 2 in a shell), without cleanup: a C++ signal
// handler cannot throw into the code it interrupted, and that is what happens to a Python
// process that does not catch the second KeyboardInterrupt. SIGINT's disposition is SIG_DFL
// again when run() returns. An uncaught KeyboardInterrupt ends a C++ program by
// std::terminate (abort); to exit as Python does, catch it in main():
//
//     int main() try { aio::run(amain()); } catch (const aio::KeyboardInterrupt&) { return 130; }
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>

#include "aio/event_loop.hpp"
#include "aio/task.hpp"
#include "aio/detail/signals.hpp"

namespace aio {

namespace detail {
/// How a run ended: its value (none for void), or the exception to rethrow.
template <class T>
struct RunOutcome {
    std::optional<T> value;
    std::exception_ptr error;
};
template <>
struct RunOutcome<void> {
    std::exception_ptr error;
};
}  // namespace detail

struct RunOptions {
    /// nullopt: the global default (AIO_DEBUG).
    std::optional<bool> debug = std::nullopt;
    /// Makes the loop; empty: a new real-time aio::EventLoop.
    std::function<std::unique_ptr<EventLoop>()> loop_factory = nullptr;
};

/// asyncio.Runner: one loop for several run() calls; closed by close() or the destructor.
class Runner {
public:
    explicit Runner(RunOptions options = {});
    ~Runner();
    Runner(const Runner&) = delete;
    Runner& operator=(const Runner&) = delete;

    /// Runs coro as a task on this runner's loop and returns its result (steps 3 and 6
    /// above; pending tasks are left to the next run() or to close()).
    // Coro<T>&& (not by value): a by-value overload would tie with the catch-all below for a
    // named Coro and the user would get "use of deleted function" instead of the message.
    // Inline (always) so that the rethrow starts in the caller's frame (see aio::run).
    // The task runs in the runner's context (asyncio.Runner's: a copy of the context current
    // at the first run(), kept for all of them), or in `context` (run(coro, context=)).
    template <class T>
    [[gnu::always_inline]] inline T run(Coro<T>&& coro) {
        detail::RunOutcome<T> out = run_outcome(std::move(coro));
        if (out.error) std::rethrow_exception(std::move(out.error));
        if constexpr (!std::is_void_v<T>) return std::move(*out.value);
    }
    template <class T>
    [[gnu::always_inline]] inline T run(Coro<T>&& coro, const Context& context) {
        detail::RunOutcome<T> out = run_outcome(std::move(coro), context);
        if (out.error) std::rethrow_exception(std::move(out.error));
        if constexpr (!std::is_void_v<T>) return std::move(*out.value);
    }
    template <class F>
    void run(F&&) {
        static_assert(detail::always_false<F>,
                      "aio::Runner::run() accepts only a coroutine: pass the call `main()` of a "
                      "function declared `aio::Coro<T> main()` (use std::move for a named Coro)");
    }

    /// The runner's loop, created on first use.
    EventLoop& get_loop();
    /// Steps 4 and 5 above. Idempotent.
    void close();

    /// run() without its last rethrow: the main task's result, or the exception run() would
    /// throw (the main task's, or CancelledError), taken from the task without a raise. A
    /// failure of the run itself (no loop, a loop stopped early, KeyboardInterrupt) throws.
    template <class T>
    detail::RunOutcome<T> run_outcome(Coro<T>&& coro) {
        if (!context_) context_ = copy_context();
        return run_outcome(std::move(coro), *context_);
    }
    template <class T>
    detail::RunOutcome<T> run_outcome(Coro<T>&& coro, const Context& context) {
        if (!coro) throw ValueError("Runner::run() needs a coroutine, got an empty (moved-from) aio::Coro");
        if (EventLoop::running()) throw RuntimeError("aio::Runner::run() cannot be called from a running event loop");
        EventLoop& loop = get_loop();
        auto task = loop.create_task(std::move(coro), {}, context);
        detail::RunnerSigint sigint(loop, task);  // Ctrl-C, see above
        detail::RunOutcome<T> out;
        try {
            loop.run_until_done(*task.state_ptr());
        } catch (const CancelledError&) {
            sigint.cancelled();  // KeyboardInterrupt when the cancellation was Ctrl-C's
            throw;
        }
        out.error = task.state_ptr()->result_error();
        if (!out.error) {
            sigint.returned();
            if constexpr (!std::is_void_v<T>) out.value.emplace(task.take_result());
        } else if (is_cancelled_error(out.error)) {
            sigint.cancelled();
        }
        return out;
    }
    /// close() after a failed run (aio::run, ~Runner): what the shutdown raises goes to the
    /// loop's exception handler, as the run's own exception is the one to throw. Idempotent.
    void close_reporting() noexcept;

private:
    RunOptions options_;
    std::optional<Context> context_;
    std::unique_ptr<EventLoop> loop_;
    bool closed_ = false;
};

// Coro<T>&& (not by value): by value, a named Coro would make the call ambiguous with the
// Coro<T>& overload below instead of reaching its readable message.
namespace detail {
/// aio::run's work (steps 1-5): the outcome to return or rethrow. The loop is closed when it
/// returns, so that aio::run rethrows once, from its caller's frame, with nothing left to clean
/// up on the way: the shutdown does not run in a landing pad during unwinding.
template <class T>
RunOutcome<T> run_to_outcome(Coro<T>&& coro, RunOptions&& options) {
    if (EventLoop::running()) throw RuntimeError("aio::run() cannot be called from a running event loop");
    if (!coro) throw ValueError("aio::run() needs a coroutine, got an empty (moved-from) aio::Coro");
    Runner runner(std::move(options));
    RunOutcome<T> out = runner.run_outcome(std::move(coro));
    if (out.error)
        runner.close_reporting();
    else
        runner.close();
    return out;
}
}  // namespace detail

// Coro<T>&& (not by value): by value, a named Coro would make the call ambiguous with the
// Coro<T>& overload below instead of reaching its readable message.
// Inline (always): the one rethrow of the main task's exception then starts in the caller's
// frame, and `out`'s cleanup is the caller's too, so a caller that catches takes the exception
// in one unwinding pass, without restarting it (_Unwind_Resume) from a library frame.
template <class T>
[[gnu::always_inline]] inline T run(Coro<T>&& coro, RunOptions options = {}) {
    detail::RunOutcome<T> out = detail::run_to_outcome(std::move(coro), std::move(options));
    if (out.error) std::rethrow_exception(std::move(out.error));
    if constexpr (!std::is_void_v<T>) return std::move(*out.value);
}

/// A named coroutine: a readable compile-time error (aio::run takes ownership of it).
template <class T>
T run(Coro<T>&, RunOptions = {}) {
    static_assert(detail::always_false<T>,
                  "aio::run() takes ownership of the coroutine: pass `main()` directly or "
                  "std::move(coro)");
}

/// Anything but an aio::Coro<T> prvalue: a readable compile-time error.
template <class F>
void run(F&&, RunOptions = {}) {
    static_assert(detail::always_false<F>,
                  "aio::run() accepts only a coroutine: pass the call `main()` of a function "
                  "declared `aio::Coro<T> main()` (use std::move for a named aio::Coro)");
}

}  // namespace aio
