#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::show;

static aio::Coro<void> crash_after(std::string name, std::chrono::milliseconds t) {
    try {
        co_await aio::sleep(t);
    } catch (const aio::CancelledError&) {
        out("{} cancelled", name);
        throw;
    }
    out("{} raises", name);
    throw aio::ValueError(name);
}

static aio::Coro<void> inner_block(std::chrono::milliseconds inner_delay) {
    try {
        co_await aio::task_group([&](aio::TaskGroup& g2) -> aio::Coro<void> {
            g2.create_task(crash_after("inner-child", inner_delay));
            co_return;
        });
    } catch (...) {
        out("inner block raises {}", conformance::type(std::current_exception()));
        throw;
    }
}

static aio::Coro<void> amain() {
    // The outer child fails first: the inner group is cancelled; only the outer error.
    try {
        co_await aio::task_group([&](aio::TaskGroup& g1) -> aio::Coro<void> {
            g1.create_task(crash_after("outer-child", 100ms));
            co_await inner_block(1s);
        });
    } catch (const aio::ExceptionGroup&) {
        show(std::current_exception());
    }

    // The inner child fails first: the inner ExceptionGroup is nested in the outer one.
    try {
        co_await aio::task_group([&](aio::TaskGroup& g1) -> aio::Coro<void> {
            g1.create_task(crash_after("outer-child", 1s));
            co_await inner_block(100ms);
        });
    } catch (const aio::ExceptionGroup&) {
        show(std::current_exception());
    }
    // 1, as in CPython 3.12: the inner group cancelled its parent after its own exit had
    // checked for that, so it never withdrew the request.
    out("cancelling = {}", aio::current_task().cancelling());
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
