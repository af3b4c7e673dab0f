// The simulated connection's micro benchmark (sim/src/net/connection.hpp): request/response
// pairs over one net_parts::Connection on a SimLoop (fifo, tracing off) with a trivial NetEnv
// (a constant 100us latency, never a fault), so the figure is the connection's and the loop's
// cost, without the network's decisions. Issue 12's target: 1,000,000 pairs in under 1 s.
//  - net_link_pairs/protocol: two plain protocols, the client writes a 64-byte request when the
//    previous 64-byte response has arrived, the server answers in data_received().
//  - net_link_pairs/streams: the same over StreamReader/StreamWriter: a client task
//    write + drain + readexactly, a server task readexactly + write + drain.
// Each reports pairs_per_s (CPU time of this thread) and allocs_per_pair, counted over a run
// after the first (the steady state: no allocation per segment is the goal).
//
//   aiosim_net_link_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// AIOSIM_BENCH_SCALE=k divides the number of pairs by k (the CTest smoke run uses it).
#include <benchmark/benchmark.h>

#include <aio/aio.hpp>
#include <aio/net/stream_protocol.hpp>
#include <aio/net/stream_reader.hpp>
#include <aio/net/stream_writer.hpp>
#include <aio/sim/sim.hpp>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

#include "alloc_counter.hpp"
#include "bench_support.hpp"
#include "net/connection.hpp"

using namespace std::chrono_literals;
namespace np = aio::sim::net_parts;

namespace {

using bench::scaled;

constexpr std::size_t message_size = 64;

struct TrivialEnv final : np::NetEnv {
    aio::Duration segment_latency(np::Connection&, int) override { return 100us; }
    bool before_delivery(np::Connection&, int, std::size_t) override { return true; }
    void on_send(np::Connection&, int, std::size_t, std::uint64_t) override {}
    void on_deliver(np::Connection&, int, std::size_t, std::uint64_t) override {}
    void on_closed(np::Connection&) override { ++closed; }
    int closed = 0;
};

np::Endpoint endpoint(std::uint32_t host, const char* ip, std::uint16_t port) {
    return {host, aio::SocketAddress::ip(ip, port)};
}

aio::sim::Config sim_config() { return {.schedule = {.limits = {.max_steps = 1'000'000'000}}}; }

// ---- plain protocols ----------------------------------------------------------------------

struct Client final : aio::Protocol {
    Client(int pairs, aio::Future<void> done) : left(pairs), done(std::move(done)) {}
    void connection_made(aio::Transport& t) override {
        transport = &t;
        transport->write(request);
    }
    void data_received(std::string_view d) override {
        got += d.size();
        if (got < message_size) return;
        got -= message_size;
        if (--left == 0) {
            done.set_result();
            return;
        }
        transport->write(request);
    }
    aio::Transport* transport = nullptr;
    int left;
    aio::Future<void> done;
    std::size_t got = 0;
    std::string request = std::string(message_size, 'q');
};

struct Server final : aio::Protocol {
    void connection_made(aio::Transport& t) override { transport = &t; }
    void data_received(std::string_view d) override {
        got += d.size();
        while (got >= message_size) {
            got -= message_size;
            transport->write(response);
        }
    }
    aio::Transport* transport = nullptr;
    std::size_t got = 0;
    std::string response = std::string(message_size, 'r');
};

aio::Coro<void> protocol_pairs(int pairs) {
    auto& loop = aio::get_running_loop();
    TrivialEnv env;
    aio::Future<void> done(loop);
    auto conn = np::Connection::open(loop, env, 1, endpoint(0, "10.0.0.1", 49152), endpoint(1, "10.0.0.2", 80),
                                     std::make_unique<Client>(pairs, done), std::make_unique<Server>(), {});
    co_await done;
    conn->transport(0)->close();
    conn->transport(1)->close();
    co_await aio::sleep(1ms);
    if (env.closed != 1) throw aio::RuntimeError("the connection did not close");
}

// ---- streams ------------------------------------------------------------------------------

aio::Coro<void> stream_client(aio::StreamReader r, aio::StreamWriter w, int pairs) {
    const std::string request(message_size, 'q');
    for (int i = 0; i < pairs; ++i) {
        w.write(request);
        co_await w.drain();
        std::string reply = co_await r.readexactly(message_size);
        benchmark::DoNotOptimize(reply.data());
    }
    w.close();
    co_await w.wait_closed();
}

aio::Coro<void> stream_server(aio::StreamReader r, aio::StreamWriter w) {
    const std::string response(message_size, 'r');
    for (;;) {
        std::string req = co_await r.read(static_cast<std::ptrdiff_t>(message_size));
        if (req.empty()) break;
        w.write(response);
        co_await w.drain();
    }
    w.close();
    co_await w.wait_closed();
}

aio::Coro<void> stream_pairs(int pairs) {
    auto& loop = aio::get_running_loop();
    TrivialEnv env;
    aio::StreamReader r0, r1;
    auto conn = np::Connection::open(loop, env, 1, endpoint(0, "10.0.0.1", 49152), endpoint(1, "10.0.0.2", 80),
                                     std::make_unique<aio::StreamReaderProtocol>(loop, r0),
                                     std::make_unique<aio::StreamReaderProtocol>(loop, r1), {});
    auto t0 = conn->transport(0), t1 = conn->transport(1);
    aio::StreamWriter w0(t0, static_cast<aio::StreamReaderProtocol&>(t0->get_protocol()), r0);
    aio::StreamWriter w1(t1, static_cast<aio::StreamReaderProtocol&>(t1->get_protocol()), r1);
    co_await aio::gather(stream_client(r0, w0, pairs), stream_server(r1, w1));
    if (conn->bytes_read(0) != static_cast<std::uint64_t>(pairs) * message_size)
        throw aio::RuntimeError("the server did not read every request");
    co_await aio::sleep(1ms);
    if (env.closed != 1) throw aio::RuntimeError("the connection did not close");
}

template <class Program>
void pairs_bench(benchmark::State& state, Program program) {
    const int pairs = scaled(1'000'000);
    const aio::sim::Config cfg = sim_config();
    aio::sim::run(program(pairs), cfg);  // warm: pools and buffers at their size
    bench::alloc_count_begin();
    aio::sim::run(program(pairs), cfg);
    const bench::AllocStats st = bench::alloc_count_end();
    for (auto _ : state) aio::sim::run(program(pairs), cfg);
    state.counters["pairs_per_s"] =
        benchmark::Counter(static_cast<double>(state.iterations()) * pairs, benchmark::Counter::kIsRate);
    state.counters["allocs_per_pair"] = static_cast<double>(st.allocations) / pairs;
}

void protocol_bench(benchmark::State& state) { pairs_bench(state, protocol_pairs); }
void streams_bench(benchmark::State& state) { pairs_bench(state, stream_pairs); }

}  // namespace

BENCHMARK(protocol_bench)->Name("net_link_pairs_1M/protocol")->Unit(benchmark::kMillisecond);
BENCHMARK(streams_bench)->Name("net_link_pairs_1M/streams")->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
