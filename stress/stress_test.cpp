// Scale: the runtime and the simulator at sizes where a recursive walk over tasks, awaiters or
// frames would overflow the stack and a walk repeated per task would take hours. Every case
// takes its size from AIOSIM_STRESS_N (default 100,000): CTest runs them at 100,000 in the
// default run and at 1,000,000 (and 5,000,000 sleepers) under the `stress` label.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/sim/sim.hpp>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

std::size_t stress_n() {
    const char* v = std::getenv("AIOSIM_STRESS_N");
    if (!v || !*v) return 100'000;
    char* end = nullptr;
    const unsigned long long n = std::strtoull(v, &end, 10);
    REQUIRE_MESSAGE((end && *end == '\0' && n > 0), "AIOSIM_STRESS_N must be a positive integer, got '" << v << "'");
    return static_cast<std::size_t>(n);
}

/// Adds one to *count when destroyed: shows that a frame's RAII cleanup ran.
struct Cleanup {
    std::size_t* count;
    ~Cleanup() { ++*count; }
};

/// An exception handler that counts what the loop reports instead of printing it.
void count_reports(aio::EventLoop& loop, std::size_t& reports) {
    loop.set_exception_handler([&reports](aio::EventLoop&, const aio::ExceptionContext&) { ++reports; });
}

/// N tasks, each awaiting the next; the last waits for an event nobody sets.
struct TaskChain {
    std::size_t n;
    aio::Event never;
    std::vector<aio::Task<void>> tasks;
    std::size_t cleaned = 0;
    std::size_t cancelled_seen = 0;

    explicit TaskChain(std::size_t size) : n(size) {}

    aio::Coro<void> link(std::size_t i) {
        Cleanup c{&cleaned};
        try {
            if (i + 1 < n)
                co_await tasks[i + 1];
            else
                co_await never.wait();
        } catch (const aio::CancelledError&) {
            ++cancelled_seen;
            throw;
        }
    }
    /// Creates the chain on the running loop and lets every task reach its await.
    aio::Coro<void> build() {
        tasks.reserve(n);
        for (std::size_t i = 0; i < n; ++i) tasks.push_back(aio::create_task(link(i)));
        co_await aio::sleep(0s);
    }
    bool all_cancelled() const {
        for (const auto& t : tasks)
            if (!t.cancelled()) return false;
        return true;
    }
};

/// One task running N nested coroutines, each awaiting the next; the innermost waits for a
/// future nobody completes.
struct CoroChain {
    std::size_t n;
    std::unique_ptr<aio::Future<int>> leaf;
    std::size_t cleaned = 0;
    std::size_t cancelled_seen = 0;

    explicit CoroChain(std::size_t size) : n(size) {}

    aio::Coro<std::size_t> nest(std::size_t depth) {
        Cleanup c{&cleaned};
        try {
            if (depth == 0) co_return static_cast<std::size_t>(co_await *leaf);
            co_return 1 + co_await nest(depth - 1);
        } catch (const aio::CancelledError&) {
            ++cancelled_seen;
            throw;
        }
    }
    aio::Task<std::size_t> start() {
        leaf = std::make_unique<aio::Future<int>>(aio::get_running_loop());
        return aio::create_task(nest(n - 1), "deep");
    }
};

// The default step limit (10M) is below what 5M sleepers take (two steps each, plus main's
// awaits): the stress runs get a limit that only a program that never ends would reach.
aio::RunOptions sim_options() {
    return {.loop_factory =
                aio::sim::loop_factory(aio::sim::Config{.schedule = {.limits = {.max_steps = 1'000'000'000}}})};
}

}  // namespace

TEST_SUITE("a chain of tasks, each awaiting the next") {
    TEST_CASE("left deadlocked in the simulator, it is reported and then cancelled by aio::run's cleanup") {
        TaskChain chain(stress_n());
        auto amain = [&]() -> aio::Coro<void> {
            co_await chain.build();
            co_await chain.tasks[0];
        };
        std::size_t reported = 0;
        bool raised = false;
        try {
            aio::run(amain(), sim_options());
        } catch (const aio::sim::Deadlock& d) {
            raised = true;
            reported = d.tasks().size();
            CHECK(std::string(d.what()).find("Pending tasks, in creation order") != std::string::npos);
            CHECK(d.cycles().empty());
        }
        CHECK(raised);
        CHECK(reported == chain.n + 1);  // the main task too
        CHECK(chain.cleaned == chain.n);
        CHECK(chain.all_cancelled());
    }

    TEST_CASE("an await cycle through every task is reported as one cycle") {
        const std::size_t n = stress_n();
        std::vector<aio::Task<void>> ring;
        auto member = [&](std::size_t i) -> aio::Coro<void> {
            co_await aio::sleep(0s);  // every handle is set by now
            co_await ring[(i + 1) % n];
        };
        auto amain = [&]() -> aio::Coro<void> {
            ring.reserve(n);
            for (std::size_t i = 0; i < n; ++i) ring.push_back(aio::create_task(member(i)));
            co_await ring[0];
        };
        std::size_t cycle_length = 0;
        std::string text;
        try {
            aio::run(amain(), sim_options());
        } catch (const aio::sim::Deadlock& d) {
            REQUIRE(d.cycles().size() == 1);
            cycle_length = d.cycles()[0].size();
            text = d.what();
        }
        CHECK(cycle_length == n);
        CHECK(text.find("Await cycle: #2 ") != std::string::npos);
        CHECK(text.size() < 64 * 1024);  // a bounded excerpt, not every member
        std::size_t cancelled = 0;
        for (auto& t : ring) cancelled += t.cancelled() ? 1 : 0;
        CHECK(cancelled == n);
    }

    TEST_CASE("cancelling the head cancels every task") {
        TaskChain chain(stress_n());
        auto amain = [&]() -> aio::Coro<void> {
            co_await chain.build();
            CHECK(chain.tasks[0].cancel());
            try {
                co_await chain.tasks[0];
            } catch (const aio::CancelledError&) {}
        };
        aio::run(amain());
        CHECK(chain.all_cancelled());
        CHECK(chain.cancelled_seen == chain.n);
        CHECK(chain.tasks[0].cancelling() == 1);
        CHECK(chain.tasks.back().cancelling() == 1);
    }

    TEST_CASE("cancelling the tail cancels every task") {
        TaskChain chain(stress_n());
        auto amain = [&]() -> aio::Coro<void> {
            co_await chain.build();
            CHECK(chain.tasks.back().cancel());
            try {
                co_await chain.tasks[0];
            } catch (const aio::CancelledError&) {}
        };
        aio::run(amain());
        CHECK(chain.all_cancelled());
        CHECK(chain.cancelled_seen == chain.n);
    }

    TEST_CASE("aio::run's cleanup cancels the chain left pending") {
        TaskChain chain(stress_n());
        auto amain = [&]() -> aio::Coro<void> { co_await chain.build(); };
        aio::run(amain());
        CHECK(chain.all_cancelled());
        CHECK(chain.cancelled_seen == chain.n);
        CHECK(chain.cleaned == chain.n);
    }

    TEST_CASE("close() destroys the pending chain, running every frame's cleanup") {
        TaskChain chain(stress_n());
        std::size_t reports = 0;
        {
            aio::EventLoop loop;
            count_reports(loop, reports);
            loop.run_until_complete(chain.build());
            loop.close();
            CHECK(chain.cleaned == chain.n);
            chain.tasks.clear();  // each reports "Task was destroyed but it is pending!"
        }
        CHECK(reports == chain.n);
    }
}

TEST_SUITE("a chain of coroutines, each awaiting the next, in one task") {
    TEST_CASE("left deadlocked in the simulator, it is reported and then cancelled by aio::run's cleanup") {
        CoroChain chain(stress_n());
        auto amain = [&]() -> aio::Coro<void> { (void)co_await chain.start(); };
        bool raised = false;
        try {
            aio::run(amain(), sim_options());
        } catch (const aio::sim::Deadlock& d) {
            raised = true;
            CHECK(d.tasks().size() == 2);
        }
        CHECK(raised);
        CHECK(chain.cancelled_seen == chain.n);
        CHECK(chain.cleaned == chain.n);
    }

    TEST_CASE("cancelling the task cancels every frame") {
        CoroChain chain(stress_n());
        auto amain = [&]() -> aio::Coro<void> {
            auto t = chain.start();
            co_await aio::sleep(0s);
            CHECK(t.cancel());
            CHECK_THROWS_AS(co_await t, aio::CancelledError);
        };
        aio::run(amain());
        CHECK(chain.cancelled_seen == chain.n);
        CHECK(chain.cleaned == chain.n);
    }

    TEST_CASE("cancelling the innermost wait cancels every frame") {
        CoroChain chain(stress_n());
        auto amain = [&]() -> aio::Coro<void> {
            auto t = chain.start();
            co_await aio::sleep(0s);
            CHECK(chain.leaf->cancel());
            CHECK_THROWS_AS(co_await t, aio::CancelledError);
        };
        aio::run(amain());
        CHECK(chain.cancelled_seen == chain.n);
        CHECK(chain.cleaned == chain.n);
    }

    TEST_CASE("a completed innermost wait returns through every frame") {
        CoroChain chain(stress_n());
        auto amain = [&]() -> aio::Coro<void> {
            auto t = chain.start();
            co_await aio::sleep(0s);
            chain.leaf->set_result(1);
            CHECK(co_await t == chain.n);
        };
        aio::run(amain());
        CHECK(chain.cleaned == chain.n);
    }

    TEST_CASE("aio::run's cleanup cancels the task left pending") {
        CoroChain chain(stress_n());
        auto amain = [&]() -> aio::Coro<void> {
            (void)chain.start();
            co_await aio::sleep(0s);
        };
        aio::run(amain());
        CHECK(chain.cancelled_seen == chain.n);
        CHECK(chain.cleaned == chain.n);
    }

    TEST_CASE("close() destroys the pending chain, innermost frame first") {
        CoroChain chain(stress_n());
        std::size_t reports = 0;
        {
            aio::EventLoop loop;
            count_reports(loop, reports);
            auto starter = [&]() -> aio::Coro<void> {
                (void)chain.start();
                co_await aio::sleep(0s);
            };
            loop.run_until_complete(starter());
            loop.close();
            CHECK(chain.cleaned == chain.n);
            CHECK(chain.cancelled_seen == 0);
        }
        CHECK(reports == 1);
    }
}

TEST_SUITE("many tasks at once") {
    TEST_CASE("sleepers all wake at their deadlines, in order") {
        const std::size_t n = stress_n();
        std::size_t woken = 0;
        bool in_order = true;
        auto sleeper = [&](std::size_t i) -> aio::Coro<void> {
            co_await aio::sleep(std::chrono::milliseconds(1 + i % 1000));
            const auto now = aio::get_running_loop().time().time_since_epoch();
            if (now < std::chrono::milliseconds(1 + i % 1000)) in_order = false;
            ++woken;
        };
        auto amain = [&]() -> aio::Coro<void> {
            std::vector<aio::Task<void>> tasks;
            tasks.reserve(n);
            for (std::size_t i = 0; i < n; ++i) tasks.push_back(aio::create_task(sleeper(i)));
            for (auto& t : tasks) co_await t;
        };
        aio::run(amain(), sim_options());
        CHECK(woken == n);
        CHECK(in_order);
    }

    TEST_CASE("tasks cancelled at once all finish cancelled") {
        const std::size_t n = stress_n();
        std::size_t cancelled_seen = 0;
        auto sleeper = [&]() -> aio::Coro<void> {
            try {
                co_await aio::sleep(1h);
            } catch (const aio::CancelledError&) {
                ++cancelled_seen;
                throw;
            }
        };
        auto amain = [&]() -> aio::Coro<void> {
            std::vector<aio::Task<void>> tasks;
            tasks.reserve(n);
            for (std::size_t i = 0; i < n; ++i) tasks.push_back(aio::create_task(sleeper()));
            co_await aio::sleep(0s);
            std::size_t accepted = 0;
            for (auto& t : tasks) accepted += t.cancel() ? 1 : 0;
            CHECK(accepted == n);
            auto outcomes = co_await aio::gather_outcomes(std::move(tasks));
            std::size_t cancelled = 0;
            for (auto& o : outcomes) cancelled += o.cancelled() ? 1 : 0;
            CHECK(cancelled == n);
        };
        aio::run(amain(), sim_options());
        CHECK(cancelled_seen == n);
    }

    TEST_CASE("a gather of that many tasks keeps argument order") {
        const std::size_t n = stress_n();
        auto value = [](std::size_t i) -> aio::Coro<std::size_t> {
            co_await aio::sleep(0s);
            co_return i;
        };
        auto amain = [&]() -> aio::Coro<void> {
            std::vector<aio::Coro<std::size_t>> coros;
            coros.reserve(n);
            for (std::size_t i = 0; i < n; ++i) coros.push_back(value(i));
            std::vector<std::size_t> got = co_await aio::gather(std::move(coros));
            REQUIRE(got.size() == n);
            bool ordered = true;
            for (std::size_t i = 0; i < n; ++i) ordered = ordered && got[i] == i;
            CHECK(ordered);
        };
        aio::run(amain(), sim_options());
    }
}
