#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;
using conformance::pylist;

static aio::Coro<void> ticker(std::vector<std::string>& steps) {
    for (int i = 0; i < 3; ++i) {
        steps.push_back(fmt::format("tick{}", i));
        co_await aio::sleep(0s);
    }
}

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    auto me = aio::current_task();
    std::vector<std::string> steps;

    for (int delay : {0, -1}) {
        auto t = aio::create_task(ticker(steps));
        auto cm = aio::timeout(std::chrono::seconds(delay));
        try {
            co_await cm.run([&]() -> aio::Coro<void> {
                steps.push_back("block");
                co_await aio::sleep(0s);
                steps.push_back("not reached");
            });
        } catch (const aio::TimeoutError&) {
            steps.push_back("TimeoutError");
        }
        out("timeout({}): {} | expired: {} | when <= now: {}", delay, pylist(steps), py(cm.expired()),
            py(*cm.when() <= loop.time()));
        co_await t;
        steps.clear();
    }

    // A block that never awaits cannot be interrupted, even with a zero timeout.
    auto cm = aio::timeout(0s);
    int x = co_await cm.run([]() -> aio::Coro<int> {
        int sum = 0;
        for (int i = 0; i < 10; ++i) sum += i;
        co_return sum;
    });
    out("no await: result {} | expired: {}", x, py(cm.expired()));

    // timeout_at in the past, block awaiting a long sleep.
    cm = aio::timeout_at(loop.time() - 5s);
    try {
        co_await cm.run([]() -> aio::Coro<void> { co_await aio::sleep(10s); });
    } catch (const aio::TimeoutError&) {
        out("timeout_at(past): TimeoutError; expired: {} | cancelling: {}", py(cm.expired()), me.cancelling());
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
