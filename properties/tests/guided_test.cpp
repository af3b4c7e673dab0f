// aio::check::explore_guided (guided.hpp): the corpus, the mutations, determinism, and a bug
// found and replayed.
#include <aio/check/guided.hpp>
#include <aio/aio.hpp>
#include <aio/sim/sim_loop.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <exception>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace guided_test {

// Three workers read a counter, yield, and write it back: an order that interleaves two of
// them loses an update (asyncio's own order does not: worker n first yields n times).
aio::Coro<void> worker(int number, int& hits) {
    for (int i = 0; i < number; ++i) co_await aio::sleep(0s);
    const int seen = hits;
    co_await aio::sleep(0s);
    hits = seen + 1;
}

aio::Coro<int> lost_update() {
    int hits = 0;
    std::vector<aio::Task<void>> ws;
    for (int n = 0; n < 3; ++n) ws.push_back(aio::create_task(worker(n, hits)));
    for (auto& w : ws) co_await w;
    co_return hits;
}

aio::check::GuidedRun run_lost_update(const aio::sim::Config& cfg) {
    aio::sim::Recorder rec;
    aio::check::GuidedRun r;
    try {
        const int hits = aio::run(lost_update(), {.loop_factory = aio::sim::loop_factory(cfg, rec)});
        if (hits != 3)
            r.failure = aio::sim::RunFailure{aio::sim::FailureKind::predicate, nullptr, {}, "an update was lost"};
    } catch (...) {
        r.failure = aio::sim::RunFailure::from_exception(std::current_exception());
    }
    if (rec.has_record()) r.record = std::move(*rec);
    return r;
}

}  // namespace guided_test

TEST_CASE("explore_guided finds a lost update, and the failing replay reproduces it strictly") {
    const auto r = aio::check::explore_guided(guided_test::run_lost_update, {.seed = 1, .runs = 500});
    REQUIRE(r.first_failure.has_value());
    CHECK(*r.first_failure > 1);  // asyncio's own order (the first run) passes
    CHECK(r.runs == *r.first_failure);
    REQUIRE(!r.failing_replay.empty());
    const auto again = guided_test::run_lost_update(aio::sim::Config::from_replay(r.failing_replay));
    CHECK(again.failure.has_value());
}

TEST_CASE("explore_guided: the same seed makes the same runs, another seed other ones") {
    std::vector<std::string> a, b, c;
    auto recording = [](std::vector<std::string>& into) {
        return [&into](const aio::sim::Config& cfg) {
            into.push_back(cfg.schedule.to_string());
            return guided_test::run_lost_update(cfg);
        };
    };
    const aio::check::GuidedOptions o{.seed = 7, .runs = 40, .stop_at_first = false};
    const auto ra = aio::check::explore_guided(recording(a), o);
    const auto rb = aio::check::explore_guided(recording(b), o);
    CHECK(ra.runs == 40);
    CHECK(a.size() == 40);
    CHECK(a == b);
    CHECK(ra.first_failure == rb.first_failure);
    CHECK(ra.failing_replay == rb.failing_replay);
    auto o2 = o;
    o2.seed = 8;
    (void)aio::check::explore_guided(recording(c), o2);
    CHECK(a != c);
}

TEST_CASE("explore_guided: the first run is asyncio's order, a run reaching a new pair joins the corpus") {
    std::vector<aio::sim::Config> seen;
    // A fake program: its run i (1-based) reaches the pair (a.cpp:1, a.cpp:min(i, 3)), over
    // 10 choice points: three distinct pairs, then only repeats.
    auto fake = [&seen](const aio::sim::Config& cfg) {
        seen.push_back(cfg);
        const auto i = seen.size();
        aio::sim::RunRecord rec;
        rec.schedule = cfg.schedule;
        rec.decisions = 10;
        rec.coverage = aio::sim::RunCoverage{
            .points = {"a.cpp:1", "a.cpp:" + std::to_string(i < 3 ? i : 3)}, .pairs = {{0, 1}}, .order_hash = i};
        return aio::check::GuidedRun{std::nullopt, rec};
    };
    const auto r = aio::check::explore_guided(fake, {.seed = 3, .runs = 30});
    CHECK(r.runs == 30);
    CHECK_FALSE(r.first_failure.has_value());
    CHECK(r.pairs_seen == 3);
    CHECK(r.corpus_size == 3);
    REQUIRE(seen.size() == 30);
    REQUIRE(seen.front().schedule.decisions.has_value());
    CHECK(seen.front().schedule.decisions->empty());  // asyncio's own order
    bool mutated = false;
    for (const auto& cfg : seen) {
        CHECK(cfg.coverage);
        CHECK_FALSE(cfg.strict_replay);  // lenient: a decision that does not fit is bent
        REQUIRE(cfg.schedule.decisions.has_value());
        const auto& ds = *cfg.schedule.decisions;
        mutated = mutated || !ds.empty();
        for (std::size_t k = 0; k < ds.size(); ++k) {
            CHECK(ds[k].position < 10);  // within the entry's choice points
            CHECK(ds[k].index >= 1);
            if (k > 0) CHECK(ds[k - 1].position < ds[k].position);  // ordered, one per position
        }
    }
    CHECK(mutated);
}
