#pragma once
// The loop's side of POSIX signals (src/net/signals.cpp): what EventLoop::close() calls, and
// aio::run's Ctrl-C handling (asyncio.Runner's _on_sigint).
//
// Signals are process-wide, so is their bookkeeping: for each signal, the loop that handles it
// (the last one that added a handler for it) and the write end of that loop's self-pipe, where
// a C handler (async-signal-safe: atomics, getpid, send) writes the signal's number. The loop
// reads its pipe with add_reader and schedules the handler's callback (asyncio's set_wakeup_fd
// design, with one pipe per loop instead of one wakeup fd per process).
#include "aio/task.hpp"

#include <atomic>
#include <memory>

namespace aio {
class EventLoop;
}

namespace aio::detail {

/// Set by the C handler after it wrote a signal's number to a loop's socketpair, cleared by the
/// loop that reads it: a loop with a quiet reader (EventLoop::add_quiet_reader) that never
/// waits polls its driver when this is set.
inline constinit std::atomic<bool> g_signal_arrived{false};

/// EventLoop::close() and ~EventLoop: removes loop's signal handlers (each signal's disposition
/// goes back to SIG_DFL, as asyncio's close() does) and closes its self-pipe.
void forget_signal_handlers(EventLoop& loop) noexcept;

/// Runner::run's SIGINT handling (runners.py 3.12). Installed only on the main thread, when
/// SIGINT's disposition is SIG_DFL (C++'s counterpart of Python's default_int_handler) and the
/// loop watches file descriptors (not the simulator's). The first SIGINT cancels the main task
/// (on the loop: the C handler only writes to the pipe); a second one while run() still runs
/// cannot raise anything in C++ (a signal handler cannot throw into the interrupted code), so
/// it restores SIG_DFL and re-raises SIGINT: the process dies by SIGINT at once, without
/// cleanup, as Python's process does when that second KeyboardInterrupt is not caught.
class RunnerSigint {
public:
    RunnerSigint(EventLoop& loop, const AnyTask& main_task);
    /// Restores SIG_DFL if SIGINT's handler is still this one (runners.py's finally).
    ~RunnerSigint();
    RunnerSigint(const RunnerSigint&) = delete;
    RunnerSigint& operator=(const RunnerSigint&) = delete;

    /// run_until_complete returned: throws KeyboardInterrupt if a SIGINT came that did not
    /// cancel the main task (it was already done: Python's handler raises then).
    void returned();
    /// run_until_complete threw CancelledError: throws KeyboardInterrupt if a SIGINT came and
    /// the cancellation was only ours (task.uncancel() == 0), else returns (the caller rethrows).
    void cancelled();

    /// True when the handler is installed (tests).
    bool installed() const noexcept { return state_ != nullptr; }

    struct State;

private:
    /// Uninstalls; the number of SIGINTs the C handler saw while installed.
    int finish() noexcept;
    std::shared_ptr<State> state_;
};

}  // namespace aio::detail
