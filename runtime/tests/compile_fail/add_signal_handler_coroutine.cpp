// expect-error: coroutines cannot be used with add_signal_handler()
// A coroutine as a signal handler: asyncio raises TypeError. A std::function<void()> would accept
// it and drop, unstarted, every coroutine each signal creates.
#include <csignal>

#include <aio/event_loop.hpp>

aio::Coro<void> on_hangup() { co_return; }

void install(aio::EventLoop& loop) {
    loop.add_signal_handler(SIGHUP, [] { return on_hangup(); });
}
