// EventLoop::kill_tasks and every kind of wait a killed task can be suspended in: the wait
// lives in the destroyed frame and must unlink itself, a wake-up it had received must go on to
// the next waiter, and the primitive must work for the surviving tasks afterwards. Under ASan
// (the asan preset) a wait left behind is a use of freed memory.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "support.hpp"

using namespace std::chrono_literals;
using aio_test::Cleanup;

namespace {

using aio_test::crash;
using aio_test::Crash;
using aio_test::passes;
using aio_test::spawn;
using aio_test::value_after;
using aio_test::what_of;

std::size_t kill5() { return aio::get_running_loop().kill_tasks(5, crash()); }
std::size_t timers() { return aio::detail::EventLoopAccess::timer_count(aio::get_running_loop()); }

aio::Coro<void> sleep_an_hour() { co_await aio::sleep(1h); }

/// Awaits t, but fails the test with TimeoutError instead of hanging when a wake-up was lost.
template <class T>
aio::Coro<T> bounded(aio::Task<T> t) {
    co_return co_await aio::wait_for(t, 5s);
}

/// Runs `body` as a wait of a killed task: logs anything that runs after it.
template <class A>
aio::Coro<void> blocked(A awaitable_maker, std::vector<std::string>& log, int& cleanups) {
    Cleanup c{&cleanups};
    try {
        co_await awaitable_maker();
        log.push_back("after the wait");
    } catch (...) {
        log.push_back("catch block");
        throw;
    }
}

struct Outcome {
    std::vector<std::string> log;  // what ran in killed tasks after their wait (must stay empty)
    int cleanups = 0;
    aio_test::Reports reports;
};

void check_clean(const Outcome& o, int expected_cleanups) {
    CHECK(o.log.empty());
    CHECK(o.cleanups == expected_cleanups);
    CHECK(o.reports.messages() == std::vector<std::string>{});
}

}  // namespace

// ---- Lock ---------------------------------------------------------------------------------

TEST_CASE("a task killed while queued on a Lock leaves the queue; the lock goes to the next waiter") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            aio::Lock lock;
            co_await lock.acquire();
            spawn(5, blocked([&] { return lock.acquire(); }, o.log, o.cleanups));
            auto take = [&]() -> aio::Coro<int> {
                co_await lock.acquire();
                lock.release();
                co_return 1;
            };
            auto survivor = spawn(6, take());
            co_await passes(2);
            CHECK(lock.waiters() == 2);
            CHECK(kill5() == 1);
            CHECK(lock.waiters() == 1);
            lock.release();
            CHECK(co_await bounded(survivor) == 1);
            CHECK_FALSE(lock.locked());
        }(),
        o.reports.options());
    check_clean(o, 1);
}

TEST_CASE("a task killed after a Lock was handed to it, before it ran, passes the lock on") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            aio::Lock lock;
            co_await lock.acquire();
            spawn(5, blocked([&] { return lock.acquire(); }, o.log, o.cleanups));
            auto take = [&]() -> aio::Coro<int> {
                co_await lock.acquire();
                lock.release();
                co_return 2;
            };
            auto survivor = spawn(6, take());
            co_await passes(2);
            lock.release();  // wakes the first waiter: the one killed next
            CHECK(kill5() == 1);
            CHECK(co_await bounded(survivor) == 2);
            CHECK_FALSE(lock.locked());
            CHECK(lock.waiters() == 0);
        }(),
        o.reports.options());
    check_clean(o, 1);
}

TEST_CASE("a task killed while holding a Lock through a LockGuard releases it (RAII runs)") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            aio::Lock lock;
            auto hold = [&]() -> aio::Coro<void> {
                auto guard = co_await lock.scoped();
                co_await aio::sleep(1h);
                o.log.push_back("after the sleep");
            };
            auto take = [&]() -> aio::Coro<int> {
                auto guard = co_await lock.scoped();
                co_return 3;
            };
            spawn(5, hold());
            auto survivor = spawn(6, take());
            co_await passes(2);
            CHECK(lock.locked());
            CHECK(kill5() == 1);
            CHECK(co_await bounded(survivor) == 3);
        }(),
        o.reports.options());
    check_clean(o, 0);
}

// ---- Semaphore ----------------------------------------------------------------------------

TEST_CASE("a task killed while queued on a Semaphore leaves the queue; the unit goes to the next waiter") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            aio::Semaphore sem(0);
            spawn(5, blocked([&] { return sem.acquire(); }, o.log, o.cleanups));
            auto take = [&]() -> aio::Coro<int> {
                co_await sem.acquire();
                co_return 4;
            };
            auto survivor = spawn(6, take());
            co_await passes(2);
            CHECK(kill5() == 1);
            CHECK(sem.waiters() == 1);
            sem.release();
            CHECK(co_await bounded(survivor) == 4);
            CHECK(sem.value() == 0);
        }(),
        o.reports.options());
    check_clean(o, 1);
}

TEST_CASE("a task killed after a Semaphore unit was handed to it, before it ran, passes the unit on") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            aio::Semaphore sem(0);
            spawn(5, blocked([&] { return sem.acquire(); }, o.log, o.cleanups));
            auto take = [&]() -> aio::Coro<int> {
                co_await sem.acquire();
                co_return 5;
            };
            auto survivor = spawn(6, take());
            co_await passes(2);
            sem.release();  // the unit is handed to the first waiter: the one killed next
            CHECK(sem.value() == 0);
            CHECK(kill5() == 1);
            CHECK(co_await bounded(survivor) == 5);
            CHECK(sem.value() == 0);
            sem.release();
            CHECK(sem.value() == 1);  // nothing was counted twice
        }(),
        o.reports.options());
    check_clean(o, 1);
}

// ---- Event --------------------------------------------------------------------------------

TEST_CASE("a task killed while waiting on an Event leaves it; setting it wakes the others, and it is reusable") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            aio::Event ev;
            spawn(5, blocked([&] { return ev.wait(); }, o.log, o.cleanups));
            auto wait_for_it = [&](int v) -> aio::Coro<int> {
                co_await ev.wait();
                co_return v;
            };
            auto survivor = spawn(6, wait_for_it(6));
            co_await passes(2);
            CHECK(kill5() == 1);
            ev.set();
            CHECK(co_await bounded(survivor) == 6);
            ev.clear();
            spawn(5, blocked([&] { return ev.wait(); }, o.log, o.cleanups));  // set, then killed
            auto second = spawn(6, wait_for_it(7));
            co_await passes(2);
            ev.set();
            CHECK(kill5() == 1);
            CHECK(co_await bounded(second) == 7);
        }(),
        o.reports.options());
    check_clean(o, 2);
}

// ---- Condition ----------------------------------------------------------------------------

TEST_CASE("a task killed after a Condition notified it, before it ran, passes the notification on") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            aio::Condition cond;
            auto waiter = [&](bool* woke) -> aio::Coro<void> {
                auto guard = co_await cond.scoped();
                co_await cond.wait();
                if (woke) *woke = true;
            };
            spawn(5, blocked([&] { return waiter(nullptr); }, o.log, o.cleanups));
            bool survivor_woke = false;
            auto survivor = spawn(6, waiter(&survivor_woke));
            co_await passes(2);
            CHECK(cond.waiters() == 2);
            {
                auto guard = co_await cond.scoped();
                cond.notify(1);  // the first waiter: the one killed next
            }
            CHECK(kill5() == 1);
            CHECK(cond.waiters() == 1);
            co_await bounded(survivor);
            CHECK(survivor_woke);
            CHECK_FALSE(cond.locked());
            // Killed while waiting (not notified): it just leaves.
            spawn(5, blocked([&] { return waiter(nullptr); }, o.log, o.cleanups));
            auto second = spawn(6, waiter(nullptr));
            co_await passes(2);
            CHECK(kill5() == 1);
            {
                auto guard = co_await cond.scoped();
                cond.notify(1);
            }
            co_await bounded(second);
            CHECK(cond.waiters() == 0);
        }(),
        o.reports.options());
    check_clean(o, 2);
}

TEST_CASE("a task killed while re-acquiring a Condition's lock after its notification leaves the lock usable") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            aio::Condition cond;
            spawn(5, blocked(
                         [&]() -> aio::Coro<void> {
                             auto guard = co_await cond.scoped();
                             co_await cond.wait();
                         },
                         o.log, o.cleanups));
            co_await passes(2);
            co_await cond.acquire();
            cond.notify_all();
            co_await passes(2);  // the waiter woke and now queues on the lock, which we hold
            CHECK(cond.lock().waiters() == 1);
            CHECK(kill5() == 1);
            CHECK(cond.lock().waiters() == 0);
            cond.release();
            auto take = [&]() -> aio::Coro<int> {
                auto guard = co_await cond.scoped();
                co_return 8;
            };
            auto survivor = spawn(6, take());
            CHECK(co_await bounded(survivor) == 8);
        }(),
        o.reports.options());
    check_clean(o, 1);
}

// ---- Queue --------------------------------------------------------------------------------

TEST_CASE("a getter killed after a put() handed it the item, before it ran, passes the item on") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            aio::Queue<int> q;
            spawn(5, blocked([&] { return q.get(); }, o.log, o.cleanups));
            auto survivor = spawn(6, aio_test::get(q));
            co_await passes(2);
            q.put_nowait(9);  // wakes the first getter: the one killed next
            CHECK(kill5() == 1);
            CHECK(co_await bounded(survivor) == 9);
            CHECK(q.empty());
            // A getter killed while waiting: the next item goes to a later get().
            spawn(5, blocked([&] { return q.get(); }, o.log, o.cleanups));
            co_await passes(2);
            CHECK(kill5() == 1);
            q.put_nowait(10);
            auto later = spawn(6, aio_test::get(q));
            CHECK(co_await bounded(later) == 10);
        }(),
        o.reports.options());
    check_clean(o, 2);
}

TEST_CASE("a putter killed after a get() made room for it, before it ran, passes the slot on") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            aio::Queue<int> q(1);
            q.put_nowait(1);
            spawn(5, blocked([&] { return q.put(2); }, o.log, o.cleanups));
            auto survivor = spawn(6, aio_test::put(q, 3));
            co_await passes(2);
            CHECK(q.get_nowait() == 1);  // wakes the first putter: the one killed next
            CHECK(kill5() == 1);
            co_await bounded(survivor);
            CHECK(q.qsize() == 1);
            CHECK(q.get_nowait() == 3);  // the killed put never stored its item
        }(),
        o.reports.options());
    check_clean(o, 1);
}

TEST_CASE("a getter or putter killed after it queued again (the wake-up was taken first) leaves the queue") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            aio::Queue<int> q;
            spawn(5, blocked([&] { return q.get(); }, o.log, o.cleanups));
            auto survivor = spawn(6, aio_test::get(q));
            co_await passes(2);
            q.put_nowait(9);             // wakes the first getter...
            CHECK(q.get_nowait() == 9);  // ...and takes its item first
            co_await passes(1);          // it queues again, behind the survivor
            CHECK(q.getters() == 2);
            q.put_nowait(10);  // wakes the survivor
            CHECK(kill5() == 1);
            CHECK(q.getters() == 0);
            CHECK(co_await bounded(survivor) == 10);

            aio::Queue<int> full(1);
            full.put_nowait(1);
            spawn(5, blocked([&] { return full.put(2); }, o.log, o.cleanups));
            auto putter = spawn(6, aio_test::put(full, 3));
            co_await passes(2);
            CHECK(full.get_nowait() == 1);  // wakes the first putter...
            full.put_nowait(4);             // ...and takes its slot first
            co_await passes(1);             // it queues again, behind the other putter
            CHECK(full.putters() == 2);
            CHECK(kill5() == 1);
            CHECK(full.putters() == 1);
            CHECK(full.get_nowait() == 4);  // wakes the surviving putter
            co_await bounded(putter);
            CHECK(full.get_nowait() == 3);
            CHECK(full.putters() == 0);
        }(),
        o.reports.options());
    check_clean(o, 2);
}

// ---- futures and tasks ----------------------------------------------------------------------

TEST_CASE("a task killed while awaiting a future or a task leaves their callbacks; they complete for the others") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            aio::Future<int> f(aio::get_running_loop());
            auto work = spawn(6, value_after(3, 11));
            spawn(5, blocked([&] { return f; }, o.log, o.cleanups));
            spawn(5, blocked([&] { return work; }, o.log, o.cleanups));
            auto get = [&]() -> aio::Coro<int> { co_return co_await f; };
            auto survivor = spawn(6, get());
            co_await passes(1);
            CHECK(kill5() == 2);
            f.set_result(12);
            CHECK(co_await bounded(survivor) == 12);
            CHECK(co_await work == 11);  // a killed awaiter does not cancel what it awaited
        }(),
        o.reports.options());
    check_clean(o, 2);
}

// ---- sleep, wait_for, timeout ---------------------------------------------------------------

TEST_CASE("a task killed inside wait_for() or timeout() leaves no timer; what it awaited of another tag runs on") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            auto work = spawn(6, value_after(5, 13));
            spawn(5, blocked([&] { return aio::wait_for(work, 1h); }, o.log, o.cleanups));
            spawn(5, blocked([&] { return aio::wait_for(sleep_an_hour(), 2h); }, o.log, o.cleanups));
            spawn(5, blocked(
                         []() -> aio::Coro<void> {
                             co_await aio::timeout(1h).run([]() -> aio::Coro<void> { co_await aio::sleep(2h); });
                         },
                         o.log, o.cleanups));
            co_await passes(2);
            CHECK(timers() == 5);  // three timeouts, two sleeps
            CHECK(kill5() == 3);
            CHECK(timers() == 0);
            CHECK(co_await work == 13);
        }(),
        o.reports.options());
    check_clean(o, 3);
}

TEST_CASE("a task killed inside wait(), shield() or as_completed() leaves no callback or timer; the awaited run on") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            auto a = spawn(6, value_after(6, 1));
            auto b = spawn(6, value_after(8, 2));
            auto in_wait = [&]() -> aio::Coro<void> {
                std::vector<aio::Task<int>> fs{a, b};
                co_await aio::wait(fs, 1h, aio::ALL_COMPLETED);
            };
            auto in_shield = [&]() -> aio::Coro<void> { co_await aio::shield(a); };
            auto in_as_completed = [&]() -> aio::Coro<void> {
                std::vector<aio::Task<int>> fs{a, b};
                for (auto next : aio::as_completed(std::move(fs), 1h)) (void)co_await next;
            };
            spawn(5, blocked(in_wait, o.log, o.cleanups));
            spawn(5, blocked(in_shield, o.log, o.cleanups));
            spawn(5, blocked(in_as_completed, o.log, o.cleanups));
            co_await passes(2);
            CHECK(timers() == 2);  // wait's and as_completed's timeouts
            CHECK(kill5() == 3);
            // wait()'s timer went with its frame; as_completed()'s belongs to its state, which
            // the callbacks on a and b keep until they are done (as after a cancellation).
            CHECK(timers() == 1);
            CHECK(co_await a == 1);
            CHECK(co_await b == 2);
            co_await passes(3);
            CHECK(timers() == 0);
        }(),
        o.reports.options());
    check_clean(o, 3);
}

// ---- TaskGroup and gather -----------------------------------------------------------------

TEST_CASE("a TaskGroup child killed fails the group with the kill's exception; its siblings are cancelled") {
    Outcome o;
    std::vector<std::string> seen;
    aio::run(
        [&]() -> aio::Coro<void> {
            int sibling_cleanups = 0;
            auto sibling = [&]() -> aio::Coro<void> {
                Cleanup c{&sibling_cleanups};
                try {
                    co_await aio::sleep(1h);
                } catch (const aio::CancelledError&) {
                    seen.push_back("sibling cancelled");
                    throw;
                }
            };
            try {
                co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
                    {
                        auto scope = aio::get_running_loop().enter_tag(5);
                        tg.create_task(blocked([] { return aio::sleep(1h); }, o.log, o.cleanups));
                    }
                    tg.create_task(sibling());
                    co_await passes(2);
                    CHECK(kill5() == 1);
                    co_await aio::sleep(1h);  // the group cancels the body
                });
            } catch (const aio::ExceptionGroup& eg) {
                seen.push_back(fmt::format("group of {}", eg.exceptions().size()));
                for (auto& e : eg.exceptions()) {
                    try {
                        std::rethrow_exception(e);
                    } catch (const Crash& c) {
                        seen.push_back(c.what());
                    } catch (...) {
                        seen.push_back("other");
                    }
                }
            }
            CHECK(sibling_cleanups == 1);
        }(),
        o.reports.options());
    CHECK(seen == std::vector<std::string>{"sibling cancelled", "group of 1", "host down"});
    check_clean(o, 1);
}

TEST_CASE("a TaskGroup killed with its parent and children reports nothing") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            auto group = [&]() -> aio::Coro<void> {
                co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
                    tg.create_task(blocked([] { return aio::sleep(1h); }, o.log, o.cleanups));
                    tg.create_task(blocked([] { return aio::sleep(1h); }, o.log, o.cleanups));
                    co_return;
                });
                o.log.push_back("after the group");
            };
            spawn(5, group());
            co_await passes(3);
            CHECK(kill5() == 3);
            co_await passes(3);
        }(),
        o.reports.options());
    check_clean(o, 2);
}

TEST_CASE("a gather whose child is killed fails with the kill's exception; the other children run on") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            auto doomed = spawn(5, blocked([] { return aio::sleep(1h); }, o.log, o.cleanups));
            auto fine = spawn(6, value_after(20, 14));
            auto gather_both = [&]() -> aio::Coro<void> { co_await aio::gather(doomed, fine); };
            auto g = aio::create_task(gather_both());
            co_await passes(2);
            CHECK(kill5() == 1);
            std::string got;
            try {
                co_await g;
            } catch (const Crash& c) {
                got = c.what();
            }
            CHECK(got == "host down");
            CHECK_FALSE(fine.done());
            CHECK(co_await fine == 14);
            // With return_exceptions, the kill's exception is the child's outcome.
            auto doomed2 = spawn(5, blocked([] { return aio::sleep(1h); }, o.log, o.cleanups));
            auto killer = [&]() -> aio::Coro<void> {
                co_await passes(2);
                CHECK(kill5() == 1);
            };
            auto k = spawn(6, killer());
            std::vector<aio::Task<void>> children{doomed2};
            auto outcomes = co_await aio::gather_outcomes(std::move(children));
            CHECK(outcomes.size() == 1);
            std::string outcome = outcomes.empty() ? "none" : what_of(outcomes[0].error());
            CHECK(outcome == "host down");
            co_await k;
        }(),
        o.reports.options());
    check_clean(o, 2);
}

TEST_CASE("a gather killed with its awaiter and children, or with its awaiter only, reports nothing") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            // All on tag 5.
            auto gather_two = [&]() -> aio::Coro<void> {
                auto a = aio::create_task(blocked([] { return aio::sleep(1h); }, o.log, o.cleanups));
                auto b = aio::create_task(blocked([] { return aio::sleep(1h); }, o.log, o.cleanups));
                co_await aio::gather(a, b);
                o.log.push_back("after gather");
            };
            spawn(5, gather_two());
            // The awaiter on tag 5, its children on tag 6: they finish (one fails) with nobody
            // to receive the result.
            std::vector<aio::Task<int>> orphans;
            orphans.push_back(spawn(6, value_after(4, 15)));
            orphans.push_back(spawn(6, value_after(4, 16)));
            auto gather_orphans = [&]() -> aio::Coro<void> {
                co_await aio::gather(orphans);
                o.log.push_back("after gather of orphans");
            };
            spawn(5, gather_orphans());
            co_await passes(2);
            CHECK(kill5() == 4);
            co_await passes(6);
            CHECK(orphans[0].result() == 15);
            CHECK(orphans[1].result() == 16);
        }(),
        o.reports.options());
    check_clean(o, 2);
}

// ---- streams ------------------------------------------------------------------------------

TEST_CASE("a task killed while reading a StreamReader leaves no waiter; a surviving reader gets the data") {
    Outcome o;
    aio::run(
        [&]() -> aio::Coro<void> {
            aio::StreamReader r;
            spawn(5, blocked([&] { return r.read(10); }, o.log, o.cleanups));
            co_await passes(2);
            CHECK(r.has_waiter());
            CHECK(kill5() == 1);
            CHECK_FALSE(r.has_waiter());
            auto read = [&]() -> aio::Coro<std::string> { co_return co_await r.read(10); };
            auto survivor = spawn(6, read());
            co_await passes(1);
            r.feed_data("abc");
            CHECK(co_await bounded(survivor) == "abc");
            // Killed after its data arrived, before it ran: the data stays in the buffer.
            spawn(5, blocked([&] { return r.readexactly(2); }, o.log, o.cleanups));
            co_await passes(2);
            r.feed_data("de");
            CHECK(kill5() == 1);
            auto read2 = [&]() -> aio::Coro<std::string> { co_return co_await r.readexactly(2); };
            auto second = spawn(6, read2());
            CHECK(co_await bounded(second) == "de");
        }(),
        o.reports.options());
    check_clean(o, 2);
}
