#pragma once
// The benchmark programs (issue 3, item 10), written once and run on either loop.
// Their Python twins are in bench.py; compare.py runs both and prints the ratios.
#include <fmt/format.h>

#include <aio/aio.hpp>
#include <aio/sim/prng.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

using namespace std::chrono_literals;

// ---- the lesson's gather example (scenarios/reference/gather_exception_propagates.py) ------
// print() goes to a vector, as the twin appends to a list: the benchmark measures the
// runtime, not the terminal.
using Lines = std::vector<std::string>;

inline aio::Coro<void> task_func(Lines& out, int duration) {
    std::string name = aio::current_task().name();
    out.push_back(fmt::format("Задача {} запущена, будет выполнена за {} секунд.", name, duration));
    co_await aio::sleep(std::chrono::seconds(duration));
    out.push_back(fmt::format("Задача {} завершена.", name));
}

inline aio::Coro<void> exceptor(Lines& out, int duration) {
    co_await aio::sleep(std::chrono::seconds(duration));
    out.push_back(fmt::format("Задача {} вызвала ошибку через {} секунды", aio::current_task().name(), duration));
    throw std::runtime_error("Произошла ошибка в main()");
}

inline aio::Coro<void> lesson_main(Lines& out) {
    auto task1 = aio::create_task(task_func(out, 3), "first");
    auto task2 = aio::create_task(task_func(out, 1), "second");
    auto task3 = aio::create_task(exceptor(out, 2), "ex\u0441eption");
    co_await aio::gather(task1, task2, task3);
}

/// One whole program: run() with a fresh loop, the exception caught and printed.
inline void lesson_program(Lines& out, const aio::RunOptions& opts) {
    try {
        aio::run(lesson_main(out), opts);
    } catch (const std::exception& e) {
        out.push_back(fmt::format("Было поднято исключение: {}", e.what()));
    }
}

// ---- n tasks with random sleeps, gathered ------------------------------------------------
// Sleeps are uniform in [0, 1 s) at 1 µs resolution, drawn from the simulator's PRNG.
inline aio::Coro<void> sleeper(aio::Duration d) { co_await aio::sleep(d); }

inline aio::Coro<void> sleepers_main(int n, std::uint64_t seed) {
    aio::sim::Prng prng(seed);
    std::vector<aio::Coro<void>> cs;
    cs.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        cs.push_back(sleeper(std::chrono::microseconds(static_cast<std::int64_t>(prng.below(1'000'000)))));
    co_await aio::gather(std::move(cs));
}

// ---- ping-pong: two tasks hand one message back and forth through two queues -----------
// `messages` hand-offs in all (messages / 2 round trips).
inline aio::Coro<void> pinger(aio::Queue<int>& to, aio::Queue<int>& from, int rounds) {
    for (int i = 0; i < rounds; ++i) {
        co_await to.put(i);
        (void)co_await from.get();
    }
}
inline aio::Coro<void> ponger(aio::Queue<int>& from, aio::Queue<int>& to, int rounds) {
    for (int i = 0; i < rounds; ++i) co_await to.put(co_await from.get());
}
inline aio::Coro<void> ping_pong_main(int messages) {
    aio::Queue<int> a, b;
    const int rounds = messages / 2;
    co_await aio::gather(pinger(a, b, rounds), ponger(a, b, rounds));
}

// ---- tasks x yields: every task does sleep(0) `yields` times -------------------------------
inline aio::Coro<void> yielder(int yields) {
    for (int i = 0; i < yields; ++i) co_await aio::sleep(0s);
}
inline aio::Coro<void> yields_main(int tasks, int yields) {
    std::vector<aio::Coro<void>> cs;
    cs.reserve(static_cast<std::size_t>(tasks));
    for (int i = 0; i < tasks; ++i) cs.push_back(yielder(yields));
    co_await aio::gather(std::move(cs));
}

}  // namespace bench
