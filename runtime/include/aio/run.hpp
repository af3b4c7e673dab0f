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
//  5. shuts down the default executor (waiting for to_thread work), closes the loop, and
//     clears the running loop;
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
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>

#include "aio/event_loop.hpp"
#include "aio/task.hpp"
#include "aio/detail/signals.hpp"

namespace aio {

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
    // The task runs in the runner's context (asyncio.Runner's: a copy of the context current
    // at the first run(), kept for all of them), or in `context` (run(coro, context=)).
    template <class T>
    T run(Coro<T>&& coro) {
        if (!context_) context_ = copy_context();
        return run(std::move(coro), *context_);
    }
    template <class T>
    T run(Coro<T>&& coro, const Context& context) {
        if (!coro) throw ValueError("Runner::run() needs a coroutine, got an empty (moved-from) aio::Coro");
        if (EventLoop::running()) throw RuntimeError("aio::Runner::run() cannot be called from a running event loop");
        EventLoop& loop = get_loop();
        auto task = loop.create_task(std::move(coro), {}, context);
        detail::RunnerSigint sigint(loop, task);  // Ctrl-C, see above
        try {
            if constexpr (std::is_void_v<T>) {
                loop.run_until_complete(task);
                sigint.returned();
            } else {
                T result = loop.run_until_complete(task);
                sigint.returned();
                return result;
            }
        } catch (const CancelledError&) {
            sigint.cancelled();  // KeyboardInterrupt when the cancellation was Ctrl-C's
            throw;
        }
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

private:
    RunOptions options_;
    std::optional<Context> context_;
    std::unique_ptr<EventLoop> loop_;
    bool closed_ = false;
};

// Coro<T>&& (not by value): by value, a named Coro would make the call ambiguous with the
// Coro<T>& overload below instead of reaching its readable message.
template <class T>
T run(Coro<T>&& coro, RunOptions options = {}) {
    if (EventLoop::running()) throw RuntimeError("aio::run() cannot be called from a running event loop");
    if (!coro) throw ValueError("aio::run() needs a coroutine, got an empty (moved-from) aio::Coro");
    Runner runner(std::move(options));
    if constexpr (std::is_void_v<T>) {
        runner.run(std::move(coro));
        runner.close();
    } else {
        T result = runner.run(std::move(coro));
        runner.close();
        return result;
    }
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
