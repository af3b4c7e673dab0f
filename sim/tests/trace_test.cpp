// Traces: the text form, its hash, and Chrome trace-event JSON.
#include <doctest/doctest.h>

#include <aio/sim/sim.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <vector>

#include "programs.hpp"

using namespace std::chrono_literals;
namespace sim = aio::sim;

namespace {

aio::Coro<void> small_main() {
    auto child = []() -> aio::Coro<int> {
        co_await aio::sleep(2s);
        throw aio::ValueError("no \"luck\"");
    };
    auto t = aio::create_task(child(), "child");
    auto victim = aio::create_task([]() -> aio::Coro<void> { co_await aio::sleep(1h); }(), "victim");
    co_await aio::sleep(1s);
    victim.cancel("enough");
    try {
        co_await t;
    } catch (const aio::ValueError&) {}
}

sim::Recorder traced(sim::TraceMode mode) {
    sim::Recorder rec;
    sim::run(small_main(), {.trace = mode}, rec);
    return rec;
}

}  // namespace

TEST_CASE("the text trace has one stable line per event") {
    auto rec = traced(sim::TraceMode::full);
    CHECK(sim::format_trace(rec->trace) ==
          "0.000000000 0 created #1 \"Task-1\"\n"
          "0.000000000 1 step #1 \"Task-1\"\n"
          "0.000000000 1 created #2 \"child\"\n"
          "0.000000000 1 created #3 \"victim\"\n"
          "0.000000000 1 sleep #1 \"Task-1\" until=1.000000000\n"
          "0.000000000 2 step #2 \"child\"\n"
          "0.000000000 2 sleep #2 \"child\" until=2.000000000\n"
          "0.000000000 3 step #3 \"victim\"\n"
          "0.000000000 3 sleep #3 \"victim\" until=3600.000000000\n"
          "1.000000000 3 fired #1 \"Task-1\"\n"
          "1.000000000 5 step #1 \"Task-1\"\n"
          "1.000000000 5 cancel #3 \"victim\" msg=\"enough\"\n"
          "1.000000000 6 step #3 \"victim\"\n"
          "1.000000000 6 cancelled #3 \"victim\"\n"
          "2.000000000 6 fired #2 \"child\"\n"
          "2.000000000 8 step #2 \"child\"\n"
          "2.000000000 8 raised #2 \"child\" ValueError: no \"luck\"\n"
          "2.000000000 9 step #1 \"Task-1\"\n"
          "2.000000000 9 done #1 \"Task-1\"\n"
          "2.000000000 10 created #4 \"Task-4\"\n"
          "2.000000000 11 step #4 \"Task-4\"\n"
          "2.000000000 11 done #4 \"Task-4\"\n");
    // Task-4 is aio::run's shutdown_default_executor step.
}

TEST_CASE("the trace hash is over the events' fields and does not need the events kept") {
    auto full = traced(sim::TraceMode::full);
    auto hash_only = traced(sim::TraceMode::hash);
    REQUIRE(full->trace_hash.has_value());
    CHECK(full->trace_hash == hash_only->trace_hash);
    CHECK(hash_only->trace.empty());
    CHECK(*full->trace_hash == sim::trace_hash(full->trace));
    // Not FNV-1a of the text form (the definition before issue 13).
    CHECK(*full->trace_hash != sim::fnv1a64(sim::format_trace(full->trace)));
    // The same on every compiler and machine: the value is part of the definition.
    CHECK(sim::format_hash(*full->trace_hash) == "0x0a701334c1a531e8");
    CHECK(sim::fnv1a64("") == 0xcbf29ce484222325ull);
    CHECK(sim::fnv1a64("a") == 0xaf63dc4c8601ec8cull);
    CHECK(sim::format_hash(0xabcull) == "0x0000000000000abc");
    CHECK_FALSE(traced(sim::TraceMode::off)->trace_hash.has_value());
}

namespace trace_hash_bytes {

// The encoding trace.hpp defines, spelled out: the words, then the hash's steps.
using Words = std::vector<std::uint64_t>;
Words str(std::string_view v) {
    Words w{v.size()};
    for (std::size_t at = 0; at < v.size(); at += 8) {
        std::uint64_t x = 0;
        for (std::size_t i = 0; i < 8 && at + i < v.size(); ++i)
            x += static_cast<std::uint64_t>(static_cast<unsigned char>(v[at + i])) << (8 * i);
        w.push_back(x);
    }
    return w;
}
Words cat(std::initializer_list<Words> parts) {
    Words all;
    for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
}
std::uint64_t hash_words(const Words& words) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (std::uint64_t w : words) {
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 32;
    }
    return h;
}

sim::TraceEvent event(std::int64_t ns, std::uint64_t step, sim::TraceKind kind, std::uint64_t task = 0,
                      std::string name = {}) {
    sim::TraceEvent e;
    e.time = aio::TimePoint(std::chrono::nanoseconds(ns));
    e.step = step;
    e.kind = kind;
    e.task = task;
    e.name = std::move(name);
    return e;
}

}  // namespace trace_hash_bytes

TEST_CASE("the trace hash's encoding: a word per field, strings as length and little-endian words") {
    using namespace trace_hash_bytes;
    using K = sim::TraceKind;
    std::vector<sim::TraceEvent> ev;
    ev.push_back(event(-1, 7, K::step, 3, "child"));
    ev.push_back(event(5, 8, K::sleep, 3, "child"));
    ev.back().until = aio::TimePoint(std::chrono::nanoseconds(2'000'000'000));
    ev.push_back(event(5, 9, K::decision));
    ev.back().choice = 'r', ev.back().index = 2, ev.back().of = 3;
    ev.push_back(event(6, 9, K::raised, 3, "child"));
    ev.back().detail = "ValueError: no";
    ev.push_back(event(6, 10, K::fired));  // a fired event's until is not hashed
    ev.back().until = aio::TimePoint(std::chrono::nanoseconds(6));
    const Words words = cat({
        {static_cast<std::uint64_t>(-1), 7, 1, 3},
        str("child"),
        str(""),  // step
        {5, 8, 2, 3},
        str("child"),
        {2'000'000'000},          // sleep
        {5, 9, 9, 0, 'r', 2, 3},  // decision
        {6, 9, 7, 3},
        str("child"),
        str("ValueError: no"),  // raised
        {6, 10, 4, 0},
        str(""),  // fired
    });
    CHECK(str("ValueError: no") == Words{14, 0x7272456575'6c6156ull, 0x6f6e203a726full});
    CHECK(sim::trace_hash(ev) == hash_words(words));
    CHECK(sim::format_trace(ev) ==
          "-0.000000001 7 step #3 \"child\"\n"
          "0.000000005 8 sleep #3 \"child\" until=2.000000000\n"
          "0.000000005 9 decision r2 of 3\n"
          "0.000000006 9 raised #3 \"child\" ValueError: no\n"
          "0.000000006 10 fired\n");
    // A detail given as text is hashed as text: the same line, another hash.
    auto as_text = ev;
    as_text[2].choice = 0;
    as_text[2].detail = "r2 of 3";
    CHECK(sim::format_trace(as_text) == sim::format_trace(ev));
    CHECK(sim::trace_hash(as_text) != sim::trace_hash(ev));
}

TEST_CASE("names and messages with newlines stay on one trace line") {
    sim::Recorder rec;
    auto amain = []() -> aio::Coro<void> {
        auto t = aio::create_task(
            []() -> aio::Coro<void> {
                co_await aio::sleep(std::chrono::seconds(1));
                throw std::runtime_error("line one\nline \"two\"");
            }(),
            "two\nlines");
        aio::create_task([]() -> aio::Coro<void> { co_await aio::sleep(std::chrono::seconds(5)); }(), "v")
            .cancel("a\tb");
        try {
            co_await t;
        } catch (const std::exception&) {}
    };
    sim::run(amain(), {.trace = sim::TraceMode::full}, rec);
    const std::string text = sim::format_trace(rec->trace);
    CHECK(text.find("raised #2 \"two\\nlines\" std::runtime_error: line one\\nline \"two\"\n") != std::string::npos);
    CHECK(text.find("cancel #3 \"v\" msg=\"a\\tb\"\n") != std::string::npos);
    std::size_t lines = 0;
    for (char c : text) lines += c == '\n';
    CHECK(lines == rec->trace.size());
}

TEST_CASE("decisions and thread work appear in the trace") {
    sim::Recorder rec;
    auto amain = []() -> aio::Coro<void> {
        auto w = []() -> aio::Coro<void> { co_await aio::to_thread([] {}); };
        co_await aio::gather(w(), w(), w());
    };
    sim::run(amain(), {.schedule = {.policy = sim::Policy::random, .seed = 3}, .trace = sim::TraceMode::full}, rec);
    const std::string text = sim::format_trace(rec->trace);
    CHECK(text.find(" thread-submit #") != std::string::npos);
    CHECK(text.find(" thread-done #") != std::string::npos);
    REQUIRE(rec->nonzero_decisions > 0);
    CHECK(text.find(" decision r") != std::string::npos);
}

TEST_CASE("the Chrome trace is valid JSON with one track per task") {
    programs::Out out;
    sim::Recorder rec;
    programs::gather_propagates(out, {.loop_factory = sim::loop_factory({.trace = sim::TraceMode::full}, rec)});
    const std::string json = sim::chrome_trace_json(rec->trace);
    CHECK(json.find("\"name\":\"thread_name\",\"args\":{\"name\":\"#2 first\"}") != std::string::npos);
    CHECK(json.find("\"name\":\"exсeption\"") != std::string::npos);
    CHECK(json.find("\"name\":\"sleep\",\"ts\":0.000,\"dur\":1000000.000") != std::string::npos);
    CHECK(json.find("\"outcome\":\"cancelled\"") != std::string::npos);
#ifdef AIOSIM_PYTHON
    const std::string path = "sim_trace_test.json";
    {
        std::ofstream f(path, std::ios::binary);
        f << json;
    }
    const std::string cmd = std::string(AIOSIM_PYTHON) + " -m json.tool " + path + " > /dev/null";
    CHECK(std::system(cmd.c_str()) == 0);
    std::remove(path.c_str());
#endif
}

namespace {

// The tasks named in the trace's cancel events, in order.
std::vector<std::string> cancel_events(const sim::RunRecord& rec) {
    std::vector<std::string> out;
    for (const auto& e : rec.trace)
        if (e.kind == sim::TraceKind::cancel) out.push_back(e.name);
    return out;
}

}  // namespace

TEST_CASE("cancelling a gather of task chains records the cancel events in the order of asyncio's nested calls") {
    // main awaits gather(a, b); a awaits a2; each cancel() passes the request on before the
    // next sibling is asked: main, a, a2, then b.
    auto amain = []() -> aio::Coro<void> {
        aio::Event never;
        auto a2 = aio::create_task([](aio::Event& e) -> aio::Coro<void> { co_await e.wait(); }(never), "a2");
        auto a = aio::create_task([](aio::Task<void> t) -> aio::Coro<void> { co_await t; }(a2), "a");
        auto b = aio::create_task([](aio::Event& e) -> aio::Coro<void> { co_await e.wait(); }(never), "b");
        auto g = aio::create_task(
            [](aio::Task<void> x, aio::Task<void> y) -> aio::Coro<void> { co_await aio::gather(x, y); }(a, b), "g");
        co_await aio::sleep(0s);
        g.cancel();
        for (auto& t : {g, a, a2, b}) {
            try {
                co_await t;
            } catch (const aio::CancelledError&) {}
        }
    };
    sim::Recorder rec;
    sim::run(amain(), {.trace = sim::TraceMode::full}, rec);
    CHECK(cancel_events(*rec) == std::vector<std::string>{"g", "a", "a2", "b"});
}

TEST_CASE("aio::run's cleanup records one cancel event per pending task of a chain") {
    auto amain = []() -> aio::Coro<void> {
        static aio::Event never;  // outlives the run's cleanup
        auto c = aio::create_task([]() -> aio::Coro<void> { co_await never.wait(); }(), "c");
        auto b = aio::create_task([](aio::Task<void> t) -> aio::Coro<void> { co_await t; }(c), "b");
        auto a = aio::create_task([](aio::Task<void> t) -> aio::Coro<void> { co_await t; }(b), "a");
        co_await aio::sleep(0s);
    };
    sim::Recorder rec;
    sim::run(amain(), {.trace = sim::TraceMode::full}, rec);
    // Creation order c, b, a. asyncio asks c, then b and through it c again, then a, b, c:
    // c, b, c, a, b, c.
    CHECK(cancel_events(*rec) == std::vector<std::string>{"c", "b", "a"});
}

TEST_CASE("a trace without network events renders as it always did: one process, the loop and task tracks") {
    // The JSON of small_main's trace, pinned by its FNV-1a hash (as before hosts existed).
    auto rec = traced(sim::TraceMode::full);
    const std::string json = sim::chrome_trace_json(rec->trace);
    CHECK(sim::format_hash(sim::fnv1a64(json)) == "0x252185ae1f59f977");
    CHECK(json.find("\"pid\":2") == std::string::npos);
}

namespace {

sim::TraceEvent net_event(std::int64_t us, sim::TraceKind kind, std::uint64_t task, std::string name,
                          std::uint32_t host, std::string detail, std::uint64_t flow = 0) {
    sim::TraceEvent e;
    e.time = aio::TimePoint(std::chrono::microseconds(us));
    e.step = static_cast<std::uint64_t>(us);
    e.kind = kind;
    e.task = task;
    e.name = std::move(name);
    e.host = host;
    e.detail = std::move(detail);
    e.flow = flow;
    return e;
}

// A client on "main" (host 0) sends to a server on "db" (host 1); the segment is delivered by
// the network (no task); then a partition and a crash.
std::vector<sim::TraceEvent> networked_trace() {
    using K = sim::TraceKind;
    std::vector<sim::TraceEvent> ev;
    ev.push_back(net_event(0, K::created, 1, "Task-1", 0, ""));
    ev.push_back(net_event(0, K::created, 2, "db:start", 0, ""));
    ev.push_back(net_event(1, K::step, 2, "db:start", 0, ""));
    ev.push_back(net_event(2, K::net_accept, 2, "db:start", 1, "host=db conn #1 from main:49152"));
    ev.push_back(net_event(3, K::net_connect, 1, "Task-1", 0, "host=main conn #1 to db:5432"));
    ev.push_back(net_event(4, K::net_send, 1, "Task-1", 0, "host=main conn #1 5 bytes", 7));
    ev.push_back(net_event(104, K::net_deliver, 0, "", 1, "host=db conn #1 5 bytes", 7));
    ev.push_back(net_event(105, K::decision, 0, "", 0, "r1 of 2"));
    ev.push_back(net_event(200, K::partition, 0, "", 0, "host=main main|db"));
    ev.push_back(net_event(300, K::crash, 0, "", 1, "host=db"));
    ev.push_back(net_event(301, K::net_reset, 1, "Task-1", 0, "host=main conn #1"));
    ev.push_back(net_event(302, K::done, 1, "Task-1", 0, ""));
    return ev;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("with network events the Chrome trace has one process per host, named, and the loop's of its own") {
    const std::string json = sim::chrome_trace_json(networked_trace());
    CHECK(has(json, "{\"pid\":1,\"tid\":3,\"ph\":\"M\",\"name\":\"process_name\",\"args\":{\"name\":\"main\"}}"));
    CHECK(has(json, "{\"pid\":2,\"tid\":4,\"ph\":\"M\",\"name\":\"process_name\",\"args\":{\"name\":\"db\"}}"));
    // The loop's track: its own process after the hosts, sorted first.
    CHECK(has(json, "{\"pid\":3,\"tid\":0,\"ph\":\"M\",\"name\":\"process_name\",\"args\":{\"name\":\"aiosim\"}}"));
    CHECK(has(json, "{\"pid\":3,\"tid\":0,\"ph\":\"M\",\"name\":\"thread_name\",\"args\":{\"name\":\"loop\"}}"));
    CHECK(has(json, "{\"pid\":3,\"tid\":0,\"ph\":\"M\",\"name\":\"process_sort_index\",\"args\":{\"sort_index\":0}}"));
    // Each task is a thread of its host's process; each host has a network thread.
    CHECK(has(json, "{\"pid\":1,\"tid\":1,\"ph\":\"M\",\"name\":\"thread_name\",\"args\":{\"name\":\"#1 Task-1\"}}"));
    CHECK(has(json, "{\"pid\":2,\"tid\":2,\"ph\":\"M\",\"name\":\"thread_name\",\"args\":{\"name\":\"#2 db:start\"}}"));
    CHECK(has(json, "{\"pid\":2,\"tid\":4,\"ph\":\"M\",\"name\":\"thread_name\",\"args\":{\"name\":\"network\"}}"));
    CHECK(has(json, "{\"pid\":2,\"tid\":2,\"ph\":\"X\",\"name\":\"db:start\""));
    // A decision of no task stays on the loop's track.
    CHECK(has(json, "{\"pid\":3,\"tid\":0,\"ph\":\"i\",\"name\":\"decision\""));
}

TEST_CASE("a flow arrow joins each segment's send to its delivery") {
    const std::string json = sim::chrome_trace_json(networked_trace());
    // The send: a short slice on the sending task's track, and the flow's start.
    CHECK(has(json,
              "{\"pid\":1,\"tid\":1,\"ph\":\"X\",\"name\":\"net-send\",\"cat\":\"net\",\"ts\":4.000,\"dur\":0.001"));
    CHECK(has(json, "{\"pid\":1,\"tid\":1,\"ph\":\"s\",\"name\":\"segment\",\"cat\":\"net\",\"id\":7,\"ts\":4.000}"));
    // The delivery: on the receiving host's network thread, the flow's end bound to its slice.
    CHECK(has(json, "{\"pid\":2,\"tid\":4,\"ph\":\"X\",\"name\":\"net-deliver\",\"cat\":\"net\",\"ts\":104.000"));
    CHECK(has(json,
              "{\"pid\":2,\"tid\":4,\"ph\":\"f\",\"name\":\"segment\",\"cat\":\"net\",\"id\":7,\"ts\":104.000,"
              "\"bp\":\"e\"}"));
}

TEST_CASE("resets, partitions and crashes are instants: a host's whole process for partitions and crashes") {
    const std::string json = sim::chrome_trace_json(networked_trace());
    CHECK(has(json,
              "{\"pid\":1,\"tid\":3,\"ph\":\"i\",\"name\":\"partition\",\"cat\":\"net\",\"ts\":200.000,\"s\":\"p\","
              "\"args\":{\"step\":200,\"detail\":\"host=main main|db\"}}"));
    CHECK(has(json, "{\"pid\":2,\"tid\":4,\"ph\":\"i\",\"name\":\"crash\",\"cat\":\"net\",\"ts\":300.000,\"s\":\"p\""));
    CHECK(has(json,
              "{\"pid\":1,\"tid\":1,\"ph\":\"i\",\"name\":\"net-reset\",\"cat\":\"net\",\"ts\":301.000,\"s\":\"t\""));
    CHECK(has(json, "{\"pid\":2,\"tid\":2,\"ph\":\"i\",\"name\":\"net-accept\""));
#ifdef AIOSIM_PYTHON
    const std::string path = "sim_trace_net_test.json";
    {
        std::ofstream f(path, std::ios::binary);
        f << json;
    }
    const std::string cmd = std::string(AIOSIM_PYTHON) + " -m json.tool " + path + " > /dev/null";
    CHECK(std::system(cmd.c_str()) == 0);
    std::remove(path.c_str());
#endif
}

TEST_CASE("the host and flow of an event do not enter its text line or the trace hash") {
    auto events = networked_trace();
    std::vector<sim::TraceEvent> plain = events;
    for (auto& e : plain) e.host = 0, e.flow = 0;
    CHECK(sim::format_trace(events) == sim::format_trace(plain));
    CHECK(sim::trace_hash(events) == sim::trace_hash(plain));
    CHECK(sim::format_trace_line(events[5]) == "0.000004000 4 net-send #1 \"Task-1\" host=main conn #1 5 bytes");
}
