#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;

static aio::Coro<void> job(std::string name, std::chrono::milliseconds delay) {
    try {
        co_await aio::sleep(delay);
    } catch (const aio::CancelledError&) {
        out("{} cancelled", name);
        throw;
    }
    out("{} finished", name);
}

static aio::Coro<void> waiter(std::vector<aio::Task<void>> tasks) {
    try {
        co_await aio::wait(tasks);
    } catch (const aio::CancelledError&) {
        out("waiter cancelled");
        throw;
    }
}

static aio::Coro<void> amain() {
    // Cancelling the task that waits does not cancel what it waits for.
    std::vector tasks{aio::create_task(job("j1", 200ms)), aio::create_task(job("j2", 300ms))};
    auto w = aio::create_task(waiter(tasks));
    co_await aio::sleep(100ms);
    w.cancel();
    co_await aio::gather_outcomes(w);
    out("jobs still running: [{}, {}]", py(!tasks[0].done()), py(!tasks[1].done()));
    {
        auto [done, pending] = co_await aio::wait(tasks, 1s);
        out("later: done {} pending {}", done.size(), pending.size());
    }

    // wait on plain futures, completed from callbacks.
    aio::EventLoop& loop = aio::get_running_loop();
    aio::Future<int> f1(loop), f2(loop);
    loop.call_later(100ms, [f2]() mutable { f2.set_exception(std::make_exception_ptr(LookupError("f2 failed"))); });
    loop.call_later(200ms, [f1]() mutable { f1.set_result(1); });
    std::vector fs{f1, f2};  // (GCC 12 rejects a braced list inside a co_await expression)
    auto [done, pending] = co_await aio::wait(fs, std::nullopt, aio::FIRST_EXCEPTION);
    auto in = [](const std::vector<aio::Future<int>>& v, const aio::Future<int>& f) {
        for (auto& x : v)
            if (x.state() == f.state()) return true;
        return false;
    };
    out("futures: f2 done {} | f1 pending {} | f2 exception: {}", py(in(done, f2)), py(in(pending, f1)),
        conformance::msg(f2.exception()));
    co_await aio::sleep(200ms);
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
