// Python 3.12's eager_task_factory versus aio's EventLoop::set_eager_tasks(true).
#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

static aio::Coro<std::string> child(std::string tag, int yields) {
    out("{}: first step as {}", tag, aio::current_task().name());
    for (int i = 0; i < yields; ++i) {
        co_await aio::sleep(0s);
        out("{}: step {}", tag, i + 2);
    }
    co_return tag;
}

static aio::Coro<int> quick(int v) {
    out("quick {} runs", v);
    co_return v * 10;
}

static aio::Coro<void> fails() {
    out("fails runs");
    throw aio::ValueError("boom");
    co_return;
}

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    out("main is {}", aio::current_task().name());
    loop.set_eager_tasks(true);
    auto a = aio::create_task(child("a", 2), "a");
    out("after create a: current={} a={} done={}", aio::current_task().name(), a.name(), a.done() ? "True" : "False");
    auto q = aio::create_task(quick(4), "q");
    out("q done={} result={} pending={}", q.done() ? "True" : "False", q.result(), loop.all_tasks().size());
    auto f = aio::create_task(fails(), "f");
    out("f done={} exc={}: {}", f.done() ? "True" : "False", conformance::type(f.exception()),
        conformance::msg(f.exception()));
    auto b = aio::create_task(child("b", 1), "b");
    out("main yields");
    co_await aio::sleep(0s);
    out("main resumed");
    auto [r1, r2] = co_await aio::gather(quick(1), quick(2));
    out("gather -> [{}, {}]", r1, r2);
    loop.call_soon([] {
        auto t = aio::create_task(quick(7));
        out("callback task done={}", t.done() ? "True" : "False");
    });
    co_await aio::sleep(0s);
    std::string ra = co_await a;
    std::string rb = co_await b;
    out("a -> {}, b -> {}", ra, rb);
    loop.set_eager_tasks(false);
    auto c = aio::create_task(quick(9), "c");
    out("lazy c done={}", c.done() ? "True" : "False");
    co_await c;
    out("main done");
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
