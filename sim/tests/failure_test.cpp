// Deadlock and runaway detection, and that aio::run's cleanup still terminates afterwards.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/sim/sim.hpp>

using namespace std::chrono_literals;
namespace sim = aio::sim;

namespace {

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

// Two tasks awaiting each other (through futures they publish), plus one awaiting a future
// nobody completes, plus main in a gather.
struct Cycle {
    aio::Task<void> a, b;
    int cleanups = 0;
};

aio::Coro<void> wait_for(Cycle& c, bool is_a) {
    co_await aio::sleep(0s);  // let both handles be set
    try {
        if (is_a)
            co_await c.b;
        else
            co_await c.a;
    } catch (const aio::CancelledError&) {
        ++c.cleanups;
        throw;
    }
}

aio::Coro<void> never(aio::Future<int> f) { co_await f; }

aio::Coro<void> deadlocked_main(Cycle& c) {
    c.a = aio::create_task(wait_for(c, true), "alpha");
    c.b = aio::create_task(wait_for(c, false), "beta");
    auto lonely = aio::create_task(never(aio::Future<int>(aio::get_running_loop())), "lonely");
    co_await aio::sleep(1s);
    co_await aio::gather(c.a, lonely);
}

}  // namespace

TEST_CASE("a deadlock lists every pending task, what it awaits, where it was created, and the cycle") {
    Cycle c;
    sim::Recorder rec;
    std::string msg;
    try {
        aio::run(deadlocked_main(c), {.loop_factory = sim::loop_factory({}, rec)});
        FAIL("no deadlock");
    } catch (const sim::Deadlock& e) {
        msg = e.what();
        REQUIRE(e.tasks().size() == 4);
        CHECK(e.tasks()[0].name == "Task-1");
        CHECK(e.tasks()[0].waits_for == std::vector<std::uint64_t>{2, 4});
        CHECK(e.tasks()[1].name == "alpha");
        CHECK(e.tasks()[1].waits_for == std::vector<std::uint64_t>{3});
        CHECK(e.tasks()[2].waits_for == std::vector<std::uint64_t>{2});
        CHECK(e.tasks()[3].awaits == "a Future");
        CHECK(e.cycles() == std::vector<std::vector<std::uint64_t>>{{2, 3}});
        CHECK(contains(std::string(e.tasks()[1].created_at.file_name()), "failure_test.cpp"));
    }
    CHECK(contains(msg, "no task can ever run again (step "));
    CHECK(contains(msg, "virtual time 1.000000000 s"));
    CHECK(contains(msg, "#1 'Task-1' awaits gather(#2 'alpha', #4 'lonely'); created at "));
    CHECK(contains(msg, "#2 'alpha' awaits Task #3 'beta'; created at failure_test.cpp:"));
    // The function as std::source_location names it: GCC writes {anonymous}, clang (anonymous namespace).
    CHECK((contains(msg, "in aio::Coro<void> {anonymous}::deadlocked_main(") ||
           contains(msg, "in aio::Coro<void> (anonymous namespace)::deadlocked_main(")));
    CHECK(contains(msg, "#3 'beta' awaits Task #2 'alpha'"));
    CHECK(contains(msg, "#4 'lonely' awaits a Future"));
    CHECK(contains(msg, "Await cycle: #2 'alpha' -> #3 'beta' -> #2 'alpha'"));
    // The cleanup cancelled the tasks (their catch blocks ran) and terminated.
    CHECK(c.cleanups == 2);
    CHECK(c.a.cancelled());
    REQUIRE(rec->failure);
    CHECK(rec->failure->kind == sim::FailureKind::deadlock);
    CHECK(contains(rec->failure->message, "aio::sim::Deadlock"));
}

TEST_CASE("a task awaiting itself through gather is a cycle") {
    aio::Task<void> self;
    auto body = [&]() -> aio::Coro<void> {
        co_await aio::sleep(0s);
        co_await aio::gather(self);
    };
    auto amain = [&]() -> aio::Coro<void> {
        self = aio::create_task(body(), "ouroboros");
        co_await self;
    };
    try {
        sim::run(amain(), {});
        FAIL("no deadlock");
    } catch (const sim::Deadlock& e) {
        CHECK(e.cycles() == std::vector<std::vector<std::uint64_t>>{{2}});
        CHECK(contains(e.what(), "Await cycle: #2 'ouroboros' -> #2 'ouroboros'"));
    }
}

TEST_CASE("a runaway task hits the step limit with a clear message, and cleanup stops it") {
    int cancelled = 0;
    auto spinner = [&]() -> aio::Coro<void> {
        try {
            for (;;) co_await aio::sleep(0s);
        } catch (const aio::CancelledError&) {
            ++cancelled;
            throw;
        }
    };
    auto amain = [&]() -> aio::Coro<void> { co_await aio::create_task(spinner(), "spinner"); };
    sim::Recorder rec;
    try {
        sim::run(amain(), {.schedule = {.limits = {.max_steps = 1000}}}, rec);
        FAIL("no limit");
    } catch (const sim::LimitExceeded& e) {
        CHECK(e.which() == sim::LimitExceeded::Which::steps);
        CHECK(contains(e.what(), "step limit reached: 100"));
        CHECK(contains(e.what(), "Config::schedule.limits.max_steps = 1000 (replay parameter steps=)"));
        CHECK(contains(e.what(), "#2 'spinner' awaits"));
    }
    CHECK(cancelled == 1);
    CHECK(rec->steps < 2100);
}

TEST_CASE("a task that keeps re-arming a timer hits the virtual time limit") {
    auto ticker = []() -> aio::Coro<void> {
        for (;;) co_await aio::sleep(1h);
    };
    try {
        sim::run(ticker(), {.schedule = {.limits = {.max_virtual_time = 24h}}});
        FAIL("no limit");
    } catch (const sim::LimitExceeded& e) {
        CHECK(e.which() == sim::LimitExceeded::Which::virtual_time);
        CHECK(contains(e.what(), "the next timer is due at 90000.000000000 s, beyond the limit at 86400.000000000 s"));
        CHECK(contains(e.what(), "Config::schedule.limits.max_virtual_time = 24h (replay parameter vtime=)"));
        CHECK(contains(e.what(), "#1 'Task-1' awaits sleep"));
    }
}

TEST_CASE("a task that ignores cancellation during cleanup cannot hang the run") {
    // After the deadlock, the cleanup cancels `stubborn`, which catches the cancellation and
    // waits forever again. The loop reports the second deadlock through aio::Runner and the
    // first one still reaches the caller.
    auto stubborn = []() -> aio::Coro<void> {
        aio::Future<int> f(aio::get_running_loop());
        try {
            co_await f;
        } catch (const aio::CancelledError&) {}
        aio::Future<int> g(aio::get_running_loop());
        co_await g;
    };
    auto amain = [&]() -> aio::Coro<void> { co_await aio::create_task(stubborn(), "stubborn"); };
    CHECK_THROWS_AS(sim::run(amain(), {}), sim::Deadlock);
}

TEST_CASE("pending_tasks_report describes the tasks while the loop runs") {
    std::string report;
    auto sleeper = []() -> aio::Coro<void> { co_await aio::sleep(5s); };
    auto amain = [&]() -> aio::Coro<void> {
        auto t = aio::create_task(sleeper(), "napper");
        co_await aio::sleep(1s);
        report = static_cast<sim::SimLoop&>(aio::get_running_loop()).pending_tasks_report();
        t.cancel();
    };
    sim::run(amain(), {});
    CHECK(contains(report, "#1 'Task-1' awaits nothing (it is running now); created at "));
    CHECK(contains(report, "#2 'napper' awaits sleep; created at failure_test.cpp:"));
}

TEST_CASE("a deadlock report names the first children of a wide gather and counts the rest") {
    std::vector<aio::Task<void>> children;
    auto amain = [&]() -> aio::Coro<void> {
        aio::Future<int> never(aio::get_running_loop());
        for (int i = 0; i < 20; ++i)
            children.push_back(aio::create_task([](aio::Future<int> f) -> aio::Coro<void> { co_await f; }(never)));
        co_await aio::gather(children);
    };
    try {
        aio::run(amain(), {.loop_factory = sim::loop_factory({})});
        FAIL("no deadlock");
    } catch (const sim::Deadlock& e) {
        CHECK(contains(e.what(),
                       "#1 'Task-1' awaits gather(#2 'Task-2', #3 'Task-3', #4 'Task-4', #5 'Task-5', "
                       "#6 'Task-6', #7 'Task-7', #8 'Task-8', #9 'Task-9' and 12 more); created at "));
        REQUIRE(e.tasks().size() == 21);
        CHECK(e.tasks()[0].waits_for.size() == 20);  // the data keeps every edge
    }
}

TEST_CASE("a long await cycle is shown by its first and last members") {
    constexpr std::size_t n = 30;
    std::vector<aio::Task<void>> ring;
    auto amain = [&]() -> aio::Coro<void> {
        for (std::size_t i = 0; i < n; ++i)
            ring.push_back(aio::create_task([](std::vector<aio::Task<void>>& r, std::size_t k) -> aio::Coro<void> {
                co_await aio::sleep(0s);
                co_await r[(k + 1) % r.size()];
            }(ring, i)));
        co_await ring[0];
    };
    try {
        aio::run(amain(), {.loop_factory = sim::loop_factory({})});
        FAIL("no deadlock");
    } catch (const sim::Deadlock& e) {
        REQUIRE(e.cycles().size() == 1);
        CHECK(e.cycles()[0].size() == n);
        CHECK(contains(e.what(), "Await cycle: #2 'Task-2' -> #3 'Task-3' -> "));
        CHECK(contains(e.what(), "#11 'Task-11' -> (10 more) -> #22 'Task-22' -> "));
        CHECK(contains(e.what(), "#31 'Task-31' -> #2 'Task-2'\n"));
    }
}

TEST_CASE("a failure is a value: its kind comes from the exception's type, never from its wording") {
    using K = sim::FailureKind;
    auto of = [](auto e) { return sim::RunFailure::from_exception(std::make_exception_ptr(e)); };
    // Messages that lie about their class: the type decides.
    CHECK(of(sim::Deadlock("aio::sim::LimitExceeded: step limit reached", {}, {})).kind == K::deadlock);
    CHECK(of(sim::LimitExceeded("aio::sim::Deadlock", sim::LimitExceeded::Which::steps)).kind == K::step_limit);
    CHECK(of(sim::LimitExceeded("step limit reached", sim::LimitExceeded::Which::virtual_time)).kind ==
          K::virtual_time_limit);
    CHECK(of(sim::ReplayDivergence("x", 1, 2, {})).kind == K::replay_divergence);
    const sim::RunFailure e = of(std::out_of_range("aio::sim::Deadlock: no"));
    CHECK(e.kind == K::exception);
    CHECK(e.message == "aio::sim::Deadlock: no");
    CHECK(sim::signature(e) == "exception std::out_of_range");
    CHECK(sim::signature(of(sim::LimitExceeded("m", sim::LimitExceeded::Which::virtual_time))) ==
          "limit: virtual time");
    CHECK(sim::kind_name(K::replay_divergence) == "replay divergence");
    // The same failure: the same kind, requirement and (for an exception) type; not the message.
    CHECK(sim::same_failure(of(sim::Deadlock("one", {}, {})), of(sim::Deadlock("two", {}, {}))));
    CHECK_FALSE(sim::same_failure(e, of(std::runtime_error("aio::sim::Deadlock: no"))));
    sim::RunFailure a{K::requirement, nullptr, "hits = {}", "hits = 1"};
    sim::RunFailure b{K::requirement, nullptr, "hits = {}", "hits = 2"};
    CHECK(sim::same_failure(a, b));
    b.requirement = "other";
    CHECK_FALSE(sim::same_failure(a, b));
    CHECK(sim::signature(a) == "oracle: hits = {}");
}

TEST_CASE("the record comes out of the run through its sink, under aio::Runner too") {
    sim::Recorder rec;
    CHECK_FALSE(rec.has_record());
    CHECK_THROWS_AS((void)rec->steps, std::logic_error);
    {
        aio::Runner runner(
            {.loop_factory = sim::loop_factory({.schedule = {.policy = sim::Policy::random, .seed = 3}}, rec)});
        runner.run([]() -> aio::Coro<void> { co_await aio::sleep(1s); }());
        runner.run([]() -> aio::Coro<void> { co_await aio::sleep(1s); }());
        CHECK_FALSE(rec.has_record());  // the loop lives until the Runner closes
    }
    REQUIRE(rec.has_record());
    CHECK(rec->end_time.time_since_epoch() == 2s);  // both runs, one loop
    CHECK(rec->schedule.policy == sim::Policy::random);
    CHECK_FALSE(rec->failure);
}
