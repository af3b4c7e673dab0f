// CPython 3.12 Lib/test/test_asyncio/test_queues.py, ported (README.md here). The classes are
// IsolatedAsyncioTestCases: each async method is the main task of its own loop (cpy::run: the
// simulator's loop). `len(q._getters)` / `len(q._putters)` are q.getters() / q.putters() (the
// tasks blocked in get() / put()). `asyncio.create_task(q.get())` wraps the awaitable q.get()
// in a coroutine (get(q) below): an aio::Queue's get()/put() are awaitables, not coroutines.
// _QueueJoinTestMixin, which CPython runs as QueueJoinTests, LifoQueueJoinTests and
// PriorityQueueJoinTests, runs its body over the three queue types (one SUBCASE each).
#include <doctest/doctest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cpython_support.hpp"

namespace cpy_queues {

using namespace std::chrono_literals;
using aio::Coro;

template <class T>
Coro<T> get(aio::Queue<T>& q) {
    co_return co_await q.get();
}
template <class T>
Coro<void> put(aio::Queue<T>& q, T item) {
    co_await q.put(std::move(item));
}

TEST_CASE("test_queues.py::QueueBasicTests::test_empty") {
    auto main = []() -> Coro<void> {
        aio::Queue<int> q;
        CHECK(q.empty());
        co_await q.put(1);
        CHECK_FALSE(q.empty());
        CHECK(1 == co_await q.get());
        CHECK(q.empty());
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueueBasicTests::test_full") {
    auto main = []() -> Coro<void> {
        aio::Queue<int> q;
        CHECK_FALSE(q.full());
        aio::Queue<int> q1(1);
        co_await q1.put(1);
        CHECK(q1.full());
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueueBasicTests::test_order") {
    auto main = []() -> Coro<void> {
        aio::Queue<int> q;
        for (int i : {1, 3, 2}) co_await q.put(i);
        std::vector<int> items;
        for (int i = 0; i < 3; ++i) items.push_back(co_await q.get());
        CHECK(items == std::vector<int>{1, 3, 2});
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueueBasicTests::test_maxsize") {
    auto main = []() -> Coro<void> {
        aio::Queue<int> q(2);
        CHECK(q.maxsize() == 2);
        std::vector<int> have_been_put;
        auto putter = [&]() -> Coro<bool> {
            for (int i = 0; i < 3; ++i) {
                co_await q.put(i);
                have_been_put.push_back(i);
            }
            co_return true;
        };
        auto t = aio::create_task(putter());
        for (int i = 0; i < 2; ++i) co_await aio::sleep(0s);
        // The putter is blocked after putting two items.
        CHECK(have_been_put == std::vector<int>{0, 1});
        CHECK(0 == co_await q.get());
        // Let the putter resume and put last item.
        co_await aio::sleep(0s);
        CHECK(have_been_put == std::vector<int>{0, 1, 2});
        CHECK(1 == co_await q.get());
        CHECK(2 == co_await q.get());
        CHECK(t.done());
        CHECK(t.result());
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueueGetTests::test_blocking_get") {
    auto main = []() -> Coro<void> {
        aio::Queue<int> q;
        q.put_nowait(1);
        CHECK(1 == co_await q.get());
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueueGetTests::test_get_with_putters") {
    // The Python appends a bare future to the private q._putters and checks that get() woke it
    // (waiter.done(), result None). aio's waiters are nodes inside a blocked put(), not
    // futures: a task blocked in put() stands for the future; "woken" is that get() took it off
    // the putters (putters() == 0 at once), and its put then completes without error.
    auto main = []() -> Coro<void> {
        aio::Queue<int> q(1);
        co_await q.put(1);
        auto waiter = aio::create_task(put(q, 2));
        co_await aio::sleep(0s);
        CHECK(q.putters() == 1);
        CHECK(1 == co_await q.get());
        CHECK(q.putters() == 0);  // waiter.done()
        co_await waiter;          // waiter.result() is None
        CHECK(waiter.exception() == nullptr);
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueueGetTests::test_blocking_get_wait") {
    auto main = []() -> Coro<void> {
        auto& loop = aio::get_running_loop();
        aio::Queue<int> q;
        aio::Event started;
        bool finished = false;
        auto queue_get = [&]() -> Coro<int> {
            started.set();
            int res = co_await q.get();
            finished = true;
            co_return res;
        };
        auto queue_get_task = aio::create_task(queue_get());
        co_await started.wait();
        CHECK_FALSE(finished);
        loop.call_later(10ms, [&q] { q.put_nowait(1); });
        int res = co_await queue_get_task;
        CHECK(finished);
        CHECK(1 == res);
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueueGetTests::test_nonblocking_get") {
    aio::Queue<int> q;
    q.put_nowait(1);
    CHECK(1 == q.get_nowait());
}

TEST_CASE("test_queues.py::QueueGetTests::test_nonblocking_get_exception") {
    aio::Queue<int> q;
    CHECK_THROWS_AS(q.get_nowait(), aio::QueueEmpty);
}

TEST_CASE("test_queues.py::QueueGetTests::test_get_cancelled_race") {
    auto main = []() -> Coro<void> {
        aio::Queue<std::string> q;
        auto t1 = aio::create_task(get(q));
        auto t2 = aio::create_task(get(q));
        co_await aio::sleep(0s);
        t1.cancel();
        co_await aio::sleep(0s);
        CHECK(t1.done());
        co_await q.put("a");
        co_await aio::sleep(0s);
        CHECK("a" == co_await t2);
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueueGetTests::test_get_with_waiting_putters") {
    auto main = []() -> Coro<void> {
        aio::Queue<std::string> q(1);
        aio::create_task(put(q, std::string("a")));
        aio::create_task(put(q, std::string("b")));
        CHECK(co_await q.get() == "a");
        CHECK(co_await q.get() == "b");
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueueGetTests::test_why_are_getters_waiting") {
    // The case passes when the task group ends: no getter or putter is left waiting.
    auto main = []() -> Coro<void> {
        auto consumer = [](aio::Queue<int>& queue, int num_expected) -> Coro<void> {
            for (int i = 0; i < num_expected; ++i) co_await queue.get();
        };
        auto producer = [](aio::Queue<int>& queue, int num_items) -> Coro<void> {
            for (int i = 0; i < num_items; ++i) co_await queue.put(i);
        };
        const int producer_num_items = 5;
        aio::Queue<int> q(1);
        aio::TaskGroup tg;
        co_await tg.run([&]() -> Coro<void> {
            tg.create_task(producer(q, producer_num_items));
            tg.create_task(consumer(q, producer_num_items));
            co_return;
        });
        CHECK(q.empty());  // every item put was got
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueueGetTests::test_cancelled_getters_not_being_held_in_self_getters") {
    auto main = []() -> Coro<void> {
        aio::Queue<int> queue(5);
        CHECK_THROWS_AS(co_await aio::wait_for(get(queue), 100ms), aio::TimeoutError);
        CHECK(queue.getters() == 0);
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueuePutTests::test_blocking_put") {
    auto main = []() -> Coro<void> {
        aio::Queue<int> q;
        // No maxsize, won't block.
        co_await q.put(1);
        CHECK(1 == co_await q.get());
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueuePutTests::test_blocking_put_wait") {
    auto main = []() -> Coro<void> {
        aio::Queue<int> q(1);
        aio::Event started;
        bool finished = false;
        auto queue_put = [&]() -> Coro<void> {
            started.set();
            co_await q.put(1);
            co_await q.put(2);
            finished = true;
        };
        auto& loop = aio::get_running_loop();
        loop.call_later(10ms, [&q] { q.get_nowait(); });
        auto queue_put_task = aio::create_task(queue_put());
        co_await started.wait();
        CHECK_FALSE(finished);
        co_await queue_put_task;
        CHECK(finished);
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueuePutTests::test_nonblocking_put") {
    aio::Queue<int> q;
    q.put_nowait(1);
    CHECK(1 == q.get_nowait());
}

TEST_CASE("test_queues.py::QueuePutTests::test_get_cancel_drop_one_pending_reader") {
    auto main = []() -> Coro<void> {
        aio::Queue<int> q;
        auto reader = aio::create_task(get(q));
        co_await aio::sleep(0s);
        q.put_nowait(1);
        q.put_nowait(2);
        reader.cancel();
        bool cancelled = false;
        try {
            co_await reader;
        } catch (const aio::CancelledError&) {
            cancelled = true;
        }
        if (cancelled) {
            // try again
            reader = aio::create_task(get(q));
            co_await reader;
        }
        int result = reader.result();
        // if we get 2, it means 1 got dropped!
        CHECK(1 == result);
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueuePutTests::test_get_cancel_drop_many_pending_readers") {
    auto main = []() -> Coro<void> {
        aio::Queue<int> q;
        std::optional<aio::Task<int>> reader2, reader3;
        aio::TaskGroup tg;
        co_await tg.run([&]() -> Coro<void> {
            auto reader1 = tg.create_task(get(q));
            reader2 = tg.create_task(get(q));
            reader3 = tg.create_task(get(q));
            co_await aio::sleep(0s);
            q.put_nowait(1);
            q.put_nowait(2);
            reader1.cancel();
            bool raised = false;
            try {
                co_await reader1;
            } catch (const aio::CancelledError&) {
                raised = true;
            }
            CHECK(raised);
            co_await *reader3;
        });
        // It is undefined in which order concurrent readers receive results.
        CHECK(std::set<int>{reader2->result(), reader3->result()} == std::set<int>{1, 2});
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueuePutTests::test_put_cancel_drop") {
    auto main = []() -> Coro<void> {
        aio::Queue<int> q(1);
        q.put_nowait(1);
        // putting a second item in the queue has to block (qsize=1)
        auto writer = aio::create_task(put(q, 2));
        co_await aio::sleep(0s);
        int value1 = q.get_nowait();
        CHECK(value1 == 1);
        writer.cancel();
        bool cancelled = false;
        try {
            co_await writer;
        } catch (const aio::CancelledError&) {
            cancelled = true;
        }
        if (cancelled) {
            // try again
            writer = aio::create_task(put(q, 2));
            co_await writer;
        }
        int value2 = q.get_nowait();
        CHECK(value2 == 2);
        CHECK(q.qsize() == 0);
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueuePutTests::test_nonblocking_put_exception") {
    aio::Queue<int> q(1);
    q.put_nowait(1);
    CHECK_THROWS_AS(q.put_nowait(2), aio::QueueFull);
}

TEST_CASE("test_queues.py::QueuePutTests::test_put_cancelled") {
    auto main = []() -> Coro<void> {
        aio::Queue<int> q;
        auto queue_put = [&]() -> Coro<bool> {
            co_await q.put(1);
            co_return true;
        };
        auto t = aio::create_task(queue_put());
        CHECK(1 == co_await q.get());
        CHECK(t.done());
        CHECK(t.result());
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueuePutTests::test_put_cancelled_race") {
    auto main = []() -> Coro<void> {
        aio::Queue<std::string> q(1);
        auto put_a = aio::create_task(put(q, std::string("a")));
        auto put_b = aio::create_task(put(q, std::string("b")));
        auto put_c = aio::create_task(put(q, std::string("X")));
        co_await aio::sleep(0s);
        CHECK(put_a.done());
        CHECK_FALSE(put_b.done());
        put_c.cancel();
        co_await aio::sleep(0s);
        CHECK(put_c.done());
        CHECK(q.get_nowait() == "a");
        co_await aio::sleep(0s);
        CHECK(q.get_nowait() == "b");
        co_await put_b;
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueuePutTests::test_put_with_waiting_getters") {
    auto main = []() -> Coro<void> {
        aio::Queue<std::string> q;
        auto t = aio::create_task(get(q));
        co_await aio::sleep(0s);
        co_await q.put("a");
        CHECK(co_await t == "a");
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueuePutTests::test_why_are_putters_waiting") {
    // The case passes when the task group ends: no putter is left waiting.
    auto main = []() -> Coro<void> {
        aio::Queue<int> queue(2);
        auto putter = [&](int item) -> Coro<void> { co_await queue.put(item); };
        auto getter = [&]() -> Coro<void> {
            co_await aio::sleep(0s);
            const std::size_t num = queue.qsize();
            for (std::size_t i = 0; i < num; ++i) queue.get_nowait();
        };
        aio::TaskGroup tg;
        co_await tg.run([&]() -> Coro<void> {
            tg.create_task(getter());
            tg.create_task(putter(0));
            tg.create_task(putter(1));
            tg.create_task(putter(2));
            tg.create_task(putter(3));
            co_return;
        });
        CHECK(queue.putters() == 0);
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueuePutTests::test_cancelled_puts_not_being_held_in_self_putters") {
    auto main = []() -> Coro<void> {
        // Full queue.
        aio::Queue<int> queue(1);
        queue.put_nowait(1);
        // Task waiting for space to put an item in the queue.
        auto put_task = aio::create_task(put(queue, 1));
        co_await aio::sleep(0s);
        // Check that the putter is correctly removed from queue._putters when the task is
        // canceled.
        CHECK(queue.putters() == 1);
        put_task.cancel();
        CHECK_THROWS_AS(co_await put_task, aio::CancelledError);
        CHECK(queue.putters() == 0);
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::QueuePutTests::test_cancelled_put_silence_value_error_exception") {
    auto main = []() -> Coro<void> {
        // Full Queue.
        aio::Queue<int> queue(1);
        queue.put_nowait(1);
        // Task waiting for space to put a item in the queue.
        auto put_task = aio::create_task(put(queue, 1));
        co_await aio::sleep(0s);
        // get_nowait() remove the future of put_task from queue._putters.
        queue.get_nowait();
        // When canceled, queue.put is going to remove its future from self._putters but it was
        // removed previously by queue.get_nowait().
        put_task.cancel();
        // The removal of a putter already removed must be silent: a CancelledError, nothing
        // else (a try/catch of CancelledError only, as assertRaises).
        bool raised = false;
        try {
            co_await put_task;
        } catch (const aio::CancelledError&) {
            raised = true;
        }
        CHECK(raised);
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::LifoQueueTests::test_order") {
    auto main = []() -> Coro<void> {
        aio::LifoQueue<int> q;
        for (int i : {1, 3, 2}) co_await q.put(i);
        std::vector<int> items;
        for (int i = 0; i < 3; ++i) items.push_back(co_await q.get());
        CHECK(items == std::vector<int>{2, 3, 1});
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::PriorityQueueTests::test_order") {
    auto main = []() -> Coro<void> {
        aio::PriorityQueue<int> q;
        for (int i : {1, 3, 2}) co_await q.put(i);
        std::vector<int> items;
        for (int i = 0; i < 3; ++i) items.push_back(co_await q.get());
        CHECK(items == std::vector<int>{1, 2, 3});
    };
    cpy::run(main());
}

// The mixin's method bodies, run for each q_class (QueueJoinTests: aio::Queue,
// LifoQueueJoinTests: aio::LifoQueue, PriorityQueueJoinTests: aio::PriorityQueue), one SUBCASE each.
template <class Q>
void task_done_underflow() {
    Q q;
    CHECK_THROWS_AS(q.task_done(), aio::ValueError);
}

TEST_CASE("test_queues.py::_QueueJoinTestMixin::test_task_done_underflow") {
    SUBCASE("QueueJoinTests") { task_done_underflow<aio::Queue<int>>(); }
    SUBCASE("LifoQueueJoinTests") { task_done_underflow<aio::LifoQueue<int>>(); }
    SUBCASE("PriorityQueueJoinTests") { task_done_underflow<aio::PriorityQueue<int>>(); }
}

template <class Q>
void task_done() {
    auto main = []() -> Coro<void> {
        Q q;
        for (int i = 0; i < 100; ++i) q.put_nowait(i);
        int accumulator = 0;
        // Two workers get items from the queue and call task_done after each. Join the queue
        // and assert all items have been processed.
        bool running = true;
        auto worker = [&]() -> Coro<void> {
            while (running) {  // NOLINT(bugprone-infinite-loop): the main task clears it while this one waits in get()
                int item = co_await q.get();
                accumulator += item;
                q.task_done();
            }
        };
        aio::TaskGroup tg;
        co_await tg.run([&]() -> Coro<void> {
            std::vector<aio::Task<void>> tasks;
            for (int index = 0; index < 2; ++index) tasks.push_back(tg.create_task(worker()));
            co_await q.join();
            CHECK(accumulator == 4950);  // sum(range(100))
            // close running generators
            running = false;
            for (std::size_t i = 0; i < tasks.size(); ++i) q.put_nowait(0);
        });
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::_QueueJoinTestMixin::test_task_done") {
    SUBCASE("QueueJoinTests") { task_done<aio::Queue<int>>(); }
    SUBCASE("LifoQueueJoinTests") { task_done<aio::LifoQueue<int>>(); }
    SUBCASE("PriorityQueueJoinTests") { task_done<aio::PriorityQueue<int>>(); }
}

template <class Q>
void join_empty_queue() {
    auto main = []() -> Coro<void> {
        Q q;
        // Test that a queue join()s successfully, and before anything else (done twice for
        // insurance).
        co_await q.join();
        co_await q.join();
        CHECK(q.unfinished_tasks() == 0);
    };
    cpy::run(main());
}

TEST_CASE("test_queues.py::_QueueJoinTestMixin::test_join_empty_queue") {
    SUBCASE("QueueJoinTests") { join_empty_queue<aio::Queue<int>>(); }
    SUBCASE("LifoQueueJoinTests") { join_empty_queue<aio::LifoQueue<int>>(); }
    SUBCASE("PriorityQueueJoinTests") { join_empty_queue<aio::PriorityQueue<int>>(); }
}

}  // namespace cpy_queues
