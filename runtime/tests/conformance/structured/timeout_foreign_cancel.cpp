#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;

static aio::Coro<void> guarded(std::string name, std::chrono::milliseconds limit, std::chrono::milliseconds work) {
    auto me = aio::current_task();
    auto cm = aio::timeout(limit);
    try {
        co_await cm.run([&]() -> aio::Coro<void> {
            std::exception_ptr cancelled;
            try {
                co_await aio::sleep(work);
            } catch (const aio::CancelledError& e) {
                out("{}: block cancelled ('{}'), cancelling = {}", name, e.message(), me.cancelling());
                cancelled = std::current_exception();
            }
            if (cancelled) {
                co_await aio::sleep(200ms);  // slow cleanup
                std::rethrow_exception(cancelled);
            }
        });
    } catch (const aio::TimeoutError&) {
        out("{}: TimeoutError", name);
    } catch (const aio::CancelledError& e) {
        out("{}: CancelledError '{}' propagates; expired = {}, cancelling = {}", name, e.message(), py(cm.expired()),
            me.cancelling());
        throw;
    }
}

static aio::Coro<void> self_cancel() {
    auto cm = aio::timeout(10s);
    try {
        co_await cm.run([&]() -> aio::Coro<void> {
            aio::current_task().cancel();
            co_await aio::sleep(1s);
        });
    } catch (const aio::CancelledError&) {
        out("c: CancelledError; expired = {}", py(cm.expired()));
        throw;
    }
}

static aio::Coro<void> nap(std::chrono::milliseconds d) { co_await aio::sleep(d); }

static aio::Coro<void> after_cancel() {
    try {
        aio::current_task().cancel();
        co_await aio::sleep(1s);
    } catch (const aio::CancelledError&) {
        out("d: caught the first cancellation; cancelling = {}", aio::current_task().cancelling());
    }
    try {
        co_await aio::timeout(100ms).run(nap(1s));
    } catch (const aio::TimeoutError&) {
        out("d: TimeoutError all the same");
    }
}

static aio::Coro<void> amain() {
    // Cancelled from outside before the deadline: not converted.
    auto t = aio::create_task(guarded("a", 1s, 5s));
    co_await aio::sleep(100ms);
    t.cancel("outside");
    co_await aio::gather_outcomes(t);
    out("a cancelled: {}", py(t.cancelled()));

    // The deadline passes, then a cancel from outside arrives during the cleanup:
    // CancelledError wins over TimeoutError.
    t = aio::create_task(guarded("b", 100ms, 5s));
    co_await aio::sleep(200ms);
    t.cancel("outside");
    co_await aio::gather_outcomes(t);
    out("b cancelled: {}", py(t.cancelled()));

    // The task cancels itself inside the block: CancelledError, not TimeoutError.
    t = aio::create_task(self_cancel());
    co_await aio::gather_outcomes(t);

    // The task was cancelled (and caught it) before entering: the timeout still converts.
    co_await aio::create_task(after_cancel());
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
