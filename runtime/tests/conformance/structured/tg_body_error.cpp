#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;
using conformance::show;

static aio::Coro<void> sleeper(std::string name, std::chrono::milliseconds delay) {
    try {
        co_await aio::sleep(delay);
        out("{} finished", name);
    } catch (const aio::CancelledError&) {
        out("{} cancelled", name);
        throw;
    }
}

static aio::Coro<void> failing(std::string name, std::chrono::milliseconds delay) {
    co_await aio::sleep(delay);
    out("{} raises", name);
    throw aio::ValueError(name + " failed");
}

static aio::Coro<void> amain() {
    // 1. The body raises at once: the children are cancelled before they start.
    aio::Task<void> t1;
    try {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
            t1 = tg.create_task(sleeper("a", 1s));
            throw aio::RuntimeError("body failed");
            co_return;
        });
    } catch (const aio::ExceptionGroup&) {
        show(std::current_exception());
        out("a cancelled: {}", py(t1.cancelled()));
    }

    // 2. The body raises after a while.
    try {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
            tg.create_task(sleeper("b", 1s));
            co_await aio::sleep(100ms);
            out("body raises");
            throw LookupError("k");
        });
    } catch (const aio::ExceptionGroup&) {
        show(std::current_exception());
    }

    // 3. A child fails; the body, cancelled, raises something else: both are reported, the
    //    child's error first, and create_task is refused while shutting down.
    try {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
            tg.create_task(failing("c", 100ms));
            tg.create_task(sleeper("d", 1s));
            try {
                co_await aio::sleep(1s);
            } catch (const aio::CancelledError&) {
                out("body cancelled");
                try {
                    tg.create_task(sleeper("e", 1s));
                } catch (const aio::RuntimeError& e) {
                    out("create_task: {}", e.what());
                }
                throw TypeError("body gave up");
            }
        });
    } catch (const aio::ExceptionGroup&) {
        show(std::current_exception());
    }
    out("cancelling = {}", aio::current_task().cancelling());
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
