// sleep: wake-up order by deadline, sleep(0) yields in FIFO order, cancelling a sleep, a
// negative delay.
#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

static aio::Coro<std::string> sleeper(std::string tag, std::vector<std::chrono::milliseconds> delays) {
    aio::EventLoop& loop = aio::get_running_loop();
    const auto t0 = loop.time();
    for (auto d : delays) {
        co_await aio::sleep(d);
        out("{} woke after {:.1f}", tag, std::chrono::duration<double>(loop.time() - t0).count());
    }
    co_return tag;
}

static aio::Coro<void> yielder(std::string tag, int n) {
    for (int i = 0; i < n; ++i) {
        out("{} step {}", tag, i);
        co_await aio::sleep(0s);
    }
}

static aio::Coro<void> amain() {
    // Built first: GCC 12 rejects a braced list inside a co_await expression.
    auto cx = sleeper("x", {300ms, 200ms});
    auto cy = sleeper("y", {100ms, 100ms, 200ms});
    auto cz = sleeper("z", {0ms});
    auto [x, y, p, q, z] =
        co_await aio::gather(std::move(cx), std::move(cy), yielder("p", 3), yielder("q", 2), std::move(cz));
    (void)p;
    (void)q;
    out("['{}', '{}', None, None, '{}']", x, y, z);
    auto t = aio::create_task(sleeper("long", {10'000ms}));
    co_await aio::sleep(100ms);
    t.cancel();
    try {
        co_await t;
    } catch (const aio::CancelledError&) {
        out("long sleep cancelled");
    }
    co_await aio::sleep(-1s);
    out("negative sleep returns at once");
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
