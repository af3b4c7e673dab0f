// The sync primitives in aiosim_bench (issue 15 §2): for each of Lock, Semaphore, Event,
// Condition and Queue, the path that does not wait (one task) and the waiting path (two tasks
// handing the primitive to each other), on the simulator and on the real loop. Each reports
// ns_per_op: per acquire+release, set+wait+clear, put+get (uncontended), per hand-off
// (contended). The queue's get() hand-off is ping_pong_1M (bench.cpp). Programs:
// sync_programs.hpp; Python twins: bench.py.
#include <benchmark/benchmark.h>

#include <aio/aio.hpp>
#include <aio/sim/sim.hpp>
#include <cstdlib>

#include "sync_programs.hpp"

namespace {

int scaled(int n) {
    static const int k = [] {
        const char* s = std::getenv("AIOSIM_BENCH_SCALE");
        int v = s ? std::atoi(s) : 1;
        return v > 0 ? v : 1;
    }();
    return n / k > 1 ? n / k : 2;
}

aio::RunOptions loop_options(bool sim) {
    if (!sim) return {};
    return {.loop_factory = aio::sim::loop_factory({.schedule = {.limits = {.max_steps = 1'000'000'000}}})};
}

using Program = aio::Coro<void> (*)(int);

void primitive(benchmark::State& state, Program program, bool sim) {
    const int n = scaled(1'000'000);
    const aio::RunOptions opts = loop_options(sim);
    for (auto _ : state) aio::run(program(n), opts);
    state.counters["ns_per_op"] = benchmark::Counter(static_cast<double>(state.iterations()) * n,
                                                     benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

#define AIOSIM_SYNC_BENCH(name)                                          \
    BENCHMARK_CAPTURE(primitive, name##_sim, &bench::sync::name, true)   \
        ->Name(#name "_1M/sim")                                          \
        ->Unit(benchmark::kMillisecond);                                 \
    BENCHMARK_CAPTURE(primitive, name##_real, &bench::sync::name, false) \
        ->Name(#name "_1M/real")                                         \
        ->Unit(benchmark::kMillisecond)

AIOSIM_SYNC_BENCH(lock_uncontended);
AIOSIM_SYNC_BENCH(lock_contended);
AIOSIM_SYNC_BENCH(sem_uncontended);
AIOSIM_SYNC_BENCH(sem_contended);
AIOSIM_SYNC_BENCH(event_uncontended);
AIOSIM_SYNC_BENCH(event_pingpong);
AIOSIM_SYNC_BENCH(condition_uncontended);
AIOSIM_SYNC_BENCH(condition_pingpong);
AIOSIM_SYNC_BENCH(queue_uncontended);
AIOSIM_SYNC_BENCH(queue_put_contended);

}  // namespace
