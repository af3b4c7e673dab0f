// A known bug: missing cleanup on cancellation. A handler opens a connection, then awaits
// the handshake, and only then enters the try block that closes the connection when the
// handler is cancelled. The server cancels the handler (its client went away) after three
// passes of its own. In asyncio's own order the handler is already serving (inside the try)
// and the connection is closed; in an order where the cancellation lands during the
// handshake, the connection leaks. The fix: acquire inside the try (or an RAII guard).
#include <aio/aio.hpp>
#include <aio/scenario.hpp>
#include <chrono>

using namespace std::chrono_literals;
using aio::scenario::Context;

namespace {

struct Pool {
    int open = 0;
};

aio::Coro<void> handler(Context& ctx, Pool& pool) {
    co_await aio::sleep(0s);  // read the request
    ++pool.open;
    ctx.print("connection opened");
    co_await aio::sleep(0s);  // handshake: a cancellation here leaks the connection
    try {
        co_await aio::sleep(10s);  // serve
    } catch (const aio::CancelledError&) {
        --pool.open;
        ctx.print("connection closed on cancellation");
        throw;
    }
    --pool.open;
}

aio::Coro<void> main(Context& ctx) {
    Pool pool;
    auto h = aio::create_task(handler(ctx, pool), "handler");
    for (int i = 0; i < 3; ++i) co_await aio::sleep(0s);
    h.cancel();
    try {
        co_await h;
    } catch (const aio::CancelledError&) {
        ctx.print("handler cancelled");
    }
    ctx.print("open connections: {}", pool.open);
}

}  // namespace

AIOSIM_SCENARIO(bug_cancel_leak,
                "known bug: a connection opened before the try that closes it on cancellation; some orders leak it") {
    aio::run(main(ctx), ctx.run_options());
    return 0;
}

AIOSIM_ORACLE(bug_cancel_leak) {
    verdict.require(!outcome.escaped && outcome.exit_status == 0,
                    "the program must end normally, but it exited with status {} ({})", outcome.exit_status,
                    outcome.escaped_description());
    verdict.require(outcome.last_line() == "open connections: 0",
                    "every connection must be closed once the handler is cancelled: the last line must be 'open "
                    "connections: 0', but it is '{}' (leak)",
                    outcome.last_line());
}
