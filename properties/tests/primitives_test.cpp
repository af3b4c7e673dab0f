// The invariants of each asyncio primitive, checked under the simulator's `random` and `pct`
// policies over many seeds (issue 4, item 4). Each program throws Broken when an invariant
// fails (the report shows the policy, seed and replay string) and returns a signature of the
// order it observed; every test also checks that the schedules really differed.
//
// Budget: AIOSIM_SEEDS (default 20 seeds per policy here) and AIOSIM_POLICY, as for every
// aio::check call; e.g. AIOSIM_SEEDS=2000 for a nightly run.
#include <aio/aio.hpp>
#include <aio/check/explore.hpp>
#include <aio/sim/sim_loop.hpp>
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using aio::sim::Policy;

namespace {

struct Broken : std::logic_error {
    using std::logic_error::logic_error;
};

template <class... A>
void require(bool ok, fmt::format_string<A...> f, A&&... a) {
    if (!ok) throw Broken(fmt::format(f, std::forward<A>(a)...));
}

aio::Coro<void> yield(int n) {
    for (int i = 0; i < n; ++i) co_await aio::sleep(0s);
}

// Two tasks interleaving same-instant steps with the program: makes the signature show the
// schedule even where the program itself is sequential.
aio::Task<void> racers(std::string& sig) {
    return aio::create_task([](std::string& sig) -> aio::Coro<void> {
        auto racer = [](std::string& sig, char c) -> aio::Coro<void> {
            for (int i = 0; i < 3; ++i) {
                co_await aio::sleep(0s);
                sig += c;
            }
        };
        co_await aio::gather(racer(sig, 'x'), racer(sig, 'y'));
    }(sig));
}

aio::TimePoint now() { return aio::get_running_loop().time(); }
double secs(aio::Duration d) { return std::chrono::duration<double>(d).count(); }

// Runs make_main() under random and pct (20 seeds each by default); the program's result is
// its signature. Fails the test case on any exception; checks the orders differed.
template <class F>
void under_perturbing_policies(const char* name, F make_main, std::size_t min_distinct = 2, bool exact_clock = false) {
    std::set<std::string> seen;
    aio::check::ExploreOptions o;
    o.name = name;
    if (exact_clock) {  // the clock moves only to the next timer: no batch, no overtaking
        o.base.schedule.batch = aio::Duration::zero();
        o.base.schedule.ahead = aio::Duration::zero();
    }
    o.policies = {Policy::random, Policy::pct};
    o.seeds = 20;
    auto v = aio::check::for_all_schedules(
        std::move(make_main), [&](const std::string& sig) { return seen.insert(sig), true; }, o);
    CHECK_MESSAGE(v.ok, v.report);
    CHECK(v.runs >= 2);
    // Not vacuous: the policies produced several different interleavings.
    CHECK(seen.size() >= min_distinct);
}

// ---- Lock ---------------------------------------------------------------------------------

struct LockState {
    aio::Lock lock;
    int holders = 0;
    std::uint64_t seq = 0;  // bumps on every acquisition and release
    std::uint64_t next_ticket = 0;
    std::vector<std::uint64_t> waited_tickets;  // tickets of acquirers that had to wait, in acquisition order
    std::string sig;
    int last_actor = 0;
};

aio::Coro<void> lock_worker(std::shared_ptr<LockState> s, int id, int rounds) {
    for (int r = 0; r < rounds; ++r) {
        const std::uint64_t ticket = s->next_ticket++;
        const std::uint64_t seq0 = s->seq;
        co_await s->lock.acquire();
        ++s->seq;
        require(s->holders == 0, "Lock: task {} acquired while {} task(s) held it", id, s->holders);
        ++s->holders;
        if (s->seq != seq0 + 1) s->waited_tickets.push_back(ticket);
        s->sig += static_cast<char>('a' + id);
        s->last_actor = id;
        try {
            co_await yield(id % 2 + 1);
        } catch (...) {
            --s->holders;
            ++s->seq;
            s->lock.release();
            throw;
        }
        --s->holders;
        ++s->seq;
        s->lock.release();
        co_await aio::sleep(0s);
    }
}

aio::Coro<std::string> lock_program(bool cancel) {
    auto s = std::make_shared<LockState>();
    std::vector<aio::Task<void>> ts;
    for (int i = 0; i < 4; ++i) ts.push_back(aio::create_task(lock_worker(s, i, 3)));
    if (cancel) {
        co_await yield(3);
        ts[static_cast<std::size_t>(s->last_actor)].cancel();
        co_await yield(2);
        ts[static_cast<std::size_t>((s->last_actor + 1) % 4)].cancel();
    }
    int finished = 0;
    for (auto& t : ts) {
        try {
            co_await t;
            ++finished;
        } catch (const aio::CancelledError&) {}
    }
    require(!s->lock.locked(), "Lock: still locked after every worker ended");
    require(finished >= (cancel ? 2 : 4), "Lock: only {} workers finished", finished);
    // FIFO: those that had to wait got the lock in the order they asked for it.
    require(std::is_sorted(s->waited_tickets.begin(), s->waited_tickets.end()),
            "Lock: waiters were not served in FIFO order");
    co_return s->sig;
}

// ---- Semaphore / BoundedSemaphore -----------------------------------------------------------

constexpr int value = 2;  // the semaphores' initial value

template <class Sem>
aio::Coro<std::string> semaphore_program(bool cancel) {
    struct State {
        Sem sem{value};
        int inside = 0, max_inside = 0;
        std::uint64_t seq = 0, next_ticket = 0;
        std::set<std::uint64_t> asking;  // tickets of acquire() calls that have not returned
        bool cancelling = false;
        std::string sig;
    };
    auto s = std::make_shared<State>();
    auto worker = [](std::shared_ptr<State> s, int id) -> aio::Coro<void> {
        for (int r = 0; r < 3; ++r) {
            const std::uint64_t ticket = s->next_ticket++, seq0 = s->seq;
            s->asking.insert(ticket);
            try {
                co_await s->sem.acquire();
            } catch (...) {
                s->asking.erase(ticket);
                throw;
            }
            s->asking.erase(ticket);
            ++s->seq;
            // FIFO (asyncio 3.12): a newcomer takes a unit at once only when no live waiter is
            // queued; woken waiters may then resume in any order the scheduler picks.
            if (s->seq == seq0 + 1 && !s->cancelling)
                require(s->asking.empty(), "Semaphore: task {} overtook {} queued waiter(s)", id, s->asking.size());
            ++s->inside;
            s->max_inside = std::max(s->max_inside, s->inside);
            require(s->inside <= value, "Semaphore: {} tasks inside a semaphore of value {}", s->inside, value);
            s->sig += static_cast<char>('a' + id);
            bool ok = true;
            try {
                co_await yield(id % 3 + 1);
            } catch (...) {
                ok = false;
            }
            --s->inside;
            ++s->seq;
            s->sem.release();
            if (!ok) throw aio::CancelledError();
        }
    };
    std::vector<aio::Task<void>> ts;
    for (int i = 0; i < 5; ++i) ts.push_back(aio::create_task(worker(s, i)));
    if (cancel) {
        s->cancelling = true;
        co_await yield(2);
        ts[static_cast<std::size_t>(s->sig.empty() ? 0 : s->sig.back() - 'a')].cancel();
        co_await yield(3);
        ts[4].cancel();
    }
    auto outcomes = co_await aio::gather_outcomes(ts);
    (void)outcomes;
    require(s->inside == 0, "Semaphore: {} still inside", s->inside);
    require(s->sem.value() == value, "Semaphore: value {} after all released, expected {}", s->sem.value(), value);
    if constexpr (std::is_same_v<Sem, aio::BoundedSemaphore>) {
        bool refused = false;
        try {
            s->sem.release();
        } catch (const aio::ValueError&) {
            refused = true;
        }
        require(refused, "BoundedSemaphore: a release above the initial value was accepted");
    }
    co_return s->sig;
}

// ---- Queues --------------------------------------------------------------------------------

template <class Q>
aio::Coro<std::string> queue_program(bool cancel) {
    struct State {
        Q q{2};
        std::multiset<int> put_ok, got;
        int done_calls = 0;
        std::string sig;
    };
    auto s = std::make_shared<State>();
    auto producer = [](std::shared_ptr<State> s, int id) -> aio::Coro<void> {
        for (int i = 0; i < 4; ++i) {
            const int item = id * 100 + i;
            co_await s->q.put(item);  // stored only if put() returns
            s->put_ok.insert(item);
            s->sig += 'p';
            if (i % 2) co_await aio::sleep(0s);
        }
    };
    auto consumer = [](std::shared_ptr<State> s) -> aio::Coro<void> {
        for (;;) {
            int v = co_await s->q.get();
            require(!s->got.count(v), "Queue: item {} delivered twice", v);
            s->got.insert(v);
            s->sig += 'g';
            try {
                co_await aio::sleep(0s);
            } catch (...) {
                s->q.task_done();  // processed, then cancelled
                throw;
            }
            s->q.task_done();
            ++s->done_calls;
        }
    };
    std::vector<aio::Task<void>> producers, consumers;
    for (int i = 0; i < 3; ++i) producers.push_back(aio::create_task(producer(s, i)));
    for (int i = 0; i < 2; ++i) consumers.push_back(aio::create_task(consumer(s)));
    if (cancel) {
        co_await yield(2);
        producers[1].cancel();  // maybe blocked in put(): that item must not appear
        co_await yield(2);
        consumers[0].cancel();  // maybe blocked in get(): no item may vanish with it
    }
    co_await aio::gather_outcomes(producers);
    // Every item put is eventually got and marked done: join() returns only then.
    auto joiner = aio::create_task([](std::shared_ptr<State> s) -> aio::Coro<void> {
        co_await s->q.join();
        require(s->q.empty(), "Queue: join() returned with {} items queued", s->q.qsize());
    }(s));
    if (cancel && consumers[0].done()) consumers.push_back(aio::create_task(consumer(s)));
    co_await joiner;
    require(s->got == s->put_ok, "Queue: {} items put, {} got (lost or invented items)", s->put_ok.size(),
            s->got.size());
    // A cancelled consumer may have got an item without marking it done; count it.
    require(s->q.unfinished_tasks() == 0, "Queue: {} unfinished after join()", s->q.unfinished_tasks());
    for (auto& c : consumers) c.cancel();
    co_await aio::gather_outcomes(consumers);
    bool refused = false;
    try {
        s->q.task_done();
    } catch (const aio::ValueError&) {
        refused = true;
    }
    require(refused, "Queue: task_done() beyond the items put was accepted");
    co_return s->sig;
}

// ---- Event, Condition, Barrier -------------------------------------------------------------

aio::Coro<std::string> event_program() {
    struct State {
        aio::Event ev;
        int woke = 0, entered = 0;
        bool set_called = false;
        std::string sig;
    };
    auto s = std::make_shared<State>();
    auto waiter = [](std::shared_ptr<State> s, int id) -> aio::Coro<void> {
        co_await yield(id % 3);
        if (id != 5) ++s->entered;  // blocks at once: the flag is not set yet
        co_await s->ev.wait();
        require(s->set_called, "Event: waiter {} woke before set()", id);
        ++s->woke;
        s->sig += static_cast<char>('a' + id);
    };
    std::vector<aio::Task<void>> ts;
    for (int i = 0; i < 6; ++i) ts.push_back(aio::create_task(waiter(s, i)));
    co_await yield(2);
    ts[5].cancel();
    while (s->entered < 5) co_await aio::sleep(0s);
    s->set_called = true;
    s->ev.set();
    s->ev.clear();  // those waiting when set() ran still wake: set() wakes everyone at once
    auto late = aio::create_task([](std::shared_ptr<State> s) -> aio::Coro<void> { co_await s->ev.wait(); }(s));
    co_await aio::gather_outcomes(ts);
    require(s->woke + (ts[5].cancelled() ? 1 : 0) == 6, "Event: {} of the waiters woke", s->woke);
    require(!late.done() || late.cancelled(), "Event: a wait() after clear() returned");
    s->ev.set();
    co_await late;
    co_return s->sig;
}

aio::Coro<std::string> condition_program(bool cancel) {
    struct State {
        aio::Condition cond;
        int items = 0, consumed = 0;
        std::string sig;
    };
    auto s = std::make_shared<State>();
    auto consumer = [](std::shared_ptr<State> s, int id) -> aio::Coro<int> {
        auto guard = co_await s->cond.scoped();
        co_await s->cond.wait_for([&] { return s->items > 0; });
        require(s->cond.locked(), "Condition: wait_for returned without the lock");
        --s->items;
        ++s->consumed;
        s->sig += static_cast<char>('a' + id);
        co_return id;
    };
    std::vector<aio::Task<int>> cs;
    for (int i = 0; i < 4; ++i) cs.push_back(aio::create_task(consumer(s, i)));
    co_await yield(2);
    if (cancel) cs[1].cancel();
    for (int i = 0; i < 4; ++i) {
        {
            auto guard = co_await s->cond.scoped();
            ++s->items;
            // notify_all with a predicate loop: a consumer cancelled after its wake-up cannot
            // strand an item (with notify(1) asyncio 3.12 may lose that wake-up).
            s->cond.notify_all();
        }
        co_await yield(1);
    }
    co_await aio::gather_outcomes(cs);
    const int cancelled = static_cast<int>(std::count_if(cs.begin(), cs.end(), [](auto& t) { return t.cancelled(); }));
    require(s->consumed == 4 - cancelled, "Condition: {} consumed, {} consumers not cancelled (lost wake-up)",
            s->consumed, 4 - cancelled);
    require(s->items == cancelled, "Condition: {} items left for {} cancelled consumers", s->items, cancelled);
    require(!s->cond.locked(), "Condition: lock still held");
    co_return s->sig;
}

aio::Coro<std::string> barrier_program() {
    constexpr int parties = 3, rounds = 3;
    struct State {
        aio::Barrier b{parties};
        int arrived[rounds] = {};
        std::set<std::size_t> index[rounds];
        std::string sig;
    };
    auto s = std::make_shared<State>();
    auto party = [](std::shared_ptr<State> s, int id) -> aio::Coro<void> {
        for (int r = 0; r < rounds; ++r) {
            co_await yield((id + r) % 3);
            ++s->arrived[r];
            std::size_t i = co_await s->b.wait();
            require(s->arrived[r] == parties, "Barrier: party {} passed round {} with {} arrived", id, r,
                    s->arrived[r]);
            require(s->index[r].insert(i).second, "Barrier: index {} given twice in round {}", i, r);
            s->sig += static_cast<char>('a' + id);
        }
    };
    co_await aio::gather(party(s, 0), party(s, 1), party(s, 2));
    for (int r = 0; r < rounds; ++r)
        require(s->index[r] == std::set<std::size_t>{0, 1, 2}, "Barrier: round {} indexes wrong", r);
    require(s->b.n_waiting() == 0 && !s->b.broken(), "Barrier: not back to filling");
    co_return s->sig;
}

// ---- structured concurrency -----------------------------------------------------------------

aio::Coro<std::string> task_group_program(bool fail) {
    struct State {
        int running = 0;
        std::vector<aio::Task<int>> kids;
        std::string sig;
    };
    auto s = std::make_shared<State>();
    auto child = [](std::shared_ptr<State> s, int id, bool raise) -> aio::Coro<int> {
        ++s->running;
        struct Leave {
            State* s;
            ~Leave() { --s->running; }
        } leave{s.get()};
        co_await yield(id % 3);
        co_await aio::sleep(std::chrono::milliseconds(id % 2));
        s->sig += static_cast<char>('a' + id);
        if (raise) throw aio::ValueError("child failed");
        co_return id;
    };
    bool raised = false;
    try {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
            for (int i = 0; i < 5; ++i) s->kids.push_back(tg.create_task(child(s, i, fail && i == 2)));
            co_await yield(1);
        });
    } catch (const aio::ExceptionGroup&) {
        raised = true;
    }
    require(s->running == 0, "TaskGroup: returned with {} children running", s->running);
    require(raised == fail, "TaskGroup: raised={} for fail={}", raised, fail);
    for (auto& k : s->kids) require(k.done(), "TaskGroup: child {} not done", k.name());
    if (!fail)
        for (auto& k : s->kids) require(!k.cancelled(), "TaskGroup: child cancelled without a failure");
    co_return s->sig;
}

// A timeout fires exactly at its deadline in virtual time (never before), converts the
// inner cancellation into TimeoutError; reschedule moves it; wait_for likewise.
aio::Coro<std::string> timeout_program() {
    std::string sig;
    auto race = racers(sig);
    auto noise = [](std::string& sig) -> aio::Coro<void> {
        for (int i = 0; i < 6; ++i) {
            co_await aio::sleep(i % 2 ? 0ms : 1ms);
            sig += 'n';
        }
    };
    auto t_noise = aio::create_task(noise(sig));
    auto body = [](std::string& sig, std::chrono::milliseconds d, bool& inner_cancelled) -> aio::Coro<int> {
        try {
            co_await aio::sleep(d);
        } catch (const aio::CancelledError&) {
            inner_cancelled = true;
            throw;
        }
        sig += 'b';
        co_return 7;
    };
    {  // fires: exactly at start + 3ms
        const auto t0 = now();
        bool inner = false, timed_out = false;
        try {
            co_await aio::timeout(3ms).run(body(sig, 10ms, inner));
        } catch (const aio::TimeoutError&) {
            timed_out = true;
            require(now() - t0 == 3ms, "timeout: fired after {} s instead of 0.003", secs(now() - t0));
        }
        require(timed_out && inner, "timeout: did not fire or the block was not cancelled");
    }
    {  // does not fire
        const auto t0 = now();
        bool inner = false;
        int v = co_await aio::timeout(5ms).run(body(sig, 2ms, inner));
        require(v == 7 && !inner && now() - t0 == 2ms, "timeout: a block within its deadline was disturbed");
    }
    {  // rescheduled later from another task, then it fires at the new deadline
        const auto t0 = now();
        auto cm = aio::timeout(2ms);
        auto mover = aio::create_task([](aio::Timeout cm) -> aio::Coro<void> {
            co_await aio::sleep(1ms);
            cm.reschedule(now() + 3ms);  // now is t0+1ms: the new deadline is t0+4ms
        }(cm));
        bool inner = false, timed_out = false;
        try {
            co_await cm.run(body(sig, 10ms, inner));
        } catch (const aio::TimeoutError&) {
            timed_out = true;
            require(now() - t0 == 4ms, "timeout: the rescheduled deadline fired after {} s, not 0.004",
                    secs(now() - t0));
        }
        require(timed_out && cm.expired(), "timeout: the rescheduled timeout did not expire");
        co_await mover;
    }
    {  // wait_for: result in time, TimeoutError at the deadline
        const auto t0 = now();
        bool inner = false;
        int v = co_await aio::wait_for(body(sig, 1ms, inner), 2ms);
        require(v == 7 && now() - t0 == 1ms, "wait_for: wrong result or time");
        const auto t1 = now();
        bool timed_out = false;
        try {
            co_await aio::wait_for(body(sig, 5ms, inner), 2ms);
        } catch (const aio::TimeoutError&) {
            timed_out = true;
            require(now() - t1 == 2ms, "wait_for: fired after {} s, not 0.002", secs(now() - t1));
        }
        require(timed_out && inner, "wait_for: did not time out, or the inner coroutine was not cancelled");
    }
    co_await t_noise;
    co_await race;
    co_return sig;
}

aio::Coro<std::string> shield_program() {
    std::string sig;
    bool inner_done = false;
    auto inner = aio::create_task([](bool& done, std::string& sig) -> aio::Coro<int> {
        co_await yield(3);
        done = true;
        sig += 'i';
        co_return 5;
    }(inner_done, sig));
    auto outer = aio::create_task([](aio::Task<int> in, std::string& sig) -> aio::Coro<int> {
        sig += 'o';
        co_return co_await aio::shield(in);
    }(inner, sig));
    co_await yield(1);
    outer.cancel();
    bool outer_cancelled = false;
    try {
        co_await outer;
    } catch (const aio::CancelledError&) {
        outer_cancelled = true;
    }
    require(outer_cancelled || outer.result() == 5, "shield: the outer task neither was cancelled nor got 5");
    int v = co_await inner;
    require(v == 5 && inner_done && !inner.cancelled(), "shield: the inner task was disturbed");
    co_return sig;
}

aio::Coro<std::string> wait_program() {
    std::string sig;
    auto race = racers(sig);
    auto job = [](std::string& sig, int ms, bool raise) -> aio::Coro<int> {
        co_await aio::sleep(std::chrono::milliseconds(ms));
        co_await aio::sleep(0s);
        sig += static_cast<char>('0' + ms);
        if (raise) throw aio::ValueError("job");
        co_return ms;
    };
    auto check_split = [](auto& r, std::size_t n) {
        require(r.first.size() + r.second.size() == n, "wait: {} + {} futures for {}", r.first.size(), r.second.size(),
                n);
        for (auto& t : r.first) require(t.done(), "wait: a task in done is pending");
        for (auto& t : r.second) require(!t.done(), "wait: a task in pending is done");
    };
    {
        std::vector<aio::Task<int>> ts{aio::create_task(job(sig, 3, false)), aio::create_task(job(sig, 1, false)),
                                       aio::create_task(job(sig, 2, false))};
        const auto t0 = now();
        auto r = co_await aio::wait(ts, std::nullopt, aio::FIRST_COMPLETED);
        check_split(r, 3);
        require(!r.first.empty() && now() - t0 == 1ms, "wait FIRST_COMPLETED: returned after {} s", secs(now() - t0));
        auto r2 = co_await aio::wait(ts, std::nullopt, aio::ALL_COMPLETED);
        check_split(r2, 3);
        require(r2.second.empty() && now() - t0 == 3ms, "wait ALL_COMPLETED: pending left");
    }
    {
        std::vector<aio::Task<int>> ts{aio::create_task(job(sig, 4, false)), aio::create_task(job(sig, 2, true)),
                                       aio::create_task(job(sig, 1, false))};
        const auto t0 = now();
        auto r = co_await aio::wait(ts, std::nullopt, aio::FIRST_EXCEPTION);
        check_split(r, 3);
        require(now() - t0 == 2ms && r.first.size() == 2 && r.second.size() == 1,
                "wait FIRST_EXCEPTION: returned after {} s with {} done", secs(now() - t0), r.first.size());
        bool has_exc = false;
        for (auto& t : r.first) has_exc = has_exc || (!t.cancelled() && t.exception());
        require(has_exc, "wait FIRST_EXCEPTION: no failed task in done");
        co_await aio::wait(ts);
        try {
            co_await ts[1];
        } catch (const aio::ValueError&) {}
    }
    co_await race;
    co_return sig;
}

aio::Coro<std::string> as_completed_program() {
    std::string sig;
    auto job = [](std::string& sig, int id, int ms) -> aio::Coro<int> {
        co_await aio::sleep(std::chrono::milliseconds(ms));
        co_await aio::sleep(0s);
        sig += static_cast<char>('a' + id);
        co_return id;
    };
    std::vector<aio::Coro<int>> cs;
    const int delays[] = {3, 1, 2, 1, 0};
    for (int i = 0; i < 5; ++i) cs.push_back(job(sig, i, delays[i]));
    std::multiset<int> got;
    int last_delay = -1;
    for (auto next : aio::as_completed(std::move(cs))) {
        int id = co_await next;
        require(got.count(id) == 0, "as_completed: {} yielded twice", id);
        got.insert(id);
        require(delays[id] >= last_delay, "as_completed: {} (delay {}) after one of delay {}", id, delays[id],
                last_delay);
        last_delay = delays[id];
    }
    require(got == std::multiset<int>{0, 1, 2, 3, 4}, "as_completed: not every result exactly once");
    co_return sig;
}

aio::Coro<std::string> gather_program() {
    std::string sig;
    auto job = [](std::string& sig, int id) -> aio::Coro<int> {
        co_await yield((id * 7) % 4);
        sig += static_cast<char>('a' + id);
        co_return id * 10;
    };
    auto [a, b, c, d] = co_await aio::gather(job(sig, 0), job(sig, 1), job(sig, 2), job(sig, 3));
    require(a == 0 && b == 10 && c == 20 && d == 30, "gather: results out of argument order");
    std::vector<aio::Coro<int>> v;
    for (int i = 0; i < 5; ++i) v.push_back(job(sig, 4 - i));
    auto r = co_await aio::gather(std::move(v));
    require(r == std::vector<int>{40, 30, 20, 10, 0}, "gather(range): results out of argument order");
    co_return sig;
}

// Future, current_task, create_task/all_tasks, sleep, to_thread under perturbed orders.
aio::Coro<std::string> task_basics_program() {
    std::string sig;
    aio::Future<int> fut(aio::get_running_loop());
    auto reader = [](aio::Future<int> f, std::string& sig, std::string name) -> aio::Coro<int> {
        require(aio::current_task().name() == name, "current_task: {} inside task {}", aio::current_task().name(),
                name);
        int v = co_await f;
        require(aio::current_task().name() == name, "current_task: {} after resuming {}", aio::current_task().name(),
                name);
        sig += name;
        co_return v;
    };
    auto sleeper = [](std::string& sig, int ms) -> aio::Coro<void> {
        const auto t0 = now();
        co_await aio::sleep(std::chrono::milliseconds(ms));
        require(now() - t0 == std::chrono::milliseconds(ms), "sleep: woke after {} s, not {} ms", secs(now() - t0), ms);
        sig += 's';
    };
    std::vector<aio::Task<int>> rs;
    for (int i = 0; i < 3; ++i)
        rs.push_back(aio::create_task(reader(fut, sig, fmt::format("r{}", i)), fmt::format("r{}", i)));
    auto sl = aio::create_task(sleeper(sig, 2));
    require(aio::get_running_loop().all_tasks().size() == 5, "all_tasks: {} tasks",
            aio::get_running_loop().all_tasks().size());
    co_await yield(2);
    auto setter = aio::create_task([](aio::Future<int> f) -> aio::Coro<void> {
        co_await aio::sleep(0s);
        f.set_result(42);
        co_return;
    }(fut));
    auto sq = [](int x) { return x * x; };
    int t = co_await aio::to_thread(sq, 9);
    require(t == 81, "to_thread: {}", t);
    for (auto& r : rs) require(co_await r == 42, "Future: a waiter got another value");
    co_await setter;
    co_await sl;
    co_return sig;
}

// Eager tasks (3.12's eager_task_factory) under perturbed orders: a task whose first step
// finishes synchronously is done at create_task; the others keep their invariants.
aio::Coro<std::string> eager_program() {
    std::string sig;
    aio::get_running_loop().set_eager_tasks(true);
    auto quick = [](std::string& sig, int v) -> aio::Coro<int> {
        sig += 'q';
        co_return v;
    };
    auto slow = [](std::string& sig, int v) -> aio::Coro<int> {
        sig += 's';
        co_await aio::sleep(0s);
        sig += 'S';
        co_return v;
    };
    auto q = aio::create_task(quick(sig, 1));
    require(q.done() && q.result() == 1, "eager: a task with no await was not done at create_task");
    auto a = aio::create_task(slow(sig, 2));
    auto b = aio::create_task(slow(sig, 3));
    require(sig == "qss", "eager: first steps did not run inside create_task ({})", sig);
    auto race = racers(sig);
    auto [x, y, z] = co_await aio::gather(slow(sig, 4), a, b);
    require(x == 4 && y == 2 && z == 3, "eager: gather out of order");
    co_await race;
    co_return sig;
}

// Runner: several runs on one simulator loop; a task left pending by one run is cancelled
// (its cleanup runs once) at close(), not before.
struct RunnerCounts {
    int cleanups = 0;
};
aio::Coro<int> runner_first(std::shared_ptr<RunnerCounts> c) {
    aio::create_task([](std::shared_ptr<RunnerCounts> c) -> aio::Coro<void> {
        struct Cleanup {
            RunnerCounts* c;
            ~Cleanup() { ++c->cleanups; }
        } cleanup{c.get()};
        co_await aio::sleep(1h);
    }(c));
    std::string sig;
    auto race = racers(sig);
    co_await race;
    co_return static_cast<int>(sig.size());
}
aio::Coro<int> runner_second(std::shared_ptr<RunnerCounts> c) {
    require(c->cleanups == 0, "Runner: a pending task was cancelled between runs");
    require(aio::get_running_loop().all_tasks().size() == 2, "Runner: the pending task is gone");
    co_await aio::sleep(1ms);
    co_return 7;
}

}  // namespace

TEST_CASE("Lock: one holder at a time, FIFO for waiters, every acquirer served (random, pct)") {
    under_perturbing_policies("lock", [] { return lock_program(false); });
}
TEST_CASE("Lock: cancelled waiters and holders lose no wake-up (random, pct)") {
    under_perturbing_policies("lock cancel", [] { return lock_program(true); });
}
TEST_CASE("Semaphore never exceeds its value; FIFO; units all returned (random, pct)") {
    under_perturbing_policies("semaphore", [] { return semaphore_program<aio::Semaphore>(false); });
    under_perturbing_policies("semaphore cancel", [] { return semaphore_program<aio::Semaphore>(true); });
}
TEST_CASE("BoundedSemaphore never exceeds its value and refuses an extra release (random, pct)") {
    under_perturbing_policies("bounded semaphore", [] { return semaphore_program<aio::BoundedSemaphore>(true); });
}
TEST_CASE("Queue, LifoQueue, PriorityQueue lose and duplicate no item; join/task_done balance (random, pct)") {
    for (bool cancel : {false, true}) {
        CAPTURE(cancel);
        under_perturbing_policies("queue", [cancel] { return queue_program<aio::Queue<int>>(cancel); });
        under_perturbing_policies("lifo queue", [cancel] { return queue_program<aio::LifoQueue<int>>(cancel); });
        under_perturbing_policies("priority queue",
                                  [cancel] { return queue_program<aio::PriorityQueue<int>>(cancel); });
    }
}
TEST_CASE("Event: set() wakes every waiter, even if cleared at once (random, pct)") {
    under_perturbing_policies("event", [] { return event_program(); });
}
TEST_CASE("Condition: no lost wake-up, the lock is held after wait_for (random, pct)") {
    under_perturbing_policies("condition", [] { return condition_program(false); });
    under_perturbing_policies("condition cancel", [] { return condition_program(true); });
}
TEST_CASE("Barrier: nobody passes before all parties arrived; distinct indexes per round (random, pct)") {
    under_perturbing_policies("barrier", [] { return barrier_program(); });
}
TEST_CASE("TaskGroup never returns with a child running; a failure leaves every child done (random, pct)") {
    under_perturbing_policies("task group", [] { return task_group_program(false); });
    under_perturbing_policies("task group failure", [] { return task_group_program(true); });
}
TEST_CASE("timeout, timeout_at reschedule, wait_for fire exactly at their deadline in virtual time (random, pct)") {
    // Exact virtual-time arithmetic (now() - t0 == d): under the default clock model timers 1ms
    // apart share a pass (batch) and a due-soon timer may move the clock between two steps (o).
    under_perturbing_policies(
        "timeouts", [] { return timeout_program(); }, 2, true);
}
TEST_CASE("shield: the inner task completes when its awaiter is cancelled (random, pct)") {
    under_perturbing_policies("shield", [] { return shield_program(); });
}
TEST_CASE("wait: done/pending sets for FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED (random, pct)") {
    // Exact virtual-time arithmetic (now() - t0 == d): under the default clock model timers 1ms
    // apart share a pass (batch) and a due-soon timer may move the clock between two steps (o).
    under_perturbing_policies(
        "wait", [] { return wait_program(); }, 2, true);
}
TEST_CASE("as_completed yields each result exactly once, in completion order (random, pct)") {
    // Exact virtual-time arithmetic (now() - t0 == d): under the default clock model timers 1ms
    // apart share a pass (batch) and a due-soon timer may move the clock between two steps (o).
    under_perturbing_policies(
        "as_completed", [] { return as_completed_program(); }, 2, true);
}
TEST_CASE("gather keeps argument order whatever the completion order (random, pct)") {
    under_perturbing_policies("gather", [] { return gather_program(); });
}
TEST_CASE("Future, current_task, all_tasks, sleep, to_thread under perturbed orders (random, pct)") {
    under_perturbing_policies("task basics", [] { return task_basics_program(); });
}
TEST_CASE("eager tasks keep their invariants under perturbed orders (random, pct)") {
    under_perturbing_policies("eager", [] { return eager_program(); });
}
TEST_CASE("Runner: several runs on one simulator loop; pending tasks cancelled at close (random, pct)") {
    // AIOSIM_SEEDS as every aio::check call reads it (a malformed value is an error, never 1).
    aio::check::SeedRange seeds{1, 20};
    if (auto s = aio::check::read_environment().seeds) seeds = *s;
    for (Policy p : {Policy::random, Policy::pct}) {
        for (std::uint64_t i = 0; i < seeds.count; ++i) {
            const std::uint64_t seed = seeds.first + i;
            CAPTURE(seed);
            auto c = std::make_shared<RunnerCounts>();
            {
                aio::Runner runner({.loop_factory = aio::sim::loop_factory({.schedule = {.policy = p, .seed = seed}})});
                CHECK(runner.run(runner_first(c)) == 6);
                CHECK(runner.run(runner_second(c)) == 7);
                CHECK(c->cleanups == 0);
            }
            CHECK(c->cleanups == 1);
        }
    }
}
