#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;

static aio::Coro<void> worker(aio::Future<aio::Timeout> fut) {
    auto cm = aio::timeout(200ms);
    try {
        co_await cm.run([&]() -> aio::Coro<void> {
            fut.set_result(cm);
            co_await aio::sleep(1s);
        });
    } catch (const aio::TimeoutError&) {
        out("worker: TimeoutError at the rescheduled deadline");
    }
}

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    aio::Future<aio::Timeout> fut(loop);
    auto task = aio::create_task(worker(fut));
    aio::Timeout cm = co_await fut;
    out("repr active: {}", py(cm.repr().starts_with("<Timeout [active] when=")));
    // Push the deadline back from another task: 0.2 s passes without a timeout.
    cm.reschedule(loop.time() + 400ms);
    co_await aio::sleep(300ms);
    out("still running after 0.3 s: {}", py(!task.done()));
    cm.reschedule(std::nullopt);
    out("disabled: when = {}", cm.when() ? "set" : "None");
    co_await aio::sleep(200ms);
    cm.reschedule(loop.time() + 100ms);
    co_await task;
    out("repr expired: {}", cm.repr());
    try {
        cm.reschedule(std::nullopt);
    } catch (const aio::RuntimeError& e) {
        out("expired: RuntimeError: {}", e.what());
    }

    auto cm2 = aio::timeout(1s);
    co_await cm2.run([]() -> aio::Coro<void> { co_return; });
    out("repr finished: {}", cm2.repr());
    try {
        cm2.reschedule(loop.time() + 1s);
    } catch (const aio::RuntimeError& e) {
        out("finished: RuntimeError: {}", e.what());
    }

    auto cm3 = aio::timeout(1s);
    out("repr created: {}", cm3.repr());
    try {
        cm3.reschedule(loop.time() + 1s);
    } catch (const aio::RuntimeError& e) {
        out("created: RuntimeError: {}", e.what());
    }

    auto cm4 = aio::timeout(std::nullopt);
    co_await cm4.run([&]() -> aio::Coro<void> {
        out("repr disabled: {}", cm4.repr());
        try {
            co_await cm4.run([]() -> aio::Coro<void> { co_return; });
        } catch (const aio::RuntimeError& e) {
            out("re-enter: RuntimeError: {}", e.what());
        }
    });

    // Rescheduling into the past fires on the next loop pass.
    auto cm5 = aio::timeout(10s);
    try {
        co_await cm5.run([&]() -> aio::Coro<void> {
            cm5.reschedule(loop.time() - 1s);
            co_await aio::sleep(0s);
            out("not reached");
        });
    } catch (const aio::TimeoutError&) {
        out("past deadline fired at once");
    }

    // An expiring timeout cannot be rescheduled.
    auto cm6 = aio::timeout(100ms);
    co_await cm6.run([&]() -> aio::Coro<void> {
        try {
            co_await aio::sleep(1s);
        } catch (const aio::CancelledError&) {
            try {
                cm6.reschedule(std::nullopt);
            } catch (const aio::RuntimeError& e) {
                out("expiring: RuntimeError: {}", e.what());
            }
        }
    });
    out("block swallowed its CancelledError: no TimeoutError; expired {}", py(cm6.expired()));
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
