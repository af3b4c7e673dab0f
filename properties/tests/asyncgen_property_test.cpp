// Async generators under every scheduling policy: a generator's steps are steps of the task that
// iterates it, so the simulator reorders them like any others. Consumers iterate their own
// generators, which contend for one Lock between yields; one consumer is cancelled at a point
// the schedule decides; one suspended generator is dropped. Whatever the order: each consumer
// sees a prefix of its generator's sequence (all of it unless cancelled), and every generator
// that started ran its cleanup exactly once (those left suspended by the loop's finaliser).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/check/explore.hpp>
#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

struct Stats {
    int started = 0;
    int cleaned = 0;
    std::vector<std::vector<int>> seen;
};

aio::AsyncGenerator<int> producer(std::shared_ptr<Stats> st, aio::Lock& lock, int n) {
    ++st->started;
    struct Cleanup {
        Stats* s;
        ~Cleanup() { ++s->cleaned; }
    } cleanup{st.get()};
    for (int i = 0; i < n; ++i) {
        {
            auto held = co_await lock.scoped();
            co_await aio::sleep(1ms);
        }
        co_yield i;
    }
}

aio::Coro<void> consume(std::shared_ptr<Stats> st, aio::Lock& lock, int id) {
    auto g = producer(st, lock, 4);
    while (auto v = co_await g.next()) st->seen[id].push_back(*v);
}

aio::Coro<std::string> program() {
    auto st = std::make_shared<Stats>();
    st->seen.resize(3);
    aio::Lock lock;
    std::vector<aio::Task<void>> tasks;
    for (int i = 0; i < 3; ++i) tasks.push_back(aio::create_task(consume(st, lock, i)));
    {
        auto dropped = producer(st, lock, 4);
        co_await dropped.next();
    }  // suspended at its first yield: the loop's finaliser closes it
    co_await aio::sleep(2ms);
    tasks[1].cancel();
    co_await aio::gather_outcomes(std::move(tasks));
    for (int spin = 0; st->cleaned < st->started && spin < 10000; ++spin) co_await aio::sleep(0s);
    for (int id = 0; id < 3; ++id) {
        const auto& s = st->seen[id];
        for (std::size_t k = 0; k < s.size(); ++k)
            if (s[k] != static_cast<int>(k)) co_return "consumer " + std::to_string(id) + " saw out of order";
        if (id != 1 && s.size() != 4) co_return "consumer " + std::to_string(id) + " saw " + std::to_string(s.size());
    }
    if (st->started != 4 || st->cleaned != 4)
        co_return "started " + std::to_string(st->started) + ", cleaned " + std::to_string(st->cleaned);
    co_return "ok";
}

}  // namespace

TEST_CASE("async generators keep their sequence and clean up once under every policy") {
    aio::check::ExploreOptions o;
    o.name = "asyncgen";
    o.seeds = 40;
    o.print = [](const std::string& s) { MESSAGE(s); };
    const aio::check::ExploreResult r =
        aio::check::for_all_schedules([] { return program(); }, [](const std::string& s) { return s == "ok"; }, o);
    CHECK(r.ok);
    CHECK(r.runs > 40 * 5);  // fifo, then the seeds under each strategy of the portfolio
}
