// aio::Queue, aio::PriorityQueue, aio::LifoQueue, following CPython 3.12's test_queues.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "sync_helpers.hpp"

using aio_test::get;
using aio_test::put;
using sync_test::yield;

TEST_CASE("Queue: empty, full, qsize and maxsize") {
    aio::Queue<int> q(2);
    CHECK(q.maxsize() == 2);
    CHECK(q.empty());
    CHECK_FALSE(q.full());
    q.put_nowait(1);
    q.put_nowait(2);
    CHECK(q.full());
    CHECK(q.qsize() == 2);
    CHECK_THROWS_AS(q.put_nowait(3), aio::QueueFull);
    CHECK(q.get_nowait() == 1);
    CHECK(q.get_nowait() == 2);
    CHECK_THROWS_AS(q.get_nowait(), aio::QueueEmpty);
    aio::Queue<int> unbounded(0), negative(-5);
    for (int i = 0; i < 1000; ++i) {
        unbounded.put_nowait(i);
        negative.put_nowait(i);
    }
    CHECK_FALSE(unbounded.full());
    CHECK_FALSE(negative.full());
}

TEST_CASE("Queue: QueueFull and QueueEmpty are std exceptions named as in asyncio") {
    aio::Queue<int> q(1);
    q.put_nowait(0);
    try {
        q.put_nowait(1);
        FAIL("no QueueFull");
    } catch (const std::exception&) {
        CHECK(aio::exception_type_name(std::current_exception()) == "QueueFull");
    }
    q.get_nowait();
    try {
        q.get_nowait();
        FAIL("no QueueEmpty");
    } catch (const std::exception&) {
        CHECK(aio::exception_type_name(std::current_exception()) == "QueueEmpty");
    }
}

TEST_CASE("Queue: get waits for put, put waits for get, both in FIFO order") {
    aio::run([]() -> aio::Coro<void> {
        aio::Queue<std::string> q(1);
        auto pa = aio::create_task(put(q, std::string("a")));
        auto pb = aio::create_task(put(q, std::string("b")));
        auto pc = aio::create_task(put(q, std::string("c")));
        co_await yield();
        CHECK(pa.done());
        CHECK(q.putters() == 2);
        CHECK(co_await q.get() == "a");
        CHECK(co_await q.get() == "b");
        CHECK(co_await q.get() == "c");
        co_await aio::gather(pa, pb, pc);

        aio::Queue<int> q2;
        auto g1 = aio::create_task(get(q2));
        auto g2 = aio::create_task(get(q2));
        co_await yield();
        CHECK(q2.getters() == 2);
        co_await q2.put(1);
        co_await q2.put(2);
        CHECK(co_await g1 == 1);
        CHECK(co_await g2 == 2);
    }());
}

TEST_CASE("Queue: a getter cancelled before an item arrives does not take it") {
    // CPython's test_get_cancelled_race.
    aio::run([]() -> aio::Coro<void> {
        aio::Queue<int> q;
        auto t1 = aio::create_task(get(q));
        auto t2 = aio::create_task(get(q));
        co_await yield();
        t1.cancel();
        co_await yield();
        CHECK(t1.done());
        co_await q.put(7);
        co_await yield();
        CHECK(co_await t2 == 7);
    }());
}

TEST_CASE("Queue: a getter woken then cancelled before it runs loses no item") {
    // CPython's test_get_cancel_drop_one_pending_reader and _many_pending_readers.
    aio::run([]() -> aio::Coro<void> {
        aio::Queue<int> q;
        auto r1 = aio::create_task(get(q));
        auto r2 = aio::create_task(get(q));
        auto r3 = aio::create_task(get(q));
        co_await yield();
        q.put_nowait(1);  // wakes r1
        q.put_nowait(2);  // wakes r2
        r1.cancel();      // r1 passes its wake-up to r3
        CHECK(co_await sync_test::outcome(r1) == "CancelledError: ");
        CHECK(co_await r2 == 1);
        CHECK(co_await r3 == 2);
        CHECK(q.empty());
        CHECK(q.getters() == 0);
    }());
}

TEST_CASE("Queue: a putter woken then cancelled before it runs stores nothing and passes the slot on") {
    // CPython's test_put_cancel_drop and test_cancelled_put_silence_value_error_exception.
    aio::run([]() -> aio::Coro<void> {
        aio::Queue<int> q(1);
        q.put_nowait(0);
        auto p1 = aio::create_task(put(q, 1));
        auto p2 = aio::create_task(put(q, 2));
        co_await yield();
        CHECK(q.get_nowait() == 0);  // wakes p1 (and drops it from the putters)
        p1.cancel();
        CHECK(co_await sync_test::outcome(p1) == "CancelledError: ");
        co_await p2;
        CHECK(q.qsize() == 1);
        CHECK(q.get_nowait() == 2);
        CHECK(q.putters() == 0);
    }());
}

TEST_CASE("Queue: a woken getter that finds the queue empty again queues again, at the back") {
    // asyncio's `while self.empty(): ... await getter`: the re-check runs in the getter's own
    // step, and a get_nowait() that took the item first sends it to the back of the getters.
    aio::run([]() -> aio::Coro<void> {
        aio::Queue<int> q;
        auto g1 = aio::create_task(get(q));
        auto g2 = aio::create_task(get(q));
        co_await yield();
        REQUIRE(q.getters() == 2);
        q.put_nowait(1);  // wakes g1 (it leaves the getters)
        CHECK(q.getters() == 1);
        CHECK(q.get_nowait() == 1);
        co_await yield();  // g1 runs, finds nothing, queues behind g2
        CHECK(q.getters() == 2);
        CHECK_FALSE(g1.done());
        q.put_nowait(2);  // now g2 is first
        co_await yield();
        CHECK(g2.done());
        CHECK_FALSE(g1.done());
        CHECK(co_await g2 == 2);
        q.put_nowait(3);
        CHECK(co_await g1 == 3);
        CHECK(q.getters() == 0);
        // Twice in a row for one getter, then served.
        auto g = aio::create_task(get(q));
        co_await yield();
        for (int k = 0; k < 2; ++k) {
            q.put_nowait(10 + k);
            CHECK(q.get_nowait() == 10 + k);
            co_await yield();
            CHECK(q.getters() == 1);
            CHECK_FALSE(g.done());
        }
        q.put_nowait(12);
        CHECK(co_await g == 12);
        CHECK(q.empty());
    }());
}

TEST_CASE("Queue: a getter that queued again is cancelled like any waiting getter") {
    aio::run([]() -> aio::Coro<void> {
        aio::Queue<int> q;
        auto g1 = aio::create_task(get(q));
        auto g2 = aio::create_task(get(q));
        co_await yield();
        q.put_nowait(1);
        CHECK(q.get_nowait() == 1);
        co_await yield();  // g1 queued again, behind g2
        REQUIRE(q.getters() == 2);
        g1.cancel("again");
        CHECK(co_await sync_test::outcome(g1) == "CancelledError: again");
        CHECK(q.getters() == 1);
        // Woken a second time, then cancelled before it runs: the item goes to the next getter.
        auto g3 = aio::create_task(get(q));
        co_await yield();
        q.put_nowait(2);  // wakes g2
        g2.cancel();
        CHECK(co_await sync_test::outcome(g2) == "CancelledError: ");
        CHECK(co_await g3 == 2);
        CHECK(q.getters() == 0);
        CHECK(q.empty());
    }());
}

TEST_CASE("Queue: a woken putter that finds the queue full again queues again, at the back") {
    aio::run([]() -> aio::Coro<void> {
        aio::Queue<int> q(1);
        q.put_nowait(0);
        auto p1 = aio::create_task(put(q, 1));
        auto p2 = aio::create_task(put(q, 2));
        co_await yield();
        REQUIRE(q.putters() == 2);
        CHECK(q.get_nowait() == 0);  // wakes p1
        q.put_nowait(7);             // takes the slot first
        co_await yield();            // p1 runs, finds the queue full, queues behind p2
        CHECK(q.putters() == 2);
        CHECK_FALSE(p1.done());
        CHECK(q.get_nowait() == 7);  // wakes p2
        co_await yield();
        CHECK(p2.done());
        CHECK_FALSE(p1.done());
        CHECK(q.get_nowait() == 2);  // wakes p1
        co_await p1;
        CHECK(q.get_nowait() == 1);
        CHECK(q.putters() == 0);
        // A putter that queued again, then cancelled: stores nothing, leaves the putters.
        q.put_nowait(3);
        auto p3 = aio::create_task(put(q, 4));
        co_await yield();
        CHECK(q.get_nowait() == 3);
        q.put_nowait(5);
        co_await yield();
        REQUIRE(q.putters() == 1);
        p3.cancel();
        CHECK(co_await sync_test::outcome(p3) == "CancelledError: ");
        CHECK(q.putters() == 0);
        CHECK(q.qsize() == 1);
        CHECK(q.get_nowait() == 5);
    }());
}

TEST_CASE("Queue: a putter cancelled while waiting leaves the putters queue") {
    aio::run([]() -> aio::Coro<void> {
        aio::Queue<int> q(1);
        q.put_nowait(1);
        auto t = aio::create_task(put(q, 2));
        co_await yield();
        CHECK(q.putters() == 1);
        t.cancel("full");
        CHECK(co_await sync_test::outcome(t) == "CancelledError: full");
        CHECK(q.putters() == 0);
        CHECK(q.qsize() == 1);
    }());
}

TEST_CASE("Queue: join waits for task_done of every item; too many task_done raise ValueError") {
    aio::Queue<int> q;
    CHECK_THROWS_WITH_AS(q.task_done(), "task_done() called too many times", aio::ValueError);
    aio::run([](aio::Queue<int>& q) -> aio::Coro<void> {
        co_await q.join();  // nothing unfinished: at once
        for (int i = 0; i < 3; ++i) q.put_nowait(i);
        CHECK(q.unfinished_tasks() == 3);
        int processed = 0;
        auto worker = aio::create_task([](aio::Queue<int>& q, int& processed) -> aio::Coro<void> {
            for (;;) {
                co_await q.get();
                co_await yield();
                ++processed;
                q.task_done();
            }
        }(q, processed));
        co_await q.join();
        CHECK(processed == 3);
        CHECK(q.unfinished_tasks() == 0);
        worker.cancel();
        co_await yield();
        CHECK(worker.cancelled());
        CHECK_THROWS_AS(q.task_done(), aio::ValueError);
    }(q));
}

TEST_CASE("Queue: move-only items") {
    aio::run([]() -> aio::Coro<void> {
        aio::Queue<std::unique_ptr<int>> q(1);
        co_await q.put(std::make_unique<int>(1));
        auto t = aio::create_task(put(q, std::make_unique<int>(2)));
        co_await yield();
        auto a = co_await q.get();
        auto b = co_await q.get();
        CHECK(*a == 1);
        CHECK(*b == 2);
        co_await t;
    }());
}

TEST_CASE("PriorityQueue: smallest first, equal items in heapq's order") {
    struct Job {
        int prio;
        int id;
    };
    struct ByPrio {
        bool operator()(const Job& a, const Job& b) const { return a.prio < b.prio; }
    };
    aio::PriorityQueue<Job, ByPrio> q;
    int id = 0;
    for (int p : {5, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 1, 2, 2, 7, 1}) q.put_nowait(Job{p, id++});
    std::vector<int> ids;
    while (!q.empty()) ids.push_back(q.get_nowait().id);
    // What Python's heapq gives for the same pushes and pops (checked with CPython 3.12).
    CHECK(ids == std::vector<int>{1, 11, 3, 15, 13, 6, 12, 9, 2, 10, 4, 0, 8, 7, 14, 5});

    aio::PriorityQueue<int, std::greater<int>> maxq;
    for (int v : {3, 1, 2}) maxq.put_nowait(v);
    CHECK(maxq.get_nowait() == 3);
    aio::Queue<int>& as_queue = maxq;  // a PriorityQueue is a Queue
    CHECK(as_queue.get_nowait() == 2);
}

TEST_CASE("LifoQueue: last in, first out") {
    aio::run([]() -> aio::Coro<void> {
        aio::LifoQueue<int> q;
        for (int v : {1, 3, 2}) co_await q.put(v);
        CHECK(co_await q.get() == 2);
        CHECK(co_await q.get() == 3);
        CHECK(co_await q.get() == 1);
    }());
}

TEST_CASE("Queue: a blocking get from a second loop raises RuntimeError") {
    aio::Queue<int> q;
    aio::run([](aio::Queue<int>& q) -> aio::Coro<void> {
        auto t = aio::create_task(get(q));
        co_await yield();
        q.put_nowait(1);
        co_await t;
    }(q));
    aio::run([](aio::Queue<int>& q) -> aio::Coro<void> {
        bool raised = false;
        try {
            co_await q.get();
        } catch (const aio::RuntimeError&) {
            raised = true;
        }
        CHECK(raised);
        CHECK(q.getters() == 0);
    }(q));
}

namespace {
struct Exchange {
    aio::Queue<int> q{3};
    std::vector<int> received;
    int put_ok = 0;
    bool done = false;  // set by main before it cancels the consumers for good
};

aio::Coro<void> producer(Exchange& x, int base, sync_test::SplitMix rng) {
    for (int i = 0; i < 20; ++i) {
        int item = base + i;
        for (;;) {
            try {
                co_await x.q.put(item);
                ++x.put_ok;
                break;
            } catch (const aio::CancelledError&) {
                // not stored: put it again
            }
        }
        try {
            co_await yield(static_cast<int>(rng.below(2)));
        } catch (const aio::CancelledError&) {}
    }
}

aio::Coro<void> consumer(Exchange& x, sync_test::SplitMix rng) {
    for (;;) {
        try {
            x.received.push_back(co_await x.q.get());
            x.q.task_done();
            co_await yield(static_cast<int>(rng.below(2)));
        } catch (const aio::CancelledError&) {
            if (x.done) co_return;
        }
    }
}

aio::Coro<void> harass(std::vector<aio::Task<void>>& tasks, sync_test::SplitMix rng) {
    for (;;) {
        co_await yield(1 + static_cast<int>(rng.below(3)));  // every task has started by then
        tasks[rng.below(tasks.size())].cancel();
    }
}
}  // namespace

TEST_CASE("Queue: no item lost or duplicated, under shuffled orders and random cancellations") {
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        CAPTURE(seed);
        Exchange x;
        aio::run(
            [](Exchange& x, std::uint64_t seed) -> aio::Coro<void> {
                sync_test::SplitMix rng{seed};
                std::vector<aio::Task<void>> all;
                for (int p = 0; p < 3; ++p)
                    all.push_back(aio::create_task(producer(x, p * 100, sync_test::SplitMix{rng.next()})));
                for (int c = 0; c < 2; ++c)
                    all.push_back(aio::create_task(consumer(x, sync_test::SplitMix{rng.next()})));
                auto h = aio::create_task(harass(all, sync_test::SplitMix{rng.next()}));
                auto produced = co_await aio::gather_outcomes(all[0], all[1], all[2]);
                CHECK(std::apply([](auto&... o) { return (o.has_value() && ...); }, produced));
                co_await x.q.join();  // every item put was got and marked done
                h.cancel();
                x.done = true;
                for (int c = 3; c < 5; ++c) all[c].cancel();
                co_await aio::gather_outcomes(h, all[3], all[4]);
            }(x, seed),
            sync_test::shuffled(seed));
        std::vector<int> got = x.received;
        std::sort(got.begin(), got.end());
        std::vector<int> want;
        for (int p = 0; p < 3; ++p)
            for (int i = 0; i < 20; ++i) want.push_back(p * 100 + i);
        CHECK(got == want);
        CHECK(x.q.empty());
        CHECK(x.q.getters() == 0);
        CHECK(x.q.putters() == 0);
    }
}
