// The clock model (issue 13, section 1): timer batching (Schedule::batch), the step cost
// (Schedule::cost) and the overtake decision 'o' (Schedule::ahead), each against the order
// CPython 3.12 shows for the same program (measured; the programs are in the comments).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/sim/sim.hpp>
#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace sim = aio::sim;

namespace clock_model_test {

aio::Duration elapsed(aio::TimePoint t) { return t.time_since_epoch(); }

// CPython 3.12 (prints a,b,c: the epoll wait for a rounds up to 5ms and returns after b is due):
//     loop.call_later(0.005, a)        # a: print('a'); loop.call_soon(c)
//     loop.call_later(0.005001, b)
struct Batch {
    std::string order;
    std::vector<aio::Duration> times;
};
Batch batch_program(sim::Config cfg) {
    Batch out;
    auto amain = [&]() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        aio::Future<void> done(loop);
        auto note = [&](char c) {
            out.order += c;
            out.times.push_back(elapsed(loop.time()));
        };
        loop.call_later(5ms, [&] {
            note('a');
            loop.call_soon([&] { note('c'); });
        });
        loop.call_later(5001us, [&] { note('b'); });
        loop.call_later(20ms, [&, done]() mutable { done.set_result(); });
        co_await done;
    };
    sim::run(amain(), std::move(cfg));
    return out;
}

// CPython 3.12 prints [0, 1, 2, 'T', 3, 4] (sleep(1e-10) is due at the next pass's clock read; its
// timer sets a future, whose task wakes one pass later):
//     async def spin(): for i in range(5): out.append(i); await asyncio.sleep(0)
//     async def short(): await asyncio.sleep(1e-10); out.append('T')
//     await asyncio.gather(spin(), short())
// (1e-10 s is 0ns on aio's nanosecond clock, a plain yield: the twin sleeps 1ns.)
std::string spin_short(sim::Config cfg, sim::Recorder* rec = nullptr) {
    std::string out;
    auto spin = [&]() -> aio::Coro<void> {
        for (int i = 0; i < 5; ++i) {
            out += static_cast<char>('0' + i);
            co_await aio::sleep(0s);
        }
    };
    auto shorty = [&]() -> aio::Coro<void> {
        co_await aio::sleep(1ns);
        out += 'T';
    };
    auto amain = [&]() -> aio::Coro<void> { co_await aio::gather(spin(), shorty()); };
    if (rec)
        sim::run(amain(), std::move(cfg), *rec);
    else
        sim::run(amain(), std::move(cfg));
    return out;
}

sim::Config replay(const std::string& s) { return sim::Config::from_replay(s); }

bool has_overtake(const sim::RunRecord& r) {
    for (const sim::Decision& d : r.schedule.decisions.value())
        if (d.kind == sim::Choice::overtake) return true;
    return false;
}

TEST_CASE("batch: timers due within 1ms of the earliest fire in one pass, as on CPython (a,b,c)") {
    const Batch fifo = batch_program({});
    CHECK(fifo.order == "abc");
    // The clock moves to the last timer of the batch: both see 5.001ms; c runs on the next pass.
    CHECK(fifo.times == std::vector<aio::Duration>{5001us, 5001us, 5001us});
    // batch=0: every deadline on its own pass, the order before this model (a,c,b).
    const Batch exact = batch_program({.schedule = {.batch = 0ns}});
    CHECK(exact.order == "acb");
    CHECK(exact.times == std::vector<aio::Duration>{5ms, 5ms, 5001us});
    // A window narrower than the gap separates them too.
    CHECK(batch_program({.schedule = {.batch = 999ns}}).order == "acb");
    CHECK(batch_program({.schedule = {.batch = 1us}}).order == "abc");
    // Every policy batches (the window is the clock's, not a choice).
    CHECK(batch_program({.schedule = {.policy = sim::Policy::timers, .seed = 3, .jitter = 0ns}}).order == "abc");
}

TEST_CASE("batch: a lone timer keeps its exact deadline, and a batch reaches only 1ms past the earliest") {
    std::vector<std::pair<int, aio::Duration>> seen;
    auto amain = [&]() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        aio::Future<void> done(loop);
        for (auto [id, d] : std::vector<std::pair<int, aio::Duration>>{
                 {1, 5ms}, {2, 5600us}, {3, 6200us}, {4, 6ms}, {5, 9ms}, {6, 20ms}})
            loop.call_later(d, [&, id = id] { seen.emplace_back(id, elapsed(loop.time())); });
        loop.call_later(30ms, [done]() mutable { done.set_result(); });
        co_await done;
    };
    sim::run(amain(), {});
    // [5ms, 6ms] is one batch (clock at 6ms, the last in it: timer 4); 6.2ms starts the next
    // (alone); 9ms and 20ms fire at their exact deadlines. Times never go backwards.
    CHECK(seen ==
          std::vector<std::pair<int, aio::Duration>>{{1, 6ms}, {2, 6ms}, {4, 6ms}, {3, 6200us}, {5, 9ms}, {6, 20ms}});
}

TEST_CASE("batch: a timer at TimePoint::max() never joins a batch, and the window saturates") {
    aio::Duration woke{};
    bool sleeper_woke = false;
    auto amain = [&]() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        auto never = aio::create_task([&]() -> aio::Coro<void> {
            co_await aio::sleep(aio::Duration::max());  // a timer at TimePoint::max(): never
            sleeper_woke = true;
        }());
        co_await aio::sleep(0s);
        aio::Future<void> f(loop);
        loop.call_at(aio::TimePoint::max() - 500us, [f]() mutable { f.set_result(); });
        co_await f;
        woke = elapsed(loop.time());
        never.cancel();
        try {
            co_await never;
        } catch (const aio::CancelledError&) {}
    };
    sim::run(amain(), {.schedule = {.limits = {.max_virtual_time = aio::Duration::max()}}});
    CHECK(woke == aio::Duration::max() - 500us);
    CHECK_FALSE(sleeper_woke);
}

TEST_CASE("batch: a network delivery ends a batch (a real selector returns for it at once)") {
    // Covered with the simulated network's own timings in net_connection_test ("a segment
    // arrives after its latency": reads at 500us, 500us, 1300us, 3ms stay exact). Here: the
    // Schedule field round-trips and is validated.
    CHECK(sim::Schedule::parse("aiosim1:fifo:batch=0ns").batch == 0ns);
    CHECK(sim::Schedule::parse("aiosim1:fifo:batch=250us").batch == 250us);
    CHECK_THROWS_AS(sim::Schedule::parse("aiosim1:fifo:batch=25h"), sim::ReplayParseError);
}

TEST_CASE("cost: with a step cost the clock moves while steps run, and fifo reaches CPython's order") {
    // No cost: the clock stands still while anything is ready, so the 1ns timer waits for the
    // ready queue to drain.
    CHECK(spin_short({}) == "01234T");
    // Any cost >= 1ns (the timer's delay) reproduces CPython's [0, 1, 2, 'T', 3, 4]: the
    // timer is due at the next pass, its callback runs after spin's step, the task one pass later.
    CHECK(spin_short({.schedule = {.cost = 1ns}}) == "012T34");
    CHECK(spin_short({.schedule = {.cost = 1us}}) == "012T34");
    // Time moves by `cost` as each ready entry begins.
    sim::Recorder rec;
    spin_short({.schedule = {.cost = 10ns}}, &rec);
    CHECK(rec->steps > 0);
    CHECK(elapsed(rec->end_time) == rec->steps * 10ns);
    CHECK(rec->decisions == 0);  // fifo still asks nothing
    CHECK(rec->replay == "aiosim1:fifo:cost=10ns:-");
}

TEST_CASE("cost: the clock stays under the virtual time limit") {
    auto amain = []() -> aio::Coro<void> {
        for (;;) co_await aio::sleep(0s);
    };
    try {
        sim::run(amain(), {.schedule = {.cost = 1ms, .limits = {.max_virtual_time = 1s}}});
        FAIL("the run should hit the virtual time limit");
    } catch (const sim::LimitExceeded& e) {
        CHECK(e.which() == sim::LimitExceeded::Which::virtual_time);
        CHECK(std::string(e.what()).find("step cost (replay parameter cost=)") != std::string::npos);
    }
}

TEST_CASE("overtake: fifo never offers 'o'; every perturbing policy does, within `ahead`") {
    CHECK_FALSE(sim::offers(sim::Policy::fifo, sim::Choice::overtake));
    for (sim::Policy p : {sim::Policy::timers, sim::Policy::random, sim::Policy::pct})
        CHECK(sim::offers(p, sim::Choice::overtake));
    CHECK(sim::choice_letter(sim::Choice::overtake) == 'o');
    CHECK(sim::choice_name(sim::Choice::overtake) == "overtake");
    CHECK(sim::choice_from_letter('o') == sim::Choice::overtake);
    sim::Recorder rec;
    CHECK(spin_short({}, &rec) == "01234T");
    CHECK(rec->decisions == 0);
}

TEST_CASE("overtake: an 'o' decision gives CPython's order; its replay string reproduces it") {
    // Under timers with every decision 0, the order is fifo's. Find the 'o' points by position.
    sim::Recorder zero;
    CHECK(spin_short(replay("aiosim1:timers:-:-"), &zero) == "01234T");
    const std::uint64_t n = zero->decisions;
    REQUIRE(n >= 1);
    std::vector<std::uint64_t> o_points;
    std::vector<std::string> orders;
    for (std::uint64_t pos = 0; pos < n; ++pos) {
        const std::string s = "aiosim1:timers:seed=0:" + (pos ? std::to_string(pos) : std::string()) + "o1";
        try {
            orders.push_back(spin_short(replay(s)));
            o_points.push_back(pos);
        } catch (const sim::ReplayDivergence&) {}  // not an 'o' point
    }
    REQUIRE(!o_points.empty());
    // The first 'o' point: the 1ns timer fires in the pass after short's first step, after
    // spin's entry: exactly CPython's order.
    CHECK(orders.front() == "012T34");
    const std::string first =
        "aiosim1:timers:seed=0:" + (o_points.front() ? std::to_string(o_points.front()) : "") + "o1";
    sim::Recorder again;
    CHECK(spin_short(replay(first), &again) == "012T34");
    CHECK(again->replay == first);
    CHECK(elapsed(again->end_time) == 1ns);  // the clock moved to the timer's deadline, no further
    // A later 'o' point lets the timer overtake later: T after 3 (each a CPython-realizable order:
    // the steps before took longer).
    if (orders.size() >= 2) CHECK(orders[1] == "0123T4");
    // Determinism: the same seed gives the same replay string and order.
    for (std::uint64_t seed : {1u, 2u, 7u}) {
        sim::Recorder a, b;
        const std::string oa = spin_short({.schedule = {.policy = sim::Policy::random, .seed = seed}}, &a);
        const std::string ob = spin_short({.schedule = {.policy = sim::Policy::random, .seed = seed}}, &b);
        CHECK(oa == ob);
        CHECK(a->replay == b->replay);
    }
}

TEST_CASE("overtake: seeded policies reach CPython's order, and ahead=0 turns 'o' off") {
    bool reached = false;
    for (std::uint64_t seed = 0; seed < 40 && !reached; ++seed) {
        sim::Recorder rec;
        if (spin_short({.schedule = {.policy = sim::Policy::timers, .seed = seed}}, &rec) == "012T34") {
            reached = true;
            CHECK(has_overtake(*rec));
        }
    }
    CHECK(reached);
    for (std::uint64_t seed = 0; seed < 20; ++seed)
        CHECK(spin_short({.schedule = {.policy = sim::Policy::timers, .seed = seed, .jitter = 0ns, .ahead = 0ns}}) ==
              "01234T");
}

TEST_CASE("overtake: a timer at TimePoint::max() never overtakes, whatever the window") {
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        aio::Duration t{};
        bool woke = false;
        auto amain = [&]() -> aio::Coro<void> {
            auto never = aio::create_task([&]() -> aio::Coro<void> {
                co_await aio::sleep(aio::Duration::max());
                woke = true;
            }());
            for (int i = 0; i < 50; ++i) co_await aio::sleep(0s);  // ready work on every pass
            t = elapsed(aio::get_running_loop().time());
            never.cancel();
            try {
                co_await never;
            } catch (const aio::CancelledError&) {}
        };
        sim::Recorder rec;
        sim::run(amain(),
                 {.schedule = {.policy = sim::Policy::random,
                               .seed = seed,
                               .ahead = sim::max_clock_window,
                               .limits = {.max_virtual_time = aio::Duration::max()}}},
                 rec);
        CHECK(t == 0ns);
        CHECK_FALSE(woke);
        CHECK_FALSE(has_overtake(*rec));
    }
}

TEST_CASE("clock parameters: replay round trip and ranges") {
    sim::Schedule s;
    s.policy = sim::Policy::timers;
    s.batch = 250us;
    s.ahead = 2ms;
    s.cost = 3ns;
    const std::string str = s.to_string();
    CHECK(str == "aiosim1:timers:seed=0,batch=250us,ahead=2ms,cost=3ns");
    CHECK(sim::Schedule::parse(str) == s);
    // Defaults are left out.
    CHECK(sim::Schedule{}.to_string() == "aiosim1:fifo:-");
    CHECK(sim::Schedule::parse("aiosim1:fifo:-").batch == 1ms);
    CHECK(sim::Schedule::parse("aiosim1:fifo:-").ahead == 1ms);
    CHECK(sim::Schedule::parse("aiosim1:fifo:-").cost == 0ns);
    CHECK(sim::Schedule::parse("aiosim1:random:-:3o1").decisions ==
          std::vector<sim::Decision>{{3, sim::Choice::overtake, 1}});
    CHECK_THROWS_AS(sim::Schedule::parse("aiosim1:fifo:ahead=25h"), sim::ReplayParseError);
    CHECK_THROWS_AS(sim::Schedule::parse("aiosim1:fifo:cost=2h"), sim::ReplayParseError);
    CHECK_NOTHROW(sim::Schedule::parse("aiosim1:fifo:cost=1h,ahead=24h,batch=24h"));
    sim::Config bad;
    bad.schedule.cost = -1ns;
    CHECK_THROWS_AS(sim::validate(bad), sim::ConfigError);
}

}  // namespace clock_model_test
