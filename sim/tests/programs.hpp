#pragma once
// C++ versions of the lesson's reference programs (scenarios/reference/*.py), written against an
// output sink so tests can compare lines and check the programs' guarantees.
#include <fmt/format.h>

#include <aio/aio.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace programs {

struct Out {
    std::vector<std::string> lines;
    bool first_finished = false;  // the task named `first` reached its last line
    int finished = 0;             // task_func instances that finished
    template <class... A>
    void print(fmt::format_string<A...> f, A&&... a) {
        lines.push_back(fmt::format(f, std::forward<A>(a)...));
    }
};

inline aio::Coro<void> task_func(Out& out, int duration, bool is_first = false) {
    std::string name = aio::current_task().name();
    out.print("Задача {} запущена, будет выполнена за {} секунд.", name, duration);
    co_await aio::sleep(std::chrono::seconds(duration));
    out.print("Задача {} завершена.", name);
    ++out.finished;
    if (is_first) out.first_finished = true;
}

// gather_exception_propagates (the task and function names hold a Cyrillic 'с').
inline aio::Coro<void> exceptor_raises(Out& out, int duration) {
    co_await aio::sleep(std::chrono::seconds(duration));
    out.print("Задача {} вызвала ошибку через {} секунды", aio::current_task().name(), duration);
    throw std::runtime_error("Произошла ошибка в main()");
}

inline aio::Coro<void> gather_propagates_main(Out& out) {
    auto task1 = aio::create_task(task_func(out, 3, true), "first");
    auto task2 = aio::create_task(task_func(out, 1), "second");
    auto task3 = aio::create_task(exceptor_raises(out, 2), "exсeption");
    co_await aio::gather(task1, task2, task3);
}

/// The Python program's top level: run, catch, print.
inline void gather_propagates(Out& out, aio::RunOptions opts) {
    try {
        aio::run(gather_propagates_main(out), std::move(opts));
    } catch (const std::exception& e) {
        out.print("Было поднято исключение: {}", e.what());
    }
}

// gather_exception_handled.
inline aio::Coro<void> exceptor_handles(Out& out, int duration) {
    try {
        co_await aio::sleep(std::chrono::seconds(duration));
        out.print("Задача {} вызвала ошибку через {} секунды", aio::current_task().name(), duration);
        throw std::runtime_error("Произошла ошибка");
    } catch (const std::exception& e) {
        out.print("При выполнении задачи {} было поднято исключение: {}", aio::current_task().name(), e.what());
    }
    ++out.finished;
}

inline aio::Coro<void> gather_handled_main(Out& out) {
    auto task1 = aio::create_task(task_func(out, 3, true), "first");
    auto task2 = aio::create_task(task_func(out, 1), "second");
    auto task3 = aio::create_task(exceptor_handles(out, 2), "exсeption");
    co_await aio::gather(task1, task2, task3);
}

// run_returns_result.
inline aio::Coro<void> coroutine_n(Out& out, int n) {
    co_await aio::sleep(std::chrono::seconds(n));
    out.print("Корутина {} выполнена", n);
}

inline aio::Coro<std::string> run_returns_result_main(Out& out) {
    auto task1 = aio::create_task(coroutine_n(out, 1));
    auto task2 = aio::create_task(coroutine_n(out, 2));
    co_await task1;
    co_await task2;
    co_return "Все корутины выполнены";
}

// nested_run: aio::run inside a running loop raises RuntimeError.
inline aio::Coro<void> nothing() { co_return; }
inline aio::Coro<void> nested_run() {
    co_await aio::sleep(std::chrono::seconds(1));
    aio::run(nothing());
}
inline aio::Coro<void> nested_run_main() { co_await nested_run(); }

inline const std::vector<std::string> propagates_expected = {
    "Задача first запущена, будет выполнена за 3 секунд.",
    "Задача second запущена, будет выполнена за 1 секунд.",
    "Задача second завершена.",
    "Задача exсeption вызвала ошибку через 2 секунды",
    "Было поднято исключение: Произошла ошибка в main()",
};

inline const std::vector<std::string> handled_expected = {
    "Задача first запущена, будет выполнена за 3 секунд.",
    "Задача second запущена, будет выполнена за 1 секунд.",
    "Задача second завершена.",
    "Задача exсeption вызвала ошибку через 2 секунды",
    "При выполнении задачи exсeption было поднято исключение: Произошла ошибка",
    "Задача first завершена.",
};

inline const std::vector<std::string> run_returns_result_expected = {
    "Корутина 1 выполнена",
    "Корутина 2 выполнена",
    "Все корутины выполнены",
};

}  // namespace programs
