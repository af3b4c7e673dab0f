// Same configuration, same run: in one process, across processes, and the self-check.
#include <doctest/doctest.h>

#include <aio/sim/sim.hpp>
#include <cstdio>

#include "probe_program.hpp"
#include "programs.hpp"

namespace sim = aio::sim;

namespace {

std::string run_probe(const std::string& args) {
    std::string out;
    FILE* p = popen((std::string(AIOSIM_PROBE) + " " + args).c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    CHECK(pclose(p) == 0);
    return out;
}

}  // namespace

TEST_CASE("the same seed gives the same trace in this process and in fresh processes") {
    for (auto [policy, seed] : {std::pair{sim::Policy::random, 7ull}, std::pair{sim::Policy::pct, 3ull},
                                std::pair{sim::Policy::timers, 11ull}, std::pair{sim::Policy::fifo, 0ull}}) {
        const std::string here = probe::summary(policy, seed) + "\n";
        const std::string args = fmt::format("{} {}", sim::policy_name(policy), seed);
        CHECK(run_probe(args) == here);
        CHECK(run_probe(args) == here);
        CHECK(probe::summary(policy, seed) + "\n" == here);
    }
    // Different seeds do differ.
    CHECK(probe::summary(sim::Policy::random, 7) != probe::summary(sim::Policy::random, 8));
}

TEST_CASE("check_determinism passes for a deterministic program under every policy") {
    for (auto policy : {sim::Policy::fifo, sim::Policy::timers, sim::Policy::random, sim::Policy::pct}) {
        auto rec = sim::check_determinism([] { return []() -> aio::Coro<void> { co_await probe::probe_main(); }(); },
                                          {.schedule = {.policy = policy, .seed = 5}});
        CHECK(rec.fingerprint.size() == rec.steps);
        CHECK(rec.trace_hash.has_value());
    }
}

TEST_CASE("check_determinism passes when the program raises, and compares the outcome") {
    programs::Out out;
    CHECK_NOTHROW(sim::check_determinism([&] { return programs::gather_propagates_main(out); },
                                         {.schedule = {.policy = sim::Policy::random, .seed = 1}}));
}

TEST_CASE("check_determinism names the step where two runs split") {
    // A program whose order depends on something other than the schedule: a global counter
    // that survives between runs decides whether a task is created.
    static int runs = 0;
    auto make = [] {
        return []() -> aio::Coro<void> {
            ++runs;
            co_await aio::sleep(std::chrono::seconds(1));
            if (runs % 2 == 0) co_await aio::create_task([]() -> aio::Coro<void> { co_return; }());
            co_await aio::sleep(std::chrono::seconds(1));
        }();
    };
    try {
        sim::check_determinism(make, {});
        FAIL("no DeterminismError");
    } catch (const sim::DeterminismError& e) {
        CHECK(e.step() == 4);
        CHECK(std::string(e.what()).find("they split at step 4: the first ran task #1 (one of 1 ready entries) at "
                                         "virtual time 2.000000000 s, the second ran task #2 (one of 1 ready entries) "
                                         "at virtual time 1.000000000 s") != std::string::npos);
    }
}
