// aiosim's benchmark suite (issue 3, item 10): the lesson's gather example run end to end,
// 100,000 sleeping tasks gathered, a ping-pong between two tasks, and 1,000 tasks x 1,000
// sleep(0) yields; under the simulator (fifo, tracing off) and, where the program does not
// sleep for real, on the real loop. Times are this thread's CPU time (the machine may be
// shared); compare.py runs this and the Python twin (bench.py) side by side.
//
//   aiosim_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// AIOSIM_BENCH_SCALE=k divides every program's size by k (the CTest smoke run uses it).
#include <benchmark/benchmark.h>

#include <aio/aio.hpp>
#include <aio/detail/pool.hpp>
#include <aio/sim/sim.hpp>
#include <cstdlib>
#include <string>

#include "alloc_counter.hpp"
#include "bench_support.hpp"
#include "programs.hpp"

namespace {

using bench::scaled;

aio::RunOptions sim_options() {
    return {.loop_factory = aio::sim::loop_factory({.schedule = {.limits = {.max_steps = 1'000'000'000}}})};
}
aio::RunOptions loop_options(bool sim) { return sim ? sim_options() : aio::RunOptions{}; }

// Seconds per item, shown by Google Benchmark as e.g. "15.2n" (ns).
benchmark::Counter per_item(double items) {
    return benchmark::Counter(items, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void lesson_gather(benchmark::State& state) {
    const aio::RunOptions opts = sim_options();
    {
        bench::Lines out;
        bench::lesson_program(out, opts);
        if (out.size() != 5 || out.back() != "Было поднято исключение: Произошла ошибка в main()") {
            state.SkipWithError("the lesson program printed something unexpected");
            return;
        }
    }
    bench::Lines out;
    out.reserve(8);
    for (auto _ : state) {
        out.clear();
        bench::lesson_program(out, opts);
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["runs_per_s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(lesson_gather)->Name("lesson_gather/sim")->Unit(benchmark::kMicrosecond);

void sleepers(benchmark::State& state) {
    const int n = scaled(100'000);
    const aio::RunOptions opts = sim_options();
    // The first time only (Google Benchmark calls this function several times, and the
    // process's peak RSS grows only once): a cold run, timed, whose memory is all fresh
    // from the kernel, as in a program that runs once; then a run with heap accounting
    // (the peak of live heap bytes). The timed iterations below are warm runs.
    struct Memory {
        bench::AllocStats heap;
        std::size_t rss_delta;
        double cold_ms;
    };
    static const Memory mem = [&] {
        const std::size_t rss0 = bench::max_rss_bytes();
        const double t0 = bench::thread_cpu_seconds();
        aio::run(bench::sleepers_main(n, 1), opts);
        const double cold_ms = (bench::thread_cpu_seconds() - t0) * 1e3;
        const std::size_t rss1 = bench::max_rss_bytes();
        // Blocks the runtime keeps on its per-thread free lists (detail/pool.hpp) since the
        // cold run are reused now without being counted as allocations: add them to the peak.
        const std::size_t pooled = aio::detail::t_pool.cached_bytes;
        bench::alloc_count_begin();
        aio::run(bench::sleepers_main(n, 1), opts);
        bench::AllocStats st = bench::alloc_count_end();
        st.peak_bytes += pooled;
        return Memory{st, rss1 - rss0, cold_ms};
    }();
    state.counters["cold_run_ms"] = mem.cold_ms;
    const bench::AllocStats& st = mem.heap;
    for (auto _ : state) aio::run(bench::sleepers_main(n, 1), opts);
    state.counters["peak_heap_MiB"] = static_cast<double>(st.peak_bytes) / (1024.0 * 1024.0);
    state.counters["heap_B_per_task"] = static_cast<double>(st.peak_bytes) / n;
    state.counters["allocs_per_task"] = static_cast<double>(st.allocations) / n;
    state.counters["maxrss_delta_MiB"] = static_cast<double>(mem.rss_delta) / (1024.0 * 1024.0);
}
BENCHMARK(sleepers)->Name("sleepers_100k/sim")->Unit(benchmark::kMillisecond);

void ping_pong(benchmark::State& state, bool sim) {
    const int messages = scaled(1'000'000);
    const aio::RunOptions opts = loop_options(sim);
    for (auto _ : state) aio::run(bench::ping_pong_main(messages), opts);
    state.counters["ns_per_handoff"] = per_item(static_cast<double>(state.iterations()) * messages);
}
BENCHMARK_CAPTURE(ping_pong, sim, true)->Name("ping_pong_1M/sim")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ping_pong, real, false)->Name("ping_pong_1M/real")->Unit(benchmark::kMillisecond);

void yields(benchmark::State& state, bool sim) {
    const int tasks = scaled(1000), n = 1000;
    const aio::RunOptions opts = loop_options(sim);
    for (auto _ : state) aio::run(bench::yields_main(tasks, n), opts);
    state.counters["ns_per_yield"] = per_item(static_cast<double>(state.iterations()) * tasks * n);
}
BENCHMARK_CAPTURE(yields, sim, true)->Name("yields_1000x1000/sim")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(yields, real, false)->Name("yields_1000x1000/real")->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
