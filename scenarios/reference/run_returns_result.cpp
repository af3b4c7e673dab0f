// C++ twin of run_returns_result.py: aio::run() returns the main coroutine's
// result; two tasks made with create_task. Prints run_returns_result.expected in 2 s.
#include <aio/aio.hpp>
#include <aio/scenario.hpp>
#include <string>

using namespace std::chrono_literals;
using aio::scenario::Context;

namespace {

aio::Coro<void> coroutine_1(Context& ctx) {
    co_await aio::sleep(1s);
    ctx.print("Корутина 1 выполнена");
}

aio::Coro<void> coroutine_2(Context& ctx) {
    co_await aio::sleep(2s);
    ctx.print("Корутина 2 выполнена");
}

aio::Coro<std::string> main(Context& ctx) {
    auto task1 = aio::create_task(coroutine_1(ctx));
    auto task2 = aio::create_task(coroutine_2(ctx));
    co_await task1;
    co_await task2;
    co_return "Все корутины выполнены";
}

}  // namespace

AIOSIM_SCENARIO(run_returns_result,
                "aio::run() returns the main coroutine's result; two tasks created with create_task") {
    // Точка входа программы
    std::string result = aio::run(main(ctx), ctx.run_options());
    ctx.print("{}", result);
    return 0;
}

// In every schedule: both coroutines report before run() returns, and the result is the
// last line.
AIOSIM_ORACLE(run_returns_result) {
    verdict.require(!outcome.escaped && outcome.exit_status == 0,
                    "the program must end normally, but it exited with status {} ({})", outcome.exit_status,
                    outcome.escaped_description());
    verdict.require(outcome.last_line() == "Все корутины выполнены",
                    "run()'s result 'Все корутины выполнены' must be printed last, but the last line is '{}'",
                    outcome.last_line());
    for (const char* line : {"Корутина 1 выполнена", "Корутина 2 выполнена"})
        verdict.require(outcome.count(line) == 1, "'{}' must be printed once (before run() returns), got {} times",
                        line, outcome.count(line));
}
