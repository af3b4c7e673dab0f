// Fuzzes aio::sim::Config: every field, a replayed schedule with a decision list, and the
// simulator running a tiny program under it.
//
// aio::sim::validate (validate.hpp) decides: a Config it refuses (ConfigError) is refused the
// same way when its loop is made, before anything runs; a schedule it accepts prints to a
// replay string that parses back to it. A Config it accepts runs, free of undefined
// behaviour, keeping the simulator's promises: virtual time never goes backwards, a sleep
// never wakes early, the program's result is right, the only errors are the ones its Config
// explains (LimitExceeded for a limit, ReplayDivergence for a strict decision list), the
// recorded replay string parses back to the recorded schedule, and the same Config runs the
// same way twice.
#include <fuzzer/FuzzedDataProvider.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <aio/aio.hpp>
#include <aio/sim/sim.hpp>
#include <aio/sim/validate.hpp>

#include "harness.hpp"

namespace {

using aio::Duration;
using aio::TimePoint;
using namespace std::chrono_literals;

struct Probe {
    TimePoint last{};
    std::string broken;  // the first promise the run broke, if any

    void observe(TimePoint t) {
        if (t < last && broken.empty()) broken = "virtual time went backwards";
        last = t;
    }
};

TimePoint now() { return aio::get_running_loop().time(); }

aio::Coro<int> worker(Probe& p, aio::Event& go, Duration d, int id) {
    const TimePoint t0 = now();
    p.observe(t0);
    co_await aio::sleep(d);
    const TimePoint t1 = now();
    p.observe(t1);
    if (t1 - t0 < d && p.broken.empty()) p.broken = "a sleep woke before its delay had passed";
    if (id == 0) go.set();
    co_await go.wait();
    p.observe(now());
    co_return id + 1;
}

aio::Coro<void> nap() { co_await aio::sleep(5ms); }

aio::Coro<int> program(Probe& p, std::vector<Duration> delays, bool use_thread, Duration timeout) {
    aio::Event go;
    std::vector<aio::Task<int>> tasks;
    for (std::size_t i = 0; i < delays.size(); ++i)
        tasks.push_back(aio::create_task(worker(p, go, delays[i], static_cast<int>(i))));
    int sum = 0;
    for (auto& t : tasks) sum += co_await t;
    if (use_thread) sum += co_await aio::to_thread([] { return 100; });
    try {
        co_await aio::wait_for(nap(), timeout);
        sum += 1000;
    } catch (const aio::TimeoutError&) {
        sum += 2000;
    }
    p.observe(now());
    co_return sum;
}

struct Input {
    aio::sim::Config cfg;
    std::vector<Duration> delays;
    bool use_thread = false;
    Duration timeout{};
};

Duration any_duration(FuzzedDataProvider& in) {
    // Mostly small values (the interesting ones for a run), sometimes any 64-bit count.
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0: return Duration(in.ConsumeIntegralInRange<std::int64_t>(-10, 10));
    case 1: return std::chrono::milliseconds(in.ConsumeIntegralInRange<std::int64_t>(0, 100));
    case 2: return Duration(in.ConsumeIntegral<std::int64_t>());
    default: return std::chrono::hours(in.ConsumeIntegralInRange<std::int64_t>(0, 24 * 365));
    }
}

std::uint64_t any_count(FuzzedDataProvider& in) {
    return in.ConsumeBool() ? in.ConsumeIntegralInRange<std::uint64_t>(0, 64) : in.ConsumeIntegral<std::uint64_t>();
}

aio::sim::Schedule any_schedule(FuzzedDataProvider& in) {
    aio::sim::Schedule s;
    s.policy =
        static_cast<aio::sim::Policy>(in.ConsumeIntegralInRange<int>(0, static_cast<int>(aio::sim::Policy::delay)));
    s.seed = in.ConsumeIntegral<std::uint64_t>();
    s.pct_depth = in.ConsumeBool() ? in.ConsumeIntegralInRange<int>(-2, 66) : in.ConsumeIntegral<int>();
    s.pct_steps = any_count(in);
    s.jitter = any_duration(in);
    s.task_start = static_cast<aio::sim::TaskStart>(in.ConsumeIntegralInRange<int>(0, 3));
    s.limits.max_steps = any_count(in);
    s.limits.max_virtual_time = any_duration(in);
    return s;
}

Input make_input(FuzzedDataProvider& in) {
    Input x;
    aio::sim::Config& c = x.cfg;
    c.schedule = any_schedule(in);
    c.trace = static_cast<aio::sim::TraceMode>(in.ConsumeIntegralInRange<int>(0, 2));
    c.fingerprint = in.ConsumeBool();
    c.thread_step_budget = any_count(in);
    c.strict_replay = in.ConsumeBool();
    if (in.ConsumeBool()) c.thread_timeout = any_duration(in);
    if (in.ConsumeBool()) {  // a replay: another schedule, maybe with decisions
        aio::sim::Schedule r = any_schedule(in);
        if (in.ConsumeBool()) {
            std::vector<aio::sim::Decision> list;
            std::uint64_t pos = 0;
            const int n = in.ConsumeIntegralInRange<int>(0, 8);
            for (int i = 0; i < n; ++i) {
                pos += in.ConsumeIntegralInRange<std::uint64_t>(i == 0 ? 0 : 1, 6);
                list.push_back({pos, static_cast<aio::sim::Choice>(in.ConsumeIntegralInRange<int>(0, 4)),
                                in.ConsumeIntegralInRange<std::uint32_t>(1, 5)});
            }
            r.decisions = std::move(list);
        }
        c.schedule = std::move(r);
    }
    const int tasks = in.ConsumeIntegralInRange<int>(1, 3);
    for (int i = 0; i < tasks; ++i)
        x.delays.push_back(std::chrono::milliseconds(in.ConsumeIntegralInRange<int>(0, 20)));
    // A to_thread job only when the loop waits long enough for it: a shorter (valid) timeout
    // reports a job still running on a slow machine as stuck, which depends on real time.
    x.use_thread =
        in.ConsumeBool() && (c.thread_timeout >= std::chrono::seconds(1) || c.thread_timeout < Duration::zero());
    x.timeout = std::chrono::milliseconds(in.ConsumeIntegralInRange<int>(0, 10));
    return x;
}

struct Result {
    enum class Kind { ok, rejected, limit, divergence } kind = Kind::ok;
    int value = 0;
    std::string error;
    aio::sim::Recorder record;
    std::string broken;
};

Result run_once(const Input& x, std::string_view raw) {
    Result r;
    aio::sim::Config cfg = x.cfg;
    Probe probe;
    try {
        r.value = aio::sim::run(program(probe, x.delays, x.use_thread, x.timeout), cfg, r.record);
    } catch (const aio::sim::LimitExceeded& e) {
        r.kind = Result::Kind::limit;
        r.error = e.what();
    } catch (const aio::sim::ReplayDivergence& e) {
        r.kind = Result::Kind::divergence;
        r.error = e.what();
    } catch (const aio::sim::SimError&) {
        aio::fuzz::fail("the tiny program failed in the simulator: " + aio::fuzz::describe_current(), raw);
    } catch (const aio::sim::ConfigError& e) {
        r.kind = Result::Kind::rejected;
        r.error = e.what();
    } catch (...) {
        aio::fuzz::fail("the run threw an undocumented error: " + aio::fuzz::describe_current(), raw);
    }
    r.broken = probe.broken;
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    FuzzedDataProvider in(data, size);
    const Input x = make_input(in);

    std::string invalid;  // validate's verdict: empty when the Config is valid
    try {
        aio::sim::validate(x.cfg);
    } catch (const aio::sim::ConfigError& e) {
        invalid = e.what();
        aio::fuzz::check_message(invalid, raw);
    } catch (...) {
        aio::fuzz::fail("validate(Config) threw something other than ConfigError: " + aio::fuzz::describe_current(),
                        raw);
    }
    const aio::sim::Schedule& schedule = x.cfg.schedule;
    bool valid_schedule = true;
    try {
        aio::sim::validate(schedule);
    } catch (const aio::sim::ConfigError&) {
        valid_schedule = false;
    }
    if (valid_schedule) {
        const std::string text = schedule.to_string();
        try {
            if (!(aio::sim::Schedule::parse(text) == schedule))
                aio::fuzz::fail("a valid schedule's replay string '" + text + "' parses to another schedule", raw);
        } catch (const aio::sim::ReplayParseError& e) {
            aio::fuzz::fail("a valid schedule's replay string '" + text + "' does not parse: " + e.what(), raw);
        }
    }

    const Result a = run_once(x, raw);
    if (!invalid.empty()) {
        if (a.kind != Result::Kind::rejected)
            aio::fuzz::fail("validate() refuses the Config (" + invalid + ") but the simulator ran it", raw);
        if (a.error != invalid)
            aio::fuzz::fail("the simulator refused the Config with another error than validate(): '" + a.error +
                                "' versus '" + invalid + "'",
                            raw);
        return 0;
    }
    if (a.kind == Result::Kind::rejected)
        aio::fuzz::fail("validate() accepts the Config but the simulator refused it: " + a.error, raw);
    if (!a.broken.empty()) aio::fuzz::fail(a.broken, raw);
    if (a.kind == Result::Kind::divergence && !(x.cfg.schedule.decisions && x.cfg.strict_replay))
        aio::fuzz::fail("ReplayDivergence without a strict decision list: " + a.error, raw);
    if (a.kind == Result::Kind::ok) {
        int expected = 0;
        for (std::size_t i = 0; i < x.delays.size(); ++i) expected += static_cast<int>(i) + 1;
        if (x.use_thread) expected += 100;
        if (a.value - expected != 1000 && a.value - expected != 2000)
            aio::fuzz::fail("the tiny program returned " + std::to_string(a.value) + ", expected " +
                                std::to_string(expected) + " + 1000 or 2000",
                            raw);
    }

    // The record: its replay string must parse back to the schedule that ran.
    if (!a.record.has_record()) aio::fuzz::fail("the loop delivered no record", raw);
    const aio::sim::RunRecord& rec = *a.record;
    aio::sim::Schedule parsed;
    try {
        parsed = aio::sim::Schedule::parse(rec.replay);
    } catch (...) {
        aio::fuzz::fail(
            "the recorded replay string '" + rec.replay + "' does not parse: " + aio::fuzz::describe_current(), raw);
    }
    if (!(parsed == rec.schedule))
        aio::fuzz::fail("the recorded replay string '" + rec.replay + "' parses to another schedule", raw);

    // Determinism: the same Config, the same run.
    const Result b = run_once(x, raw);
    if (!b.record.has_record() || b.kind != a.kind || b.value != a.value || b.record->replay != rec.replay ||
        b.record->steps != rec.steps || b.record->end_time != rec.end_time)
        aio::fuzz::fail("the same Config ran differently twice: '" + rec.replay + "' then '" + b.record->replay + "'",
                        raw);
    return 0;
}
