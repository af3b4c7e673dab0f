// A user's scenario file, linked with aiosim::cli_main only: `user_tool list` and
// `user_tool run hello_user` must work (the registration must survive linking).
#include <aio/aio.hpp>
#include <aio/scenario.hpp>

using namespace std::chrono_literals;

namespace {
aio::Coro<int> greet(aio::scenario::Context& ctx) {
    co_await aio::sleep(0s);
    ctx.print("Hello from {}", aio::current_task().name());
    co_return 3;
}
}  // namespace

AIOSIM_SCENARIO(hello_user, "a user's own scenario: greets after a yield, exits 3") {
    int status = aio::run(greet(ctx), ctx.run_options());
    ctx.print("exiting with {}", status);
    return status;
}
