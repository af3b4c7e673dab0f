#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::show;

static aio::Coro<void> failing(std::string name, std::chrono::milliseconds delay) {
    co_await aio::sleep(delay);
    out("{} raises", name);
    throw aio::ValueError(name + " failed");
}

static aio::Coro<void> slow_cleanup(std::string name, std::chrono::milliseconds cleanup) {
    bool cancelled = false;
    try {
        co_await aio::sleep(5s);
    } catch (const aio::CancelledError&) {
        cancelled = true;
    }
    if (cancelled) {  // C++ cannot co_await inside a catch block
        co_await aio::sleep(cleanup);
        out("{} cleanup raises", name);
        throw aio::RuntimeError(name + " cleanup failed");
    }
}

static aio::Coro<void> quiet_cancel(std::string name) {
    try {
        co_await aio::sleep(5s);
    } catch (const aio::CancelledError&) {
        out("{} cancelled quietly", name);
        throw;
    }
}

static aio::Coro<void> amain() {
    try {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
            tg.create_task(slow_cleanup("s2", 200ms));
            tg.create_task(failing("f1", 100ms));
            tg.create_task(slow_cleanup("s1", 100ms));
            tg.create_task(failing("f2", 300ms));
            out("body waits");
            co_return;
        });
    } catch (const aio::ExceptionGroup& eg) {
        show(std::current_exception());
        std::string msgs;
        for (auto& e : eg.exceptions()) msgs += (msgs.empty() ? "'" : ", '") + conformance::msg(e) + "'";
        out("messages: [{}]", msgs);
    }

    // Two children failing in the same loop pass are both reported, in completion order.
    try {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
            tg.create_task(failing("g1", 100ms));
            tg.create_task(failing("g2", 100ms));
            tg.create_task(quiet_cancel("q"));
            co_return;
        });
    } catch (const aio::ExceptionGroup&) {
        show(std::current_exception());
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
