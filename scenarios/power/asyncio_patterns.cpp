// asyncio bug patterns of this project (issue 13's benchmark): each a short program whose bug
// is one that asyncio users write, found only in some orders. Each comment says which order
// exposes it and which of aiosim's choices reaches that order.
#include <chrono>
#include <optional>
#include <vector>

#include <aio/aio.hpp>
#include <aio/scenario.hpp>

#include "power.hpp"

using namespace std::chrono_literals;
using aio::power::join_all;
using aio::power::kernel_assert;

namespace apat {

using Tasks = std::vector<aio::Task<void>>;

// Lock handoff: release() wakes the first waiter, but the lock stays unlocked until that
// waiter runs (asyncio 3.12 hands the lock over only then). A monitor that reads "unlocked"
// as "nobody is about to work on the job" sees a job that is ready and not taken when it runs
// between the release and the waiter: ready-queue order.
struct LockHandoff {
    aio::Lock m;
    bool job_ready = false, job_taken = false;
    bool monitoring = true;
    static constexpr int max_looks = 8;  // bounded, so no order makes it spin
    aio::Coro<void> producer() {
        AIO_POWER_LOCK(m);
        AIO_POWER_SHARED(&job_ready);  // prepare the job while holding the lock
        job_ready = true;
        m.release();
    }
    aio::Coro<void> consumer() {
        AIO_POWER_LOCK(m);
        AIO_POWER_SHARED(&job_ready);
        if (job_ready) job_taken = true;
        m.release();
        monitoring = false;
    }
    aio::Coro<void> monitor() {
        for (int look = 0; look < max_looks && monitoring; ++look) {
            AIO_POWER_SHARED(&job_ready);
            if (!m.locked() && job_ready)
                kernel_assert(job_taken, "lock_handoff: an unlocked lock means the ready job was taken");
        }
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(producer(), "producer"));
        ts.push_back(aio::create_task(consumer(), "consumer"));
        ts.push_back(aio::create_task(monitor(), "monitor"));
        co_await join_all(ts);
    }
};

// Semaphore over-release: a worker that finds its connection reset returns it to the pool
// early and then releases again in its normal exit path (asyncio.Semaphore, unlike
// BoundedSemaphore, accepts it): the pool's capacity of 1 becomes 2 and two later workers
// hold a connection at once. Needs the reset to land while a worker holds the connection.
struct SemaphoreOverRelease {
    aio::Semaphore pool{1};
    bool reset = false;
    int in_use = 0;
    aio::Coro<void> worker() {
        AIO_POWER_LOCK(pool);
        AIO_POWER_SHARED(&in_use);
        ++in_use;
        kernel_assert(in_use <= 1, "semaphore_over_release: at most 1 connection in use");
        AIO_POWER_SHARED(&reset);  // use the connection
        bool returned = false;
        if (reset) {
            reset = false;
            --in_use;
            returned = true;
            pool.release();  // give the broken connection back at once
        }
        AIO_POWER_SHARED(&in_use);
        if (!returned) --in_use;
        pool.release();  // the normal exit path releases again
    }
    aio::Coro<void> supervisor() {
        AIO_POWER_SHARED(&reset);
        AIO_POWER_SHARED(&reset);
        reset = true;
    }
    aio::Coro<void> main() {
        Tasks ts;
        for (int i = 0; i < 3; ++i) ts.push_back(aio::create_task(worker(), "worker"));
        ts.push_back(aio::create_task(supervisor(), "supervisor"));
        co_await join_all(ts);
    }
};

// Condition lost wakeup: the consumer tests the flag without holding the condition's lock and
// only then takes the lock to wait; a producer that sets the flag and notifies in between
// notifies nobody, and the consumer waits forever (a deadlock).
struct ConditionLostWakeup {
    aio::Condition cond;
    bool ready = false;
    aio::Coro<void> consumer() {
        AIO_POWER_SHARED(&ready);
        if (!ready) {
            AIO_POWER_LOCK(cond);
            AIO_POWER_SHARED(&ready);
            co_await cond.wait();  // the bug: the flag is not tested again under the lock
            cond.release();
        }
    }
    aio::Coro<void> producer() {
        AIO_POWER_SHARED(&ready);
        AIO_POWER_LOCK(cond);
        ready = true;
        cond.notify();
        cond.release();
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(consumer(), "consumer"));
        ts.push_back(aio::create_task(producer(), "producer"));
        co_await join_all(ts);
    }
};

// Queue get/cancel race: a consumer waits for an item in a getter task until a deadline, then
// cancels the getter and drains what is left; an item that the getter already took when the
// deadline ran is lost (nobody reads the getter's result). The put and the deadline are both
// due at 10ms and fire in one pass, in creation order (as on CPython): the consumer's step runs
// first and the item stays in the queue for the drain. Firing the put first changes nothing
// (the getter is woken but cancelled before it runs); the loss needs the woken getter to run
// before the consumer: a ready-queue reordering, an order CPython's loop does not make.
struct QueueGetCancel {
    aio::Queue<int> q{0};
    int processed = 0;
    aio::Coro<int> get_one() { co_return co_await q.get(); }
    aio::Coro<void> consumer() {
        auto getter = aio::create_task(get_one(), "getter");
        co_await aio::sleep(10ms);  // the deadline
        getter.cancel();            // the bug: a getter that finished has an item
        AIO_POWER_SHARED(&q);
        while (!q.empty()) {
            (void)q.get_nowait();
            ++processed;
        }
        try {
            (void)co_await getter;
        } catch (const aio::CancelledError&) {}
    }
    aio::Coro<void> producer() {
        co_await aio::sleep(10ms);
        q.put_nowait(1);
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(consumer(), "consumer"));
        ts.push_back(aio::create_task(producer(), "producer"));
        co_await join_all(ts);
        kernel_assert(processed + static_cast<int>(q.qsize()) == 1, "queue_get_cancel: the item was processed or kept");
    }
};

// wait_for cancel race: a withdrawal commits after its 10ms round trip and then acknowledges
// (one more step); wait_for's 10ms timeout cancels it after the commit, the caller sees a
// TimeoutError and retries, and the account is charged twice. Both timers are due at 10ms and
// fire in one pass, so the timeout's cancellation reaches the task before its step runs,
// whichever fires first; the double commit needs the task's steps reordered around the
// timeout's (ready-queue decisions: an order CPython's loop does not make for timers due at
// the same instant; with the timeout later than the round trip by more than the timer batching
// window, only a step cost, cost=, would reach it).
struct WaitForCancel {
    int commits = 0;
    aio::Coro<void> withdraw() {
        co_await aio::sleep(10ms);  // the round trip
        AIO_POWER_SHARED(&commits);
        ++commits;                // committed on the server
        co_await aio::sleep(0s);  // the acknowledgement
    }
    aio::Coro<void> main() {
        for (int attempt = 0; attempt < 2; ++attempt) {
            try {
                co_await aio::wait_for(withdraw(), 10ms);
                break;
            } catch (const aio::TimeoutError&) {
                // retry
            }
        }
        kernel_assert(commits <= 1, "wait_for_cancel: the withdrawal is committed at most once");
    }
};

// Timer against ready work: a task that finishes its job one step later than the wait_for
// watching it expects, with a timeout of 1ns: on CPython the clock moves while the steps run,
// the timer is due at the next pass and its callback runs before the task's second step (the
// timeout fires). In aiosim's fifo order the virtual clock stands still while anything is
// ready, so the timer fires only after the task; only the overtake decision ('o', a due-soon
// timer before ready work) reaches CPython's order.
struct TimerOvertake {
    aio::Event done;
    aio::Coro<bool> wait_done() { co_return co_await done.wait(); }
    aio::Coro<void> job() {
        co_await aio::sleep(0s);  // the job's first step
        AIO_POWER_SHARED(&done);
        done.set();
    }
    aio::Coro<void> main() {
        auto t = aio::create_task(job(), "job");
        bool timed_out = false;
        try {
            (void)co_await aio::wait_for(wait_done(), 1ns);
        } catch (const aio::TimeoutError&) {
            timed_out = true;
        }
        co_await t;
        kernel_assert(!timed_out, "timer_overtake: the job (ready all along) finishes before a 1ns timeout");
    }
};

}  // namespace apat

#define AIO_POWER_KERNEL(name, description, ...)    \
    AIOSIM_SCENARIO(name, description) {            \
        auto kernel = apat::__VA_ARGS__;            \
        aio::run(kernel.main(), ctx.run_options()); \
        return 0;                                   \
    }

AIO_POWER_KERNEL(apat_lock_handoff, "asyncio pattern: a monitor reads an unlocked Lock between release and handoff",
                 LockHandoff{})
AIO_POWER_KERNEL(apat_semaphore_over_release, "asyncio pattern: a Semaphore released twice by one holder",
                 SemaphoreOverRelease{})
AIO_POWER_KERNEL(apat_condition_lost_wakeup, "asyncio pattern: a Condition flag tested outside its lock",
                 ConditionLostWakeup{})
AIO_POWER_KERNEL(apat_queue_get_cancel, "asyncio pattern: a Queue getter cancelled after it took the item",
                 QueueGetCancel{})
AIO_POWER_KERNEL(apat_wait_for_cancel, "asyncio pattern: wait_for times out after the work committed", WaitForCancel{})
AIO_POWER_KERNEL(apat_timer_overtake, "asyncio pattern: a 1ns timeout that CPython fires before ready work",
                 TimerOvertake{})
