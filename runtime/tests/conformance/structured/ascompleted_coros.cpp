#include "structured.hpp"

using namespace std::chrono_literals;
using conformance::out;

static aio::Coro<std::string> job(std::string name, std::chrono::milliseconds delay) {
    out("{} starts in {}", name, aio::current_task().name());
    try {
        co_await aio::sleep(delay);
    } catch (const aio::CancelledError&) {
        out("{} cancelled", name);
        throw;
    }
    co_return name;
}

static aio::Coro<void> consumer(std::string name, aio::Coro<std::string> aw) { out("{} got {}", name, co_await aw); }

static aio::Coro<void> amain() {
    // Coroutines are wrapped in tasks (here one coroutine, so the order of wrapping is fixed).
    std::vector<aio::Coro<std::string>> coros;
    coros.push_back(job("only", 100ms));
    for (auto next_done : aio::as_completed(std::move(coros))) out("got {}", co_await next_done);

    // Tasks; one is cancelled by someone else: its await raises CancelledError.
    auto a = aio::create_task(job("a", 200ms), "A");
    auto b = aio::create_task(job("b", 500ms), "B");
    aio::get_running_loop().call_later(100ms, [b]() mutable { b.cancel(); });
    std::vector ab{a, b};
    for (auto next_done : aio::as_completed(ab)) {
        try {
            out("got {}", co_await next_done);
        } catch (const aio::CancelledError&) {
            out("CancelledError from a cancelled task");
        }
    }

    // Two tasks await the coroutines of one as_completed concurrently.
    std::vector xy{aio::create_task(job("x", 200ms), "X"), aio::create_task(job("y", 100ms), "Y")};
    std::vector<aio::Coro<std::string>> its;
    for (auto c : aio::as_completed(xy)) its.push_back(std::move(c));
    co_await aio::gather(consumer("c1", std::move(its[0])), consumer("c2", std::move(its[1])));

    // Empty input: nothing to iterate.
    std::vector<aio::Task<int>> none;
    out("empty: {}", aio::as_completed(none).size());
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
