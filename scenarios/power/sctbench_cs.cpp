// SCTBench's concurrent-software benchmarks (CS/, from the ESBMC suite), rewritten as aiosim
// programs (power.hpp: a task per thread, an await point before each shared access, aio::Lock
// for a mutex, aio::Condition for a condition variable). Thread counts are SCTBench's (the
// `buggy.txt` list: reorder_N has N-1 setters and one checker, wronglock 1 + 7, twostage_100
// 99 + 1). Each comment says where the bug is.
//
// Each kernel is a struct: its shared state is members, each thread a member coroutine, and
// the scenario's body owns the struct outside aio::run, so the tasks that asyncio.run's
// shutdown cancels after a failed assertion never outlive what they touch.
#include <array>
#include <chrono>
#include <vector>

#include <aio/aio.hpp>
#include <aio/scenario.hpp>

#include "power.hpp"

using aio::power::join_all;
using aio::power::kernel_assert;

namespace sct_cs {

using Tasks = std::vector<aio::Task<void>>;

// account_bad: deposit and withdraw under a lock, and a checker that asserts the wrong
// formula ((x - y) - z instead of x + y - z) once both are done: the bug is reached when the
// checker (created first) runs after both.
struct Account {
    aio::Lock m;
    static constexpr int x = 1, y = 2, z = 4;
    int balance = x;
    bool deposit_done = false, withdraw_done = false;
    aio::Coro<void> check() {
        AIO_POWER_LOCK(m);
        AIO_POWER_SHARED(&deposit_done);
        if (deposit_done && withdraw_done) {
            AIO_POWER_SHARED(&balance);
            kernel_assert(balance == (x - y) - z, "account: balance == (x - y) - z");
        }
        m.release();
    }
    aio::Coro<void> deposit() {
        AIO_POWER_LOCK(m);
        AIO_POWER_SHARED(&balance);
        balance = balance + y;
        AIO_POWER_SHARED(&deposit_done);
        deposit_done = true;
        m.release();
    }
    aio::Coro<void> withdraw() {
        AIO_POWER_LOCK(m);
        AIO_POWER_SHARED(&balance);
        balance = balance - z;
        AIO_POWER_SHARED(&withdraw_done);
        withdraw_done = true;
        m.release();
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(check(), "check_result"));
        ts.push_back(aio::create_task(deposit(), "deposit"));
        ts.push_back(aio::create_task(withdraw(), "withdraw"));
        co_await join_all(ts);
    }
};

// arithmetic_prog_bad: a producer and a consumer over a condition; the final assertion
// (total != N(N+1)/2) is false in every run: every schedule finds it.
struct ArithmeticProg {
    static constexpr int n = 3;
    aio::Lock m;
    aio::Condition empty{m}, full{m};
    int num = 0;
    unsigned long total = 0;
    bool flag = false;
    aio::Coro<void> producer() {
        for (int i = 0; i < n; ++i) {
            AIO_POWER_LOCK(m);
            for (;;) {
                AIO_POWER_SHARED(&num);
                if (num <= 0) break;
                co_await empty.wait();
            }
            num++;
            full.notify();
            m.release();
        }
    }
    aio::Coro<void> consumer() {
        int j = 0;
        for (; j < n; ++j) {
            AIO_POWER_LOCK(m);
            for (;;) {
                AIO_POWER_SHARED(&num);
                if (num != 0) break;
                co_await full.wait();
            }
            AIO_POWER_SHARED(&total);
            total = total + static_cast<unsigned long>(j);
            num--;
            empty.notify();
            m.release();
        }
        AIO_POWER_SHARED(&total);
        total = total + static_cast<unsigned long>(j);
        flag = true;
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(producer(), "thread1"));
        ts.push_back(aio::create_task(consumer(), "thread2"));
        co_await join_all(ts);
        if (flag) kernel_assert(total != (n * (n + 1)) / 2, "arithmetic_prog: total != N(N+1)/2");
    }
};

// bluetooth_driver_bad: the stopper sets the stopping flag, drops its reference and marks the
// device stopped when the count reaches 0; the adder checked the flag before the stopper set
// it, increments the count late and finds the device stopped.
struct BluetoothDriver {
    int pending_io = 1;
    bool stopping_flag = false, stopping_event = false, stopped = false;
    aio::Coro<void> io_decrement() {
        AIO_POWER_SHARED(&pending_io);
        const int left = --pending_io;  // atomic in the original
        if (left == 0) {
            AIO_POWER_SHARED(&stopping_event);
            stopping_event = true;
        }
    }
    aio::Coro<void> stop() {
        AIO_POWER_SHARED(&stopping_flag);
        stopping_flag = true;
        co_await io_decrement();
        AIO_POWER_SHARED(&stopping_event);
        if (stopping_event) {
            AIO_POWER_SHARED(&stopped);
            stopped = true;
        }
    }
    aio::Coro<void> main() {
        auto stopper = aio::create_task(stop(), "BCSP_PnpStop");
        // BCSP_PnpAdd, on the main thread.
        AIO_POWER_SHARED(&stopping_flag);
        if (!stopping_flag) {
            AIO_POWER_SHARED(&pending_io);
            ++pending_io;  // atomic in the original
            AIO_POWER_SHARED(&stopped);
            kernel_assert(!stopped, "bluetooth_driver: !stopped");
        }
        co_await io_decrement();
        co_await stopper;
    }
};

// carter01_bad: each of two tasks takes l (while holding m) when its counter goes to 1; one
// holding l and wanting m while the other holds m and wants l is a deadlock.
struct Carter01 {
    aio::Lock m, l;
    int a = 0, b = 0;
    aio::Coro<void> body(int& counter) {
        AIO_POWER_LOCK(m);
        AIO_POWER_SHARED(&counter);
        counter++;
        if (counter == 1) {
            AIO_POWER_LOCK(l);
        }
        m.release();
        AIO_POWER_LOCK(m);
        AIO_POWER_SHARED(&counter);
        counter--;
        if (counter == 0) l.release();
        m.release();
    }
    static aio::Coro<void> idle() { co_return; }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(body(a), "t1"));
        ts.push_back(aio::create_task(body(b), "t2"));
        ts.push_back(aio::create_task(idle(), "t3"));
        ts.push_back(aio::create_task(idle(), "t4"));
        co_await join_all(ts);
    }
};

// circular_buffer_bad: a sender and a receiver alternate through send/receive flags under a
// lock, 7 rounds each; the receiver asserts it gets its round's number, which fails when it
// skipped a round (its flag was not set yet).
struct CircularBuffer {
    static constexpr int n = 7, buffer_size = 10;
    aio::Lock m;
    std::array<int, buffer_size> buffer{};
    int first = 0, next = 0;
    bool send = true, receive = false;
    aio::Coro<void> sender() {
        for (int i = 0; i < n; ++i) {
            AIO_POWER_LOCK(m);
            AIO_POWER_SHARED(&send);
            if (send) {
                AIO_POWER_SHARED(&buffer);
                if (next < buffer_size) {
                    buffer[static_cast<std::size_t>(next)] = i;
                    next = (next + 1) % buffer_size;
                }
                send = false;
                receive = true;
            }
            m.release();
        }
    }
    aio::Coro<void> receiver() {
        for (int i = 0; i < n; ++i) {
            AIO_POWER_LOCK(m);
            AIO_POWER_SHARED(&receive);
            if (receive) {
                AIO_POWER_SHARED(&buffer);
                int got = -1;
                if (next > 0 && first < buffer_size) got = buffer[static_cast<std::size_t>(first++)];
                kernel_assert(got == i, "circular_buffer: removeLogElement() == i");
                receive = false;
                send = true;
            }
            m.release();
        }
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(sender(), "t1"));
        ts.push_back(aio::create_task(receiver(), "t2"));
        co_await join_all(ts);
    }
};

// deadlock01_bad: a then b against b then a.
struct Deadlock01 {
    aio::Lock a, b;
    int counter = 1;
    aio::Coro<void> body(aio::Lock& x, aio::Lock& y, int delta) {
        AIO_POWER_LOCK(x);
        AIO_POWER_LOCK(y);
        AIO_POWER_SHARED(&counter);
        counter += delta;
        y.release();
        x.release();
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(body(a, b, 1), "thread1"));
        ts.push_back(aio::create_task(body(b, a, -1), "thread2"));
        co_await join_all(ts);
    }
};

// din_philN_sat: N philosophers each take and drop both forks (an atomic block in the
// original) and then increment a shared count non-atomically; "sat": the assertion fires when
// the count reaches N, so the bug needs every increment to be a whole read-modify-write (no
// lost update), which the round-robin order never gives.
struct DinPhil {
    explicit DinPhil(int philosophers) : n(philosophers), forks(static_cast<std::size_t>(philosophers)) {}
    int n;
    std::vector<aio::Lock> forks;
    int phil = 0;
    aio::Coro<void> philosopher(int id) {
        aio::Lock& left = forks[static_cast<std::size_t>(id)];
        aio::Lock& right = forks[static_cast<std::size_t>((id + 1) % n)];
        co_await right.acquire();  // the atomic block: no await point inside
        co_await left.acquire();
        left.release();
        right.release();
        AIO_POWER_SHARED(&phil);
        const int seen = phil;
        AIO_POWER_SHARED(&phil);
        phil = seen + 1;
        kernel_assert(phil != n, "din_phil: phil != N");
    }
    aio::Coro<void> main() {
        Tasks ts;
        for (int i = 0; i < n; ++i) ts.push_back(aio::create_task(philosopher(i), "philosopher"));
        co_await join_all(ts);
    }
};

// lazy01_bad: two adders under a lock and a checker that asserts data < 3, which fails when
// the checker (created last) runs after both.
struct Lazy01 {
    aio::Lock m;
    int data = 0;
    aio::Coro<void> add(int d) {
        AIO_POWER_LOCK(m);
        AIO_POWER_SHARED(&data);
        data += d;
        m.release();
    }
    aio::Coro<void> check() {
        AIO_POWER_LOCK(m);
        AIO_POWER_SHARED(&data);
        kernel_assert(data < 3, "lazy01: data < 3");
        m.release();
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(add(1), "thread1"));
        ts.push_back(aio::create_task(add(2), "thread2"));
        ts.push_back(aio::create_task(check(), "thread3"));
        co_await join_all(ts);
    }
};

// phase01_bad: each task ends holding x; the second one to want it waits forever (every
// schedule deadlocks).
struct Phase01 {
    aio::Lock x, y;
    aio::Coro<void> body() {
        AIO_POWER_LOCK(x);
        x.release();
        AIO_POWER_LOCK(x);
        AIO_POWER_LOCK(y);
        y.release();
        AIO_POWER_LOCK(y);
        y.release();
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(body(), "t1"));
        ts.push_back(aio::create_task(body(), "t2"));
        co_await join_all(ts);
    }
};

// queue_bad: an enqueuer and a dequeuer alternate through flags under a lock (20 rounds);
// the dequeuer's assertion compares with the value stored for its own round number, which is
// wrong when it skipped a round.
struct Queue {
    static constexpr int size = 20;
    aio::Lock m;
    std::array<int, size + 1> element{};
    std::array<int, size> stored{};
    int head = 0, tail = 0;
    bool enqueue_flag = true, dequeue_flag = false;
    void enqueue(int v) {
        element[static_cast<std::size_t>(tail)] = v;
        tail = tail == size ? 1 : tail + 1;
    }
    int dequeue() {
        const int v = element[static_cast<std::size_t>(head)];
        head = head == size ? 1 : head + 1;
        return v;
    }
    aio::Coro<void> t1() {
        int value = 0;
        AIO_POWER_LOCK(m);
        AIO_POWER_SHARED(&element);
        enqueue(value);
        stored[0] = value;
        m.release();
        for (int i = 0; i < size - 1; ++i) {
            AIO_POWER_LOCK(m);
            AIO_POWER_SHARED(&enqueue_flag);
            if (enqueue_flag) {
                AIO_POWER_SHARED(&element);
                enqueue(++value);
                stored[static_cast<std::size_t>(i + 1)] = value;
                enqueue_flag = false;
                dequeue_flag = true;
            }
            m.release();
        }
    }
    aio::Coro<void> t2() {
        for (int i = 0; i < size; ++i) {
            AIO_POWER_LOCK(m);
            AIO_POWER_SHARED(&dequeue_flag);
            if (dequeue_flag) {
                AIO_POWER_SHARED(&element);
                kernel_assert(dequeue() == stored[static_cast<std::size_t>(i)], "queue: dequeue() == stored[i]");
                dequeue_flag = false;
                enqueue_flag = true;
            }
            m.release();
        }
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(t1(), "t1"));
        ts.push_back(aio::create_task(t2(), "t2"));
        co_await join_all(ts);
    }
};

// reorder_N_bad: N-1 setters write a = 1 then b = -1; a checker reads a then b and asserts
// it saw both or neither.
struct Reorder {
    explicit Reorder(int setter_count) : setters(setter_count) {}
    int setters;
    int a = 0, b = 0;
    aio::Coro<void> set() {
        AIO_POWER_SHARED(&a);
        a = 1;
        AIO_POWER_SHARED(&b);
        b = -1;
    }
    aio::Coro<void> check() {
        AIO_POWER_SHARED(&a);
        const int seen_a = a;
        AIO_POWER_SHARED(&b);
        const int seen_b = b;
        kernel_assert((seen_a == 0 && seen_b == 0) || (seen_a == 1 && seen_b == -1),
                      "reorder: (a == 0 && b == 0) || (a == 1 && b == -1)");
    }
    aio::Coro<void> main() {
        Tasks ts;
        for (int i = 0; i < setters; ++i) ts.push_back(aio::create_task(set(), "setThread"));
        ts.push_back(aio::create_task(check(), "checkThread"));
        co_await join_all(ts);
    }
};

// stack_bad: a pusher sets a flag after its first push; the popper, once the flag is set,
// pops on every round and asserts no underflow, which fails when it pops faster.
struct Stack {
    static constexpr int size = 10;
    aio::Lock m;
    std::array<int, size> arr{};
    int top = 0;
    bool flag = false;
    aio::Coro<void> pusher() {
        for (int i = 0; i < size; ++i) {
            AIO_POWER_LOCK(m);
            AIO_POWER_SHARED(&top);
            kernel_assert(top != size, "stack: push() != OVERFLOW");
            arr[static_cast<std::size_t>(top++)] = i;
            flag = true;
            m.release();
        }
    }
    aio::Coro<void> popper() {
        for (int i = 0; i < size; ++i) {
            AIO_POWER_LOCK(m);
            AIO_POWER_SHARED(&flag);
            if (flag) {
                AIO_POWER_SHARED(&top);
                kernel_assert(top != 0, "stack: pop() != UNDERFLOW");
                --top;
            }
            m.release();
        }
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(pusher(), "t1"));
        ts.push_back(aio::create_task(popper(), "t2"));
        co_await join_all(ts);
    }
};

// sync01_bad and sync02_bad: a producer waits on "empty" while num > 0, a consumer on "full"
// while num == 0, each signalling the other after its update (pthread_cond_signal outside the
// mutex; asyncio's notify needs the lock, so it is taken again around it). sync01 (num starts
// at 1, nobody consumes) deadlocks in every run; sync02 (2 items each way, num starts at 2)
// deadlocks when a signal comes before the wait it was meant for.
struct ProducerConsumer {
    ProducerConsumer(int start, int produce, int consume) : num(start), to_produce(produce), to_consume(consume) {}
    aio::Lock m;
    aio::Condition empty{m}, full{m};
    int num;
    int to_produce, to_consume;
    aio::Coro<void> signal(aio::Condition& c) {
        AIO_POWER_LOCK(m);
        c.notify();
        m.release();
    }
    aio::Coro<void> producer() {
        for (int i = 0; i < to_produce; ++i) {
            AIO_POWER_LOCK(m);
            for (;;) {
                AIO_POWER_SHARED(&num);
                if (num <= 0) break;
                co_await empty.wait();
            }
            num++;
            m.release();
            co_await signal(full);
        }
    }
    aio::Coro<void> consumer() {
        for (int j = 0; j < to_consume; ++j) {
            AIO_POWER_LOCK(m);
            for (;;) {
                AIO_POWER_SHARED(&num);
                if (num != 0) break;
                co_await full.wait();
            }
            if (to_consume > 1) num--;  // sync01's consumer only looks
            m.release();
            co_await signal(empty);
        }
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(producer(), "producer"));
        ts.push_back(aio::create_task(consumer(), "consumer"));
        co_await join_all(ts);
    }
};

// token_ring_bad: three atomic copies around a ring and a checker that asserts all equal
// once all three ran; which order they ran in decides.
struct TokenRing {
    int x1 = 1, x2 = 2, x3 = 1;
    bool f1 = false, f2 = false, f3 = false;
    aio::Coro<void> t1() {
        AIO_POWER_SHARED(&x1);
        x1 = (x3 + 1) % 4;
        f1 = true;
    }
    aio::Coro<void> t2() {
        AIO_POWER_SHARED(&x2);
        x2 = x1;
        f2 = true;
    }
    aio::Coro<void> t3() {
        AIO_POWER_SHARED(&x3);
        x3 = x2;
        f3 = true;
    }
    aio::Coro<void> t4() {
        AIO_POWER_SHARED(&x1);
        if (f1 && f2 && f3) kernel_assert(x1 == x2 && x2 == x3, "token_ring: x1 == x2 && x2 == x3");
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(t1(), "t1"));
        ts.push_back(aio::create_task(t2(), "t2"));
        ts.push_back(aio::create_task(t3(), "t3"));
        ts.push_back(aio::create_task(t4(), "t4"));
        co_await join_all(ts);
    }
};

// twostage_bad (and twostage_100_bad): a writer sets data1 under one lock, then data2 =
// data1 + 1 under another; a reader that sees data1 set reads data2 and asserts data2 ==
// data1 + 1, which fails between the writer's two stages.
struct TwoStage {
    TwoStage(int writer_count, int reader_count) : writers(writer_count), readers(reader_count) {}
    int writers, readers;
    aio::Lock l1, l2;
    int data1 = 0, data2 = 0;
    aio::Coro<void> a() {
        AIO_POWER_LOCK(l1);
        AIO_POWER_SHARED(&data1);
        data1 = 1;
        l1.release();
        AIO_POWER_LOCK(l2);
        AIO_POWER_SHARED(&data1);
        AIO_POWER_SHARED(&data2);
        data2 = data1 + 1;
        l2.release();
    }
    aio::Coro<void> b() {
        AIO_POWER_LOCK(l1);
        AIO_POWER_SHARED(&data1);
        if (data1 == 0) {
            l1.release();
            co_return;
        }
        const int t1 = data1;
        l1.release();
        AIO_POWER_LOCK(l2);
        AIO_POWER_SHARED(&data2);
        const int t2 = data2;
        l2.release();
        kernel_assert(t2 == t1 + 1, "twostage: t2 == t1 + 1");
    }
    aio::Coro<void> main() {
        Tasks ts;
        for (int i = 0; i < writers; ++i) ts.push_back(aio::create_task(a(), "funcA"));
        for (int i = 0; i < readers; ++i) ts.push_back(aio::create_task(b(), "funcB"));
        co_await join_all(ts);
    }
};

// wronglock_bad (1 + 7 tasks) and wronglock_3_bad (1 + 3): one task increments under
// dataLock and asserts its increment is the only one; the others increment under another
// lock.
struct WrongLock {
    explicit WrongLock(int other_count) : others(other_count) {}
    int others;
    aio::Lock data_lock, this_lock;
    int value = 0;
    aio::Coro<void> a() {
        AIO_POWER_LOCK(data_lock);
        AIO_POWER_SHARED(&value);
        const int x = value;
        AIO_POWER_SHARED(&value);
        value++;
        AIO_POWER_SHARED(&value);
        kernel_assert(value == x + 1, "wronglock: dataValue == x + 1");
        data_lock.release();
    }
    aio::Coro<void> b() {
        AIO_POWER_LOCK(this_lock);
        AIO_POWER_SHARED(&value);
        value++;
        this_lock.release();
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(a(), "funcA"));
        for (int i = 0; i < others; ++i) ts.push_back(aio::create_task(b(), "funcB"));
        co_await join_all(ts);
    }
};

}  // namespace sct_cs

// The kernel's state lives in the scenario's body, outside aio::run (power.hpp).
#define AIO_POWER_KERNEL(name, description, ...)    \
    AIOSIM_SCENARIO(name, description) {            \
        auto kernel = sct_cs::__VA_ARGS__;          \
        aio::run(kernel.main(), ctx.run_options()); \
        return 0;                                   \
    }

AIO_POWER_KERNEL(sct_account_bad, "SCTBench CS account_bad: a checker asserts a wrong balance once both updates ran",
                 Account{})
AIO_POWER_KERNEL(sct_arithmetic_prog_bad, "SCTBench CS arithmetic_prog_bad: a final assertion false in every run",
                 ArithmeticProg{})
AIO_POWER_KERNEL(sct_bluetooth_driver_bad,
                 "SCTBench CS bluetooth_driver_bad: an I/O counted in after the device stopped", BluetoothDriver{})
AIO_POWER_KERNEL(sct_carter01_bad, "SCTBench CS carter01_bad: a lock taken under another, deadlock", Carter01{})
AIO_POWER_KERNEL(sct_circular_buffer_bad, "SCTBench CS circular_buffer_bad: a receiver that skipped a round",
                 CircularBuffer{})
AIO_POWER_KERNEL(sct_deadlock01_bad, "SCTBench CS deadlock01_bad: two locks in opposite orders", Deadlock01{})
AIO_POWER_KERNEL(sct_din_phil2_sat, "SCTBench CS din_phil2_sat: 2 philosophers, no lost update", DinPhil{2})
AIO_POWER_KERNEL(sct_din_phil3_sat, "SCTBench CS din_phil3_sat: 3 philosophers, no lost update", DinPhil{3})
AIO_POWER_KERNEL(sct_din_phil4_sat, "SCTBench CS din_phil4_sat: 4 philosophers, no lost update", DinPhil{4})
AIO_POWER_KERNEL(sct_din_phil5_sat, "SCTBench CS din_phil5_sat: 5 philosophers, no lost update", DinPhil{5})
AIO_POWER_KERNEL(sct_din_phil6_sat, "SCTBench CS din_phil6_sat: 6 philosophers, no lost update", DinPhil{6})
AIO_POWER_KERNEL(sct_din_phil7_sat, "SCTBench CS din_phil7_sat: 7 philosophers, no lost update", DinPhil{7})
AIO_POWER_KERNEL(sct_lazy01_bad, "SCTBench CS lazy01_bad: a checker after both adders", Lazy01{})
AIO_POWER_KERNEL(sct_phase01_bad, "SCTBench CS phase01_bad: a lock never released (every run deadlocks)", Phase01{})
AIO_POWER_KERNEL(sct_queue_bad, "SCTBench CS queue_bad: a dequeuer that skipped a round", Queue{})
AIO_POWER_KERNEL(sct_reorder_3_bad, "SCTBench CS reorder_3_bad: 2 setters, a checker between a and b", Reorder{2})
AIO_POWER_KERNEL(sct_reorder_4_bad, "SCTBench CS reorder_4_bad: 3 setters, a checker between a and b", Reorder{3})
AIO_POWER_KERNEL(sct_reorder_5_bad, "SCTBench CS reorder_5_bad: 4 setters, a checker between a and b", Reorder{4})
AIO_POWER_KERNEL(sct_reorder_10_bad, "SCTBench CS reorder_10_bad: 9 setters, a checker between a and b", Reorder{9})
AIO_POWER_KERNEL(sct_reorder_20_bad, "SCTBench CS reorder_20_bad: 19 setters, a checker between a and b", Reorder{19})
AIO_POWER_KERNEL(sct_stack_bad, "SCTBench CS stack_bad: a popper faster than the pusher", Stack{})
AIO_POWER_KERNEL(sct_sync01_bad, "SCTBench CS sync01_bad: a signal before the wait, deadlock",
                 ProducerConsumer{1, 1, 1})
AIO_POWER_KERNEL(sct_sync02_bad, "SCTBench CS sync02_bad: a producer/consumer signal lost, deadlock",
                 ProducerConsumer{2, 2, 2})
AIO_POWER_KERNEL(sct_token_ring_bad, "SCTBench CS token_ring_bad: copies around a ring in the wrong order", TokenRing{})
AIO_POWER_KERNEL(sct_twostage_bad, "SCTBench CS twostage_bad: a reader between a writer's two stages", TwoStage{1, 1})
AIO_POWER_KERNEL(sct_twostage_100_bad, "SCTBench CS twostage_100_bad: 99 writers, a reader between two stages",
                 TwoStage{99, 1})
AIO_POWER_KERNEL(sct_wronglock_bad, "SCTBench CS wronglock_bad: 7 increments under the wrong lock", WrongLock{7})
AIO_POWER_KERNEL(sct_wronglock_3_bad, "SCTBench CS wronglock_3_bad: 3 increments under the wrong lock", WrongLock{3})
