// Exploration throughput (issue 13, "Throughput"): runs per second of `aiosim explore` on the
// lesson's gather example (scenarios/reference/gather_exception_propagates), through the
// command line itself (aio::cli::main: the plan, the scenario's oracle, output capture, the
// outcome and trace hashes, distinct counting), on 1 and 2 jobs; and the trace hash's cost
// per event (trace.hpp's definition on fields) beside the text form it replaced (format each
// line, hash its bytes).
//
//   aiosim_explore_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// runs_per_s is per second of real time; runs_per_cpu_s per second of this process's CPU time
// (all its threads: on a shared machine real time includes the other processes' turns, and
// with J jobs a flat CPU time per run is linear scaling). AIOSIM_BENCH_SCALE=k divides the
// seed counts by k (the CTest smoke run uses it).
#include <benchmark/benchmark.h>

#include <aio/cli.hpp>
#include <aio/scenario.hpp>
#include <aio/sim/trace.hpp>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <sstream>
#include <string>
#include <vector>

#include "bench_support.hpp"

namespace {

namespace sim = aio::sim;

using bench::scaled;

using bench::process_cpu_seconds;

// `aiosim explore gather_exception_propagates --seeds N --jobs J` (the random policy, trace
// hashes on: the distinct traces line).
void explore_gather(benchmark::State& state) {
    const int seeds = scaled(20'000);
    const std::string seeds_arg = std::to_string(seeds);
    const std::string jobs_arg = std::to_string(state.range(0));
    const std::vector<const char*> argv = {
        "aiosim", "explore", "gather_exception_propagates", "--seeds", seeds_arg.c_str(), "--jobs", jobs_arg.c_str()};
    std::uint64_t runs = 0;
    double cpu = 0;
    for (auto _ : state) {
        std::ostringstream out, err;
        const double c0 = process_cpu_seconds();
        const int status =
            aio::cli::main(static_cast<int>(argv.size()), argv.data(), aio::scenario::Registry::global(), out, err);
        cpu += process_cpu_seconds() - c0;
        if (status != 0 || out.str().find("0 failed") == std::string::npos) {
            state.SkipWithError(("explore failed: " + out.str() + err.str()).c_str());
            return;
        }
        runs += static_cast<std::uint64_t>(seeds);
    }
    state.counters["runs_per_s"] = benchmark::Counter(static_cast<double>(runs), benchmark::Counter::kIsRate);
    state.counters["runs_per_cpu_s"] = cpu > 0 ? static_cast<double>(runs) / cpu : 0.0;
    state.counters["cpu_us_per_run"] = runs > 0 ? cpu * 1e6 / static_cast<double>(runs) : 0.0;
}
BENCHMARK(explore_gather)
    ->Name("explore_gather_exception_propagates/jobs")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A trace's typical events: a task's step, its sleep, a decision, a timer's firing.
std::vector<sim::TraceEvent> typical_events() {
    std::vector<sim::TraceEvent> ev(4);
    for (std::size_t i = 0; i < ev.size(); ++i) {
        ev[i].time = aio::TimePoint(std::chrono::milliseconds(1500));
        ev[i].step = 12 + i;
        ev[i].task = 3;
        ev[i].name = "second";
    }
    ev[0].kind = sim::TraceKind::step;
    ev[1].kind = sim::TraceKind::sleep;
    ev[1].until = aio::TimePoint(std::chrono::seconds(2));
    ev[2].kind = sim::TraceKind::decision;
    ev[2].task = 0;
    ev[2].name.clear();
    ev[2].choice = 'r';
    ev[2].index = 1;
    ev[2].of = 3;
    ev[3].kind = sim::TraceKind::fired;
    ev[3].until = ev[1].until;
    return ev;
}

// The trace hash per event, as the recorder computes it (trace.hpp: FNV-1a over the fields).
void trace_hash_per_event(benchmark::State& state) {
    const std::vector<sim::TraceEvent> ev = typical_events();
    std::uint64_t h = sim::fnv1a64_offset;
    for (auto _ : state) {
        for (const auto& e : ev) h = sim::trace_hash_event(e, h);
        benchmark::DoNotOptimize(h);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * ev.size()));
}
BENCHMARK(trace_hash_per_event)->Name("trace_hash/fields_per_event");

// The definition before issue 13, for comparison: each event's text line formatted, then hashed.
void trace_text_hash_per_event(benchmark::State& state) {
    const std::vector<sim::TraceEvent> ev = [] {
        auto v = typical_events();
        // The text definition's events carried their details as text.
        v[1].detail = "until=2.000000000";
        v[2].detail = "r1 of 3";
        return v;
    }();
    std::uint64_t h = sim::fnv1a64_offset;
    std::string line;
    for (auto _ : state) {
        for (const auto& e : ev) {
            line.clear();
            sim::append_trace_line(line, e);
            line += '\n';
            h = sim::fnv1a64(line, h);
        }
        benchmark::DoNotOptimize(h);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * ev.size()));
}
BENCHMARK(trace_text_hash_per_event)->Name("trace_hash/text_line_per_event");

}  // namespace

BENCHMARK_MAIN();
