// What a new user meets first: the failure report of aio::check (the failing value, whether
// CPython can run the order, commands that rerun only the failing test case, the failing
// run's trace with named spans), AIOSIM_CHECK_SCHEDULES, AIOSIM_PROPERTY with decorators,
// and the exact tolerance a deadline test needs under `timers`.
#include <aio/check/doctest.hpp>
#include <aio/check/doctest_check.hpp>
#include <aio/check/explore.hpp>
#include <aio/check/rapidcheck.hpp>
#include <aio/aio.hpp>
#include <aio/sim/sim_loop.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

using namespace std::chrono_literals;

namespace {

struct CleanEnv {
    CleanEnv() { clear(); }
    ~CleanEnv() { clear(); }
    static void clear() {
        for (const char* v : {"AIOSIM_REPLAY", "AIOSIM_SEEDS", "AIOSIM_POLICY", "AIOSIM_TIME_BUDGET", "AIOSIM_CHECK",
                              "AIOSIM_TRACE", "AIOSIM_STRICT_ORDER"})
            unsetenv(v);
    }
};

aio::check::ExploreOptions quiet(std::string name = "t") {
    aio::check::ExploreOptions o;
    o.name = std::move(name);
    o.seeds = 20;
    o.print = [](const std::string&) {};
    return o;
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

aio::Coro<void> append(std::vector<char>& log, char c) {
    log.push_back(c);
    co_return;
}

// Three tasks ready in the same pass; returns the order they ran in ("abc" under fifo).
aio::Coro<std::string> race3() {
    std::vector<char> log;
    co_await aio::gather(append(log, 'a'), append(log, 'b'), append(log, 'c'));
    co_return std::string(log.begin(), log.end());
}

struct Opaque {
    int x = 0;
};
aio::Coro<Opaque> opaque() { co_return Opaque{7}; }

}  // namespace

// ---- the failing value ------------------------------------------------------------------------

TEST_CASE("a failing predicate's report shows the result, formatted with fmt") {
    CleanEnv env;
    const auto v =
        aio::check::for_all_schedules([] { return race3(); }, [](const std::string& s) { return s != "abc"; }, quiet());
    REQUIRE_FALSE(v.ok);
    CHECK(v.failure->error == "the predicate returned false for the result: abc");
    CHECK(contains(v.report, "the predicate returned false for the result: abc\n"));
}

TEST_CASE("a result fmt cannot format is named as such, and a predicate may return its own message") {
    CleanEnv env;
    const auto v =
        aio::check::for_all_schedules([] { return opaque(); }, [](const Opaque& o) { return o.x == 1; }, quiet());
    REQUIRE_FALSE(v.ok);
    CHECK(contains(v.failure->error, "not formattable with fmt"));
    const auto w = aio::check::for_all_schedules([] { return opaque(); },
                                                 [](const Opaque& o) -> std::optional<std::string> {
                                                     if (o.x == 1) return std::nullopt;
                                                     return fmt::format("x is {}, expected 1", o.x);
                                                 },
                                                 quiet());
    REQUIRE_FALSE(w.ok);
    CHECK(w.failure->error == "the predicate failed: x is 7, expected 1");
    const auto ok = aio::check::for_all_schedules(
        [] { return opaque(); }, [](const Opaque&) -> std::optional<std::string> { return std::nullopt; }, quiet());
    CHECK(ok.ok);
}

// ---- can CPython run the failing order? -------------------------------------------------------

namespace {
// Two timers due at the same instant, created at different instants: only `timers` (a tie
// broken the other way) or `random` reorders them; fifo runs a then b.
aio::Coro<void> sleeper(std::vector<char>& log, char c, aio::Duration first, aio::Duration second) {
    co_await aio::sleep(first);
    co_await aio::sleep(second);
    log.push_back(c);
}
aio::Coro<std::string> timer_tie() {
    std::vector<char> log;
    co_await aio::gather(sleeper(log, 'a', 1ms, 2ms), sleeper(log, 'b', 2ms, 1ms));
    co_return std::string(log.begin(), log.end());
}
}  // namespace

TEST_CASE("every failure report says whether CPython's asyncio can run the failing order") {
    CleanEnv env;
    auto fifo = quiet("fifo order");
    fifo.policies = {aio::sim::Policy::fifo};
    const auto f =
        aio::check::for_all_schedules([] { return race3(); }, [](const std::string& s) { return s != "abc"; }, fifo);
    REQUIRE_FALSE(f.ok);
    CHECK(f.failure->cpython_order);
    CHECK(contains(f.report, "order: asyncio's own (policy fifo): CPython runs exactly this order"));

    auto timers = quiet("timers order");
    timers.policies = {aio::sim::Policy::timers};
    const auto t = aio::check::for_all_schedules([] { return timer_tie(); },
                                                 [](const std::string& s) { return s == "ab"; }, timers);
    REQUIRE_FALSE(t.ok);
    CHECK(t.failure->cpython_order);
    // Judged by the shrunk schedule: timer ties (or, under the clock model's 1ms batching, no
    // decision at all): an order CPython runs.
    CHECK(contains(t.report, "policy timers"));
    CHECK_FALSE(contains(t.report, "cannot run"));

    // A failure that needs a ready-queue decision is no plain failure (the next test case).
    auto random = quiet("random order");
    random.policies = {aio::sim::Policy::random};
    random.strict_order = true;
    const auto r =
        aio::check::for_all_schedules([] { return race3(); }, [](const std::string& s) { return s == "abc"; }, random);
    REQUIRE_FALSE(r.ok);
    CHECK_FALSE(r.failure->cpython_order);
    CHECK(contains(r.report, "order: one CPython's asyncio cannot run (1 ready-queue decision runs a later entry"));

    auto per_task = quiet("per-task starts");
    per_task.policies = {aio::sim::Policy::fifo};
    per_task.base.schedule.task_start = aio::sim::TaskStart::per_task;
    CHECK_FALSE(aio::sim::cpython_can_run(aio::sim::Policy::timers, aio::sim::TaskStart::per_task));
    CHECK(aio::sim::cpython_order_note(aio::sim::Policy::fifo, aio::sim::TaskStart::per_task)
              .starts_with("order: one CPython runs only with a custom task factory"));
}

// ---- failures only in orders CPython cannot run -------------------------------------------------

TEST_CASE("a failure that needs a ready-queue decision is a warning, and a failure with strict_order") {
    CleanEnv env;
    // race3's tasks run in call_soon's FIFO order on CPython: "abc" always. Only an 'r'
    // decision breaks it, so code relying on it is correct for asyncio.
    auto holds_fifo = [](const std::string& s) { return s == "abc"; };
    std::string printed;
    auto o = quiet("relies on FIFO");
    o.print = [&printed](const std::string& text) { printed += text; };
    const auto v = aio::check::for_all_schedules([] { return race3(); }, holds_fifo, o);
    CHECK(v.ok);
    CHECK_FALSE(v.failure);
    REQUIRE(v.order_only.size() == 1);
    const aio::check::Failure& w = v.order_only.front();
    CHECK_FALSE(w.cpython_order);
    CHECK(w.decisions_after == 1);  // shrunk to the one 'r' decision that breaks the order
    const aio::sim::Schedule shrunk = aio::sim::Schedule::parse(w.replay);
    REQUIRE(shrunk.decisions);
    REQUIRE(shrunk.decisions->size() == 1);
    CHECK(shrunk.decisions->front().kind == aio::sim::Choice::ready);
    CHECK(w.occurrences >= 1);
    CHECK(v.order_only_runs >= w.occurrences);
    CHECK(w.run > 1);  // not fifo's run
    CHECK(printed == v.report);
    // The report is the warning section, then the coverage lines of the exploration.
    CHECK(v.report.rfind(v.warning, 0) == 0);
    CHECK(contains(v.report.substr(v.warning.size()), "  coverage: explored "));
    CHECK(contains(v.warning, "aio::check: 'relies on FIFO': found only in orders CPython's asyncio cannot run ("));
    CHECK(contains(v.warning,
                   "the code relies on the FIFO order of call_soon / the order woken waiters resume, "
                   "which asyncio guarantees"));
    CHECK(contains(v.warning, "  - found by " + std::string(aio::sim::policy_name(w.policy)) +
                                  fmt::format(", seed {}, run {} of the exploration", w.seed, w.run)));
    CHECK(contains(v.summary, "failed only in orders CPython's asyncio cannot run (a warning)"));
    CHECK(contains(v.summary, "aio::check: 'relies on FIFO' passed: "));

    // Strict: the same failure fails the check.
    o.strict_order = true;
    printed.clear();
    const auto strict = aio::check::for_all_schedules([] { return race3(); }, holds_fifo, o);
    REQUIRE_FALSE(strict.ok);
    CHECK_FALSE(strict.failure->cpython_order);
    CHECK(strict.order_only.empty());
    CHECK(contains(strict.report, "aio::check: 'relies on FIFO' failed: found by "));

    // AIOSIM_STRICT_ORDER=1 is the same switch.
    o.strict_order = false;
    setenv("AIOSIM_STRICT_ORDER", "1", 1);
    CHECK_FALSE(aio::check::for_all_schedules([] { return race3(); }, holds_fifo, o).ok);
    setenv("AIOSIM_STRICT_ORDER", "yes", 1);
    CHECK_THROWS_WITH_AS(aio::check::for_all_schedules([] { return race3(); }, holds_fifo, o),
                         doctest::Contains("AIOSIM_STRICT_ORDER: 'yes' is not 1 or 0"), aio::ValueError);
}

TEST_CASE("a timer-tie bug is a plain failure, whichever strategy of the portfolio finds it") {
    CleanEnv env;
    auto holds = [](const std::string& s) { return s == "ab"; };
    const auto v = aio::check::for_all_schedules([] { return timer_tie(); }, holds, quiet("timer tie"));
    REQUIRE_FALSE(v.ok);
    CHECK(v.failure->cpython_order);
    // fifo (the clock model batches timers due within 1ms of each other) or timers finds it.
    CHECK((v.failure->policy == aio::sim::Policy::fifo || v.failure->policy == aio::sim::Policy::timers));
    CHECK(contains(
        v.report, "aio::check: 'timer tie' failed: found by " + std::string(aio::sim::policy_name(v.failure->policy))));
    CHECK(contains(v.report, fmt::format("run {} of the exploration", v.failure->run)));
    // Before timers' seed finds the tie, pct or random may swap the two tasks' first steps
    // (an 'r' decision): that order CPython cannot run goes to the warning section, beside.
    if (!v.order_only.empty()) CHECK(contains(v.report, "Besides the failure above."));
    for (const auto& o : v.order_only) CHECK(o.run < v.failure->run);
}

TEST_CASE("the per-schedule classifier reads the decisions") {
    using aio::sim::Choice;
    aio::sim::Schedule s;
    s.policy = aio::sim::Policy::random;
    CHECK_FALSE(aio::sim::cpython_can_run(s));  // no decision list: judged by the policy
    s.decisions = std::vector<aio::sim::Decision>{};
    CHECK(aio::sim::cpython_can_run(s));  // every decision 0: asyncio's own order
    s.decisions->push_back({3, Choice::timer, 1});
    s.decisions->push_back({5, Choice::fault, 2});
    CHECK(aio::sim::cpython_can_run(s));
    s.decisions->push_back({7, Choice::ready, 1});
    CHECK_FALSE(aio::sim::cpython_can_run(s));
    CHECK(aio::sim::cpython_order_note(s).starts_with("order: one CPython's asyncio cannot run (1 ready-queue"));
    s.decisions = std::vector<aio::sim::Decision>{{0, Choice::start, 1}};
    s.task_start = aio::sim::TaskStart::per_run;
    CHECK(aio::sim::cpython_can_run(s));  // the whole run eager: what eager_task_factory does
    s.task_start = aio::sim::TaskStart::per_task;
    CHECK_FALSE(aio::sim::cpython_can_run(s));
    CHECK(aio::sim::cpython_order_note(s).starts_with("order: one CPython runs only with a custom task factory"));
}

// ---- commands that rerun only the failing test case -------------------------------------------

TEST_CASE("a failing check's commands rerun only its doctest case") {
    // aio/check/doctest_check.hpp installed the filter: every report's commands end in it.
    CleanEnv env;
    const auto v = aio::check::for_all_schedules([] { return race3(); },
                                                 [](const std::string& s) { return s != "abc"; }, quiet("filter"));
    REQUIRE_FALSE(v.ok);
    const std::string filter = R"('-tc=a failing check'\''s commands rerun only its doctest case')";
    CHECK(v.failure->replay_command.ends_with(" " + filter));
    CHECK(v.failure->seed_command.ends_with(" " + filter));
    CHECK(aio::check::detail::doctest_rerun_filter() == "-tc=a failing check's commands rerun only its doctest case");
}

// ---- one report, through doctest --------------------------------------------------------------

TEST_CASE("AIOSIM_CHECK_SCHEDULES passes a check that holds") {
    CleanEnv env;
    AIOSIM_CHECK_SCHEDULES([] { return race3(); }, [](const std::string& s) { return s.size() == 3; },
                           {.name = "holds", .seeds = 5});
    AIOSIM_CHECK_SCHEDULES([] { return race3(); }, {.name = "does not throw", .seeds = 5});
}

TEST_CASE("AIOSIM_CHECK_SCHEDULES fails the case once, with nothing written to standard error" *
          doctest::expected_failures(1)) {
    CleanEnv env;
    // Standard error goes to a file while the check runs.
    char path[] = "/tmp/aiosim_report_test_XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    std::fflush(stderr);
    const int saved = dup(2);
    dup2(fd, 2);
    AIOSIM_CHECK_SCHEDULES([] { return race3(); }, [](const std::string& s) { return s != "abc"; },
                           {.name = "reported once", .seeds = 5});  // the expected failure
    std::fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    const std::string written = read_file(path);
    std::remove(path);
    CHECK(written.empty());
}

// ---- the failing run's trace, with named spans ------------------------------------------------

namespace {
aio::Coro<int> backend_fetch() {
    co_await aio::sleep(5ms);
    co_return 41;
}
// A cache miss: the fetch is labelled, then the value is off by one (the bug).
aio::Coro<int> cache_get() {
    int v = co_await aio::span("backend fetch", backend_fetch());
    {
        aio::TraceSpan fill("fill cache");
        co_await aio::sleep(1ms);
    }
    co_return v;
}
}  // namespace

TEST_CASE("a failing check writes its failing run's trace, with the spans user code named") {
    CleanEnv env;
    auto o = quiet("trace");
    o.trace_file = "/tmp/aiosim_report_test_trace.json";
    std::remove(o.trace_file.c_str());
    const auto v = aio::check::for_all_schedules([] { return cache_get(); }, [](int x) { return x == 42; }, o);
    REQUIRE_FALSE(v.ok);
    CHECK(v.failure->trace_file == o.trace_file);
    CHECK(contains(v.report, "  trace:         /tmp/aiosim_report_test_trace.json ("));
    const std::string json = read_file(o.trace_file);
    CHECK(json.starts_with("{\"displayTimeUnit\""));
    CHECK(contains(json, "\"ph\":\"X\",\"name\":\"backend fetch\",\"ts\":0.000,\"dur\":5000.000"));
    CHECK(contains(json, "\"name\":\"fill cache\",\"ts\":5000.000,\"dur\":1000.000"));
    std::remove(o.trace_file.c_str());

    // AIOSIM_TRACE sets it (here the text form); with AIOSIM_CHECK, only for that check.
    const std::string text_path = "/tmp/aiosim_report_test_trace.txt";
    setenv("AIOSIM_TRACE", text_path.c_str(), 1);
    setenv("AIOSIM_CHECK", "another check", 1);
    CHECK(aio::check::for_all_schedules([] { return cache_get(); }, [](int x) { return x == 42; }, quiet("trace"))
              .failure->trace_file.empty());
    unsetenv("AIOSIM_CHECK");
    const auto w =
        aio::check::for_all_schedules([] { return cache_get(); }, [](int x) { return x == 42; }, quiet("trace"));
    REQUIRE_FALSE(w.ok);
    CHECK(w.failure->trace_file == text_path);
    const std::string text = read_file(text_path);
    CHECK(contains(text, "0.000000000 1 span #1 \"Task-1\" \"backend fetch\"\n"));
    CHECK(contains(text, " span-end #1 \"Task-1\" \"backend fetch\"\n"));
    CHECK(contains(text, " span #1 \"Task-1\" \"fill cache\"\n"));
    CHECK(text.find("0.005000000", text.find("span-end #1 \"Task-1\" \"backend fetch\"") - 20) != std::string::npos);
    std::remove(text_path.c_str());
}

TEST_CASE("a span costs nothing visible on the real loop and outside tracing") {
    CHECK(aio::run(cache_get()) == 41);  // the real loop: no observer, the spans do nothing
    aio::sim::Config cfg;
    cfg.trace = aio::sim::TraceMode::off;
    CHECK(aio::run(cache_get(), {.loop_factory = aio::sim::loop_factory(cfg)}) == 41);
}

// ---- the exact tolerance of a deadline test under `timers` ------------------------------------

namespace {
// What a deadline test measures: the clock read before a sleep of d (in the same step) and
// after it.
aio::Coro<aio::Duration> measured_sleep(aio::Duration d) {
    auto& loop = aio::get_running_loop();
    const aio::TimePoint start = loop.time();
    co_await aio::sleep(d);
    co_return loop.time() - start;
}
}  // namespace

TEST_CASE("under timers a measured sleep(d) takes from d to d + 2 x jitter, and 2 x jitter is reached") {
    // One late wake-up (the idle loop jumps up to `jitter` past the deadline) plus one late
    // clock read (the waking step's first read finds the clock up to `jitter` later): the
    // README's bound, exactly.
    CleanEnv env;
    constexpr aio::Duration d = 10ms;
    const aio::Duration jitter = aio::sim::Config{}.schedule.jitter;
    aio::Duration longest{};
    auto o = quiet("deadline");
    o.policies = {aio::sim::Policy::timers};
    o.seeds = 2000;
    const auto v = aio::check::for_all_schedules([&] { return measured_sleep(d); },
                                                 [&](aio::Duration took) {
                                                     longest = std::max(longest, took);
                                                     return took >= d && took <= d + 2 * jitter;
                                                 },
                                                 o);
    CHECK_MESSAGE(v.ok, v.report);
    CHECK(longest == d + 2 * jitter);  // tight: some schedule takes both delays in full
    // The schedule that takes both: the wake-up and the read each 8/8 of the jitter late.
    aio::sim::Config both = aio::sim::Config::from_replay("aiosim1:timers:-:1j8.j8");
    CHECK(aio::run(measured_sleep(d), {.loop_factory = aio::sim::loop_factory(both)}) == d + 2 * jitter);
}

namespace {
aio::Coro<aio::Duration> two_measured_sleeps(aio::Duration d) {
    auto [a, b] = co_await aio::gather(measured_sleep(d), measured_sleep(d));
    co_return std::max(a, b);
}
}  // namespace

TEST_CASE("a task woken at the same instant as another, and run after it, may measure one jitter more") {
    // The README's caveat: each other task step that first reads the clock between the
    // wake-up and this task's read adds up to one jitter (here one other task: 3 x jitter).
    CleanEnv env;
    constexpr aio::Duration d = 10ms;
    const aio::Duration jitter = aio::sim::Config{}.schedule.jitter;
    aio::Duration longest{};
    auto o = quiet("two deadlines");
    o.policies = {aio::sim::Policy::timers};
    o.seeds = 2000;
    const auto v = aio::check::for_all_schedules([&] { return two_measured_sleeps(d); },
                                                 [&](aio::Duration took) {
                                                     longest = std::max(longest, took);
                                                     return took >= d && took <= d + 3 * jitter;
                                                 },
                                                 o);
    CHECK_MESSAGE(v.ok, v.report);
    CHECK(longest > d + 2 * jitter);
}

// ---- AIOSIM_PROPERTY takes TEST_CASE's decorators ---------------------------------------------

AIOSIM_PROPERTY("AIOSIM_PROPERTY takes doctest decorators" * doctest::should_fail(),
                [](const std::vector<int>& v) { RC_ASSERT(v.size() < 3); });

TEST_SUITE("aiosim properties") {
    AIOSIM_PROPERTY("AIOSIM_PROPERTY works inside a test suite", [](int x) { RC_ASSERT(x == x); });
}

AIOSIM_PROPERTY("AIOSIM_PROPERTY takes a test-suite decorator" * doctest::test_suite("aiosim properties"),
                [](int x) { RC_ASSERT(x + 0 == x); });

TEST_CASE("a failing property's report gives the command that reproduces it: RC_PARAMS and -tc") {
    rc::detail::TestMetadata m;
    m.id = "no element reaches ten";
    m.description = m.id;
    const auto result = rc::detail::checkTestable(
        [](const std::vector<int>& v) {
            for (int x : v) RC_ASSERT(x < 10);
        },
        m);
    REQUIRE(result.is<rc::detail::FailureResult>());
    const std::string cmd = aio::check::detail::rapidcheck_reproduce_command(m.id, result);
    CHECK(cmd.starts_with("RC_PARAMS=\"reproduce="));
    CHECK(cmd.ends_with(
        R"( '-tc=a failing property'\''s report gives the command that reproduces it: RC_PARAMS and -tc')"));
    // The reproduce string is rapidcheck's own: it parses back to the failure.
    const std::string params =
        cmd.substr(std::string("RC_PARAMS=\"").size(), cmd.find('"', std::string("RC_PARAMS=\"").size()) - 11);
    const auto config = rc::detail::configFromString(params);
    REQUIRE(config.reproduce.count(m.id) == 1);
    CHECK(config.reproduce.at(m.id) == result.get<rc::detail::FailureResult>().reproduce);
}

TEST_CASE("a generated or shrunk fifo schedule has no seed") {
    auto shrinks = aio::check::detail::schedule_shrinks(aio::check::Schedule::parse("aiosim1:pct:seed=17:-"));
    auto fifo = shrinks.next();
    REQUIRE(static_cast<bool>(fifo));
    CHECK(fifo->policy == aio::sim::Policy::fifo);
    CHECK(fifo->seed == 0);
    CHECK(fifo->to_string() == "aiosim1:fifo:-:-");
    const auto gen = aio::check::gen_schedule({.policies = {aio::sim::Policy::fifo}});
    for (int i = 0; i < 20; ++i) CHECK(gen(rc::Random(static_cast<std::uint64_t>(i)), 10).value().seed == 0);
}
