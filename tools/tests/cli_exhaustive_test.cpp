// aiosim explore NAME --exhaustive K (and --bound for the delay policy), in process.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/cli.hpp>
#include <aio/scenario.hpp>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_support.hpp"

namespace cli_exhaustive_test {

using cli_support::cli;
using cli_support::Result;

// Three callbacks queued at once (2 ready choices, of 3 and 2 candidates: 1 + 3 + 2 = 6
// schedules in all); it fails when the last two ran first, in reverse, which takes 2 deviations.
aio::Coro<void> three_callbacks_main() {
    aio::EventLoop& loop = aio::get_running_loop();
    aio::Future<void> all_ran(loop);
    auto order = std::make_shared<std::vector<int>>();
    for (int i = 0; i < 3; ++i)
        loop.call_soon([order, i, all_ran]() mutable {
            order->push_back(i);
            if (order->size() == 3) all_ran.set_result();
        });
    co_await all_ran;
    if ((*order)[0] == 2 && (*order)[1] == 1) throw std::runtime_error("the last two ran first, reversed");
}

int three_callbacks(aio::scenario::Context& ctx) {
    aio::run(three_callbacks_main(), ctx.run_options());
    return 0;
}

aio::scenario::Registry registry() {
    aio::scenario::Registry r;
    r.add("three_callbacks", "three callbacks; fails when the last two run first, reversed", &three_callbacks);
    return r;
}

}  // namespace cli_exhaustive_test

using namespace cli_exhaustive_test;

TEST_CASE("explore --exhaustive: covered completely at k = 1, the 2-deviation failure at k = 2") {
    const aio::scenario::Registry r = registry();
    const Result k1 = cli(r, {"explore", "three_callbacks", "--exhaustive", "1"});
    CHECK(k1.status == 0);
    CHECK(k1.out.find("  0 deviations: 1 of 1 schedule\n  1 deviation: 3 of 3 schedules\n") != std::string::npos);
    CHECK(k1.out.find("summary: all 4 schedules with <= 1 deviation: no failure (covered completely)") !=
          std::string::npos);
    const Result k2 = cli(r, {"explore", "three_callbacks", "--exhaustive", "2"});
    CHECK(k2.status == 3);  // its r decisions: an order CPython cannot run
    CHECK(k2.out.find("found only in orders CPython's asyncio cannot run") != std::string::npos);
    CHECK(cli(r, {"explore", "three_callbacks", "--exhaustive", "2", "--strict-order"}).status == 1);
    CHECK(k2.out.find("FAILED: 1 of 6 schedules; the first (breadth first: the fewest deviations, 2):") !=
          std::string::npos);
    CHECK(k2.out.find("  replay: aiosim1:delay:seed=0:r2.r1\n") != std::string::npos);
    CHECK(k2.out.find("summary: all 6 schedules with <= 2 deviations ran (covered completely): 1 failed") !=
          std::string::npos);
    const Result expected = cli(r, {"explore", "three_callbacks", "--exhaustive", "2", "--expect-failure"});
    CHECK(expected.status == 0);
    const Result jobs = cli(r, {"explore", "three_callbacks", "--exhaustive", "2", "--jobs", "2"});
    CHECK(jobs.status == 3);
    CHECK(jobs.out.substr(0, jobs.out.find("summary:")) == k2.out.substr(0, k2.out.find("summary:")));
    const Result cut = cli(r, {"explore", "three_callbacks", "--exhaustive", "2", "--max-runs", "3"});
    CHECK(cut.status == 0);
    CHECK(cut.out.find("summary: not covered completely: the run budget (3) ended it after 3 schedules") !=
          std::string::npos);
}

TEST_CASE("explore --exhaustive and --bound: usage errors") {
    const aio::scenario::Registry r = registry();
    CHECK(cli(r, {"explore", "three_callbacks", "--exhaustive", "1", "--seeds", "5"}).status == 2);
    CHECK(cli(r, {"explore", "three_callbacks", "--exhaustive", "1", "--policy", "pct"}).status == 2);
    CHECK(cli(r, {"explore", "three_callbacks", "--exhaustive", "65"}).status == 2);
    CHECK(cli(r, {"explore", "three_callbacks", "--seeds", "5", "--max-runs", "5"}).status == 2);
    const Result bound = cli(r, {"explore", "three_callbacks", "--seeds", "5", "--policy", "random", "--bound", "1"});
    CHECK(bound.status == 2);
    CHECK(bound.err.find("--bound is a parameter of the delay policy") != std::string::npos);
    // Under delay with bound 1, no seed can fail (the bug needs 2 deviations).
    CHECK(cli(r, {"explore", "three_callbacks", "--seeds", "200", "--policy", "delay", "--bound", "1"}).status == 0);
    // The bug needs two ready-queue decisions (an order CPython cannot run): exit 3, 1 when strict.
    const Result two = cli(r, {"explore", "three_callbacks", "--seeds", "200", "--policy", "delay"});
    CHECK(two.status == 3);
    const Result strict =
        cli(r, {"explore", "three_callbacks", "--seeds", "200", "--policy", "delay", "--strict-order"});
    CHECK(strict.status == 1);
}
