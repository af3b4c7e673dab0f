#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;

static aio::Coro<int> worker(std::string name, std::chrono::milliseconds delay, int result) {
    try {
        co_await aio::sleep(delay);
    } catch (const aio::CancelledError&) {
        out("{} cancelled", name);
        throw;
    }
    out("{} done", name);
    co_return result;
}

// Swallows its cancellation and returns a value: not an error for the group.
static aio::Coro<std::string> stubborn() {
    try {
        co_await aio::sleep(1s);
    } catch (const aio::CancelledError&) {
        out("stubborn swallows the cancellation");
    }
    co_return "stubborn result";
}

static aio::Coro<void> amain() {
    aio::Task<int> t1, t2;
    aio::Task<std::string> s;
    co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
        t1 = tg.create_task(worker("w1", 1s, 1));
        s = tg.create_task(stubborn());
        co_await aio::sleep(100ms);
        t1.cancel();
        s.cancel();
        t2 = tg.create_task(worker("w2", 200ms, 2));
        out("body end");
    });
    out("w1 cancelled: {} | w2: {} | stubborn: {}", py(t1.cancelled()), t2.result(), s.result());
    out("cancelling = {}", aio::current_task().cancelling());
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
