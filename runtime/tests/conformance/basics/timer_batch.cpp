// Timers due within a millisecond of each other fire in one pass (the simulator's batch=,
// default 1ms, models CPython's epoll wait, rounded up to whole milliseconds): a, b, c.
#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    aio::Future<void> done(loop);
    loop.call_later(5ms, [&loop] {
        out("a (due at 5 ms)");
        loop.call_soon([] { out("c (call_soon from a)"); });
    });
    loop.call_later(5001us, [] { out("b (due at 5.001 ms)"); });
    loop.call_later(400ms, [done]() mutable {
        out("f (due at 400 ms)");
        done.set_result();
    });
    loop.call_later(200ms, [&loop] {
        out("d (due at 200 ms)");
        loop.call_soon([] { out("e (call_soon from d)"); });
    });
    co_await done;
    out("done");
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
