// Quick speed checks of the simulator (fifo, tracing off): the targets are
// > 100k lesson-program runs/s, < 20 ns per sleep(0) step, 100k sleeping tasks < 100 ms.
// tools/bench holds the real benchmark suite; this is for a quick look while developing.
#include <fmt/format.h>

#include <aio/aio.hpp>
#include <aio/sim/sim.hpp>
#include <chrono>

#include "programs.hpp"

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

double secs(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

aio::Coro<void> yielder(int n) {
    for (int i = 0; i < n; ++i) co_await aio::sleep(0s);
}

aio::Coro<void> many_sleepers(int n) {
    std::vector<aio::Coro<void>> cs;
    cs.reserve(n);
    std::uint64_t x = 12345;
    for (int i = 0; i < n; ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        cs.push_back([](aio::Duration d) -> aio::Coro<void> { co_await aio::sleep(d); }(aio::Duration((x >> 33) % 1'000'000'000)));
    }
    co_await aio::gather(std::move(cs));
}

}  // namespace

int main(int argc, char** argv) {
    const bool real = argc > 1 && std::string_view(argv[1]) == "real";
    aio::RunOptions opts;
    if (!real) opts.loop_factory = aio::sim::loop_factory({.limits = {.max_steps = 1'000'000'000}});
    fmt::print("loop: {}\n", real ? "real" : "sim (fifo)");

    {
        const int n = 200000;
        auto t0 = Clock::now();
        for (int i = 0; i < n; ++i) {
            programs::Out out;
            if (real) break;
            programs::gather_propagates(out, opts);
        }
        if (!real) fmt::print("lesson gather program: {:.0f} runs/s\n", n / secs(Clock::now() - t0));
    }
    {
        const int n = 10'000'000;
        auto t0 = Clock::now();
        aio::run(yielder(n), opts);
        fmt::print("sleep(0) yield: {:.1f} ns/step\n", 1e9 * secs(Clock::now() - t0) / n);
    }
    {
        auto t0 = Clock::now();
        auto gopts = opts;
        if (!real) gopts.loop_factory = aio::sim::loop_factory({});
        if (!real) aio::run(many_sleepers(100000), gopts);
        if (!real) fmt::print("100k sleeping tasks gathered: {:.1f} ms\n", 1e3 * secs(Clock::now() - t0));
    }
    return 0;
}
