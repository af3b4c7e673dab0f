// Quick speed checks of the simulator (fifo, tracing off): the targets are
// > 100k lesson-program runs/s, < 20 ns per sleep(0) step, 100k sleeping tasks < 100 ms.
// tools/bench holds the real benchmark suite; this is for a quick look while developing.
// Prints wall time and this thread's CPU time (on a loaded machine the latter is the
// meaningful one). `sim_microbench real` runs the sleep(0) case on the real loop.
#include <fmt/format.h>

#include <aio/aio.hpp>
#include <aio/sim/sim.hpp>
#include <chrono>
#include <ctime>

#include "programs.hpp"

using namespace std::chrono_literals;

namespace {

struct Stopwatch {
    std::chrono::steady_clock::time_point wall0 = std::chrono::steady_clock::now();
    double cpu0 = cpu();
    static double cpu() {
        timespec t;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
    }
    double wall_s() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count(); }
    double cpu_s() const { return cpu() - cpu0; }
};

aio::Coro<void> yielder(int n) {
    for (int i = 0; i < n; ++i) co_await aio::sleep(0s);
}

aio::Coro<void> many_sleepers(int n) {
    std::vector<aio::Coro<void>> cs;
    cs.reserve(static_cast<std::size_t>(n));
    std::uint64_t x = 12345;
    for (int i = 0; i < n; ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        cs.push_back([](aio::Duration d) -> aio::Coro<void> { co_await aio::sleep(d); }(
            aio::Duration(static_cast<std::int64_t>((x >> 33) % 1'000'000'000))));
    }
    co_await aio::gather(std::move(cs));
}

}  // namespace

int main(int argc, char** argv) {
    const bool real = argc > 1 && std::string_view(argv[1]) == "real";
    aio::RunOptions opts;
    if (!real) opts.loop_factory = aio::sim::loop_factory({.limits = {.max_steps = 1'000'000'000}});
    fmt::print("loop: {}\n", real ? "real" : "sim (fifo)");
    if (!real) {
        const int n = 100000;
        Stopwatch w;
        for (int i = 0; i < n; ++i) {
            programs::Out out;
            programs::gather_propagates(out, opts);
        }
        fmt::print("lesson gather program: {:.0f} runs/s wall, {:.0f} runs/s cpu\n", n / w.wall_s(), n / w.cpu_s());
    }
    {
        const int n = 10'000'000;
        Stopwatch w;
        aio::run(yielder(n), opts);
        fmt::print("sleep(0) yield: {:.1f} ns/step wall, {:.1f} ns/step cpu\n", 1e9 * w.wall_s() / n, 1e9 * w.cpu_s() / n);
    }
    if (!real) {
        for (int rep = 0; rep < 3; ++rep) {
            Stopwatch w;
            aio::run(many_sleepers(100000), opts);
            fmt::print("100k sleeping tasks gathered (run {}): {:.1f} ms wall, {:.1f} ms cpu\n", rep + 1, 1e3 * w.wall_s(),
                       1e3 * w.cpu_s());
        }
    }
    return 0;
}
