#include "structured.hpp"

#include <algorithm>

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;
using conformance::pylist;

static std::string names(const std::vector<aio::Task<double>>& tasks) {
    std::vector<std::string> v;
    for (auto& t : tasks) v.push_back(t.name());
    std::sort(v.begin(), v.end());
    return pylist(v);
}

static aio::Coro<double> job(std::chrono::milliseconds delay, bool fail = false) {
    co_await aio::sleep(delay);
    if (fail) throw aio::ValueError(fmt::format("failed after {}", delay.count() / 1000.0));
    co_return delay.count() / 1000.0;
}

static aio::Coro<void> amain() {
    auto make = [] {
        return std::vector{aio::create_task(job(100ms), "a"), aio::create_task(job(200ms, true), "b"),
                           aio::create_task(job(300ms), "c")};
    };

    std::vector<std::pair<aio::ReturnWhen, const char*>> modes{{aio::FIRST_COMPLETED, "FIRST_COMPLETED"},
                                                               {aio::FIRST_EXCEPTION, "FIRST_EXCEPTION"},
                                                               {aio::ALL_COMPLETED, "ALL_COMPLETED"}};
    for (auto [mode, mode_name] : modes) {
        auto tasks = make();
        auto [done, pending] = co_await aio::wait(tasks, std::nullopt, mode);
        out("{}: done {} pending {}", mode_name, names(done), names(pending));
        if (!pending.empty()) co_await aio::wait(pending);
        out("  b exception: {}", conformance::msg(tasks[1].exception()));
    }

    // Timeout: returns what is done, raises nothing, cancels nothing.
    {
        auto tasks = make();
        auto [done, pending] = co_await aio::wait(tasks, 150ms);
        out("timeout: done {} pending {}; cancelled: [{}, {}, {}]", names(done), names(pending),
            py(tasks[0].cancelled()), py(tasks[1].cancelled()), py(tasks[2].cancelled()));
        co_await aio::wait(pending);
        (void)tasks[1].exception();
    }

    // FIRST_EXCEPTION with no failure waits for all; a cancelled task is not an exception.
    auto t1 = aio::create_task(job(100ms), "x");
    auto t2 = aio::create_task(job(200ms), "y");
    aio::get_running_loop().call_later(50ms, [t1]() mutable { t1.cancel(); });
    {
        std::vector fs{t1, t2, t1};  // (GCC 12 rejects a braced list inside a co_await expression)
        auto [done, pending] = co_await aio::wait(fs, std::nullopt, aio::FIRST_EXCEPTION);
        out("first_exception: done {} pending {}; x cancelled {}", names(done), names(pending), py(t1.cancelled()));
    }

    // Already-done tasks.
    {
        std::vector fs{t1, t2};
        auto [done, pending] = co_await aio::wait(fs, std::nullopt, aio::FIRST_COMPLETED);
        out("already done: done {} pending {}", names(done), names(pending));
    }

    try {
        std::vector<aio::Task<double>> none;
        co_await aio::wait(none);
    } catch (const aio::ValueError& e) {
        out("ValueError: {}", e.what());
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
