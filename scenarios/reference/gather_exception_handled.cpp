// C++ twin of gather_exception_handled.py: the same exception caught inside
// its task, so every other task finishes. Prints gather_exception_handled.expected in 3 s.
//
// The Python function `exсeptor` and task `exсeption` are spelled with a Cyrillic 'с'
// (U+0441); only the task name reaches the output, so only it keeps that letter here.
#include <aio/aio.hpp>
#include <aio/scenario.hpp>
#include <chrono>
#include <stdexcept>
#include <string>

using aio::scenario::Context;

namespace {

aio::Coro<void> task_func(Context& ctx, int duration) {
    std::string name = aio::current_task().name();
    ctx.print("Задача {} запущена, будет выполнена за {} секунд.", name, duration);
    co_await aio::sleep(std::chrono::seconds(duration));
    ctx.print("Задача {} завершена.", name);
}

aio::Coro<void> exceptor(Context& ctx, int duration) {
    // Перехватываем исключение в опасном месте
    try {
        co_await aio::sleep(std::chrono::seconds(duration));
        // Здесь возникает исключение
        ctx.print("Задача {} вызвала ошибку через {} секунды", aio::current_task().name(), duration);
        throw std::runtime_error("Произошла ошибка");
    } catch (const std::exception& e) {
        ctx.print("При выполнении задачи {} было поднято исключение: {}", aio::current_task().name(), e.what());
    }
}

aio::Coro<void> main(Context& ctx) {
    auto task1 = aio::create_task(task_func(ctx, 3), "first");
    auto task2 = aio::create_task(task_func(ctx, 1), "second");
    auto task3 = aio::create_task(exceptor(ctx, 2), "ex\u0441eption");
    co_await aio::gather(task1, task2, task3);
}

}  // namespace

AIOSIM_SCENARIO(gather_exception_handled, "the same exception caught inside its task: every other task finishes") {
    aio::run(main(ctx), ctx.run_options());
    return 0;
}

// In every schedule: the exception is handled inside its task and every task finishes.
AIOSIM_ORACLE(gather_exception_handled) {
    verdict.require(!outcome.escaped && outcome.exit_status == 0,
                    "the program must end normally, but it exited with status {} ({})", outcome.exit_status,
                    outcome.escaped_description());
    for (const char* line : {"Задача first завершена.", "Задача second завершена.",
                             "При выполнении задачи ex\u0441eption было поднято исключение: Произошла ошибка"})
        verdict.require(outcome.count(line) == 1, "every task must finish: '{}' must be printed once, got {} times",
                        line, outcome.count(line));
}
