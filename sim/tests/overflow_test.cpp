// Arithmetic at the edges: deadlines that saturate to "never", virtual time that would pass
// the end of its range, out-of-range Config values and replay parameters, and bounded,
// correctly placed parse errors.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <aio/sim/sim.hpp>
#include <aio/sim/validate.hpp>
#include <chrono>
#include <limits>
#include <string>

using namespace std::chrono_literals;
namespace sim = aio::sim;

namespace {

aio::Duration since_epoch(aio::TimePoint t) { return t.time_since_epoch(); }

aio::Coro<void> sleep_forever() { co_await aio::sleep(aio::Duration::max()); }

// The text of what `f` throws as a ConfigError (empty if it throws nothing).
template <class F>
std::string config_error(F&& f) {
    try {
        f();
    } catch (const sim::ConfigError& e) {
        return e.what();
    }
    return {};
}

std::string parse_error_text(std::string_view s) {
    try {
        (void)sim::Schedule::parse(s);
    } catch (const sim::ReplayParseError& e) {
        return e.what();
    }
    return {};
}

}  // namespace

TEST_SUITE("overflow") {
    TEST_CASE(
        "once virtual time is past 0, sleep(Duration::max()) never returns; the task is still sleeping an hour later") {
        auto amain = []() -> aio::Coro<aio::Duration> {
            co_await aio::sleep(1s);
            auto t = aio::create_task(sleep_forever());
            co_await aio::sleep(1h);
            CHECK_FALSE(t.done());
            t.cancel();
            CHECK_THROWS_AS(co_await t, aio::CancelledError);
            co_return since_epoch(aio::get_running_loop().time());
        };
        CHECK(sim::run(amain(), {}) == 1h + 1s);
    }

    TEST_CASE("call_later(Duration::max()) never fires and wait_for(x, Duration::max()) waits for x, in virtual time") {
        auto amain = []() -> aio::Coro<int> {
            auto& loop = aio::get_running_loop();
            co_await aio::sleep(1s);
            bool fired = false;
            aio::Handle h = loop.call_later(aio::Duration::max(), [&] { fired = true; });
            CHECK(h.when() == aio::TimePoint::max());
            auto work = []() -> aio::Coro<int> {
                co_await aio::sleep(2s);
                co_return 5;
            };
            int r = co_await aio::wait_for(work(), aio::Duration::max());
            CHECK_FALSE(fired);
            CHECK(since_epoch(loop.time()) == 3s);
            h.cancel();
            co_return r;
        };
        CHECK(sim::run(amain(), {}) == 5);
    }

    TEST_CASE(
        "a program whose only timer never fires is a Deadlock that names the never-firing timer, at 0 and later") {
        for (aio::Duration before : {aio::Duration::zero(), aio::Duration(1s)}) {
            auto amain = [](aio::Duration d) -> aio::Coro<void> {
                if (d > 0s) co_await aio::sleep(d);
                co_await sleep_forever();
            };
            try {
                sim::run(amain(before), {});
                FAIL("no Deadlock");
            } catch (const sim::Deadlock& e) {
                CHECK(std::string(e.what()).find("never fire") != std::string::npos);
            }
        }
    }

    TEST_CASE("a virtual-time limit of Duration::max() still gives the cleanup after a failure a budget") {
        // raise() computed now + max_virtual_time unchecked: the budget wrapped into the past and
        // the cleanup's first sleep was a LimitExceeded instead of running.
        bool cleaned = false;
        auto amain = [](bool& cleaned) -> aio::Coro<void> {
            auto t = aio::create_task([](bool& c) -> aio::Coro<void> {
                try {
                    aio::Future<void> never(aio::get_running_loop());
                    co_await never;
                } catch (const aio::CancelledError&) {}
                co_await aio::sleep(1s);  // cleanup that takes virtual time
                c = true;
            }(cleaned));
            co_await aio::sleep(1s);
            aio::Future<void> never(aio::get_running_loop());
            co_await never;  // deadlock
        };
        sim::Config cfg;
        cfg.schedule.limits.max_virtual_time = aio::Duration::max();
        CHECK_THROWS_AS(sim::run(amain(cleaned), cfg), sim::Deadlock);
        CHECK(cleaned);
    }

    TEST_CASE("a step limit of 2^64-1 still gives the cleanup after a failure a budget") {
        bool cleaned = false;
        auto amain = [](bool& cleaned) -> aio::Coro<void> {
            auto t = aio::create_task([](bool& c) -> aio::Coro<void> {
                try {
                    aio::Future<void> never(aio::get_running_loop());
                    co_await never;
                } catch (const aio::CancelledError&) {}
                co_await aio::sleep(0s);
                c = true;
            }(cleaned));
            co_await aio::sleep(0s);
            aio::Future<void> never(aio::get_running_loop());
            co_await never;
        };
        sim::Config cfg;
        cfg.schedule.limits.max_steps = std::numeric_limits<std::uint64_t>::max();
        CHECK_THROWS_AS(sim::run(amain(cleaned), cfg), sim::Deadlock);
        CHECK(cleaned);
    }

    TEST_CASE("virtual time that would pass the end of its range is a LimitExceeded naming the range, not a wrap") {
        // vtime=max lets the clock get within a jitter of the end; the timers policy's jitter
        // then pushes a clock read past it.
        auto amain = []() -> aio::Coro<void> {
            co_await aio::sleep(aio::Duration::max() - 30h);
            for (int i = 0; i < 1000; ++i) {
                const aio::TimePoint before = aio::get_running_loop().time();
                co_await aio::sleep(1ns);
                REQUIRE(aio::get_running_loop().time() > before);  // never backwards
            }
        };
        sim::Config cfg{.schedule = {.policy = sim::Policy::timers, .seed = 3, .jitter = 24h}};
        cfg.schedule.limits.max_virtual_time = aio::Duration::max();
        try {
            sim::run(amain(), cfg);
            FAIL("no LimitExceeded");
        } catch (const sim::LimitExceeded& e) {
            CHECK(e.which() == sim::LimitExceeded::Which::virtual_time);
            CHECK(std::string(e.what()).find("end of virtual time") != std::string::npos);
        }
    }

    TEST_CASE("a sleep that would end past the end of virtual time never fires, as a huge delay") {
        auto amain = []() -> aio::Coro<void> {
            co_await aio::sleep(aio::Duration::max() - 1h);
            co_await aio::sleep(2h);
        };
        sim::Config cfg;
        cfg.schedule.limits.max_virtual_time = aio::Duration::max();
        CHECK_THROWS_AS(sim::run(amain(), cfg), sim::Deadlock);
    }

    TEST_CASE("trace times at the ends of the clock format without overflow: a timer at TimePoint::min() or max()") {
        CHECK(sim::format_time(aio::TimePoint::min()) == "-9223372036.854775808");
        CHECK(sim::format_time(aio::TimePoint::max()) == "9223372036.854775807");
        CHECK(sim::format_time(aio::TimePoint(-1500ms)) == "-1.500000000");
        // call_later(Duration::min()) at 0 is a timer at TimePoint::min(), traced as its deadline.
        auto amain = []() -> aio::Coro<void> {
            aio::get_running_loop().call_later(aio::Duration::min(), [] {});
            co_await aio::sleep(1ms);
        };
        sim::Recorder rec;
        sim::run(amain(), {.trace = sim::TraceMode::full}, rec);
        bool seen = false;
        for (const auto& e : rec->trace)
            if (e.kind == sim::TraceKind::timer)
                seen = sim::format_trace_line(e).find("until=-9223372036.854775808") != std::string::npos;
        CHECK(seen);
    }

    // ---- Config validation ---------------------------------------------------------------------

    TEST_CASE(
        "a jitter of 9223372036854775807ns is rejected by Config and by the replay string, naming the field and "
        "range") {
        sim::Config cfg{.schedule = {.policy = sim::Policy::timers, .jitter = aio::Duration::max()}};
        const std::string e = config_error([&] { sim::SimLoop loop(cfg); });
        CHECK(e.find("jitter") != std::string::npos);
        CHECK(e.find("0ns") != std::string::npos);
        CHECK(e.find("24h") != std::string::npos);
        const std::string p = parse_error_text("aiosim1:timers:seed=1,jitter=9223372036854775807ns");
        CHECK(p.find("jitter") != std::string::npos);
        CHECK(p.find("24h") != std::string::npos);
        CHECK(p.find("character 29") != std::string::npos);  // the value
    }

    TEST_CASE("a negative jitter is rejected") {
        sim::Config cfg{.schedule = {.policy = sim::Policy::timers, .jitter = -1ms}};
        CHECK(config_error([&] { sim::validate(cfg); }).find("jitter") != std::string::npos);
        CHECK(config_error([&] { sim::run([]() -> aio::Coro<void> { co_return; }(), cfg); }).find("jitter") !=
              std::string::npos);
    }

    TEST_CASE("a loop_factory with a bad Config throws the ConfigError at every run; a good one's loops all run") {
        // The factory validates its Config with the first loop that succeeds, and not again.
        const aio::RunOptions bad{.loop_factory =
                                      sim::loop_factory({.schedule = {.policy = sim::Policy::timers, .jitter = -1ms}})};
        auto noop = []() -> aio::Coro<int> { co_return 7; };
        for (int i = 0; i < 3; ++i)
            CHECK(config_error([&] { aio::run(noop(), bad); }).find("jitter") != std::string::npos);
        const aio::RunOptions good{.loop_factory = sim::loop_factory({})};
        for (int i = 0; i < 3; ++i) CHECK(aio::run(noop(), good) == 7);
        // A SimLoop built directly from another Config is still checked after a factory's loops.
        CHECK(config_error([&] {
                  sim::SimLoop loop(sim::Config{.schedule = {.policy = sim::Policy::timers, .jitter = -1ms}});
              }).find("jitter") != std::string::npos);
    }

    TEST_CASE("pct_steps = 0 (fitted) is accepted by Config and k=0 by the replay string") {
        sim::Config cfg{.schedule = {.policy = sim::Policy::pct, .pct_steps = 0}};
        CHECK_NOTHROW(sim::validate(cfg));
        CHECK(sim::Schedule::parse("aiosim1:pct:seed=1,k=0").pct_steps == 0);
        CHECK(sim::Schedule::parse("aiosim1:pct:seed=1,k=0").to_string() == "aiosim1:pct:seed=1,d=3,k=0");
    }

    TEST_CASE("a negative virtual-time limit is rejected") {
        sim::Config cfg;
        cfg.schedule.limits.max_virtual_time = -1s;
        CHECK(config_error([&] { sim::SimLoop loop(cfg); }).find("limits.max_virtual_time") != std::string::npos);
    }

    TEST_CASE("every other numeric field is range-checked: pct_depth, max_steps, thread_timeout, and the enums") {
        CHECK(config_error([] { sim::validate(sim::Config{.schedule = {.pct_depth = 0}}); }).find("pct_depth") !=
              std::string::npos);
        CHECK(config_error([] {
                  sim::validate(sim::Config{.schedule = {.pct_depth = 65}});
              }).find("between 1 and 64") != std::string::npos);
        sim::Config steps;
        steps.schedule.limits.max_steps = 0;
        CHECK(config_error([&] { sim::validate(steps); }).find("limits.max_steps") != std::string::npos);
        CHECK(config_error([] { sim::validate(sim::Config{.thread_timeout = -1s}); }).find("thread_timeout") !=
              std::string::npos);
        CHECK(config_error([] {
                  sim::validate(sim::Config{.schedule = {.policy = static_cast<sim::Policy>(9)}});
              }).find("policy") != std::string::npos);
        CHECK(config_error([] {
                  sim::validate(sim::Config{.schedule = {.task_start = static_cast<sim::TaskStart>(9)}});
              }).find("task_start") != std::string::npos);
        CHECK(config_error([] { sim::validate(sim::Config{.trace = static_cast<sim::TraceMode>(9)}); }).find("trace") !=
              std::string::npos);
        CHECK(parse_error_text("aiosim1:fifo:steps=0").find("steps") != std::string::npos);
        CHECK(parse_error_text("aiosim1:pct:d=99999999999999999999").find("at most 64") != std::string::npos);
        CHECK(parse_error_text("aiosim1:pct:d=0").find("between 1 and 64") != std::string::npos);
    }

    TEST_CASE("a replay Schedule given programmatically is validated too: its parameters and its decision list") {
        sim::Schedule s;
        s.jitter = -5ns;
        CHECK(config_error([&] { sim::SimLoop loop(sim::Config{.schedule = s}); }).find("jitter") != std::string::npos);
        sim::Schedule d;
        d.decisions = std::vector<sim::Decision>{{5, sim::Choice::ready, 1}, {5, sim::Choice::ready, 1}};
        CHECK(config_error([&] { sim::SimLoop loop(sim::Config{.schedule = d}); }).find("position") !=
              std::string::npos);
        d.decisions = std::vector<sim::Decision>{{5, sim::Choice::ready, 0}};
        CHECK(config_error([&] { sim::validate(d); }).find("index") != std::string::npos);
    }

    // ---- parse errors ------------------------------------------------------------------------------

    TEST_CASE("a parse error of a 131 KB string echoes a bounded excerpt") {
        std::string huge = "aiosim1:fifo:" + std::string(131'000, 'x') + "=1";
        const std::string e = parse_error_text(huge);
        REQUIRE_FALSE(e.empty());
        CHECK(e.size() < 400);
        CHECK(e.find("...") != std::string::npos);
        std::string mid = "aiosim1:random:seed=1:" + std::string(65'000, '1') + "r1" + std::string(65'000, '2');
        const std::string m = parse_error_text(mid);
        REQUIRE_FALSE(m.empty());
        CHECK(m.size() < 400);
    }

    TEST_CASE("the caret stands under the offending character when the string holds UTF-8 multibyte characters") {
        // "é" is two bytes and one column; the error is at the character after "seed=".
        const std::string e = parse_error_text("aiosim1:fifo:seed=é");
        const auto nl = e.find('\n');
        REQUIRE(nl != std::string::npos);
        const auto nl2 = e.find('\n', nl + 1);
        REQUIRE(nl2 != std::string::npos);
        const std::string shown = e.substr(nl + 1, nl2 - nl - 1);
        const std::string caret = e.substr(nl2 + 1);
        const auto at = shown.find("é");
        REQUIRE(at != std::string::npos);
        // Columns: count code points, not bytes.
        auto columns = [](std::string_view s) {
            std::size_t n = 0;
            for (unsigned char c : s) n += (c & 0xC0) != 0x80;
            return n;
        };
        CHECK(caret.find('^') == columns(shown.substr(0, at)));
    }

    TEST_CASE("the caret counts characters, not bytes, before the error position; a tab is copied to line it up") {
        // ReplayParseError is public: whoever reports an offset into a string gets the right column.
        const std::string text = "\xc3\xa9\xc3\xa9\t\xe2\x82\xac:x";  // "éé\t€:x", error at 'x' (byte 9)
        const std::string e = sim::ReplayParseError(text, 9, "test").what();
        CHECK(e.find("at character 5:") != std::string::npos);
        CHECK(e.substr(e.rfind('\n') + 1) == "    \t  ^");  // the indent, two é, the tab, € and ':'
    }

    namespace {
    bool valid_utf8(std::string_view s) {
        for (std::size_t i = 0; i < s.size();) {
            const auto b = static_cast<unsigned char>(s[i]);
            std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
            if (n == 0 || i + n > s.size()) return false;
            for (std::size_t k = 1; k < n; ++k)
                if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
            i += n;
        }
        return true;
    }
    }  // namespace

    TEST_CASE(
        "a parse error never cuts a multibyte character: the message is valid UTF-8 and quotes the whole character") {
        const std::string e = parse_error_text("aiosim1:fifo:seed=\xc3\xa9");
        CHECK(valid_utf8(e));
        CHECK(e.find("got '\xc3\xa9'") != std::string::npos);
        std::string tail;
        for (int i = 0; i < 200; ++i) tail += "\xc3\xa9";
        const std::string w = parse_error_text("aiosim1:fifo:x=1," + tail);
        CHECK(valid_utf8(w));
        CHECK(w.size() < 400);
    }

    TEST_CASE("a decision list whose positions wrap past 2^64 is rejected at parse time, naming the position") {
        const std::string e = parse_error_text("aiosim1:random:seed=1:18446744073709551615r1.1r1");
        CHECK(e.find("position") != std::string::npos);
        CHECK_FALSE(parse_error_text("aiosim1:random:seed=1:18446744073709551614r1.5r1").empty());
        // The last representable position on its own is fine.
        auto s = sim::Schedule::parse("aiosim1:random:seed=1:18446744073709551615r1");
        REQUIRE(s.decisions);
        CHECK(s.decisions->back().position == std::numeric_limits<std::uint64_t>::max());
    }

}  // TEST_SUITE
