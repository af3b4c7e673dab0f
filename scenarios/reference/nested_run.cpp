// C++ twin of nested_run.py: run() called inside a running loop raises
// RuntimeError. Prints nothing, and after 1 s ends with exit status 1 and the error line
// "RuntimeError: aio::run() cannot be called from a running event loop" on standard error.
#include <aio/aio.hpp>
#include <aio/scenario.hpp>

using namespace std::chrono_literals;
using aio::scenario::Context;

namespace {

aio::Coro<void> nested_run(Context& ctx) {
    // asyncio.run(await asyncio.sleep(1)) passes the sleep's result, None; the twin passes an
    // empty coroutine. Like asyncio.run, aio::run looks for a running loop before it looks at
    // its argument, so both fail for the same reason.
    co_await aio::sleep(1s);
    aio::run(aio::Coro<void>{}, ctx.run_options());
}

aio::Coro<void> main(Context& ctx) { co_await nested_run(ctx); }

}  // namespace

// No try/catch at the top level, as in Python: the exception is the program's uncaught
// exception (reported on standard error, exit status 1).
AIOSIM_SCENARIO(nested_run, "run() called inside a running loop raises RuntimeError") {
    aio::run(main(ctx), ctx.run_options());
    return 0;
}

AIOSIM_ORACLE(nested_run) {
    verdict.require(
        outcome.escaped_description() == "RuntimeError: aio::run() cannot be called from a running event loop",
        "the nested run() must raise aio::RuntimeError out of the program, but what escaped is '{}'",
        outcome.escaped_description());
    verdict.require(outcome.exit_status == 1, "the exit status must be 1, got {}", outcome.exit_status);
    verdict.require(outcome.last_error() == "RuntimeError: aio::run() cannot be called from a running event loop",
                    "the last error line must name the RuntimeError, but it is '{}'", outcome.last_error());
    verdict.require(outcome.lines.empty(), "nothing may be printed on standard output, got {} lines",
                    outcome.lines.size());
}
