#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;

static aio::Coro<void> failing() {
    co_await aio::sleep(100ms);
    out("child raises");
    throw aio::ValueError("child failed");
}

static aio::Coro<void> nap(std::chrono::milliseconds d) { co_await aio::sleep(d); }

static aio::Coro<void> amain() {
    auto me = aio::current_task();
    try {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
            tg.create_task(failing());
            try {
                co_await aio::sleep(1s);
            } catch (const aio::CancelledError&) {
                out("body swallows the cancellation; cancelling = {}", me.cancelling());
            }
            co_await aio::sleep(100ms);
            out("body slept again without being interrupted");
        });
    } catch (const aio::ExceptionGroup& eg) {
        out("ExceptionGroup: {} ['{}']", eg.what(), conformance::msg(eg.exceptions().at(0)));
    }
    out("cancelling = {}", me.cancelling());

    // The group returns the body's value when nothing failed.
    std::string v = co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<std::string> {
        tg.create_task(nap(100ms));
        co_return "value";
    });
    out("block result: {}", v);
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
