#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;

static aio::Coro<int> child(std::string name, std::chrono::milliseconds delay, int result) {
    out("{} start", name);
    co_await aio::sleep(delay);
    out("{} done", name);
    co_return result;
}

static aio::Coro<void> spawner(aio::TaskGroup g) {
    co_await aio::sleep(100ms);
    out("spawner: spawning");
    g.create_task(child("d", 100ms, 4));
}

static aio::Coro<void> amain() {
    aio::Task<int> t1, t2, t3;
    co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
        t1 = tg.create_task(child("a", 200ms, 1));
        t2 = tg.create_task(child("b", 100ms, 2), "bee");
        out("body: created {} {}", t1.name(), t2.name());
        co_await aio::sleep(150ms);
        out("body: b done? {} a done? {}", t2.done() ? "True" : "False", t1.done() ? "True" : "False");
        t3 = tg.create_task(child("c", 300ms, 3));
        out("body: end");
    });
    out("after block: {} {} {}", t1.result(), t2.result(), t3.result());
    out("cancelling: {}", aio::current_task().cancelling());

    co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
        tg.create_task(spawner(tg));
        co_return;
    });
    out("second block done");
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
