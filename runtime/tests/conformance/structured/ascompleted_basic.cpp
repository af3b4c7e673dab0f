#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;
using conformance::pylist;

static aio::Coro<std::string> job(std::string name, std::chrono::milliseconds delay, bool fail = false) {
    co_await aio::sleep(delay);
    if (fail) throw aio::ValueError(name + " failed");
    co_return name;
}

static aio::Coro<void> amain() {
    // Results in completion order; an exception is raised by the await that gets it.
    std::vector tasks{aio::create_task(job("slow", 300ms)), aio::create_task(job("bad", 200ms, true)),
                      aio::create_task(job("fast", 100ms))};
    int i = 0;
    for (auto next_done : aio::as_completed(tasks)) {
        try {
            out("{} got {}", i, co_await next_done);
        } catch (const aio::ValueError& e) {
            out("{} raised ValueError: {}", i, e.what());
        }
        ++i;
    }

    // Timeout: the remaining awaits raise TimeoutError; the tasks are not cancelled.
    tasks = {aio::create_task(job("t1", 100ms)), aio::create_task(job("t2", 500ms)),
             aio::create_task(job("t3", 600ms))};
    for (auto next_done : aio::as_completed(tasks, 300ms)) {
        try {
            out("got {}", co_await next_done);
        } catch (const aio::TimeoutError& e) {
            out("TimeoutError '{}'", e.what());
        }
    }
    out("cancelled: [{}, {}, {}] done: [{}, {}, {}]", py(tasks[0].cancelled()), py(tasks[1].cancelled()),
        py(tasks[2].cancelled()), py(tasks[0].done()), py(tasks[1].done()), py(tasks[2].done()));
    co_await aio::wait(tasks);
    out("all done later: {}", pylist({tasks[0].result(), tasks[1].result(), tasks[2].result()}));

    // Duplicates count once.
    auto t = aio::create_task(job("dup", 100ms));
    int n = 0;
    std::vector dup{t, t};
    for (auto next_done : aio::as_completed(dup)) {
        out("dup got {}", co_await next_done);
        ++n;
    }
    out("iterations: {}", n);
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
