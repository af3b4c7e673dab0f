#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;

static aio::Coro<void> nap(std::chrono::milliseconds d) { co_await aio::sleep(d); }

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    auto me = aio::current_task();

    // Same deadline: only the outermost timeout raises TimeoutError.
    auto deadline = loop.time() + 100ms;
    auto outer = aio::timeout_at(deadline);
    auto inner = aio::timeout_at(deadline);
    try {
        co_await outer.run([&]() -> aio::Coro<void> {
            try {
                co_await inner.run(nap(1s));
            } catch (const aio::CancelledError&) {
                out("inner block let CancelledError through");
                throw;
            }
        });
    } catch (const aio::TimeoutError&) {
        out("outer raised TimeoutError");
    }
    out("expired: outer {} inner {} | cancelling {}", py(outer.expired()), py(inner.expired()), me.cancelling());

    // The inner timeout is shorter: it raises TimeoutError inside the outer block, which goes on.
    outer = aio::timeout(500ms);
    co_await outer.run([&]() -> aio::Coro<void> {
        inner = aio::timeout(100ms);
        try {
            co_await inner.run(nap(1s));
        } catch (const aio::TimeoutError&) {
            out("inner TimeoutError caught inside the outer block");
        }
        co_await aio::sleep(100ms);
        out("outer block finished in time");
    });
    out("expired: outer {} inner {} | cancelling {}", py(outer.expired()), py(inner.expired()), me.cancelling());

    // The outer timeout is shorter: the inner one sees CancelledError, the outer raises.
    outer = aio::timeout(100ms);
    try {
        co_await outer.run([&]() -> aio::Coro<void> {
            inner = aio::timeout(500ms);
            try {
                co_await inner.run(nap(1s));
            } catch (const aio::CancelledError&) {
                out("inner block: CancelledError");
                throw;
            }
        });
    } catch (const aio::TimeoutError&) {
        out("outer TimeoutError");
    }
    out("expired: outer {} inner {} | cancelling {}", py(outer.expired()), py(inner.expired()), me.cancelling());

    // A timeout inside a finally block of an expired timeout still works.
    try {
        co_await aio::timeout(100ms).run([&]() -> aio::Coro<void> {
            std::exception_ptr pending;
            try {
                co_await aio::sleep(1s);
            } catch (...) {
                pending = std::current_exception();
            }
            try {  // finally:
                co_await aio::timeout(100ms).run(nap(1s));
            } catch (const aio::TimeoutError&) {
                out("timeout in finally fired");
            }
            if (pending) std::rethrow_exception(pending);
        });
    } catch (const aio::TimeoutError&) {
        out("outer TimeoutError after finally");
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
