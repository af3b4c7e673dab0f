// aiosim's benchmark suite (issue 3, item 10): the lesson's gather example run end to end,
// 100,000 sleeping tasks gathered, a ping-pong between two tasks, and 1,000 tasks x 1,000
// sleep(0) yields; under the simulator (fifo, tracing off) and, where the program does not
// sleep for real, on the real loop. Times are this thread's CPU time (the machine may be
// shared); compare.py runs this and the Python twin (bench.py) side by side.
//
//   aiosim_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//   aiosim_bench --cold-sleepers     one run of the 100,000 sleepers in this fresh process,
//                                    then exits: prints {"cpu_s", "wall_s", "max_rss_MiB"}
//
// AIOSIM_BENCH_SCALE=k divides every program's size by k (the CTest smoke run uses it).
#include <benchmark/benchmark.h>

#include <aio/aio.hpp>
#include <aio/detail/pool.hpp>
#include <aio/sim/sim.hpp>
#include <algorithm>
#include <chrono>
#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "alloc_counter.hpp"
#include "bench_support.hpp"
#include "programs.hpp"
#include "raise_probe.hpp"

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

// ---- the floor of a raise (issue 15 §1) -----------------------------------------------
// A minimal coroutine type, without a loop: its body runs when resumed, an exception that
// leaves the body is kept (unhandled_exception), and a coroutine awaiting it resumes it at
// once and gets that exception rethrown at its co_await. The two benchmarks below time what
// every raise of the lesson program must cost at least: a throw caught by the coroutine frame
// it was thrown in (the task's error, the CancelledError at shutdown), and a rethrow into an
// awaiting coroutine that catches it (the error at gather, and out of run()).
struct Mini {
    struct promise_type {
        std::exception_ptr error;
        std::coroutine_handle<> continuation;
        Mini get_return_object() { return Mini{std::coroutine_handle<promise_type>::from_promise(*this)}; }
        std::suspend_always initial_suspend() noexcept { return {}; }
        auto final_suspend() noexcept {
            struct Final {
                bool await_ready() noexcept { return false; }
                std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
                    std::coroutine_handle<> c = h.promise().continuation;
                    return c ? c : std::noop_coroutine();
                }
                void await_resume() noexcept {}
            };
            return Final{};
        }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { error = std::current_exception(); }
    };
    explicit Mini(std::coroutine_handle<promise_type> h) : h(h) {}
    Mini(Mini&& o) noexcept : h(std::exchange(o.h, {})) {}
    Mini& operator=(Mini&&) = delete;
    ~Mini() {
        if (h) h.destroy();
    }
    bool await_ready() noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> c) noexcept {
        h.promise().continuation = c;
        return h;
    }
    void await_resume() {
        if (h.promise().error) std::rethrow_exception(std::move(h.promise().error));
    }
    std::coroutine_handle<promise_type> h;
};

Mini mini_thrower(const char* what) {
    throw std::runtime_error(what);
    co_return;
}

Mini mini_catcher(const char* what, int& caught) {
    try {
        co_await mini_thrower(what);
    } catch (const std::exception& e) {
        caught += e.what()[0] != '\0';
    }
}

const char* const k_error = "Произошла ошибка в main()";  // the lesson's message (heap-allocated)

double median(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
}

// Per raise: `ns_per_raise` is the probe's median (raise_probe.hpp: from the throw to the
// catch), the time per iteration covers the rest too (the exception object, the frame).
void raise_floor_throw(benchmark::State& state) {
    std::vector<double> ns;
    int kept = 0;
    for (auto _ : state) {
        Mini m = mini_thrower(k_error);
        bench::raise_probe_begin();
        m.h.resume();
        std::vector<bench::RaiseRecord> r = bench::raise_probe_end();
        kept += m.h.promise().error != nullptr;
        if (r.size() == 1) ns.push_back(r[0].ns);
    }
    if (kept != static_cast<int>(state.iterations())) state.SkipWithError("the thrown exception was not kept");
    state.counters["ns_per_raise"] = median(std::move(ns));
}
BENCHMARK(raise_floor_throw)->Name("raise_floor/throw_catch_1frame")->Unit(benchmark::kNanosecond);

void raise_floor_rethrow(benchmark::State& state) {
    std::vector<double> throw_ns, rethrow_ns;
    int caught = 0;
    for (auto _ : state) {
        Mini c = mini_catcher(k_error, caught);
        bench::raise_probe_begin();
        c.h.resume();
        std::vector<bench::RaiseRecord> r = bench::raise_probe_end();
        if (r.size() == 2) {
            throw_ns.push_back(r[0].ns);
            rethrow_ns.push_back(r[1].ns);
        }
    }
    if (caught != static_cast<int>(state.iterations())) state.SkipWithError("the rethrown exception was not caught");
    state.counters["throw_ns"] = median(std::move(throw_ns));
    state.counters["ns_per_raise"] = median(std::move(rethrow_ns));
}
BENCHMARK(raise_floor_rethrow)->Name("raise_floor/rethrow_into_awaiter")->Unit(benchmark::kNanosecond);

// The lesson program's raises, each timed by the probe: raise_k_ns is the median of the k-th
// raise of a run (in the order they start), raises_per_run and nested_per_run count them (a
// nested raise started inside another's landing pad: its time is inside that one's too), and
// other_us is the median run's CPU time minus raises_us, the median of its raises' sum (the
// part without exceptions, roughly: the raises are timed in wall-clock time).
void lesson_gather_raises(benchmark::State& state) {
    const aio::RunOptions opts = sim_options();
    bench::Lines out;
    out.reserve(8);
    std::vector<std::vector<double>> per_raise;
    std::vector<double> raise_total, run_cpu;
    std::size_t raises = 0, nested = 0;
    for (auto _ : state) {
        out.clear();
        const double t0 = bench::thread_cpu_seconds();
        bench::raise_probe_begin();
        bench::lesson_program(out, opts);
        std::vector<bench::RaiseRecord> r = bench::raise_probe_end();
        run_cpu.push_back(bench::thread_cpu_seconds() - t0);
        raises += r.size();
        double total = 0;
        for (std::size_t i = 0; i < r.size(); ++i) {
            if (per_raise.size() <= i) per_raise.emplace_back();
            per_raise[i].push_back(r[i].ns);
            if (r[i].depth == 0)
                total += r[i].ns;
            else
                ++nested;
        }
        raise_total.push_back(total);
    }
    if (out.size() != 5) state.SkipWithError("the lesson program printed something unexpected");
    const auto n = static_cast<double>(state.iterations());
    state.counters["raises_per_run"] = static_cast<double>(raises) / n;
    state.counters["nested_per_run"] = static_cast<double>(nested) / n;
    for (std::size_t i = 0; i < per_raise.size() && i < 8; ++i)
        state.counters["raise_" + std::to_string(i + 1) + "_ns"] = median(std::move(per_raise[i]));
    const double raises_us = median(std::move(raise_total)) / 1e3;
    state.counters["raises_us"] = raises_us;
    state.counters["other_us"] = median(std::move(run_cpu)) * 1e6 - raises_us;
}
BENCHMARK(lesson_gather_raises)->Name("lesson_gather/raises")->Unit(benchmark::kMicrosecond);

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

// The cold start (issue 15, section 3): the process's first run of the 100,000 sleepers,
// every page fresh from the kernel; the peak RSS is the whole process's, as for the peers.
int cold_sleepers() {
    const int n = scaled(100'000);
    const aio::RunOptions opts = sim_options();
    const double c0 = bench::thread_cpu_seconds();
    const auto w0 = std::chrono::steady_clock::now();
    aio::run(bench::sleepers_main(n, 1), opts);
    const double cpu = bench::thread_cpu_seconds() - c0;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    std::printf("{\"cpu_s\": %.6f, \"wall_s\": %.6f, \"max_rss_MiB\": %.1f}\n", cpu, wall,
                static_cast<double>(bench::max_rss_bytes()) / (1024.0 * 1024.0));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 2 && std::strcmp(argv[1], "--cold-sleepers") == 0) return cold_sleepers();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
