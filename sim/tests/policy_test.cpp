// Every policy: the lesson's guarantees hold in every schedule; perturbing policies do
// explore other orders; the timers policy only yields orders a real loop could show.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/sim/sim.hpp>
#include <set>
#include <span>
#include <string>

#include "programs.hpp"

using namespace std::chrono_literals;
namespace sim = aio::sim;

namespace {

// Every policy of the build.
const std::span<const sim::Policy> all_policies = sim::policies();
const sim::TaskStart all_starts[] = {sim::TaskStart::scheduled, sim::TaskStart::eager, sim::TaskStart::per_run,
                                     sim::TaskStart::per_task};

sim::Config config(sim::Policy p, sim::TaskStart s, std::uint64_t seed) {
    return {.schedule = {.policy = p, .seed = seed, .pct_depth = 3, .pct_steps = 20, .task_start = s},
            .trace = sim::TraceMode::hash};
}

}  // namespace

TEST_CASE("every policy: the gather exception propagates and task first never finishes") {
    for (auto policy : all_policies) {
        for (auto start : all_starts) {
            std::set<std::uint64_t> traces;
            for (std::uint64_t seed = 0; seed < 100; ++seed) {
                CAPTURE(sim::policy_name(policy));
                CAPTURE(sim::task_start_name(start));
                CAPTURE(seed);
                programs::Out out;
                auto cfg = config(policy, start, seed);
                sim::Recorder rec;
                std::string error;
                try {
                    aio::run(programs::gather_propagates_main(out), {.loop_factory = sim::loop_factory(cfg, rec)});
                } catch (const std::runtime_error& e) {
                    error = e.what();
                }
                REQUIRE(error == "Произошла ошибка в main()");
                REQUIRE_FALSE(out.first_finished);
                REQUIRE(out.finished == 1);  // `second`
                REQUIRE_FALSE(rec->failure);
                traces.insert(*rec->trace_hash);
            }
            CAPTURE(sim::policy_name(policy));
            CAPTURE(sim::task_start_name(start));
            const bool fixed_start = start == sim::TaskStart::scheduled || start == sim::TaskStart::eager;
            if (policy == sim::Policy::fifo && fixed_start)
                CHECK(traces.size() == 1);
            else if (policy == sim::Policy::random || !fixed_start)
                CHECK(traces.size() > 1);  // the seed does change the order
        }
    }
}

TEST_CASE("every policy: with the exception handled every task finishes") {
    for (auto policy : all_policies) {
        for (std::uint64_t seed = 0; seed < 100; ++seed) {
            CAPTURE(sim::policy_name(policy));
            CAPTURE(seed);
            programs::Out out;
            aio::run(programs::gather_handled_main(out),
                     {.loop_factory = sim::loop_factory(config(policy, sim::TaskStart::per_task, seed))});
            REQUIRE(out.first_finished);
            REQUIRE(out.finished == 3);
        }
    }
}

TEST_CASE("fifo never asks its decision source and equals the default order for any seed") {
    for (std::uint64_t seed : {0ull, 1ull, 99ull}) {
        programs::Out out;
        sim::Recorder rec;
        programs::gather_propagates(out, {.loop_factory = sim::loop_factory({.schedule = {.seed = seed}}, rec)});
        CHECK(out.lines == programs::propagates_expected);
        CHECK(rec->decisions == 0);
    }
}

TEST_CASE("the random policy runs ready entries out of FIFO order") {
    // Three tasks ready together log their start: fifo gives 1 2 3, random all orders.
    std::set<std::string> orders;
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
        std::string order;
        auto amain = [&]() -> aio::Coro<void> {
            auto w = [&](char c) -> aio::Coro<void> {
                order += c;
                co_return;
            };
            co_await aio::gather(w('1'), w('2'), w('3'));
        };
        sim::run(amain(), {.schedule = {.policy = sim::Policy::random, .seed = seed}});
        orders.insert(order);
    }
    CHECK(orders == std::set<std::string>{"123", "132", "213", "231", "312", "321"});
}

TEST_CASE("pct with depth 1 runs every task to completion before a lower-priority one") {
    // With d = 1 there are no change points: the highest-priority task always runs, so two
    // tasks that each yield three times never interleave.
    for (std::uint64_t seed = 0; seed < 50; ++seed) {
        std::string order;
        auto amain = [&]() -> aio::Coro<void> {
            auto w = [&](char c) -> aio::Coro<void> {
                for (int i = 0; i < 3; ++i) {
                    order += c;
                    co_await aio::sleep(0s);
                }
            };
            co_await aio::gather(w('a'), w('b'));
        };
        sim::run(amain(), {.schedule = {.policy = sim::Policy::pct, .seed = seed, .pct_depth = 1}});
        CAPTURE(seed);
        CHECK((order == "aaabbb" || order == "bbbaaa"));
    }
}

TEST_CASE("pct with depth 2 finds a bug needing one preemption") {
    // The bug: b's step runs between a's two steps (one ordering constraint -> depth 2).
    int found = 0;
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
        std::string order;
        auto amain = [&]() -> aio::Coro<void> {
            auto a = [&]() -> aio::Coro<void> {
                order += 'a';
                co_await aio::sleep(0s);
                order += 'A';
            };
            auto b = [&]() -> aio::Coro<void> {
                order += 'b';
                co_return;
            };
            co_await aio::gather(a(), b());
        };
        sim::run(amain(), {.schedule = {.policy = sim::Policy::pct, .seed = seed, .pct_depth = 2, .pct_steps = 4}});
        if (order == "abA") ++found;
    }
    // PCT's bound: at least 1 / (n * k^(d-1)) = 1 / (3 * 4) per run; 200 runs -> >= 16 expected.
    CHECK(found >= 8);
}

TEST_CASE("a spinning task under pct gives way to the task it waits for") {
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        bool flag = false;
        auto amain = [&]() -> aio::Coro<void> {
            auto spinner = [&]() -> aio::Coro<void> {
                while (!flag) co_await aio::sleep(0s);
            };
            auto setter = [&]() -> aio::Coro<void> {
                flag = true;
                co_return;
            };
            co_await aio::gather(spinner(), setter());
        };
        CHECK_NOTHROW(sim::run(
            amain(), {.schedule = {.policy = sim::Policy::pct, .seed = seed, .limits = {.max_steps = 10000}}}));
    }
}

TEST_CASE("timers policy: ties between timers created at different instants come in both orders") {
    // a sleeps 2 s at t=0; b sleeps 1 s at t=1: both are due at t=2. On a real loop either
    // may fire first (their real deadlines differ by scheduling noise).
    std::set<std::string> orders;
    for (std::uint64_t seed = 0; seed < 100; ++seed) {
        std::string order;
        auto amain = [&]() -> aio::Coro<void> {
            auto a = [&]() -> aio::Coro<void> {
                co_await aio::sleep(2s);
                order += 'a';
            };
            auto b = [&]() -> aio::Coro<void> {
                co_await aio::sleep(1s);
                co_await aio::sleep(1s);
                order += 'b';
            };
            co_await aio::gather(a(), b());
        };
        sim::run(amain(), {.schedule = {.policy = sim::Policy::timers, .seed = seed, .jitter = 0ns}});
        orders.insert(order);
    }
    CHECK(orders == std::set<std::string>{"ab", "ba"});
}

TEST_CASE("timers policy: equal sleeps started in order at the same instant keep their order") {
    // Started in the same pass with the same delay, a's real deadline is earlier than b's:
    // no real loop wakes b first, so neither may the timers policy (jitter moves the clock
    // forward, never back).
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
        std::string order;
        auto amain = [&]() -> aio::Coro<void> {
            auto w = [&](char c) -> aio::Coro<void> {
                co_await aio::sleep(1s);
                order += c;
            };
            co_await aio::gather(w('a'), w('b'), w('c'));
        };
        sim::run(amain(), {.schedule = {.policy = sim::Policy::timers, .seed = seed}});
        CAPTURE(seed);
        REQUIRE(order == "abc");
    }
}

TEST_CASE("timers policy: jitter reorders close deadlines, and time stays monotonic") {
    // a sleeps 1.0005 s, then b (created later in the same pass) sleeps 1 s: b wakes first
    // unless b's creation is at least 0.5 ms late, which jitter (up to 1 ms) can make it.
    std::set<std::string> orders;
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
        std::string order;
        aio::TimePoint last{};
        bool monotonic = true;
        auto amain = [&]() -> aio::Coro<void> {
            auto w = [&](char c, aio::Duration d) -> aio::Coro<void> {
                auto& loop = aio::get_running_loop();
                if (loop.time() < last) monotonic = false;
                last = loop.time();
                co_await aio::sleep(d);
                if (loop.time() < last) monotonic = false;
                last = loop.time();
                order += c;
            };
            co_await aio::gather(w('a', 1000500us), w('b', 1s));
        };
        sim::run(amain(), {.schedule = {.policy = sim::Policy::timers, .seed = seed}});
        CHECK(monotonic);
        orders.insert(order);
    }
    CHECK(orders == std::set<std::string>{"ab", "ba"});
}

TEST_CASE("timers policy: timeouts at the same absolute deadline fire in the same pass") {
    // Two tasks set timeout_at(t) with one t: on a real loop both timers are due together, so
    // when either task handles its TimeoutError the other's timeout has expired too, whatever
    // the jitter. Jitter moves the clock a step reads, never a deadline already computed.
    std::set<std::int64_t> deadlines;
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
        int handled = 0;
        bool other_expired = true;
        auto amain = [&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            const aio::TimePoint t = loop.time() + 1s;
            deadlines.insert(t.time_since_epoch().count());
            aio::Timeout ta = aio::timeout_at(t);
            aio::Timeout tb = aio::timeout_at(t);
            auto w = [&](aio::Timeout& mine, aio::Timeout& other) -> aio::Coro<void> {
                try {
                    co_await mine.run([]() -> aio::Coro<void> { co_await aio::sleep(5s); });
                } catch (const aio::TimeoutError&) {
                    ++handled;
                    if (!other.expired()) other_expired = false;
                }
            };
            auto a = aio::create_task(w(ta, tb));
            co_await aio::sleep(0s);
            auto b = aio::create_task(w(tb, ta));
            co_await a;
            co_await b;
        };
        sim::run(amain(), {.schedule = {.policy = sim::Policy::timers, .seed = seed}});
        CAPTURE(seed);
        REQUIRE(handled == 2);
        CHECK(other_expired);
    }
    // The first clock read of a step does move under jitter (so the check above has teeth).
    CHECK(deadlines.size() > 1);
}

TEST_CASE("policy names parse and the realizability table holds") {
    // The list is every policy: each once, each named and parsed, policy_names() lists them in its order.
    std::string names;
    std::set<sim::Policy> distinct;
    for (auto p : all_policies) {
        CHECK(sim::policy_from_name(sim::policy_name(p)) == p);
        names += (names.empty() ? "" : ", ") + std::string(sim::policy_name(p));
        distinct.insert(p);
    }
    CHECK(names == sim::policy_names());
    CHECK(distinct.size() == all_policies.size());
    CHECK(all_policies.size() == static_cast<std::size_t>(sim::Policy::delay) + 1);  // the enum's last
    CHECK_FALSE(sim::policy_from_name("fast").has_value());
    CHECK_FALSE(sim::policy_from_name("portfolio").has_value());  // the default mix, not a policy
    CHECK(sim::realizable(sim::Policy::fifo));
    CHECK(sim::realizable(sim::Policy::timers));
    CHECK_FALSE(sim::realizable(sim::Policy::random));
    CHECK_FALSE(sim::realizable(sim::Policy::pct));
    CHECK_FALSE(sim::offers(sim::Policy::timers, sim::Choice::ready));
    CHECK(sim::offers(sim::Policy::random, sim::Choice::ready));
}

TEST_CASE("eager start under the simulator matches CPython 3.12's eager_task_factory") {
    // Same program as conformance/eager_tasks (checked against CPython there): a task that
    // finishes in its first step is done at once; one that yields resumes after the creator.
    for (auto start : {sim::TaskStart::eager, sim::TaskStart::scheduled}) {
        std::vector<std::string> log;
        auto child = [&](std::string tag) -> aio::Coro<int> {
            log.push_back(tag + " starts as " + aio::current_task().name());
            co_await aio::sleep(0s);
            log.push_back(tag + " resumes");
            co_return 1;
        };
        auto quick = [&]() -> aio::Coro<int> { co_return 5; };
        auto amain = [&]() -> aio::Coro<void> {
            auto a = aio::create_task(child("a"), "a");
            auto q = aio::create_task(quick(), "q");
            log.push_back(std::string("q done: ") + (q.done() ? "yes" : "no"));
            co_await a;
            co_await q;
        };
        sim::Recorder rec;
        sim::run(amain(), {.schedule = {.task_start = start}}, rec);
        if (start == sim::TaskStart::eager) {
            CHECK(rec->eager);
            CHECK(log == std::vector<std::string>{"a starts as Task-2", "q done: yes", "a resumes"});
        } else {
            CHECK_FALSE(rec->eager);
            CHECK(log == std::vector<std::string>{"q done: no", "a starts as a", "a resumes"});
        }
    }
}

TEST_CASE("task start per_run is one recorded decision and both values occur") {
    std::set<bool> seen;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        sim::Recorder rec;
        auto amain = []() -> aio::Coro<void> { co_return; };
        sim::run(amain(), {.schedule = {.seed = seed, .task_start = sim::TaskStart::per_run}}, rec);
        CHECK(rec->decisions == 1);
        CHECK(rec->nonzero_decisions == (rec->eager ? 1u : 0u));
        seen.insert(rec->eager);
    }
    CHECK(seen.size() == 2);
}
