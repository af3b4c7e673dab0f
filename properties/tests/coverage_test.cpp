// Exploration coverage (aio/check/coverage.hpp, aio/sim/coverage.hpp): the conflicting
// await-point pairs a run records, their aggregation over an exploration, the report line, the
// warning, the JSON export, and that it is the same whatever the number of jobs.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include <aio/aio.hpp>
#include <aio/check/coverage.hpp>
#include <aio/check/explore.hpp>
#include <aio/check/plan.hpp>
#include <aio/sim/sim_loop.hpp>
#include <aio/sim/touch.hpp>

namespace coverage_test {

using aio::check::Coverage;
using aio::sim::RunCoverage;

std::string here(int line) { return "coverage_test.cpp:" + std::to_string(line); }

// Two tasks, each taking the lock in the step that follows a sleep(0) at its own line.
constexpr int lock_line_a = __LINE__ + 2;
aio::Coro<void> lock_taker_a(aio::Lock& lock, std::vector<char>& order) {
    co_await aio::sleep(std::chrono::seconds(0));
    co_await lock.acquire();
    order.push_back('a');
    lock.release();
}
constexpr int lock_line_b = __LINE__ + 2;
aio::Coro<void> lock_taker_b(aio::Lock& lock, std::vector<char>& order) {
    co_await aio::sleep(std::chrono::seconds(0));
    co_await lock.acquire();
    order.push_back('b');
    lock.release();
}
aio::Coro<int> lock_race() {
    aio::Lock lock;
    std::vector<char> order;
    auto a = aio::create_task(lock_taker_a(lock, order));
    auto b = aio::create_task(lock_taker_b(lock, order));
    co_await a;
    co_await b;
    co_return static_cast<int>(order.size());
}

// The same race on a queue: each task puts after its own sleep(0).
constexpr int queue_line_a = __LINE__ + 2;
aio::Coro<void> queue_putter_a(aio::Queue<int>& q) {
    co_await aio::sleep(std::chrono::seconds(0));
    q.put_nowait(1);
}
constexpr int queue_line_b = __LINE__ + 2;
aio::Coro<void> queue_putter_b(aio::Queue<int>& q) {
    co_await aio::sleep(std::chrono::seconds(0));
    q.put_nowait(2);
}
aio::Coro<int> queue_race() {
    aio::Queue<int> q;
    co_await aio::gather(queue_putter_a(q), queue_putter_b(q));
    co_return q.get_nowait();
}

// A single task: nothing another task could race with.
aio::Coro<int> lonely() {
    int n = 0;
    for (int i = 0; i < 3; ++i) {
        co_await aio::sleep(std::chrono::seconds(0));
        ++n;
    }
    co_return n;
}

// A user coroutine waiting inside a library coroutine (Condition::wait, in runtime/src): the
// step after the wake-up is named by the user's co_await, not by condition.cpp.
constexpr int cond_wait_line = __LINE__ + 3;
aio::Coro<void> cond_waiter(aio::Condition& cond, int& shared) {
    co_await cond.acquire();
    while (shared == 0) co_await cond.wait();
    shared += 10;
    aio::sim::touch(&shared);
    cond.release();
}
constexpr int cond_notify_line = __LINE__ + 2;
aio::Coro<void> cond_notifier(aio::Condition& cond, int& shared) {
    co_await aio::sleep(std::chrono::seconds(0));
    co_await cond.acquire();
    shared = 1;
    aio::sim::touch(&shared);
    cond.notify();
    cond.release();
}
aio::Coro<int> cond_program() {
    aio::Condition cond;
    int shared = 0;
    co_await aio::gather(cond_waiter(cond, shared), cond_notifier(cond, shared));
    co_return shared;
}

template <class F>
RunCoverage one_run(F make, aio::sim::Policy policy = aio::sim::Policy::fifo, std::uint64_t seed = 0) {
    aio::sim::Config cfg;
    cfg.coverage = true;
    cfg.schedule.policy = policy;
    cfg.schedule.seed = seed;
    aio::sim::Recorder rec;
    aio::run(make(), {.loop_factory = aio::sim::loop_factory(cfg, rec)});
    REQUIRE(rec.has_record());
    REQUIRE(rec->coverage.has_value());
    return *rec->coverage;
}

bool has_pair(const RunCoverage& c, const std::string& first, const std::string& second) {
    return std::any_of(c.pairs.begin(), c.pairs.end(),
                       [&](const auto& p) { return c.points[p.first] == first && c.points[p.second] == second; });
}

aio::check::ExploreOptions quiet_options(const char* name, std::uint64_t seeds) {
    aio::check::ExploreOptions o;
    o.name = name;
    o.seeds = seeds;
    o.print = [](const std::string&) {};
    return o;
}

}  // namespace coverage_test

using namespace coverage_test;

TEST_CASE("coverage: a run without Config::coverage records none") {
    aio::sim::Recorder rec;
    aio::run(lock_race(), {.loop_factory = aio::sim::loop_factory({}, rec)});
    REQUIRE(rec.has_record());
    CHECK_FALSE(rec->coverage.has_value());
}

TEST_CASE("coverage: two tasks racing on a Lock give a conflicting pair, named by the test file's lines") {
    const RunCoverage c = one_run([] { return lock_race(); });
    // asyncio's order: a's step from its sleep(0) takes the lock first, then b's.
    CHECK(has_pair(c, here(lock_line_a), here(lock_line_b)));
    CHECK_FALSE(has_pair(c, here(lock_line_b), here(lock_line_a)));
    for (const std::string& p : c.points) {
        CHECK_MESSAGE(p.find("coverage_test.cpp") == 0, p);  // never a frame of runtime/ or sim/
    }
    CHECK(one_run([] { return lock_race(); }) == c);  // the same run records the same coverage
}

TEST_CASE("coverage: random explores both orders of the Lock race and of the Queue race") {
    auto lock_check = aio::check::for_all_schedules([] { return lock_race(); }, [](int n) { return n == 2; },
                                                    quiet_options("lock race", 60));
    REQUIRE(lock_check.ok);
    const auto never = lock_check.coverage.never_reversed();
    const auto names = std::make_pair(here(lock_line_a), here(lock_line_b));
    const auto reversed_names = std::make_pair(here(lock_line_b), here(lock_line_a));
    CHECK(std::find(never.begin(), never.end(), names) == never.end());
    CHECK(std::find(never.begin(), never.end(), reversed_names) == never.end());
    CHECK(lock_check.coverage.reversed() >= 1);
    CHECK(lock_check.coverage.distinct_schedules() > 1);
    CHECK_FALSE(lock_check.coverage.warning().has_value());
    CHECK(lock_check.summary.find("\n  coverage: explored ") != std::string::npos);
    // The reversed pair shows in the JSON's reversed_pairs, by name.
    CHECK(lock_check.coverage.to_json().find("[\"" + here(lock_line_a) + "\",\"" + here(lock_line_b) + "\"]") !=
          std::string::npos);

    auto queue_check = aio::check::for_all_schedules([] { return queue_race(); }, quiet_options("queue race", 60));
    REQUIRE(queue_check.ok);
    const RunCoverage fifo = one_run([] { return queue_race(); });
    CHECK(has_pair(fifo, here(queue_line_a), here(queue_line_b)));
    const auto qnever = queue_check.coverage.never_reversed();
    CHECK(std::find(qnever.begin(), qnever.end(), std::make_pair(here(queue_line_a), here(queue_line_b))) ==
          qnever.end());
    CHECK(queue_check.coverage.reversed() >= 1);
}

TEST_CASE("coverage: under fifo alone the race is seen in one order, and the report lists it as never reversed") {
    auto o = quiet_options("fifo lock race", 1);
    o.policies = {aio::sim::Policy::fifo};
    const auto v = aio::check::for_all_schedules([] { return lock_race(); }, o);
    REQUIRE(v.ok);
    CHECK(v.coverage.schedules() == 1);
    const auto never = v.coverage.never_reversed();
    CHECK(std::find(never.begin(), never.end(), std::make_pair(here(lock_line_a), here(lock_line_b))) != never.end());
    CHECK(v.coverage.line().find("never reversed: ") != std::string::npos);
    REQUIRE(v.coverage.warning().has_value());
    CHECK(v.coverage.warning()->starts_with("nothing was explored: only one schedule ran"));
}

TEST_CASE("coverage: a single task explores nothing, and the report says so") {
    const auto v = aio::check::for_all_schedules([] { return lonely(); }, [](int n) { return n == 3; },
                                                 quiet_options("lonely", 20));
    REQUIRE(v.ok);
    CHECK(v.coverage.schedules() >= 20);  // every run of the plan (the measuring run is not one)
    CHECK(v.coverage.schedules() <= v.runs);
    CHECK(v.coverage.distinct_schedules() == 1);
    REQUIRE(v.coverage.warning().has_value());
    CHECK(*v.coverage.warning() ==
          "nothing was explored: all " + std::to_string(v.coverage.schedules()) +
              " schedules ran the same order of task steps: the program has no concurrency visible to the simulator");
    CHECK(v.summary.find("\n  warning: nothing was explored: ") != std::string::npos);
    CHECK(v.coverage.pairs() == 0);
}

TEST_CASE("coverage: a library coroutine's frames are skipped: the point is the user's co_await") {
    const RunCoverage c = one_run([] { return cond_program(); });
    CHECK(std::find(c.points.begin(), c.points.end(), here(cond_wait_line)) != c.points.end());
    for (const std::string& p : c.points) {
        CHECK_MESSAGE(p.find("condition") == std::string::npos, p);
        CHECK_MESSAGE(p.find("gather") == std::string::npos, p);
    }
    // The notifier's step (from its own sleep(0)) touched `shared` before the waiter's step
    // that resumed from cond.wait() did.
    CHECK(has_pair(c, here(cond_notify_line), here(cond_wait_line)));
}

TEST_CASE("coverage: aggregation, the line and the JSON from known runs") {
    RunCoverage one{{"a.cpp:10", "a.cpp:9", "b.cpp:1"}, {{0, 1}, {0, 2}, {2, 2}}, 7};
    RunCoverage two{{"a.cpp:9", "a.cpp:10"}, {{0, 1}}, 8};
    RunCoverage three{{"a.cpp:9", "a.cpp:10"}, {{0, 1}}, 8};
    Coverage c;
    c.add(one);
    c.add(two);
    c.add(three);
    CHECK(c.schedules() == 3);
    CHECK(c.distinct_schedules() == 2);
    CHECK(c.pairs() == 2);
    CHECK(c.reversed() == 1);
    CHECK(c.never_reversed() == std::vector<std::pair<std::string, std::string>>{{"a.cpp:10", "b.cpp:1"}});
    CHECK(c.self_pairs() == std::vector<std::string>{"b.cpp:1"});
    CHECK(c.line() ==
          "explored 3 schedules, 2 distinct; 1 of 2 conflicting await-point pairs seen in both orders; never "
          "reversed: a.cpp:10 / b.cpp:1; 1 await point where two tasks conflict with each other");
    CHECK_FALSE(c.warning().has_value());
    CHECK(c.to_json() ==
          "{\"schedules\":3,\"distinct_schedules\":2,\"distinct_capped\":false,\"pairs\":2,\"reversed\":1,"
          "\"never_reversed\":[[\"a.cpp:10\",\"b.cpp:1\"]],\"reversed_pairs\":[[\"a.cpp:9\",\"a.cpp:10\"]],"
          "\"self_pairs\":[\"b.cpp:1\"],\"warning\":null}\n");
    Coverage none;
    CHECK(none.line() == "explored 0 schedules, 0 distinct; 0 of 0 conflicting await-point pairs seen in both orders");
    CHECK_FALSE(none.warning().has_value());
    CHECK(aio::check::coverage_report(none).empty());
    Coverage merged;
    merged.merge(c);
    CHECK(merged == c);
    CHECK(aio::check::with_thousands(10000) == "10,000");
    CHECK(aio::check::with_thousands(999) == "999");
}

TEST_CASE("coverage: many never-reversed pairs are cut after three, sorted by file and line") {
    RunCoverage r{{"z.cpp:1", "m.cpp:20", "m.cpp:3", "a.cpp:5", "q.cpp:7"}, {{0, 1}, {0, 2}, {0, 3}, {0, 4}}, 1};
    Coverage c;
    c.add(r);
    c.add(RunCoverage{{}, {}, 2});
    CHECK(c.line() ==
          "explored 2 schedules, 2 distinct; 0 of 4 conflicting await-point pairs seen in both orders; never "
          "reversed: z.cpp:1 / a.cpp:5, z.cpp:1 / m.cpp:3, z.cpp:1 / m.cpp:20 (and 1 more)");
    REQUIRE(c.warning().has_value());
    CHECK(*c.warning() ==
          "nothing was explored: none of the 4 conflicting await-point pairs was seen in both orders: the schedules "
          "differed, but never in the order of two steps that touch the same object");
    Coverage apart;
    apart.add(RunCoverage{{}, {}, 1});
    apart.add(RunCoverage{{}, {}, 2});
    REQUIRE(apart.warning().has_value());
    CHECK(apart.warning()->starts_with("nothing was explored: no two tasks touched the same object"));
}

TEST_CASE("coverage: one run's loops combine into one coverage") {
    RunCoverage into{{"a.cpp:1", "a.cpp:2"}, {{0, 1}}, 5};
    const RunCoverage next{{"a.cpp:2", "b.cpp:3"}, {{0, 1}, {1, 0}}, 6};
    aio::check::append_run_coverage(into, next);
    CHECK(into.points == std::vector<std::string>{"a.cpp:1", "a.cpp:2", "b.cpp:3"});
    CHECK(into.pairs == std::vector<std::pair<std::uint32_t, std::uint32_t>>{{0, 1}, {1, 2}, {2, 1}});
    CHECK(into.order_hash != 5);
}

TEST_CASE("coverage: the aggregate is the same with one job and with two") {
    auto explore_with = [](unsigned jobs) {
        aio::check::ExplorePlan plan;
        plan.policies = {aio::sim::Policy::fifo, aio::sim::Policy::random, aio::sim::Policy::pct};
        plan.seeds = 40;
        plan.jobs = jobs;
        plan.stop_at_first = false;
        plan.base.coverage = true;
        Coverage c;
        const auto tally = aio::check::run_plan(
            plan,
            [](const aio::sim::Config& cfg, const aio::check::RunAt&) {
                aio::sim::Recorder rec;
                aio::run(lock_race(), {.loop_factory = aio::sim::loop_factory(cfg, rec)});
                aio::check::RunResult r;
                if (rec.has_record()) r.coverage = rec->coverage;
                return r;
            },
            [&c](const aio::check::RunAt&, const aio::check::RunResult& r) {
                REQUIRE(r.coverage.has_value());
                c.add(*r.coverage);
            });
        CHECK(tally.runs == c.schedules());
        return c;
    };
    const Coverage one = explore_with(1);
    const Coverage two = explore_with(2);
    CHECK(one.schedules() == 81);  // seed 1 under the three policies, 39 more under random and pct
    CHECK(one == two);
    CHECK(one.line() == two.line());
    CHECK(one.to_json() == two.to_json());
    CHECK(one.reversed() >= 1);
}

namespace coverage_test {

// Object identity does not depend on addresses: each of three tasks, in each of three rounds,
// sets an Event of its own built in a slot. With `reuse`, every Event is built in the same slot
// after the one before it ended (an allocator reusing a freed address); without, each has its
// own slot. The Events are different objects either way, so no two steps conflict through them
// and pos (which re-draws the priorities of conflicting steps) takes the same schedules.
struct Slots {
    static constexpr int n = 9;
    alignas(aio::Event) unsigned char bytes[n][sizeof(aio::Event)];
    aio::Event* built[n] = {};
    const void* first_address = nullptr;
    bool reused = true;  // every Event got the first one's address
};
aio::Coro<void> slot_user(Slots& s, bool reuse, int task) {
    for (int round = 0; round < 3; ++round) {
        const int k = round * 3 + task;
        aio::Event* e = new (reuse ? s.bytes[0] : s.bytes[k]) aio::Event();
        if (!s.first_address) s.first_address = e;
        if (e != s.first_address) s.reused = false;
        e->set();
        if (reuse) {
            e->~Event();  // ends in this step: the next Event is built at its address
        } else {
            s.built[k] = e;  // lives to the end of the program
        }
        co_await aio::sleep(std::chrono::seconds(0));
    }
}
aio::Coro<int> slots_program(bool reuse) {
    auto s = std::make_unique<Slots>();
    co_await aio::gather(slot_user(*s, reuse, 0), slot_user(*s, reuse, 1), slot_user(*s, reuse, 2));
    const bool reused = s->reused;
    for (aio::Event* e : s->built)
        if (e) e->~Event();
    co_return reused ? 1 : 0;
}

}  // namespace coverage_test

TEST_CASE("coverage: a freed object's address reused by a new object changes no pos schedule and no pair") {
    for (std::uint64_t seed = 0; seed < 40; ++seed) {
        CAPTURE(seed);
        const RunCoverage reused = one_run([] { return slots_program(true); }, aio::sim::Policy::pos, seed);
        const RunCoverage apart = one_run([] { return slots_program(false); }, aio::sim::Policy::pos, seed);
        CHECK(reused.order_hash == apart.order_hash);
        CHECK(reused.points == apart.points);
        CHECK(reused.pairs == apart.pairs);
    }
    // The reuse variant did build every Event at one address, the other at nine (the test's premise).
    CHECK(aio::run(slots_program(true), {.loop_factory = aio::sim::loop_factory({})}) == 1);
    CHECK(aio::run(slots_program(false), {.loop_factory = aio::sim::loop_factory({})}) == 0);
}

namespace coverage_test {

// Four tasks that each touch a cell in the step after a sleep(0) at their own line: a and b in
// the first run_until_complete of a loop, c and d in the second.
constexpr int cell_line_a = __LINE__ + 2;
aio::Coro<void> cell_toucher_a(const void* cell) {
    co_await aio::sleep(std::chrono::seconds(0));
    aio::sim::touch(cell);
}
constexpr int cell_line_b = __LINE__ + 2;
aio::Coro<void> cell_toucher_b(const void* cell) {
    co_await aio::sleep(std::chrono::seconds(0));
    aio::sim::touch(cell);
}
constexpr int cell_line_c = __LINE__ + 2;
aio::Coro<void> cell_toucher_c(const void* cell) {
    co_await aio::sleep(std::chrono::seconds(0));
    aio::sim::touch(cell);
}
constexpr int cell_line_d = __LINE__ + 2;
aio::Coro<void> cell_toucher_d(const void* cell) {
    co_await aio::sleep(std::chrono::seconds(0));
    aio::sim::touch(cell);
}

using CellToucher = aio::Coro<void> (*)(const void*);
aio::Coro<void> both(CellToucher x, CellToucher y, const void* cell) { co_await aio::gather(x(cell), y(cell)); }

// Two run_until_complete calls on one SimLoop, the cell used by a and b in the first and by c
// and d in the second; with `end_between`, the cell ends between the two calls (while no loop
// runs), so the second call's cell is a new object at the same address.
RunCoverage two_runs_on_one_loop(bool end_between) {
    aio::sim::Config cfg;
    cfg.coverage = true;
    std::optional<aio::sim::RunRecord> record;
    {
        aio::sim::SimLoop loop(cfg, [&record](aio::sim::RunRecord r) { record = std::move(r); });
        int cell = 0;
        loop.run_until_complete(both(&cell_toucher_a, &cell_toucher_b, &cell));
        if (end_between) aio::sim::touch_end(&cell);
        loop.run_until_complete(both(&cell_toucher_c, &cell_toucher_d, &cell));
    }
    REQUIRE(record.has_value());
    REQUIRE(record->coverage.has_value());
    return *record->coverage;
}

}  // namespace coverage_test

TEST_CASE("coverage: an object that ends between two run_until_complete calls is a new object in the second") {
    const RunCoverage ended = two_runs_on_one_loop(true);
    CHECK(has_pair(ended, here(cell_line_a), here(cell_line_b)));
    CHECK(has_pair(ended, here(cell_line_c), here(cell_line_d)));
    // The second call's cell is another object: nothing of the first call touched it.
    CHECK_FALSE(has_pair(ended, here(cell_line_b), here(cell_line_c)));
    // The premise: a cell that lives on across the calls is one object, touched by b then c;
    // that pair is the only difference.
    const RunCoverage kept = two_runs_on_one_loop(false);
    CHECK(has_pair(kept, here(cell_line_b), here(cell_line_c)));
    CHECK(ended.points == kept.points);
    CHECK(ended.pairs.size() + 1 == kept.pairs.size());
}

TEST_CASE("coverage: ends while no loop runs reach an idle loop's tracker, and none once the loop is gone") {
    // Two idle loops with trackers on this thread, then none: touch_end reaches each while it lives.
    aio::sim::Config cfg;
    cfg.coverage = true;
    int cell = 0;
    {
        aio::sim::SimLoop first(cfg);
        {
            aio::sim::SimLoop second(cfg);
            CHECK(aio::detail::t_end_links != nullptr);
            CHECK(aio::detail::t_end_links->next() != nullptr);
            aio::sim::touch_end(&cell);
        }
        REQUIRE(aio::detail::t_end_links != nullptr);
        CHECK(aio::detail::t_end_links->next() == nullptr);
    }
    CHECK(aio::detail::t_end_links == nullptr);
    aio::sim::touch_end(&cell);  // no loop: nobody to tell
}
