#pragma once
// aio::seam: the one interface between the loop core (EventLoop: ready queue, timers, tasks,
// the thread-safe inbox) and what differs between the real loop and the simulator. It has
// three parts, installed once, before the loop first runs, with EventLoop::install_seam():
//
//  - Clock: where loop time comes from (Trio's Clock, tokio's paused clock). The real loop's
//    is SteadyClock; the simulator's is a virtual clock.
//  - Driver: the wait for work (the I/O driver). The real loop's (detail::EpollDriver, an
//    FdDriver) blocks the thread on a condition variable until the program first watches a
//    file descriptor, and in epoll_wait from then on; the simulator's advances virtual time
//    (next: and delivers simulated network events).
//  - Chooser: the choice points, where the run could go more than one way. The real loop has
//    none (a null chooser): it takes asyncio's own order everywhere.
//
// Who calls what, when, on which thread. Everything below is called by the loop, on the thread
// running the loop, from inside run_forever() (Clock::now() also from EventLoop::time(), which
// user code calls, and Chooser::choose_eager_start() from create_task()), except Driver::wake().
//  - Clock::now(): whenever the loop or its user reads the time. The loop reads it once per
//    pass to find the due timers.
//  - Driver::wait(deadline): at the start of a pass when nothing is ready, the loop is not
//    stopping and the inbox is empty. Returns once `deadline` (on this loop's Clock; nullopt:
//    none) has passed, or wake() was called, or earlier (a spurious return is harmless: the
//    loop just waits again).
//  - Driver::wake(): by EventLoop::call_soon_threadsafe(), from ANY thread, after the callback
//    is in the inbox. Must be thread-safe and must not block for long.
//  - FdDriver::poll(): at the start of a pass that does not wait (something is ready), while
//    the driver watches any file descriptor: asyncio polls its selector with a zero timeout on
//    every pass, so ready work never starves I/O. FdDriver::watch()/unwatch(): from the loop's
//    thread, inside callbacks and task steps (add_reader, the socket operations, transports).
//  - Chooser, asked only at the points it asked for in offers() (read once, at install):
//      choose_ready: before each entry of a pass runs: which of the ready entries runs next;
//      order_due_timers: once per pass when timers are due: the order in which they fire;
//      choose_eager_start: at create_task on the running loop: start the task eagerly or not;
//      timer_added: after a timer was scheduled;
//      before_due_timers: at the start of a pass while a timer is set, before the loop reads the
//        clock to find the due timers (the simulator: whether the earliest timer overtakes the
//        ready work, by moving its clock to the timer's deadline; the timer then fires in this
//        pass, after the entries already ready);
//      on_step_alarm: at the start of a pass once EventLoop::steps_run() reached step_alarm().
//
// What an implementation may and may not do:
//  - A chooser chooses among what is offered: an index into the entries shown, an order of
//    the due timers, yes or no. It never invents work (nothing is scheduled but what the program
//    scheduled, and what the seam's own side delivers through the loop's public call_soon: the
//    simulator's to_thread completions today, network events later), never drops work (every due timer fires: the loop fires any
//    the chooser left, also when it throws), never runs user code and never reads real time,
//    addresses or thread timing to decide (the simulator's determinism rests on that).
//  - Any of them may throw from wait(), choose_ready(), order_due_timers(), before_due_timers() and
//    on_step_alarm(): the exception leaves run_forever() (the simulator's Deadlock and
//    LimitExceeded). Clock::now(), timer_added() and choose_eager_start() run inside user code
//    (a task step): they must not throw; a failure found there is raised at the next pass
//    (arm the step alarm at 0).
//  - A clock's time never goes backwards.
//
// Not part of the seam: the simulator also overrides EventLoop::run_in_executor() (to_thread's
// entry point) to run jobs on its own gate; LoopObserver (detail/loop_observer.hpp) reports
// events and decides nothing.
//
// Cost on the real loop: the chooser is null, so each choice point is one predictable branch
// and no virtual call per step (the due-timer check has one flag for order_due_timers and
// before_due_timers together); the clock and the driver are virtual calls (as before the seam):
// the loop reads the clock once per pass while a timer is set, and calls the driver only when
// idle.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>

#include "aio/clock.hpp"

namespace aio {
class EventLoop;
namespace detail {
struct ReadyEntry;
class ReadyQueue;
class TaskBase;
struct TimerNode;
}  // namespace detail
}  // namespace aio

namespace aio::seam {

/// Where loop time comes from. now() is not const: a clock may move when read (the
/// simulator's jitter: a task step ran a little while before it read the clock).
class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint now() = 0;
};

/// The real loop's clock: std::chrono::steady_clock.
class SteadyClock final : public Clock {
public:
    TimePoint now() override { return TimePoint(std::chrono::steady_clock::now().time_since_epoch()); }
};

/// The wait for work.
class Driver {
public:
    virtual ~Driver() = default;
    /// Waits until `deadline` (nullopt: no deadline) or a wake().
    virtual void wait(std::optional<TimePoint> deadline) = 0;
    /// Ends a wait() in progress, or makes the next one return at once. Any thread.
    virtual void wake() noexcept = 0;
};

/// The real loop's driver: blocks the thread on a condition variable until the deadline (read
/// on the steady clock, the real loop's clock) or a wake().
class CondvarDriver final : public Driver {
public:
    void wait(std::optional<TimePoint> deadline) override;
    void wake() noexcept override;

private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool woken_ = false;
};

/// A driver that also watches OS file descriptors for readiness (the real loop's). Readiness is
/// level-triggered, as asyncio's selectors are: while fd is readable (writable), every wait() or
/// poll() pushes the watch's entry to the loop's ready queue once. Whoever watches must unwatch
/// before it closes the fd or frees what the entry points to, and must remove an entry already
/// pushed (EventLoop::remove_ready(arg)) when it unwatches between the push and the run.
class FdDriver : public Driver {
public:
    enum class Interest : unsigned char { read = 0, write = 1 };
    /// Watches fd for `interest`, replacing a previous watch of the same (fd, interest).
    /// Throws OSError when the kernel refuses fd (not a pollable descriptor: a regular file).
    virtual void watch(int fd, Interest interest, const detail::ReadyEntry& on_ready) = 0;
    /// Stops the watch; returns false when there was none. Never throws (a closed fd too).
    virtual bool unwatch(int fd, Interest interest) noexcept = 0;
    /// The entry of the watch of (fd, interest), or null.
    virtual const detail::ReadyEntry* watched(int fd, Interest interest) const noexcept = 0;
    /// Collects readiness without blocking (see the call order above).
    virtual void poll() = 0;
    /// How many (fd, interest) watches there are.
    std::size_t watch_count() const noexcept { return watch_count_; }

protected:
    std::size_t watch_count_ = 0;
};

/// The due timers of one pass, in asyncio's order (deadline, then creation), for
/// Chooser::order_due_timers() to fire in its own order.
class DueTimers {
public:
    std::size_t size() const noexcept { return size_; }
    /// The i-th due timer (fired or not).
    const detail::TimerNode& operator[](std::size_t i) const noexcept { return *timers_[i]; }
    bool fired(std::size_t i) const noexcept { return done_[i] != 0; }
    /// Makes the i-th due timer's callback ready (once; a second call does nothing).
    void fire(std::size_t i);

private:
    friend class aio::EventLoop;
    DueTimers(EventLoop& loop, detail::TimerNode* const* timers, unsigned char* done, std::size_t n) noexcept
        : loop_(loop), timers_(timers), done_(done), size_(n) {}
    EventLoop& loop_;
    detail::TimerNode* const* timers_;
    unsigned char* done_;
    std::size_t size_;
};

/// The choice points. Each default is asyncio's own choice.
class Chooser {
public:
    /// Which choice points this chooser is asked at; read once, when the seam is installed.
    struct Offers {
        bool ready = false;          // choose_ready
        bool timers = false;         // order_due_timers and timer_added
        bool eager_start = false;    // choose_eager_start
        bool before_timers = false;  // before_due_timers
    };

    virtual ~Chooser() = default;
    virtual Offers offers() const noexcept = 0;

    /// Which ready entry runs next; 0 is asyncio's (FIFO) order. `batch_left` entries of the
    /// current pass remain to run (ready.size() may be larger: entries of the next pass).
    virtual std::size_t choose_ready(const detail::ReadyQueue& ready, std::size_t batch_left);
    /// Fires every due timer with due.fire(i), in any order (default: as given).
    virtual void order_due_timers(DueTimers& due);
    /// True to run task t's first step inside create_task. `loop_default` is the loop's
    /// set_eager_tasks() setting.
    virtual bool choose_eager_start(detail::TaskBase& t, bool loop_default);
    /// After timer n was scheduled (n.seq is its creation order); `task` is the sleeping task,
    /// or null for call_later.
    virtual void timer_added(detail::TimerNode& n, detail::TaskBase* task);
    /// At the start of a pass while a timer is set, before the loop reads the clock to find the
    /// due timers; `earliest` is the timer due first, `ready_work` whether entries are ready.
    /// The chooser may move its Clock (never backwards, e.g. to earliest.when): the loop then
    /// fires what is due in this pass. May throw (the exception leaves run_forever() before the
    /// pass runs anything). Default: nothing.
    virtual void before_due_timers(const detail::TimerNode& earliest, bool ready_work);
    /// At the start of a pass once steps_run() >= step_alarm(). May throw: the exception leaves
    /// run_forever() before the pass runs anything. Default: disarm.
    virtual void on_step_alarm();

    /// The loop calls on_step_alarm() at the start of a pass once it has run this many entries.
    std::uint64_t step_alarm() const noexcept { return step_alarm_; }

protected:
    /// UINT64_MAX disarms; 0 rings at the start of the next pass.
    void arm_step_alarm(std::uint64_t at) noexcept { step_alarm_ = at; }

private:
    std::uint64_t step_alarm_ = UINT64_MAX;
};

/// What a loop is built with. A null chooser is the real loop's fast path.
struct Seam {
    Clock* clock = nullptr;
    Driver* driver = nullptr;
    Chooser* chooser = nullptr;
};

}  // namespace aio::seam
