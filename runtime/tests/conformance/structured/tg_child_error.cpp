#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;

static aio::Coro<void> failing(std::string name, std::chrono::milliseconds delay) {
    co_await aio::sleep(delay);
    out("{} raises", name);
    throw aio::ValueError(name + " failed");
}

static aio::Coro<void> sleeper(std::string name, std::chrono::milliseconds delay) {
    struct Finally {
        std::string name;
        ~Finally() { out("{} finally", name); }
    } finally{name};
    try {
        co_await aio::sleep(delay);
        out("{} finished", name);
    } catch (const aio::CancelledError&) {
        out("{} cancelled, cleaning up", name);
        throw;
    }
}

static aio::Coro<void> amain() {
    auto me = aio::current_task();
    aio::Task<void> s;
    try {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
            tg.create_task(failing("f1", 100ms));
            s = tg.create_task(sleeper("s1", 1000ms));
            try {
                co_await aio::sleep(2s);
                out("body not interrupted");
            } catch (const aio::CancelledError&) {
                out("body cancelled; cancelling = {}", me.cancelling());
                throw;
            }
        });
    } catch (const aio::ExceptionGroup&) {
        conformance::show(std::current_exception());
        out("sleeper cancelled: {}", s.cancelled() ? "True" : "False");
    }
    out("after: cancelling = {}", me.cancelling());
    co_await aio::sleep(100ms);
    out("main continues normally");
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
