#include "invariants.hpp"

#include <fmt/format.h>

#include <array>
#include <memory>
#include <string>

#include <aio/check/rapidcheck.hpp>
#include <aio/sim/sim_loop.hpp>

#include "generate.hpp"
#include "interpreter.hpp"
#include "model.hpp"
#include "shim.hpp"

namespace aio::props {

namespace {

using aio::check::Schedule;

Schedule g_last_failing;
ModelBelief g_belief = ModelBelief::asyncio;

struct Ran {
    Observed o;
    aio::sim::Recorder rec;
};

aio::Duration lateness(const Schedule& s) {
    return s.policy == aio::sim::Policy::timers ? 2 * s.jitter : aio::Duration{0};
}

// Runs p under s (lenient: generated decisions bend to fit) and logs the schedule as it ran.
Ran run_program(const Program& p, const Schedule& s, aio::sim::TraceMode trace = aio::sim::TraceMode::off) {
    aio::sim::Config cfg = aio::check::lenient_config(s);
    cfg.trace = trace;
    aio::sim::Recorder rec;
    Observed o = interpret(p, {.loop_factory = aio::sim::loop_factory(cfg, rec)}, {.late = lateness(s)});
    RC_LOG() << "schedule as run: AIOSIM_REPLAY=" << rec->replay << "\n";
    return {std::move(o), rec};
}

// RC_ASSERT, remembering the failing run's schedule first.
void require(bool ok, const Ran& r, const std::string& what) {
    if (!ok) {
        g_last_failing = r.rec->schedule;
        RC_LOG() << "events:\n";
        for (const std::string& e : r.o.events) RC_LOG() << "  " << e << "\n";
        RC_FAIL(what);
    }
}

void require_clean_run(const Ran& r) {
    require(r.o.run_error.empty(), r, "unexpected error out of run: " + r.o.run_error);
}

std::string show(const Fates& o) { return to_string(o); }

}  // namespace

const Schedule& last_failing_schedule() { return g_last_failing; }
void set_model_belief(int belief) { g_belief = static_cast<ModelBelief>(belief); }

void prop_exception_cancels_siblings(const Schedule& s) {
    const Program p = *gen_any_program();
    const Ran r = run_program(p, s);
    require_clean_run(r);
    {
        const std::string run = to_string(r.o.outcome.run, false);
        RC_TAG(run.substr(0, run.find(' ')), r.rec->nonzero_decisions == 0 ? "asyncio's order" : "perturbed");
    }
    for (std::size_t k = 0; k < p.nodes.size(); ++k) {
        const Fate& f = r.o.outcome.nodes[k];
        require(f.kind != Fate::Kind::pending, r, fmt::format("n{} still pending after run: {}", k, to_string(f)));
        const int expected = f.kind == Fate::Kind::cancelled && f.started ? 1 : 0;
        require(f.cleanups == expected, r,
                fmt::format("n{}: cleanup ran {} times, expected {}: {}", k, f.cleanups, expected, to_string(f)));
    }
}

void prop_nested_run_throws(const Schedule& s) {
    GenOptions g;
    g.nested_run = true;
    const Program p = *gen_program(g);
    RC_PRE(count(p, Stmt::Kind::nested_run) > 0);
    const Prediction pred = predict(p);
    RC_PRE(!pred.ambiguous);
    const Ran r = run_program(p, s);
    require_clean_run(r);
    require(r.o.nested_run_failures == 0, r,
            fmt::format("{} nested run() calls did not throw", r.o.nested_run_failures));
    require(show(r.o.outcome) == show(pred.outcome), r,
            "outer run affected:\nobserved:\n" + show(r.o.outcome) + "predicted:\n" + show(pred.outcome));
}

void prop_gather_keeps_order_in_programs(const Schedule& s) {
    const Program p = *gen_any_program();
    const Ran r = run_program(p, s);
    require_clean_run(r);
    require(r.o.gather_order_violations == 0, r, "a gather returned results out of argument order");
}

void prop_task_group_never_returns_with_running_child(const Schedule& s) {
    const Program p = *gen_any_program();
    RC_PRE(count(p, Stmt::Kind::task_group) > 0);
    const Ran r = run_program(p, s);
    require_clean_run(r);
    require(r.o.task_group_violations == 0, r,
            fmt::format("{} TaskGroup blocks ended with a child still running", r.o.task_group_violations));
}

void prop_no_frame_leaks(const Schedule& s) {
    const Program p = *gen_any_program();
    const Ran r = run_program(p, s);
    require_clean_run(r);
    require(r.o.max_live_frames > 0, r, "no frame was counted");
    require(r.o.live_frames_after == 0, r, fmt::format("{} coroutine frames alive after run", r.o.live_frames_after));
}

void prop_time_monotonic_and_exact(const Schedule& s) {
    const Program p = *gen_any_program();
    const Ran r = run_program(p, s);
    require_clean_run(r);
    require(r.o.time_went_back == 0, r, "loop.time() went back");
    require(r.o.sleep_violations == 0, r, fmt::format("{} sleeps woke off their deadline", r.o.sleep_violations));
    require(r.o.timeout_violations == 0, r,
            fmt::format("{} timeouts fired off their deadline", r.o.timeout_violations));
}

void prop_same_schedule_same_trace(const Schedule& s) {
    const Program p = *gen_any_program();
    const Ran first = run_program(p, s, aio::sim::TraceMode::hash);
    require_clean_run(first);
    // Replay the run's own replay string strictly: it must take the very same steps.
    aio::sim::Config cfg;
    cfg.schedule = aio::sim::Schedule::parse(first.rec->replay);
    cfg.trace = aio::sim::TraceMode::hash;
    aio::sim::Recorder rec;
    const Observed again = interpret(p, {.loop_factory = aio::sim::loop_factory(cfg, rec)}, {.late = lateness(s)});
    require(again.run_error.empty(), first, "the replay failed: " + again.run_error);
    require(first.rec->trace_hash.has_value() && first.rec->trace_hash == rec->trace_hash, first,
            "trace hashes differ");
    require(first.o.events == again.events, first, "event logs differ");
    require(show(first.o.outcome) == show(again.outcome), first, "outcomes differ");
    require(first.rec->replay == rec->replay, first, "replay strings differ: " + rec->replay);
}

void prop_model_exact_under_fifo() {
    const Program p = *gen_program();
    const Prediction pred = predict(p, g_belief);
    RC_PRE(!pred.ambiguous);
    const Ran r = run_program(p, Schedule{});
    require_clean_run(r);
    RC_TAG(p.nodes.size() > 4 ? "5+ tasks" : "1-4 tasks");
    require(show(r.o.outcome) == show(pred.outcome), r,
            "observed:\n" + show(r.o.outcome) + "predicted:\n" + show(pred.outcome));
}

void prop_model_holds_under_every_policy(const Schedule& s) {
    const Program p = *gen_program();
    const Prediction pred = predict(p, g_belief);
    RC_PRE(!pred.ambiguous);
    const Ran r = run_program(p, s);
    require_clean_run(r);
    RC_TAG(std::string(aio::sim::policy_name(s.policy)),
           r.rec->nonzero_decisions == 0 ? "asyncio's order" : "perturbed");
    require(show(r.o.outcome) == show(pred.outcome), r,
            "observed:\n" + show(r.o.outcome) + "predicted:\n" + show(pred.outcome));
}

namespace {

aio::Coro<int> yielding_child(int i, int yields) {
    for (int y = 0; y < yields; ++y) co_await aio::sleep(std::chrono::seconds(0));
    co_return i;
}

aio::Coro<std::vector<int>> gather_main(std::vector<int> yields) {
    std::vector<aio::Task<int>> children;
    for (std::size_t i = 0; i < yields.size(); ++i)
        children.push_back(aio::create_task(yielding_child(static_cast<int>(i), yields[i])));
    co_return co_await shim::gather(std::move(children));
}

}  // namespace

void prop_gather_keeps_argument_order(const Schedule& s) {
    const auto yields =
        *rc::gen::resize(10, rc::gen::nonEmpty(rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 3))));
    aio::sim::Config cfg = aio::check::lenient_config(s);
    aio::sim::Recorder rec;
    std::vector<int> got = aio::run(gather_main(yields), {.loop_factory = aio::sim::loop_factory(cfg, rec)});
    RC_LOG() << "schedule as run: AIOSIM_REPLAY=" << rec->replay << "\n";
    std::vector<int> expected(yields.size());
    for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<int>(i);
    if (got != expected) {
        g_last_failing = rec->schedule;
        RC_FAIL(fmt::format("gather returned [{}]", fmt::join(got, ", ")));
    }
}

namespace {

struct Large {
    std::array<std::uint64_t, 512> words{};
    friend bool operator==(const Large&, const Large&) = default;
};

template <class T>
aio::Coro<T> produce(T v, int yields) {
    for (int y = 0; y < yields; ++y) co_await aio::sleep(std::chrono::seconds(0));
    co_return v;
}

template <class T>
aio::Coro<T> relay(T v, int yields, int sleeps) {
    auto t = aio::create_task(produce(std::move(v), yields));
    for (int i = 0; i < sleeps; ++i) co_await aio::sleep(std::chrono::milliseconds(i));
    co_return co_await t;
}

template <class T, class Eq>
void check_propagates(const Schedule& s, T v, T expected, Eq eq) {
    const int yields = *rc::gen::inRange(0, 4);
    const int sleeps = *rc::gen::inRange(0, 3);
    aio::sim::Config cfg = aio::check::lenient_config(s);
    T got = aio::run(relay(std::move(v), yields, sleeps), {.loop_factory = aio::sim::loop_factory(cfg)});
    RC_ASSERT(eq(got, expected));
}

}  // namespace

void prop_result_propagates(const Schedule& s) {
    switch (*rc::gen::inRange(0, 5)) {
    case 0: {
        const int v = *rc::gen::arbitrary<int>();
        check_propagates(s, v, v, std::equal_to<>{});
        break;
    }
    case 1: {
        const std::string v = *rc::gen::arbitrary<std::string>();
        check_propagates(s, v, v, std::equal_to<>{});
        break;
    }
    case 2: {
        const int v = *rc::gen::arbitrary<int>();
        check_propagates(s, std::make_unique<int>(v), std::make_unique<int>(v),
                         [](const auto& a, const auto& b) { return a && b && *a == *b; });
        break;
    }
    case 3: {
        Large v;
        for (auto& w : v.words) w = *rc::gen::arbitrary<std::uint64_t>();
        check_propagates(s, v, v, std::equal_to<>{});
        break;
    }
    default: {
        const auto v = *rc::gen::arbitrary<std::vector<std::string>>();
        check_propagates(s, v, v, std::equal_to<>{});
        break;
    }
    }
}

}  // namespace aio::props
