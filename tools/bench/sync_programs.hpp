#pragma once
// The sync primitives' benchmark programs (issue 15 §2): each primitive's path without a
// wait (one task) and its waiting path (two tasks handing the primitive back and forth), run on
// either loop. Their Python twins are in bench.py.
#include <aio/aio.hpp>
#include <chrono>

namespace bench::sync {

using namespace std::chrono_literals;

// ---- Lock -----------------------------------------------------------------------------------
// n acquire/release pairs in one task: the lock is always free.
inline aio::Coro<void> lock_uncontended(int n) {
    aio::Lock lock;
    for (int i = 0; i < n; ++i) {
        co_await lock.acquire();
        lock.release();
    }
}
// Two tasks, n acquisitions in all, each held over a sleep(0): every acquisition waits and is a
// hand-off from the other task.
inline aio::Coro<void> lock_holder(aio::Lock& lock, int rounds) {
    for (int i = 0; i < rounds; ++i) {
        co_await lock.acquire();
        co_await aio::sleep(0s);
        lock.release();
    }
}
inline aio::Coro<void> lock_contended(int n) {
    aio::Lock lock;
    co_await aio::gather(lock_holder(lock, n / 2), lock_holder(lock, n / 2));
}

// ---- Semaphore (one unit: the same shapes as the Lock's) ---------------------------------
inline aio::Coro<void> sem_uncontended(int n) {
    aio::Semaphore sem(1);
    for (int i = 0; i < n; ++i) {
        co_await sem.acquire();
        sem.release();
    }
}
inline aio::Coro<void> sem_holder(aio::Semaphore& sem, int rounds) {
    for (int i = 0; i < rounds; ++i) {
        co_await sem.acquire();
        co_await aio::sleep(0s);
        sem.release();
    }
}
inline aio::Coro<void> sem_contended(int n) {
    aio::Semaphore sem(1);
    co_await aio::gather(sem_holder(sem, n / 2), sem_holder(sem, n / 2));
}

// ---- Event ------------------------------------------------------------------------------------
// n set/wait/clear rounds in one task: wait() finds the event set.
inline aio::Coro<void> event_uncontended(int n) {
    aio::Event ev;
    for (int i = 0; i < n; ++i) {
        ev.set();
        co_await ev.wait();
        ev.clear();
    }
}
// A ping-pong through two events: n hand-offs in all, each a wait() woken by the other task.
inline aio::Coro<void> event_pinger(aio::Event& ping, aio::Event& pong, int rounds) {
    for (int i = 0; i < rounds; ++i) {
        ping.set();
        co_await pong.wait();
        pong.clear();
    }
}
inline aio::Coro<void> event_ponger(aio::Event& ping, aio::Event& pong, int rounds) {
    for (int i = 0; i < rounds; ++i) {
        co_await ping.wait();
        ping.clear();
        pong.set();
    }
}
inline aio::Coro<void> event_pingpong(int n) {
    aio::Event ping, pong;
    co_await aio::gather(event_pinger(ping, pong, n / 2), event_ponger(ping, pong, n / 2));
}

// ---- Condition --------------------------------------------------------------------------------
// n acquire/notify/release rounds in one task: nobody waits.
inline aio::Coro<void> condition_uncontended(int n) {
    aio::Condition cond;
    for (int i = 0; i < n; ++i) {
        co_await cond.acquire();
        cond.notify();
        cond.release();
    }
}
// A ping-pong on one condition (a turn flag): n hand-offs in all, each a wait() notified by the
// other task, then the lock re-acquired.
inline aio::Coro<void> condition_pinger(aio::Condition& cond, int& turn, int rounds) {
    auto guard = co_await cond.scoped();
    for (int i = 0; i < rounds; ++i) {
        turn = 1;
        cond.notify();
        co_await cond.wait_for([&] { return turn == 0; });
    }
}
inline aio::Coro<void> condition_ponger(aio::Condition& cond, int& turn, int rounds) {
    auto guard = co_await cond.scoped();
    for (int i = 0; i < rounds; ++i) {
        co_await cond.wait_for([&] { return turn == 1; });
        turn = 0;
        cond.notify();
    }
}
inline aio::Coro<void> condition_pingpong(int n) {
    aio::Condition cond;
    int turn = 0;
    co_await aio::gather(condition_pinger(cond, turn, n / 2), condition_ponger(cond, turn, n / 2));
}

// ---- Queue ------------------------------------------------------------------------------------
// n put/get pairs in one task: neither waits.
inline aio::Coro<void> queue_uncontended(int n) {
    aio::Queue<int> q;
    for (int i = 0; i < n; ++i) {
        co_await q.put(i);
        (void)co_await q.get();
    }
}
// A producer and a consumer through a queue of one slot: n items, every put() waits for the
// consumer's get() (and every get() for the producer's put()).
inline aio::Coro<void> producer(aio::Queue<int>& q, int n) {
    for (int i = 0; i < n; ++i) co_await q.put(i);
}
inline aio::Coro<void> consumer(aio::Queue<int>& q, int n) {
    for (int i = 0; i < n; ++i) (void)co_await q.get();
}
inline aio::Coro<void> queue_put_contended(int n) {
    aio::Queue<int> q(1);
    co_await aio::gather(producer(q, n), consumer(q, n));
}

}  // namespace bench::sync
