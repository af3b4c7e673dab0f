#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;

static aio::Coro<void> nothing() { co_await aio::sleep(0s); }

static aio::Coro<void> failing() {
    co_await aio::sleep(100ms);
    throw aio::ValueError("boom");
}

static aio::Coro<void> amain() {
    aio::TaskGroup tg;
    out("{}", tg.repr());
    try {
        tg.create_task(nothing());
    } catch (const aio::RuntimeError& e) {
        out("RuntimeError: {}", e.what());
    }

    co_await tg.run([&]() -> aio::Coro<void> {
        out("{}", tg.repr());
        auto t = tg.create_task(nothing(), "named");
        out("{} {}", tg.repr(), t.name());
        try {
            co_await tg.run([]() -> aio::Coro<void> { co_return; });
        } catch (const aio::RuntimeError& e) {
            out("RuntimeError: {}", e.what());
        }
    });
    out("{}", tg.repr());

    try {
        tg.create_task(nothing());
    } catch (const aio::RuntimeError& e) {
        out("RuntimeError: {}", e.what());
    }

    try {
        co_await tg.run([]() -> aio::Coro<void> { co_return; });
    } catch (const aio::RuntimeError& e) {
        out("RuntimeError: {}", e.what());
    }

    aio::TaskGroup tg2;
    try {
        co_await tg2.run([&]() -> aio::Coro<void> {
            tg2.create_task(failing());
            tg2.create_task(nothing());
            try {
                co_await aio::sleep(1s);
            } catch (const aio::CancelledError&) {
                out("{}", tg2.repr());
                throw;
            }
        });
    } catch (const aio::ExceptionGroup& eg) {
        out("ExceptionGroup: {}", eg.what());
    }
    out("{}", tg2.repr());
    try {
        tg2.create_task(nothing());
    } catch (const aio::RuntimeError& e) {
        out("RuntimeError: {}", e.what());
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
