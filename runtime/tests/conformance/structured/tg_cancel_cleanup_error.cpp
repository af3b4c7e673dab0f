#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;
using conformance::show;

static aio::Coro<void> bad_cleanup(std::string name) {
    try {
        co_await aio::sleep(10s);
    } catch (...) {}
    // finally: raising here replaces the CancelledError, as in Python
    out("{} finally raises", name);
    throw aio::ValueError(name + " cleanup");
}

static aio::Coro<void> crash_soon() {
    co_await aio::sleep(300ms);
    out("crash_soon raises");
    throw aio::RuntimeError("crashed");
}

static aio::Coro<void> runner1() {
    co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
        tg.create_task(bad_cleanup("b1"));
        co_await aio::sleep(10s);
    });
}

static aio::Coro<void> runner2() {
    co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
        tg.create_task(crash_soon());
        std::exception_ptr cancelled;
        try {
            co_await aio::sleep(10s);
        } catch (const aio::CancelledError&) {
            cancelled = std::current_exception();
            out("body cancelled, cleaning up for 0.4 s");
        }
        if (cancelled) {
            try {
                co_await aio::sleep(400ms);
            } catch (const aio::CancelledError&) {
                out("body cleanup interrupted");
            }
            std::rethrow_exception(cancelled);
        }
    });
}

static aio::Coro<void> amain() {
    for (auto runner : {runner1, runner2}) {
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        r.cancel();
        try {
            co_await r;
        } catch (const aio::ExceptionGroup&) {
            show(std::current_exception());
            out("runner cancelled: {}", py(r.cancelled()));
        }
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
