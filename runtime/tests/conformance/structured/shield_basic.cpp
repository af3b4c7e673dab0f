#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;

static aio::Coro<std::string> save(std::string name, std::chrono::milliseconds delay) {
    try {
        co_await aio::sleep(delay);
    } catch (const aio::CancelledError&) {
        out("{} cancelled", name);
        throw;
    }
    out("{} saved", name);
    co_return name + " ok";
}

static aio::Coro<std::string> caller(aio::Task<std::string> inner) {
    try {
        co_return co_await aio::shield(inner);
    } catch (const aio::CancelledError&) {
        out("caller cancelled; inner done: {}", py(inner.done()));
        throw;
    }
}

static aio::Coro<void> amain() {
    // The awaiting task is cancelled; the shielded task keeps running.
    auto inner = aio::create_task(save("record", 300ms));
    auto c = aio::create_task(caller(inner));
    co_await aio::sleep(100ms);
    c.cancel();
    try {
        co_await c;
    } catch (const aio::CancelledError&) {
        out("caller task cancelled: {}", py(c.cancelled()));
    }
    out("inner result later: {}", co_await inner);

    // wait_for + shield: TimeoutError, but the task is not cancelled.
    inner = aio::create_task(save("report", 200ms));
    try {
        co_await aio::wait_for(aio::shield(inner), 100ms);
    } catch (const aio::TimeoutError&) {
        out("TimeoutError; inner cancelled: {} done: {}", py(inner.cancelled()), py(inner.done()));
    }
    out("inner result: {}", co_await inner);

    // shield of a coroutine wraps it in a task that survives the cancellation.
    auto outer = aio::shield(save("coro", 200ms));
    co_await aio::sleep(100ms);
    bool cancelled = outer.cancel();
    out("outer.cancel(): {} | outer cancelled: {}", py(cancelled), py(outer.cancelled()));
    co_await aio::sleep(200ms);

    // Without cancellation, shield is transparent.
    out("plain: {}", co_await aio::shield(save("plain", 100ms)));
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
