// Virtual time: starts at 0, moves only when nothing is ready, straight to the next timer.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/sim/sim.hpp>
#include <chrono>
#include <vector>

using namespace std::chrono_literals;
namespace sim = aio::sim;

namespace {
aio::Duration since_start(aio::TimePoint t) { return t.time_since_epoch(); }
}  // namespace

TEST_CASE("virtual time starts at 0") {
    auto amain = []() -> aio::Coro<aio::Duration> { co_return since_start(aio::get_running_loop().time()); };
    CHECK(sim::run(amain(), {}) == 0ns);
}

TEST_CASE("a sleep of d wakes at exactly start + d") {
    auto amain = []() -> aio::Coro<std::vector<aio::Duration>> {
        auto& loop = aio::get_running_loop();
        std::vector<aio::Duration> seen;
        co_await aio::sleep(1500ms);
        seen.push_back(since_start(loop.time()));
        co_await aio::sleep(1ns);
        seen.push_back(since_start(loop.time()));
        co_await aio::sleep(0s);  // a yield does not move time
        seen.push_back(since_start(loop.time()));
        co_await aio::sleep(2h + 3ns);
        seen.push_back(since_start(loop.time()));
        co_return seen;
    };
    CHECK(sim::run(amain(), {}) == std::vector<aio::Duration>{1500ms, 1500ms + 1ns, 1500ms + 1ns, 1500ms + 2h + 4ns});
}

TEST_CASE("sleep(1h) takes no real time") {
    auto amain = []() -> aio::Coro<aio::Duration> {
        co_await aio::sleep(1h);
        co_return since_start(aio::get_running_loop().time());
    };
    auto t0 = std::chrono::steady_clock::now();
    CHECK(sim::run(amain(), {}) == 1h);
    // A real sleep would take an hour; the simulator takes microseconds. The bound is loose
    // on purpose (a loaded machine): it only has to tell "slept" from "did not".
    CHECK(std::chrono::steady_clock::now() - t0 < 60s);
}

TEST_CASE("concurrent sleepers wake in deadline order at their exact deadlines") {
    std::vector<std::pair<int, aio::Duration>> woke;
    auto sleeper = [&](int id, aio::Duration d) -> aio::Coro<void> {
        co_await aio::sleep(d);
        woke.emplace_back(id, since_start(aio::get_running_loop().time()));
    };
    auto amain = [&]() -> aio::Coro<void> {
        co_await aio::gather(sleeper(1, 3s), sleeper(2, 1s), sleeper(3, 2s), sleeper(4, 1s));
    };
    sim::run(amain(), {});
    CHECK(woke == std::vector<std::pair<int, aio::Duration>>{{2, 1s}, {4, 1s}, {3, 2s}, {1, 3s}});
}

TEST_CASE("call_later callbacks run at their virtual deadline") {
    std::vector<aio::Duration> at;
    auto amain = [&]() -> aio::Coro<void> {
        auto& loop = aio::get_running_loop();
        loop.call_later(250ms, [&] { at.push_back(since_start(aio::get_running_loop().time())); });
        auto h = loop.call_later(100ms, [&] { at.push_back(-1ns); });
        h.cancel();
        co_await aio::sleep(1s);
    };
    sim::run(amain(), {});
    CHECK(at == std::vector<aio::Duration>{250ms});
}

TEST_CASE("the record reports steps, end time and a fifo replay string") {
    sim::Recorder rec;
    auto amain = []() -> aio::Coro<void> { co_await aio::sleep(5s); };
    aio::run(amain(), {.loop_factory = sim::loop_factory({}, rec)});
    CHECK(rec->end_time.time_since_epoch() == 5s);
    CHECK(rec->steps >= 2);
    CHECK(rec->decisions == 0);
    CHECK(rec->replay == "aiosim1:fifo:-:-");
    CHECK_FALSE(rec->trace_hash.has_value());
}
