// wait_for and timeout() around a connect to a listening socket that never accepts (listen(0)
// and its one queue slot taken): TimeoutError after the timeout, not a connection error.
#include "net_pairs.hpp"

using namespace std::chrono_literals;
using conformance::out;
using namespace conformance::net;

static aio::Coro<void> amain() {
    FullListener full;
    const std::uint16_t port = full.listener.port();
    co_await aio::sleep(100ms);
    aio::EventLoop& loop = aio::get_running_loop();
    const aio::TimePoint start = loop.time();
    try {
        co_await aio::wait_for(aio::open_connection("127.0.0.1", port), 300ms);
        out("connected");
    } catch (const aio::TimeoutError&) {
        const auto e = std::current_exception();
        out("{}: {}", conformance::type(e), exc_repr(e));
    }
    const auto waited = loop.time() - start;
    out("waited about 0.3 s: {}", py(waited > 250ms && waited < 1000ms));
    try {
        co_await aio::timeout(200ms).run(
            loop.create_connection([] { return std::make_unique<aio::Protocol>(); }, "127.0.0.1", port));
    } catch (const aio::TimeoutError&) {
        out("timeout() around create_connection: TimeoutError");
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
