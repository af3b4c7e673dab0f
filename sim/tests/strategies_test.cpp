// The strategies of issue 13: pos (partial-order sampling), urw (uniform random walk over
// interleavings), pct fitted to the program (k=0), and the step profile they use
// (RunRecord::steps_per_task, Config::step_profile).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/sim/sim.hpp>
#include <aio/sim/touch.hpp>
#include <algorithm>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace sim = aio::sim;

namespace strategies_test {

// A task of `steps` steps (it yields between them), writing its letter at each.
aio::Coro<void> stepper(std::string& order, char name, int steps) {
    for (int i = 0; i < steps; ++i) {
        if (i != 0) co_await aio::sleep(0s);
        order += name;
    }
}

// Task a of 2 steps and task b of 3 steps, ready until they finish: 10 interleavings.
aio::Coro<void> two_and_three(std::string& order) {
    auto a = aio::create_task(stepper(order, 'a', 2), "a");
    auto b = aio::create_task(stepper(order, 'b', 3), "b");
    co_await a;
    co_await b;
}

// A few tasks sharing a lock and a counter: something to schedule.
aio::Coro<void> busy(std::string& order) {
    aio::Lock lock;
    auto worker = [&](char c) -> aio::Coro<void> {
        for (int i = 0; i < 3; ++i) {
            auto held = co_await lock.scoped();
            order += c;
            co_await aio::sleep(0s);
        }
    };
    co_await aio::gather(worker('x'), worker('y'), worker('z'));
}

using Program = aio::Coro<void> (*)(std::string&);

// The step profile of a program: its fifo run's steps per task.
std::shared_ptr<const std::vector<std::uint64_t>> profile_of(Program program) {
    std::string order;
    sim::Recorder rec;
    sim::run(program(order), sim::Config{}, rec);
    return std::make_shared<const std::vector<std::uint64_t>>(rec->steps_per_task);
}

struct Outcome {
    std::string order;
    std::string replay;
};

Outcome run_under(Program program, sim::Schedule schedule, std::shared_ptr<const std::vector<std::uint64_t>> profile) {
    Outcome out;
    sim::Recorder rec;
    sim::run(program(out.order), sim::Config{.schedule = schedule, .step_profile = std::move(profile)}, rec);
    out.replay = rec->replay;
    return out;
}

// A ChoicePoint over explicit candidate tasks, with a conflict answer for every candidate.
struct Candidates {
    std::vector<std::uint64_t> tasks;
    bool conflicting = true;
    static std::uint64_t task(const void* ctx, std::size_t i) { return static_cast<const Candidates*>(ctx)->tasks[i]; }
    static bool conflicts(const void* ctx, std::size_t) { return static_cast<const Candidates*>(ctx)->conflicting; }
    sim::ChoicePoint point(std::uint64_t position) const {
        sim::ChoicePoint p{sim::Choice::ready, tasks.size(), position, position, {}, &task, this};
        p.conflicts_of = &conflicts;
        p.conflict_ctx = this;
        return p;
    }
};

}  // namespace strategies_test

using namespace strategies_test;

TEST_CASE("steps_per_task: every step is counted, by task id, in every run (fifo too)") {
    std::string order;
    sim::Recorder rec;
    sim::run(two_and_three(order), sim::Config{}, rec);
    CHECK(order == "ababb");
    const auto& per = rec->steps_per_task;
    // Index 0: plain callbacks; #1 main; #2 a; #3 b; #4 aio::run's shutdown of the executor.
    CHECK(per == std::vector<std::uint64_t>{2, 3, 2, 3, 1});
    CHECK(std::accumulate(per.begin(), per.end(), std::uint64_t{0}) == rec->steps);
}

TEST_CASE("pos, urw and fitted pct: the same seed gives the same decisions, another seed other ones") {
    const auto profile = profile_of(&busy);
    for (sim::Schedule s : {sim::Schedule{.policy = sim::Policy::pos}, sim::Schedule{.policy = sim::Policy::urw},
                            sim::Schedule{.policy = sim::Policy::pct, .pct_steps = 0}}) {
        CAPTURE(sim::policy_name(s.policy));
        std::map<std::string, int> replays;
        for (std::uint64_t seed = 1; seed <= 30; ++seed) {
            s.seed = seed;
            const Outcome a = run_under(&busy, s, profile);
            const Outcome b = run_under(&busy, s, profile);
            REQUIRE(a.replay == b.replay);
            REQUIRE(a.order == b.order);
            // The recorded decisions replay the same order, without the profile.
            sim::Recorder rec;
            std::string again;
            sim::run(busy(again), sim::Config::from_replay(a.replay), rec);
            REQUIRE(again == a.order);
            ++replays[a.order];
        }
        CHECK(replays.size() > 3);
    }
}

TEST_CASE("pos and urw: the policy names round-trip through replay strings") {
    for (sim::Policy p : {sim::Policy::pos, sim::Policy::urw}) {
        const std::string name(sim::policy_name(p));
        CHECK(sim::policy_from_name(name) == p);
        CHECK(std::string(sim::policy_names()).find(name) != std::string::npos);
        const sim::Schedule s = sim::Schedule::parse("aiosim1:" + name + ":seed=9:2r1.r2");
        CHECK(s.policy == p);
        CHECK(s.to_string() == "aiosim1:" + name + ":seed=9:2r1.r2");
        CHECK(sim::Schedule::parse(s.to_string()) == s);
        CHECK(sim::offers(p, sim::Choice::ready));
        CHECK(sim::offers(p, sim::Choice::thread));
        CHECK(sim::offers(p, sim::Choice::latency));
        CHECK_FALSE(sim::offers(p, sim::Choice::timer));
        CHECK_FALSE(sim::realizable(p));
        CHECK_FALSE(sim::cpython_can_run(p, sim::TaskStart::scheduled));
        // pos asks the run to track conflicts (ChoicePoint::candidate_conflicts); urw does not.
        CHECK(sim::make_seeded_source(p, 1)->wants_conflicts() == (p == sim::Policy::pos));
    }
}

TEST_CASE("urw: over many seeds every interleaving of 2 and 3 steps comes with frequency near 1/10") {
    const auto profile = profile_of(&two_and_three);
    constexpr int runs = 4000;
    std::map<std::string, int> urw, random;
    for (std::uint64_t seed = 1; seed <= runs; ++seed) {
        ++urw[run_under(&two_and_three, {.policy = sim::Policy::urw, .seed = seed}, profile).order];
        ++random[run_under(&two_and_three, {.policy = sim::Policy::random, .seed = seed}, nullptr).order];
    }
    REQUIRE(urw.size() == 10);
    for (const auto& [order, n] : urw) {
        CAPTURE(order);
        CAPTURE(n);
        // 1/10 +- 0.025: the standard deviation is sqrt(0.09 / 4000) = 0.0047.
        CHECK(n > runs * 75 / 1000);
        CHECK(n < runs * 125 / 1000);
    }
    // random is not uniform over interleavings: "aabbb" (a wins twice) 1/4, "bbbaa" 1/8.
    CHECK(random["aabbb"] > runs * 20 / 100);
    CHECK(random["bbbaa"] < runs * 15 / 100);
}

TEST_CASE("urw without a profile weighs every candidate 1, and counts down without steps_so_far") {
    // Direct: candidates tasks 1 and 2; a profile of 1 and 9 remaining steps.
    auto profile = std::make_shared<const std::vector<std::uint64_t>>(std::vector<std::uint64_t>{0, 1, 9});
    int picked_2 = 0, flat_2 = 0;
    for (std::uint64_t seed = 1; seed <= 2000; ++seed) {
        Candidates c{{1, 2}};
        auto weighted = sim::make_seeded_source(sim::Policy::urw, seed, 3, 1000, profile);
        auto flat = sim::make_seeded_source(sim::Policy::urw, seed, 3, 1000, nullptr);
        picked_2 += c.tasks[weighted->choose(c.point(0))] == 2;
        flat_2 += c.tasks[flat->choose(c.point(0))] == 2;
    }
    CHECK(picked_2 > 1700);  // 9/10
    CHECK(picked_2 < 1900);
    CHECK(flat_2 > 900);  // 1/2
    CHECK(flat_2 < 1100);
    // Counting down: task 2 picked 9 times leaves it weight 1 (never below), as task 1.
    const Candidates only2{{2, 2}};  // two entries of one task: its count moves by one per pick
    int late_2 = 0;
    Candidates both{{1, 2}};
    for (int i = 0; i < 400; ++i) {
        auto copy = sim::make_seeded_source(sim::Policy::urw, static_cast<std::uint64_t>(100 + i), 3, 1000, profile);
        for (int j = 0; j < 9; ++j) copy->choose(only2.point(static_cast<std::uint64_t>(j)));
        late_2 += both.tasks[copy->choose(both.point(9))] == 2;
    }
    CHECK(late_2 > 150);  // 1/2 now
    CHECK(late_2 < 250);
}

TEST_CASE("pos: candidates that do not conflict keep their priority, conflicting ones are re-drawn") {
    // Two tasks always ready. The task that ran gets a fresh priority; the other keeps its own
    // unless it conflicts. Kept, the loser's priority is the lower of two draws, so the winner
    // wins again with probability 2/3; re-drawn, every pick is a fair coin.
    constexpr int runs = 3000;
    int again_kept = 0, again_redrawn = 0;
    for (std::uint64_t seed = 1; seed <= runs; ++seed) {
        for (bool conflicting : {false, true}) {
            Candidates c{{1, 2}, conflicting};
            auto source = sim::make_seeded_source(sim::Policy::pos, seed);
            const std::size_t first = source->choose(c.point(0));
            const std::size_t second = source->choose(c.point(1));
            (conflicting ? again_redrawn : again_kept) += first == second;
        }
    }
    CHECK(again_kept > runs * 62 / 100);
    CHECK(again_kept < runs * 72 / 100);
    CHECK(again_redrawn > runs * 45 / 100);
    CHECK(again_redrawn < runs * 55 / 100);

    // Deterministically: with no conflict, tasks that did not run keep their order. Task 3
    // ran first; the order of 1 and 2 after it is the same whatever the index order.
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        Candidates all{{1, 2, 3}, false};
        auto a = sim::make_seeded_source(sim::Policy::pos, seed);
        auto b = sim::make_seeded_source(sim::Policy::pos, seed);
        const std::uint64_t ran = all.tasks[a->choose(all.point(0))];
        REQUIRE(all.tasks[b->choose(all.point(0))] == ran);
        Candidates rest{{}, false};
        for (std::uint64_t t : all.tasks)
            if (t != ran) rest.tasks.push_back(t);
        Candidates reversed{{rest.tasks[1], rest.tasks[0]}, false};
        CHECK(rest.tasks[a->choose(rest.point(1))] == reversed.tasks[b->choose(reversed.point(1))]);
    }
}

TEST_CASE("pos: plain callbacks keep their FIFO order among themselves") {
    for (std::uint64_t seed = 1; seed <= 100; ++seed) {
        Candidates c{{0, 0, 0}, false};
        auto source = sim::make_seeded_source(sim::Policy::pos, seed);
        CHECK(source->choose(c.point(0)) == 0);
    }
}

namespace strategies_test {

// About 70 ready-queue choices per run (five tasks of 15 steps, fewer than pct's spin limit of
// 16 picks in a row); the bug needs one change point (depth 2) at one place: task a is
// preempted right after it raised the flag (its 9th step), and a task still to run sees it.
aio::Coro<void> flag_window(std::string& order) {
    bool flag = false;
    auto a = [&]() -> aio::Coro<void> {
        for (int i = 0; i < 15; ++i) {
            if (i == 7) flag = true;
            if (i == 8) flag = false;
            co_await aio::sleep(0s);
        }
    };
    auto other = [&]() -> aio::Coro<void> {
        for (int i = 0; i < 15; ++i) {
            if (flag) order = "bug";
            co_await aio::sleep(0s);
        }
    };
    co_await aio::gather(a(), other(), other(), other(), other());
}

}  // namespace strategies_test

TEST_CASE("pct fitted (k=0): a depth-2 bug in a 70-choice program that k=1000 misses in 2,000 runs") {
    const auto profile = profile_of(&flag_window);
    const std::uint64_t k = sim::fitted_pct_steps(profile.get());
    CHECK(k == 90);  // the 75 steps of the five tasks, main's, the callbacks
    int with_1000 = 0, fitted = 0;
    std::uint64_t choices = 0;
    for (std::uint64_t seed = 1; seed <= 2000; ++seed) {
        with_1000 +=
            run_under(&flag_window, {.policy = sim::Policy::pct, .seed = seed, .pct_depth = 2}, profile).order == "bug";
        sim::Recorder rec;
        std::string order;
        sim::run(flag_window(order),
                 sim::Config{.schedule = {.policy = sim::Policy::pct, .seed = seed, .pct_depth = 2, .pct_steps = 0},
                             .step_profile = profile},
                 rec);
        fitted += order == "bug";
        choices += rec->decisions;
    }
    CHECK(choices / 2000 > 60);  // about 70 choices per run
    CHECK(choices / 2000 < 80);
    // Per run: 4/5 (a not the last of the five by priority) times 1/k (the change point on a's
    // step after the flag went up): 0.8/1000 with k = 1000 (1.6 expected in 2,000 runs), 0.8/90
    // fitted (17.8 expected). Fixed seeds, exact counts (the Prng is the same everywhere).
    CHECK(with_1000 == 1);
    CHECK(fitted == 16);
    // Without a profile, k=0 is the default 1000.
    CHECK(sim::fitted_pct_steps(nullptr) == 1000);
}

// The power bench gave urw and fitted pct no profile (its measuring run returned none), and urw's
// figures came out equal to random's on all 41 kernels: the profile must change the decisions.
TEST_CASE("urw and fitted pct given the measured profile decide otherwise than random and than without it") {
    const auto profile = profile_of(&busy);
    int urw_vs_random = 0, urw_vs_unprofiled = 0, pct_vs_unprofiled = 0;
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        const Outcome urw = run_under(&busy, sim::Schedule{.policy = sim::Policy::urw, .seed = seed}, profile);
        const Outcome random = run_under(&busy, sim::Schedule{.policy = sim::Policy::random, .seed = seed}, profile);
        const Outcome urw_bare = run_under(&busy, sim::Schedule{.policy = sim::Policy::urw, .seed = seed}, nullptr);
        const sim::Schedule pct{.policy = sim::Policy::pct, .seed = seed, .pct_steps = 0};
        urw_vs_random += urw.order != random.order;
        urw_vs_unprofiled += urw.order != urw_bare.order;
        pct_vs_unprofiled += run_under(&busy, pct, profile).order != run_under(&busy, pct, nullptr).order;
    }
    CHECK(urw_vs_random > 0);
    CHECK(urw_vs_unprofiled > 0);
    CHECK(pct_vs_unprofiled > 0);
}

// ---- ChoicePoint::conflicts_of as the loop offers it ------------------------------------------

namespace conflicts_test {

// What the program did, step by step: for each step of a worker, the loop's step count while
// it ran (the serial the conflict tracker gives it) and the objects it touched.
struct StepLog {
    struct Step {
        std::uint64_t serial = 0;
        std::uint64_t task = 0;
        std::vector<int> objects;
    };
    std::vector<Step> steps;
    std::map<std::uint64_t, std::vector<int>> last_of_task;  // each worker's latest step's objects
    int cells[3] = {};                                       // the shared objects, by number
};

// A worker: step k touches the objects plan[k] names, then yields (sleep(0) wakes no one).
aio::Coro<void> worker(StepLog& log, std::vector<std::vector<int>> plan) {
    const std::uint64_t me = aio::current_task().id();
    for (const std::vector<int>& objects : plan) {
        for (int o : objects) sim::touch(&log.cells[o]);
        log.steps.push_back({aio::get_running_loop().steps_run(), me, objects});
        log.last_of_task[me] = objects;
        co_await aio::sleep(0s);
    }
}

// a and b share cell 0, b and c cell 2; c alone uses cell 1. (The plans are built outside the
// coroutine: g++ 12 rejects a braced list of lists in a coroutine's arguments.)
std::vector<std::vector<int>> plan_of(char worker) {
    if (worker == 'a') return {{0}, {0}, {}, {0}, {0}};
    if (worker == 'b') return {{0}, {2}, {0, 2}, {}, {2}};
    return {{1}, {2}, {1}, {2}, {1}};
}
aio::Coro<void> three_workers(StepLog& log) {
    co_await aio::gather(worker(log, plan_of('a')), worker(log, plan_of('b')), worker(log, plan_of('c')));
}

// At every ready choice right after a worker's step, the conflict of each candidate that is a
// worker, as the test's own bookkeeping predicts it: its task is the one that just ran, or its
// latest step touched an object the step that just ran touched. A plain callback: true.
struct Predict final : sim::ChoiceObserver {
    const StepLog* log = nullptr;
    std::uint64_t points = 0, checked = 0, conflicting = 0, apart = 0, callbacks = 0, without_conflicts = 0;
    std::vector<std::string> wrong;

    void offered(const sim::ChoicePoint& p, std::size_t) override {
        ++points;
        if (p.kind != sim::Choice::ready) return;
        if (!p.conflicts_of) {
            ++without_conflicts;
            return;
        }
        if (log->steps.empty() || log->steps.back().serial != p.step) return;  // another entry ran last
        const StepLog::Step& last = log->steps.back();
        for (std::size_t i = 0; i < p.n; ++i) {
            const std::uint64_t t = p.candidate_task(i);
            const bool got = p.candidate_conflicts(i);
            if (t == 0) {
                ++callbacks;
                if (!got) wrong.push_back("a callback reported as not conflicting");
                continue;
            }
            auto it = log->last_of_task.find(t);
            if (it == log->last_of_task.end()) continue;  // not a worker, or none of its steps ran yet
            bool expected = t == last.task;
            for (int o : it->second)
                if (std::find(last.objects.begin(), last.objects.end(), o) != last.objects.end()) expected = true;
            ++checked;
            ++(expected ? conflicting : apart);
            if (got != expected)
                wrong.push_back("at point " + std::to_string(p.position) + ", candidate task #" + std::to_string(t) +
                                (got ? " conflicts" : " does not conflict") + " with task #" +
                                std::to_string(last.task) + "'s step");
        }
    }
};

}  // namespace conflicts_test

TEST_CASE("conflicts_of: each ready candidate conflicts exactly when its last step and the last step share an object") {
    using namespace conflicts_test;
    Predict total;
    for (const sim::Policy policy : {sim::Policy::random, sim::Policy::pos}) {
        for (std::uint64_t seed = 1; seed <= 20; ++seed) {
            CAPTURE(sim::policy_name(policy));
            CAPTURE(seed);
            StepLog log;
            auto seen = std::make_shared<Predict>();
            seen->log = &log;
            // pos tracks conflicts by itself; random only with coverage on.
            sim::Config cfg{.schedule = {.policy = policy, .seed = seed},
                            .coverage = policy == sim::Policy::random,
                            .choice_observer = seen};
            sim::run(three_workers(log), cfg);
            CHECK(log.steps.size() == 15);
            for (const std::string& w : seen->wrong) FAIL_CHECK(w);
            CHECK(seen->without_conflicts == 0);
            total.checked += seen->checked;
            total.conflicting += seen->conflicting;
            total.apart += seen->apart;
            total.callbacks += seen->callbacks;
        }
    }
    // Both answers were given and checked, many times.
    CHECK(total.checked > 200);
    CHECK(total.conflicting > 50);
    CHECK(total.apart > 50);
}

TEST_CASE("conflicts_of: a run that tracks no conflicts offers none, and the observer sees every point") {
    using namespace conflicts_test;
    StepLog log;
    auto seen = std::make_shared<Predict>();
    seen->log = &log;
    sim::Recorder rec;
    sim::run(
        three_workers(log),
        sim::Config{
            .schedule = {.policy = sim::Policy::random, .seed = 3}, .record_points = true, .choice_observer = seen},
        rec);
    CHECK(seen->checked == 0);
    CHECK(seen->without_conflicts > 10);
    CHECK(seen->points == rec->points.size());
}
