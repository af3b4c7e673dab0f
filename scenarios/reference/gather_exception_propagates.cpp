// C++ twin of gather_exception_propagates.py: an exception in one task
// propagates out of run(); the task still running is cancelled and never finishes. Prints
// gather_exception_propagates.expected in 2 s.
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
    co_await aio::sleep(std::chrono::seconds(duration));
    // Здесь возникает исключение
    ctx.print("Задача {} вызвала ошибку через {} секунды", aio::current_task().name(), duration);
    throw std::runtime_error("Произошла ошибка в main()");
}

aio::Coro<void> main(Context& ctx) {
    auto task1 = aio::create_task(task_func(ctx, 3), "first");
    auto task2 = aio::create_task(task_func(ctx, 1), "second");
    auto task3 = aio::create_task(exceptor(ctx, 2), "ex\u0441eption");
    co_await aio::gather(task1, task2, task3);
}

}  // namespace

AIOSIM_SCENARIO(gather_exception_propagates,
                "an exception in one task propagates out of run(); the still-running task is cancelled "
                "and never finishes") {
    try {
        aio::run(main(ctx), ctx.run_options());
    } catch (const std::exception& e) {
        ctx.print("Было поднято исключение: {}", e.what());
    }
    return 0;
}

// In every schedule: the exception comes out of run() (the top level prints it, last), and
// the task `first` (3 s) never finishes: run() cancels it when the exception leaves main.
AIOSIM_ORACLE(gather_exception_propagates) {
    verdict.require(!outcome.escaped && outcome.exit_status == 0,
                    "the program must end normally, but it exited with status {} ({})", outcome.exit_status,
                    outcome.escaped_description());
    verdict.require(outcome.last_line() == "Было поднято исключение: Произошла ошибка в main()",
                    "the exception must come out of run() and be printed last, but the last line is '{}'",
                    outcome.last_line());
    verdict.require(!outcome.printed("Задача first завершена."),
                    "task first must never finish (run() cancels it), but it printed 'Задача first завершена.'");
}
