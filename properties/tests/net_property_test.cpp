// The simulated network's properties (issue 12, "Checks"), each over generated programs of
// several hosts and connections, generated messages, network shapes (latency, spread, window,
// segment size) and schedules (policies random, pct and timers with generated seeds):
//
//  1. every connection that was not reset delivers exactly the bytes written to it, in order,
//     both ways (counted and FNV-1a checksummed at each end), with faults on or off; with faults
//     off no connection sees an error at all;
//  2. a partition delivers nothing across it while it lasts (no read on a connection across it
//     returns data between partition() and repair(); the trace has no net_deliver across it in
//     between), and everything arrives once it is repaired;
//  3. a crashed host runs no task: no step and no catch block of a task of the host runs after
//     its crash (each resumption of the host's tasks checks that the host is up and that the
//     task belongs to the host's current life), its frames are destroyed, awaiting its task
//     gives HostCrashed, and its peers see the connection fail;
//  4. with faults off, a deterministic networked program prints under fifo exactly what it
//     prints on the real loop over loopback (aio::sim::network()'s loopback hosts), and under
//     every other generated schedule too.
//
// Budget: rapidcheck's, RC_PARAMS="max_success=N" (100 cases per property by default).
#include <fmt/format.h>
#include <rapidcheck.h>

#include <aio/aio.hpp>
#include <aio/check/doctest.hpp>
#include <aio/sim/network.hpp>
#include <aio/sim/sim.hpp>
#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace aio::sim {
/// How rapidcheck shows a generated policy in a counterexample.
inline void showValue(Policy p, std::ostream& os) { os << policy_name(p); }
}  // namespace aio::sim

namespace sim = aio::sim;
using namespace std::chrono_literals;
using aio::Coro;
using sim::Policy;

namespace {

// ---- what every property shares ----------------------------------------------------------

/// The bytes one end saw (or wrote): how many, and their FNV-1a checksum, in order.
struct Stream {
    std::uint64_t bytes = 0;
    std::uint64_t hash = sim::fnv1a64_offset;
    void add(std::string_view data) {
        bytes += data.size();
        hash = sim::fnv1a64(data, hash);
    }
    friend bool operator==(const Stream&, const Stream&) = default;
};

std::string describe(const Stream& s) {
    return fmt::format("{} bytes, checksum {}", s.bytes, sim::format_hash(s.hash));
}

/// `size` bytes drawn from the project's Prng (all 256 values, so no byte is special).
std::string payload(std::size_t size, std::uint64_t seed) {
    sim::Prng prng(seed);
    std::string out(size, '\0');
    for (char& c : out) c = static_cast<char>(prng.next() & 0xFF);
    return out;
}

/// Generated messages; a counterexample shows their sizes, not their bytes.
struct Messages : std::vector<std::string> {};
void showValue(const Messages& m, std::ostream& os) {
    os << m.size() << " messages of";
    for (const std::string& x : m) os << ' ' << x.size();
    os << " bytes";
}

rc::Gen<Messages> gen_messages(int max_count, std::size_t max_size) {
    return rc::gen::exec([=] {
        const int n = *rc::gen::inRange(0, max_count + 1);
        Messages out;
        for (int i = 0; i < n; ++i) {
            const std::size_t size =
                *rc::gen::oneOf(rc::gen::inRange<std::size_t>(0, 8), rc::gen::inRange<std::size_t>(0, max_size + 1));
            out.push_back(payload(size, *rc::gen::arbitrary<std::uint64_t>()));
        }
        return out;
    });
}

/// A schedule of a perturbing policy with a generated seed (the seed's own generator answers
/// every choice: latencies, faults, the ready queue, timer ties).
sim::Schedule gen_schedule(std::vector<Policy> policies = {Policy::random, Policy::pct, Policy::timers}) {
    sim::Schedule s;
    s.policy = *rc::gen::elementOf(policies);
    s.seed = *rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << 40);
    s.limits.max_steps = 5'000'000;
    return s;
}

/// A network shape: latencies from 1 µs to 2 ms plus up to 5 ms of spread, windows from one
/// segment to 64 KiB, segments from 64 bytes to an Ethernet MSS.
sim::NetConfig gen_network() {
    sim::NetConfig n;
    n.latency = std::chrono::microseconds(*rc::gen::inRange(1, 2001));
    n.latency_spread = std::chrono::microseconds(*rc::gen::element(0, 50, 900, 5000));
    n.segment = *rc::gen::element<std::size_t>(64, 536, 1460);
    n.window = std::max(n.segment, *rc::gen::element<std::size_t>(64, 1024, 4096, 65536));
    return n;
}

/// Faults on: a budget of 1 to 4 faults at 1% to 20% per opportunity, of the given kinds.
sim::FaultPolicy gen_faults(std::string_view letters) {
    sim::FaultPolicy f;
    f.budget = *rc::gen::inRange<std::uint32_t>(1, 5);
    f.rate = *rc::gen::element<std::uint32_t>(10, 50, 200);
    f.kinds.bits = 0;
    for (char c : letters)
        for (std::size_t k = 0; k < sim::fault_kind_count; ++k)
            if (sim::fault_letter(static_cast<sim::FaultKind>(k)) == c) f.kinds.add(static_cast<sim::FaultKind>(k));
    return f;
}

sim::Config config_of(const sim::Schedule& s, const sim::NetConfig& n, sim::TraceMode trace = sim::TraceMode::off) {
    sim::Config cfg;
    cfg.schedule = s;
    cfg.schedule.network = n;
    cfg.trace = trace;
    return cfg;
}

/// Runs `main` on a SimLoop with `cfg`; the run's record goes to `rec`.
/// A failing run's report shows the end of its trace (when it was recorded).
template <class Main>
void run_sim(const sim::Config& cfg, sim::Recorder& rec, Main&& main) {
    RC_LOG() << "schedule: " << cfg.schedule.to_string() << "\n";
    try {
        aio::run(main(), {.loop_factory = sim::loop_factory(cfg, rec)});
    } catch (...) {
        if (rec.has_record()) {
            const std::vector<sim::TraceEvent>& t = rec->trace;
            const std::size_t from = t.size() > 60 ? t.size() - 60 : 0;
            if (from < t.size()) RC_LOG() << "the run's last " << t.size() - from << " trace events:\n";
            for (std::size_t i = from; i < t.size(); ++i) RC_LOG() << "  " << sim::format_trace_line(t[i]) << "\n";
            for (const std::string& f : rec->faults) RC_LOG() << "fault: " << f << "\n";
        }
        throw;
    }
}

std::string error_name(const std::exception& e) {
    if (dynamic_cast<const aio::ConnectionRefusedError*>(&e)) return "ConnectionRefusedError";
    if (dynamic_cast<const aio::ConnectionResetError*>(&e)) return "ConnectionResetError";
    if (dynamic_cast<const aio::BrokenPipeError*>(&e)) return "BrokenPipeError";
    if (dynamic_cast<const aio::ConnectionAbortedError*>(&e)) return "ConnectionAbortedError";
    if (dynamic_cast<const aio::IncompleteReadError*>(&e)) return "IncompleteReadError";
    if (dynamic_cast<const aio::TimeoutError*>(&e)) return "TimeoutError";
    if (dynamic_cast<const aio::OSError*>(&e)) return "OSError";
    return "other";
}

constexpr std::uint16_t service_port = 7000;

// ---- 1. bytes written = bytes read, checksummed, in order ---------------------------------
//
// Client hosts c0.. open connections to server hosts s0..; each client writes a header line
// (its connection's index) and its messages, then EOF; the server echoes every chunk it reads
// and, at EOF, sends EOF back; a second task of the client reads the echo meanwhile (so the
// windows of both directions fill and drain). Each end counts and checksums what it wrote and
// read.

struct BytesConn {
    std::size_t client = 0, server = 0;
    std::vector<std::string> messages;
    bool drain_each = false;    // drain() after every write, or only at the end
    std::size_t read_size = 0;  // each read(n) of both ends
};

struct BytesPlan {
    std::size_t servers = 1, clients = 1;
    std::vector<BytesConn> conns;
};

void showValue(const BytesPlan& p, std::ostream& os) {
    os << p.servers << " server host(s), " << p.clients << " client host(s), connections:";
    for (const BytesConn& c : p.conns) {
        os << "\n  c" << c.client << " -> s" << c.server << ": " << c.messages.size() << " messages of";
        for (const std::string& m : c.messages) os << ' ' << m.size();
        os << " bytes" << (c.drain_each ? ", drain after each" : "") << ", reads of " << c.read_size;
    }
}

rc::Gen<BytesPlan> gen_bytes_plan() {
    return rc::gen::exec([] {
        BytesPlan p;
        p.servers = *rc::gen::inRange<std::size_t>(1, 3);
        p.clients = *rc::gen::inRange<std::size_t>(1, 4);
        const int n = *rc::gen::inRange(1, 7);
        for (int i = 0; i < n; ++i) {
            BytesConn c;
            c.client = *rc::gen::inRange<std::size_t>(0, p.clients);
            c.server = *rc::gen::inRange<std::size_t>(0, p.servers);
            c.messages = *gen_messages(8, 5000);
            c.drain_each = *rc::gen::arbitrary<bool>();
            c.read_size = *rc::gen::element<std::size_t>(1, 7, 100, 4096, 65536);
            p.conns.push_back(std::move(c));
        }
        return p;
    });
}

struct BytesResult {
    Stream sent, at_server, echoed;
    bool client_done = false, server_done = false, crashed = false;
    std::vector<std::string> errors;  // what either end saw (reset, refused, ...)
};

struct BytesWorld {
    const BytesPlan& plan;
    std::vector<BytesResult> results;
    std::vector<std::unique_ptr<aio::Event>> listening;
    std::size_t unattributed = 0;  // connections whose server end failed before the header
    explicit BytesWorld(const BytesPlan& p) : plan(p), results(p.conns.size()) {
        for (std::size_t i = 0; i < p.servers; ++i) listening.push_back(std::make_unique<aio::Event>());
    }
};

Coro<void> bytes_echo(BytesWorld& w, aio::StreamReader reader, aio::StreamWriter writer) {
    BytesResult* res = nullptr;
    try {
        const std::string header = co_await reader.readline();
        if (header.empty() || header.back() != '\n') {
            ++w.unattributed;  // the client went away before its header arrived
        } else {
            const std::size_t index = std::stoul(header);
            res = &w.results.at(index);
            res->at_server.add(header);
            writer.write(header);
            const auto n = static_cast<std::ptrdiff_t>(w.plan.conns[index].read_size);
            for (;;) {
                const std::string data = co_await reader.read(n);
                if (data.empty()) break;
                res->at_server.add(data);
                writer.write(data);
                co_await writer.drain();
            }
            writer.write_eof();
            co_await writer.drain();
            res->server_done = true;
        }
    } catch (const aio::OSError& e) {
        if (res)
            res->errors.push_back(fmt::format("server end: {}: {}", error_name(e), e.what()));
        else
            ++w.unattributed;
    } catch (...) {
        writer.close();  // cancelled at the end of the run: asyncio's `finally: writer.close()`
        throw;
    }
    writer.close();
}

Coro<void> bytes_server_host(BytesWorld& w, std::size_t s) {
    aio::ClientConnected cb = [&w](aio::StreamReader r, aio::StreamWriter wr) { return bytes_echo(w, r, wr); };
    aio::Server server = co_await aio::start_server(std::move(cb), "", service_port);
    w.listening[s]->set();
    co_await server.serve_forever();
}

Coro<void> bytes_write_side(BytesResult& res, const BytesConn& c, std::size_t index, aio::StreamWriter writer) {
    try {
        const std::string header = fmt::format("{}\n", index);
        writer.write(header);
        res.sent.add(header);
        for (const std::string& m : c.messages) {
            writer.write(m);
            res.sent.add(m);
            if (c.drain_each) co_await writer.drain();
        }
        co_await writer.drain();
        writer.write_eof();
    } catch (const aio::OSError& e) {
        res.errors.push_back(fmt::format("client writer: {}: {}", error_name(e), e.what()));
    }
}

Coro<void> bytes_read_side(BytesResult& res, const BytesConn& c, aio::StreamReader reader) {
    try {
        for (;;) {
            const std::string data = co_await reader.read(static_cast<std::ptrdiff_t>(c.read_size));
            if (data.empty()) break;
            res.echoed.add(data);
        }
    } catch (const aio::OSError& e) {
        res.errors.push_back(fmt::format("client reader: {}: {}", error_name(e), e.what()));
    }
}

Coro<void> bytes_client(BytesWorld& w, std::size_t index) {
    const BytesConn& c = w.plan.conns[index];
    BytesResult& res = w.results[index];
    std::optional<aio::StreamPair> conn;
    try {
        conn = co_await aio::open_connection(fmt::format("s{}", c.server), service_port);
    } catch (const aio::OSError& e) {
        res.errors.push_back(fmt::format("connect: {}: {}", error_name(e), e.what()));
    } catch (const aio::TimeoutError& e) {
        res.errors.push_back(fmt::format("connect: TimeoutError: {}", e.what()));
    }
    if (!conn) co_return;
    aio::StreamWriter writer = conn->second;
    co_await aio::gather(bytes_write_side(res, c, index, writer), bytes_read_side(res, c, conn->first));
    res.client_done = res.errors.empty();
    writer.close();
}

Coro<void> bytes_main(BytesWorld& w) {
    sim::Network& net = sim::network();
    for (std::size_t s = 0; s < w.plan.servers; ++s)
        net.add_host(fmt::format("s{}", s), [&w, s] { return bytes_server_host(w, s); });
    for (std::size_t c = 0; c < w.plan.clients; ++c) net.add_host(fmt::format("c{}", c));
    for (auto& e : w.listening) co_await e->wait();
    std::vector<aio::Task<void>> tasks;
    for (std::size_t i = 0; i < w.plan.conns.size(); ++i)
        tasks.push_back(
            net.host(fmt::format("c{}", w.plan.conns[i].client)).spawn(bytes_client(w, i), fmt::format("client{}", i)));
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        try {
            co_await tasks[i];
        } catch (const sim::HostCrashed&) {
            w.results[i].crashed = true;  // its client host crashed: excluded
        }
    }
}

struct BytesStats {
    std::uint64_t cases = 0, faulty_cases = 0, conns_checked = 0, conns_checked_under_faults = 0, conns_excluded = 0,
                  bytes_checked = 0;
};

TEST_CASE("bytes written = bytes read, in order, on every connection that was not reset") {
    BytesStats st;
    const bool passed = rc::doctest::prop("bytes written = bytes read", [&st] {
        const BytesPlan plan = *gen_bytes_plan();
        sim::NetConfig net = gen_network();
        const bool faults = *rc::gen::arbitrary<bool>();
        if (faults) net.faults = gen_faults(*rc::gen::element<std::string>("xrhpcw", "r", "hw", "p", "c"));
        const sim::Schedule schedule = gen_schedule({Policy::fifo, Policy::random, Policy::pct, Policy::timers});
        BytesWorld w(plan);
        sim::Recorder rec;
        run_sim(config_of(schedule, net), rec, [&w] { return bytes_main(w); });
        ++st.cases;
        st.faulty_cases += faults;
        for (std::size_t i = 0; i < plan.conns.size(); ++i) {
            const BytesResult& r = w.results[i];
            const bool excluded = !r.errors.empty() || r.crashed;
            if (!faults) {
                // No fault: nothing may fail, and every byte arrives.
                RC_ASSERT(r.errors == std::vector<std::string>{});
                RC_ASSERT(!r.crashed);
            }
            if (excluded) {
                ++st.conns_excluded;
                continue;
            }
            RC_LOG() << "connection " << i << ": sent " << describe(r.sent) << ", server read " << describe(r.at_server)
                     << ", echo read " << describe(r.echoed) << "\n";
            RC_ASSERT(r.client_done);
            RC_ASSERT(r.server_done);
            RC_ASSERT(r.at_server == r.sent);
            RC_ASSERT(r.echoed == r.sent);
            ++st.conns_checked;
            st.conns_checked_under_faults += faults;
            st.bytes_checked += 2 * r.sent.bytes;
        }
        if (!faults) RC_ASSERT(w.unattributed == 0u);
        RC_TAG(faults ? "faults" : "no faults");
    });
    MESSAGE(
        fmt::format("{} cases ({} with faults): {} connections checked ({} under faults, {} bytes both ways), "
                    "{} excluded (reset, refused or crashed)",
                    st.cases, st.faulty_cases, st.conns_checked, st.conns_checked_under_faults, st.bytes_checked,
                    st.conns_excluded));
    // The check is not vacuous: connections were checked with faults on as well as off (the
    // counts include shrinking's runs after a failure, which the property already reported).
    if (passed) {
        CHECK(st.conns_checked_under_faults > 0);
        CHECK(st.conns_checked > st.conns_excluded);
    }
}

// ---- 2. a partition delivers nothing across it while it lasts ------------------------------
//
// Hosts a, b and c: b serves; a and c each open an "up" connection (the client writes, b only
// reads) and a "down" one (b writes, the client only reads), so every reader is always
// waiting in read() and a read returns at the instant its data is delivered. Once data flows
// both ways between a and b, the main task partitions a from b after a generated delay and
// repairs it a generated time later (or, in half the cases, holds both directions between a and
// b and releases them, marked in the trace by a span). The trace has no net_deliver on a connection between a
// and b between the partition and repair events (the exact order, under every policy); and
// (except under `timers`, whose jitter makes a task's clock run late) no read of such a
// connection returns data or EOF at a time strictly inside (partition, repair).

struct PartitionPlan {
    std::vector<std::string> up_a, down_a, up_c, down_c;
    aio::Duration at{}, length{};
    bool hold = false;  // hold(a, b) and hold(b, a) instead of partition(a, b)
};

struct Reads {
    aio::Event ended;    // the reading end saw EOF (or either end an error)
    aio::Event flowing;  // the reading end read its first data
    Stream sent, got;
    std::vector<std::pair<aio::TimePoint, std::size_t>> reads;  // when, how many bytes
    std::vector<std::string> errors;
    bool done = false;
};

struct PartitionWorld {
    const PartitionPlan& plan;
    std::map<std::string, Reads, std::less<>> conns;  // "up a", "down a", "up c", "down c"
    aio::Event listening;
    aio::TimePoint partitioned{}, repaired{};
    explicit PartitionWorld(const PartitionPlan& p) : plan(p) {}
    const std::vector<std::string>& messages(std::string_view key) const {
        if (key == "up a") return plan.up_a;
        if (key == "down a") return plan.down_a;
        if (key == "up c") return plan.up_c;
        return plan.down_c;
    }
};

Coro<void> write_all(Reads& r, aio::StreamWriter writer, const std::vector<std::string>& messages) {
    for (const std::string& m : messages) {
        writer.write(m);
        r.sent.add(m);
        co_await writer.drain();
    }
    writer.write_eof();
    co_await writer.drain();
}

Coro<void> read_all(Reads& r, aio::StreamReader reader) {
    aio::EventLoop& loop = aio::get_running_loop();
    for (;;) {
        const std::string data = co_await reader.read(65536);
        r.reads.emplace_back(loop.time(), data.size());  // EOF too: the FIN crossed
        if (data.empty()) break;
        r.got.add(data);
        r.flowing.set();
    }
    r.done = true;
    r.ended.set();
}

Coro<void> partition_serve(PartitionWorld& w, aio::StreamReader reader, aio::StreamWriter writer) {
    std::string key = co_await reader.readline();  // "up a\n", ...
    key.pop_back();
    Reads& r = w.conns.at(key);
    try {
        if (key.starts_with("up"))
            co_await read_all(r, reader);
        else
            co_await write_all(r, writer, w.messages(key));
    } catch (const aio::OSError& e) {
        r.errors.push_back(fmt::format("server end: {}", e.what()));
        r.ended.set();
    } catch (...) {
        writer.close();  // cancelled
        throw;
    }
    writer.close();
}

Coro<void> partition_server(PartitionWorld& w) {
    aio::ClientConnected cb = [&w](aio::StreamReader r, aio::StreamWriter wr) { return partition_serve(w, r, wr); };
    aio::Server server = co_await aio::start_server(std::move(cb), "", service_port);
    w.listening.set();
    co_await server.serve_forever();
}

Coro<void> partition_client(PartitionWorld& w, std::string key) {
    Reads& r = w.conns.at(key);
    try {
        auto [reader, writer] = co_await aio::open_connection("b", service_port);
        writer.write(key + "\n");
        if (key.starts_with("up"))
            co_await write_all(r, writer, w.messages(key));
        else
            co_await read_all(r, reader);
        writer.close();
    } catch (const aio::OSError& e) {
        r.errors.push_back(fmt::format("client end: {}", e.what()));
        r.ended.set();
    }
}

Coro<void> partition_main(PartitionWorld& w) {
    sim::Network& net = sim::network();
    net.add_host("b", [&w] { return partition_server(w); });
    sim::Host& a = net.add_host("a");
    sim::Host& c = net.add_host("c");
    co_await w.listening.wait();
    std::vector<aio::Task<void>> tasks;
    for (std::string key : {"up a", "down a", "up c", "down c"})
        tasks.push_back((key.back() == 'a' ? a : c).spawn(partition_client(w, key), key));
    aio::EventLoop& loop = aio::get_running_loop();
    // Cut a from b while data flows both ways between them (more is still to come).
    co_await w.conns.at("up a").flowing.wait();
    co_await w.conns.at("down a").flowing.wait();
    co_await aio::sleep(w.plan.at);
    if (w.plan.hold) {
        // Holds have no trace event of their own: a span marks them ("span"/"span-end").
        aio::TraceSpan span("hold a|b");
        net.hold("a", "b");
        net.hold("b", "a");
        w.partitioned = loop.time();
        co_await aio::sleep(w.plan.length);
        w.repaired = loop.time();
        net.release("a", "b");
        net.release("b", "a");
    } else {
        net.partition("a", "b");
        w.partitioned = loop.time();
        co_await aio::sleep(w.plan.length);
        w.repaired = loop.time();
        net.repair("b", "a");  // either order names the same pair
    }
    for (auto& t : tasks) co_await t;
    for (auto& [key, r] : w.conns) co_await r.ended.wait();  // the server's reads too
}

/// The connection number in a net event's detail ("host=a conn #3 ..."); 0 when it has none.
std::uint64_t conn_of(const sim::TraceEvent& e) {
    const std::size_t at = e.detail.find("conn #");
    if (at == std::string::npos) return 0;
    return std::strtoull(e.detail.c_str() + at + 6, nullptr, 10);
}

/// The two hosts of a net_connect event ("host=a conn #3 a:49152->b:7000"), "a|b".
std::string ends_of(const sim::TraceEvent& e) {
    const std::size_t arrow = e.detail.find("->");
    if (arrow == std::string::npos) return {};
    const std::size_t start = e.detail.rfind(' ', arrow) + 1;
    const std::string client = e.detail.substr(start, e.detail.find(':', start) - start);
    const std::string server = e.detail.substr(arrow + 2, e.detail.find(':', arrow) - arrow - 2);
    return client + "|" + server;
}

/// 5 to 30 messages of 1 to 3000 bytes: traffic that lasts a while.
rc::Gen<Messages> gen_traffic() {
    return rc::gen::exec([] {
        const int n = *rc::gen::inRange(5, 31);
        Messages out;
        for (int i = 0; i < n; ++i)
            out.push_back(payload(*rc::gen::inRange<std::size_t>(1, 3001), *rc::gen::arbitrary<std::uint64_t>()));
        return out;
    });
}

TEST_CASE("a partition delivers nothing across it while it lasts") {
    std::uint64_t cases = 0, spanning = 0, deliveries_checked = 0;
    const bool passed = rc::doctest::prop("a partition delivers nothing across it", [&] {
        PartitionPlan plan;
        plan.up_a = *gen_traffic();
        plan.down_a = *gen_traffic();
        plan.up_c = *gen_messages(10, 3000);
        plan.down_c = *gen_messages(10, 3000);
        plan.at = std::chrono::microseconds(*rc::gen::inRange(0, 3000));
        plan.length = std::chrono::microseconds(*rc::gen::inRange(1, 50'000));
        plan.hold = *rc::gen::arbitrary<bool>();
        const sim::NetConfig net = gen_network();
        // The reads are judged by the times they see: on the exact clock (no batching, no
        // overtaking timer moving the clock ahead of ready work), as for every policy but timers.
        sim::Schedule schedule = gen_schedule();
        schedule.batch = schedule.ahead = aio::Duration::zero();
        PartitionWorld w(plan);
        for (std::string key : {"up a", "down a", "up c", "down c"}) w.conns[key];
        sim::Recorder rec;
        run_sim(config_of(schedule, net, sim::TraceMode::full), rec, [&w] { return partition_main(w); });
        ++cases;
        bool spans = false;
        for (const auto& [key, r] : w.conns) {
            RC_LOG() << key << ": sent " << describe(r.sent) << ", read " << describe(r.got) << "\n";
            // No fault was injected: everything arrives once the partition is repaired.
            RC_ASSERT(r.errors == std::vector<std::string>{});
            RC_ASSERT(r.done);
            RC_ASSERT(r.got == r.sent);
            if (key.back() != 'a') continue;
            bool before = false, after = false;
            for (const auto& [t, n] : r.reads) {
                // Under `timers` a task's clock runs late by its wake-up jitter, so the time a
                // read sees is not when its data arrived: there only the trace (below) judges.
                if (schedule.policy == Policy::timers) continue;
                if (t > w.partitioned && t < w.repaired) {
                    RC_LOG() << key << ": a read of " << n << " bytes (0: EOF) at " << sim::format_time(t)
                             << ", inside the partition from " << sim::format_time(w.partitioned) << " to "
                             << sim::format_time(w.repaired) << "; the trace until then:\n";
                    for (const sim::TraceEvent& e : rec->trace)
                        if (e.time <= t && e.time + 2ms >= w.partitioned)
                            RC_LOG() << "  " << sim::format_trace_line(e) << "\n";
                }
                RC_ASSERT(!(t > w.partitioned && t < w.repaired));
                before |= t <= w.partitioned;
                after |= t >= w.repaired;
            }
            spans |= before && after;
        }
        // The trace: between the partition and repair events, no delivery on a connection
        // between a and b (the connections' ends come from their net_connect events).
        std::map<std::uint64_t, std::string> ends;
        bool inside = false, marked = false;
        std::uint64_t across = 0;
        for (const sim::TraceEvent& e : rec->trace) {
            if (e.kind == sim::TraceKind::net_connect) ends[conn_of(e)] = ends_of(e);
            if (e.kind == sim::TraceKind::partition || e.kind == sim::TraceKind::repair) {
                RC_LOG() << sim::format_trace_line(e) << "\n";
                inside = e.kind == sim::TraceKind::partition;
                marked = true;
            }
            if ((e.kind == sim::TraceKind::span || e.kind == sim::TraceKind::span_end) &&
                e.detail.find("hold a|b") != std::string::npos) {
                RC_LOG() << sim::format_trace_line(e) << "\n";
                inside = e.kind == sim::TraceKind::span;
                marked = true;
            }
            if (e.kind != sim::TraceKind::net_deliver) continue;
            const std::string& pair = ends[conn_of(e)];
            RC_ASSERT(!pair.empty());  // every delivery's connection was connected first
            if (pair == "a|b") {
                ++across;
                if (inside) RC_LOG() << "delivered across the partition: " << sim::format_trace_line(e) << "\n";
                RC_ASSERT(!inside);
            }
        }
        RC_ASSERT(marked);  // the trace shows the cut
        RC_ASSERT(across > 0u);
        deliveries_checked += across;
        spanning += spans;
        RC_TAG(spans ? "traffic across the partition before and after it" : "no traffic spanning it",
               plan.hold ? "hold both ways" : "partition");
    });
    MESSAGE(
        fmt::format("{} cases, {} with traffic on a|b both before and after the partition, {} deliveries "
                    "checked in the traces",
                    cases, spanning, deliveries_checked));
    if (passed) {
        CHECK(spanning * 4 >= cases);  // the traffic really spans the partition in many cases
        CHECK(deliveries_checked > 0);
    }
}

// ---- 3. a crashed host runs no task ---------------------------------------------------------
//
// Host srv serves (its start coroutine: listen, a ticker task, serve_forever; each connection's
// handler echoes requests); host cli runs client tasks spawned on it by main (requests and
// sleeps in a loop) and a ticker of its own. Every resumption of a task of a host, and every
// catch block of one, calls note(): the host must be up and the task must belong to its
// current life (its epoch: the number of times its start coroutine has run). The main task
// crashes one of them at a generated time and may restart it; with faults on, the network
// may crash either too ('c').

struct CrashWorld;

/// Counts the live frames of the host's tasks (destroyed at the crash: nothing may leak).
struct FrameGuard {
    std::uint64_t* alive;
    explicit FrameGuard(std::uint64_t& a) : alive(&a) { ++*alive; }
    FrameGuard(const FrameGuard&) = delete;
    FrameGuard& operator=(const FrameGuard&) = delete;
    ~FrameGuard() { --*alive; }
};

struct CrashPlan {
    std::size_t clients = 1;
    int requests = 1;
    aio::Duration think{}, crash_at{};
    bool crash_server = true, restart = false, faults = false;
    aio::Duration restart_after{};
};

struct CrashWorld {
    const CrashPlan& plan;
    std::map<std::string, std::uint32_t, std::less<>> epoch;  // starts of each host's start coroutine
    std::map<std::string, std::uint64_t, std::less<>> steps;
    std::vector<std::string> violations;
    std::uint64_t frames_alive = 0, seq = 0;
    std::uint64_t crash_seq = 0;
    std::uint64_t steps_at_crash = 0;
    aio::Event listening, cli_started;
    struct Client {
        std::uint64_t connected_seq = 0, finished_seq = 0;
        int replies_sent = 0;  // by srv (the request line names the client)
        int replies_sent_at_crash = 0;
        bool finished = false, connection_error = false, host_crashed = false;
        std::uint32_t epoch = 0;
    };
    std::vector<Client> clients;
    explicit CrashWorld(const CrashPlan& p) : plan(p), clients(p.clients) {}

    void note(std::string_view host, std::uint32_t task_epoch, std::string_view what) {
        ++seq;
        const sim::Host& h = sim::network().host(host);
        const std::uint32_t now = epoch.find(host)->second;
        if (!h.up() || task_epoch != now)
            violations.push_back(fmt::format("{} of a task of {} (life {}) while the host is {} (life {})", what, host,
                                             task_epoch, h.up() ? "up" : "down", now));
        ++steps.find(host)->second;
    }
};

Coro<void> ticker(CrashWorld& w, std::string host, std::uint32_t epoch) {
    FrameGuard guard(w.frames_alive);
    try {
        for (;;) {
            co_await aio::sleep(w.plan.think + 1ms);
            w.note(host, epoch, "ticker step");
        }
    } catch (...) {
        w.note(host, epoch, "ticker catch block");
        throw;
    }
}

Coro<void> crash_echo(CrashWorld& w, aio::StreamReader reader, aio::StreamWriter writer) {
    FrameGuard guard(w.frames_alive);
    const std::uint32_t epoch = w.epoch.at("srv");
    w.note("srv", epoch, "handler start");
    try {
        for (;;) {
            const std::string line = co_await reader.readline();
            w.note("srv", epoch, "handler step after readline");
            if (line.empty()) break;
            writer.write(line);
            ++w.clients.at(std::stoul(line.substr(7))).replies_sent;  // "client I request K\n"
            co_await writer.drain();
            w.note("srv", epoch, "handler step after drain");
        }
    } catch (const aio::OSError&) {
        w.note("srv", epoch, "handler catch block");
    } catch (...) {
        w.note("srv", epoch, "handler catch-all block");
        writer.close();
        throw;
    }
    writer.close();
}

Coro<void> crash_server_start(CrashWorld& w) {
    FrameGuard guard(w.frames_alive);
    const std::uint32_t epoch = ++w.epoch.at("srv");
    w.note("srv", epoch, "start");
    aio::create_task(ticker(w, "srv", epoch), "srv ticker");  // created by a task of srv: on srv
    aio::ClientConnected cb = [&w](aio::StreamReader r, aio::StreamWriter wr) { return crash_echo(w, r, wr); };
    try {
        aio::Server server = co_await aio::start_server(std::move(cb), "", service_port);
        w.note("srv", epoch, "start after listen");
        w.listening.set();
        co_await server.serve_forever();
    } catch (...) {
        w.note("srv", epoch, "start catch block");
        throw;
    }
}

Coro<void> crash_cli_start(CrashWorld& w) {
    FrameGuard guard(w.frames_alive);
    const std::uint32_t epoch = ++w.epoch.at("cli");
    w.note("cli", epoch, "start");
    aio::create_task(ticker(w, "cli", epoch), "cli ticker");
    w.cli_started.set();
    co_return;
}

Coro<void> crash_client(CrashWorld& w, std::size_t i, std::uint32_t epoch) {
    FrameGuard guard(w.frames_alive);
    CrashWorld::Client& me = w.clients[i];
    me.epoch = epoch;
    try {
        auto [reader, writer] = co_await aio::open_connection("srv", service_port);
        w.note("cli", epoch, "client step after connect");
        me.connected_seq = w.seq;
        for (int k = 0; k < w.plan.requests; ++k) {
            const std::string request = fmt::format("client {} request {}\n", i, k);
            writer.write(request);
            co_await writer.drain();
            w.note("cli", epoch, "client step after drain");
            const std::string reply = co_await reader.readline();
            w.note("cli", epoch, "client step after readline");
            if (reply != request) throw aio::ConnectionResetError(ECONNRESET, "read", "the reply ended early");
            co_await aio::sleep(w.plan.think);
            w.note("cli", epoch, "client step after sleep");
        }
        writer.close();
        me.finished = true;
        me.finished_seq = w.seq;
    } catch (const aio::OSError&) {
        w.note("cli", epoch, "client catch block");
        me.connection_error = true;
    } catch (...) {
        w.note("cli", epoch, "client catch-all block");
        throw;
    }
}

Coro<void> crash_main(CrashWorld& w) {
    sim::Network& net = sim::network();
    w.epoch["srv"] = 0;
    w.epoch["cli"] = 0;
    w.steps["srv"] = 0;
    w.steps["cli"] = 0;
    net.add_host("srv", [&w] { return crash_server_start(w); });
    sim::Host& cli = net.add_host("cli", [&w] { return crash_cli_start(w); });
    co_await w.listening.wait();
    co_await w.cli_started.wait();  // so the clients belong to cli's first life
    std::vector<aio::Task<void>> tasks;
    for (std::size_t i = 0; i < w.plan.clients; ++i)
        tasks.push_back(cli.spawn(crash_client(w, i, w.epoch.at("cli")), fmt::format("client {}", i)));
    const std::string victim = w.plan.crash_server ? "srv" : "cli";
    co_await aio::sleep(w.plan.crash_at);
    w.steps_at_crash = w.steps.at(victim);
    w.crash_seq = ++w.seq;
    for (CrashWorld::Client& c : w.clients) c.replies_sent_at_crash = c.replies_sent;
    if (net.host(victim).up()) net.crash(victim);
    if (w.plan.restart) {
        co_await aio::sleep(w.plan.restart_after);
        if (!net.host(victim).up()) net.restart(victim);
    }
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        try {
            co_await tasks[i];
        } catch (const sim::HostCrashed&) {
            w.clients[i].host_crashed = true;
        }
    }
    // Let the tickers of the restarted host run a while: they belong to its new life.
    co_await aio::sleep(5ms);
}

TEST_CASE("a crashed host runs no task: no step, no catch block after its crash") {
    std::uint64_t cases = 0, busy_at_crash = 0, reset_seen = 0, crashed_awaits = 0;
    const bool passed = rc::doctest::prop("a crashed host runs no task", [&] {
        CrashPlan plan;
        plan.clients = *rc::gen::inRange<std::size_t>(1, 5);
        plan.requests = *rc::gen::inRange(1, 30);
        plan.think = std::chrono::microseconds(*rc::gen::inRange(0, 3000));
        plan.crash_at = std::chrono::microseconds(*rc::gen::inRange(0, 30'000));
        plan.crash_server = *rc::gen::arbitrary<bool>();
        plan.restart = *rc::gen::arbitrary<bool>();
        plan.restart_after = std::chrono::microseconds(*rc::gen::inRange(1, 20'000));
        plan.faults = *rc::gen::arbitrary<bool>();
        sim::NetConfig net = gen_network();
        if (plan.faults) net.faults = gen_faults(*rc::gen::element<std::string>("c", "cr", "xrhpcw"));
        const sim::Schedule schedule = gen_schedule();
        CrashWorld w(plan);
        sim::Recorder rec;
        run_sim(config_of(schedule, net), rec, [&w] { return crash_main(w); });
        ++cases;
        for (const std::string& v : w.violations) RC_LOG() << v << "\n";
        RC_ASSERT(w.violations == std::vector<std::string>{});
        RC_ASSERT(w.frames_alive == 0u);  // every frame of every host's tasks was destroyed
        const std::string victim = plan.crash_server ? "srv" : "cli";
        busy_at_crash += w.steps_at_crash > 0;
        for (const CrashWorld::Client& c : w.clients) {
            RC_ASSERT(c.finished || c.connection_error || c.host_crashed);
            if (c.host_crashed) {
                ++crashed_awaits;
                RC_ASSERT(!plan.crash_server || plan.faults);  // only cli's crash kills clients
            }
            reset_seen += c.connection_error;
            if (plan.faults) continue;
            if (!plan.crash_server) {
                // cli crashed: a client either finished before the crash or died with its host.
                RC_ASSERT(c.host_crashed == !(c.finished && c.finished_seq < w.crash_seq));
            } else if (c.connected_seq != 0 && c.connected_seq < w.crash_seq &&
                       c.replies_sent_at_crash < plan.requests) {
                // srv crashed while this client still needed replies on its connection: the
                // connection failed (nobody will send them).
                RC_ASSERT(c.connection_error);
            }
        }
        RC_TAG(plan.crash_server ? "server crashed" : "client host crashed");
    });
    MESSAGE(
        fmt::format("{} cases: {} with the victim busy before its crash, {} clients saw their connection fail, "
                    "{} awaits gave HostCrashed",
                    cases, busy_at_crash, reset_seen, crashed_awaits));
    if (passed) {
        CHECK(busy_at_crash * 2 >= cases);
        CHECK(reset_seen > 0);
        CHECK(crashed_awaits > 0);
    }
}

// ---- 4. fifo without faults prints what the real loop prints over loopback ------------------
//
// A server host answers each request line with its length and checksum; client hosts send
// their generated requests (sleeping a generated few hundred microseconds between some), then
// EOF, and read the server's goodbye; one probe connects to a host where nothing listens.
// Every line a client or the server prints goes to its own list and main prints the lists in
// a fixed order, so the output is the same under every schedule. Run on the real loop (a fresh
// loop, the loopback Network: each host a 127.0.0.N address) and on the simulator under fifo
// and under a generated schedule: the three outputs must be equal.

using Lines = std::vector<std::string>;

struct LoopbackPlan {
    std::vector<std::vector<std::string>> requests;  // per client: lines without '\n'
    std::vector<int> pause_us;                       // per client: a pause after each even request
};

struct LoopbackWorld {
    const LoopbackPlan& plan;
    std::map<std::string, Lines, std::less<>> server_lines;  // by client name
    std::vector<Lines> client_lines;
    std::uint16_t port = 0;
    aio::Event listening;
    explicit LoopbackWorld(const LoopbackPlan& p) : plan(p), client_lines(p.requests.size()) {}
};

std::string answer(std::string_view line) {
    return fmt::format("{} {}\n", line.size(), sim::format_hash(sim::fnv1a64(line)));
}

Coro<void> loopback_serve(LoopbackWorld& w, aio::StreamReader reader, aio::StreamWriter writer) {
    std::string name = co_await reader.readline();
    name.pop_back();
    Lines& out = w.server_lines[name];
    std::size_t n = 0;
    for (;;) {
        std::string line = co_await reader.readline();
        if (line.empty()) break;
        line.pop_back();
        ++n;
        out.push_back(fmt::format("server: {} request {}: {} bytes", name, n, line.size()));
        writer.write(answer(line));
        co_await writer.drain();
    }
    out.push_back(fmt::format("server: {} sent EOF after {} requests", name, n));
    writer.write(fmt::format("bye {}\n", n));
    co_await writer.drain();
    writer.close();
}

Coro<void> loopback_server(LoopbackWorld& w) {
    aio::ClientConnected cb = [&w](aio::StreamReader r, aio::StreamWriter wr) { return loopback_serve(w, r, wr); };
    // On the host's own address, so the probe to another host's address finds nothing there.
    aio::Server server = co_await aio::start_server(std::move(cb), sim::network().current_host().address(), 0);
    w.port = server.sockets().at(0).port();
    w.listening.set();
    co_await server.serve_forever();
}

Coro<void> loopback_client(LoopbackWorld& w, std::size_t i) {
    Lines& out = w.client_lines[i];
    const std::string name = sim::network().current_host().name();
    auto [reader, writer] = co_await aio::open_connection("srv", w.port);
    writer.write(name + "\n");
    const std::vector<std::string>& requests = w.plan.requests[i];
    for (std::size_t k = 0; k < requests.size(); ++k) {
        writer.write(requests[k] + "\n");
        co_await writer.drain();
        const std::string reply = co_await reader.readline();
        out.push_back(fmt::format("{}: reply {}: {}{}", name, k + 1, reply == answer(requests[k]) ? "ok " : "WRONG ",
                                  std::string_view(reply).substr(0, reply.size() - 1)));
        if (k % 2 == 0 && w.plan.pause_us[i] > 0) co_await aio::sleep(std::chrono::microseconds(w.plan.pause_us[i]));
    }
    writer.write_eof();
    out.push_back(fmt::format("{}: {}", name, co_await reader.readline()));
    out.push_back(fmt::format("{}: then {}", name, (co_await reader.read()).empty() ? "EOF" : "more data"));
    writer.close();
    co_await writer.wait_closed();
}

Coro<Lines> loopback_main(const LoopbackPlan& plan) {
    LoopbackWorld w(plan);
    sim::Network& net = sim::network();
    net.add_host("srv", [&w] { return loopback_server(w); });
    std::vector<aio::Task<void>> tasks;
    std::vector<sim::Host*> hosts;
    for (std::size_t i = 0; i < plan.requests.size(); ++i) hosts.push_back(&net.add_host(fmt::format("c{}", i)));
    co_await w.listening.wait();
    for (std::size_t i = 0; i < plan.requests.size(); ++i) tasks.push_back(hosts[i]->spawn(loopback_client(w, i)));
    Lines out;
    out.push_back(fmt::format("{} hosts", net.hosts().size()));
    try {
        auto probe = co_await aio::open_connection("c0", w.port);
        out.push_back("probe: connected?");
        probe.second.close();
    } catch (const aio::OSError& e) {
        out.push_back(fmt::format("probe: {}", error_name(e)));
    }
    co_await aio::gather(std::move(tasks));
    for (const Lines& lines : w.client_lines) out.insert(out.end(), lines.begin(), lines.end());
    for (const auto& [name, lines] : w.server_lines) out.insert(out.end(), lines.begin(), lines.end());
    co_return out;
}

rc::Gen<std::string> gen_line() {
    // Printable, no newline: the protocol is line-based.
    return rc::gen::container<std::string>(rc::gen::inRange<char>(' ', '~' + 1));
}

TEST_CASE("with faults off, a networked program prints under fifo what it prints on the real loop") {
    std::uint64_t cases = 0, lines = 0;
    const bool passed = rc::doctest::prop("fifo equals the real loop on loopback", [&] {
        LoopbackPlan plan;
        const std::size_t clients = *rc::gen::inRange<std::size_t>(1, 4);
        for (std::size_t i = 0; i < clients; ++i) {
            plan.requests.push_back(*rc::gen::resize(6, rc::gen::container<std::vector<std::string>>(gen_line())));
            plan.pause_us.push_back(*rc::gen::element(0, 0, 100, 500));
        }
        const Lines real = aio::run(loopback_main(plan));
        sim::Recorder rec;
        const Lines fifo = aio::run(loopback_main(plan), {.loop_factory = sim::loop_factory({}, rec)});
        for (const std::string& l : real) RC_LOG() << "real: " << l << "\n";
        for (const std::string& l : fifo) RC_LOG() << "fifo: " << l << "\n";
        RC_ASSERT(fifo == real);
        RC_ASSERT(rec->nonzero_decisions == 0u);
        const sim::Config other = config_of(gen_schedule(), gen_network());
        RC_LOG() << "other schedule: " << other.schedule.to_string() << "\n";
        const Lines perturbed = aio::run(loopback_main(plan), {.loop_factory = sim::loop_factory(other)});
        RC_ASSERT(perturbed == real);
        ++cases;
        lines += real.size();
    });
    MESSAGE(fmt::format("{} programs, {} lines compared", cases, lines));
    if (passed) CHECK(cases > 0);
}

}  // namespace
