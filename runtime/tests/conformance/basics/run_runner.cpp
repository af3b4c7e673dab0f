// asyncio.run and asyncio.Runner: the result, the exception, the cleanup of a task left
// pending, a nested run, several runs on one Runner.
#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

static aio::Coro<void> leftover(std::string tag) {
    struct Cleanup {
        std::string tag;
        ~Cleanup() { out("{} cleanup", tag); }
    } cleanup{tag};
    try {
        out("{} started", tag);
        co_await aio::sleep(10s);
        out("{} never", tag);
    } catch (const aio::CancelledError&) {
        out("{} cancelled by the cleanup", tag);
        throw;
    }
}

static aio::Coro<int> answer() {
    aio::create_task(leftover("left1"));
    co_await aio::sleep(100ms);
    co_return 42;
}

static aio::Coro<int> fails() {
    co_await aio::sleep(100ms);
    throw aio::ValueError("main failed");
}

static aio::Coro<std::string> nested() {
    try {
        aio::run(answer());
    } catch (const aio::RuntimeError& e) {
        out("nested: RuntimeError");
    }
    co_return "outer ok";
}

static aio::Coro<int> counter(int n) {
    co_await aio::sleep(100ms);
    co_return n + 1;
}

int conformance_program(aio::RunOptions opts) {
    out("run -> {}", aio::run(answer(), opts));
    try {
        aio::run(fails(), opts);
    } catch (const aio::ValueError& e) {
        out("run raised ValueError: {}", e.what());
    }
    out("run -> {}", aio::run(nested(), opts));
    {
        aio::Runner runner(opts);
        int a = runner.run(counter(1));
        int b = runner.run(counter(a));
        out("runner: {} then {}, same loop: {}", a, b, &runner.get_loop() == &runner.get_loop() ? "True" : "False");
    }
    out("end");
    return 0;
}
