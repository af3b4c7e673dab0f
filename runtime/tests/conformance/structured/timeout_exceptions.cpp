#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;

static aio::Coro<void> crash_in_cleanup() {
    try {
        co_await aio::sleep(1s);
    } catch (...) {}
    out("cleanup raises ValueError");  // finally: raise replaces the CancelledError
    throw aio::ValueError("cleanup failed");
}

static aio::Coro<void> amain() {
    auto me = aio::current_task();
    // A foreign exception before the deadline passes through untouched.
    auto cm = aio::timeout(1s);
    try {
        co_await cm.run([]() -> aio::Coro<void> {
            throw LookupError("not found");
            co_return;
        });
    } catch (const LookupError& e) {
        out("LookupError: {} | expired: {}", e.what(), py(cm.expired()));
    }

    // The deadline passes and the cleanup raises: that exception wins.
    cm = aio::timeout(100ms);
    try {
        co_await cm.run(crash_in_cleanup());
    } catch (const aio::ValueError& e) {
        out("ValueError: {} | expired: {} | cancelling: {}", e.what(), py(cm.expired()), me.cancelling());
    }

    // The block swallows the CancelledError and returns a value: no TimeoutError.
    std::string v = co_await aio::timeout(100ms).run([]() -> aio::Coro<std::string> {
        try {
            co_await aio::sleep(1s);
        } catch (const aio::CancelledError&) {
            out("swallowed");
        }
        co_return "value";
    });
    out("block returned {} | cancelling: {}", v, me.cancelling());

    // TimeoutError raised by the block itself is not ours: expired stays False.
    cm = aio::timeout(1s);
    try {
        co_await cm.run([]() -> aio::Coro<void> {
            throw aio::TimeoutError("my own");
            co_return;
        });
    } catch (const aio::TimeoutError& e) {
        out("TimeoutError '{}' | expired: {}", e.what(), py(cm.expired()));
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
