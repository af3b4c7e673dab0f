// The simulated network's benchmarks (issue 12, "Checks"): request/response pairs per second
// of real time over the simulated network (a server host, a client host, streams: write a
// 64-byte request, read the 64-byte reply; over 1 and over 100 connections; the target
// is 1,000,000 pairs in under 1 s on one core), and exploration runs per second of networked
// programs with faults: a small in-bench key-value program through aio::check's explorer, and
// the fixed networked scenarios of scenarios/net, each run judged by its oracle as
// `aiosim explore` judges it.
//
//   aiosim_sim_net_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Times are real time (the simulator runs on one thread); the CPU column is this process's, and
// pairs_per_cpu_s is per second of this thread's CPU time (what an idle core would give).
// AIOSIM_BENCH_SCALE=k divides every program's size by k (the CTest smoke run uses it).
#include <benchmark/benchmark.h>

#include <aio/aio.hpp>
#include <aio/check/explore.hpp>
#include <aio/scenario.hpp>
#include <aio/sim/network.hpp>
#include <aio/sim/sim.hpp>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "bench_support.hpp"

namespace {

namespace sim = aio::sim;
using namespace std::chrono_literals;
using aio::Coro;

using bench::scaled;

using bench::thread_cpu_seconds;

constexpr std::size_t message_size = 64;
constexpr std::uint16_t port = 7000;

// ---- request/response pairs -------------------------------------------------------------

Coro<void> echo(aio::StreamReader reader, aio::StreamWriter writer) {
    try {
        for (;;) {
            const std::string request = co_await reader.readexactly(message_size);
            writer.write(request);
            co_await writer.drain();
        }
    } catch (const aio::IncompleteReadError&) {
        // the client closed
    } catch (...) {
        // Cancelled at the end of the run: close (asyncio's `finally: writer.close()`), or the
        // server's serve_forever() waits for this connection (3.12's wait_closed).
        writer.close();
        throw;
    }
    writer.close();
}

Coro<void> serve(aio::Event& listening) {
    aio::Server server = co_await aio::start_server(echo, "", port);
    listening.set();
    co_await server.serve_forever();
}

/// `pairs` round trips on one connection; the number of replies that matched their request.
Coro<std::uint64_t> client(int pairs) {
    auto [reader, writer] = co_await aio::open_connection("server", port);
    const std::string request(message_size, 'x');
    std::uint64_t ok = 0;
    for (int i = 0; i < pairs; ++i) {
        writer.write(request);
        co_await writer.drain();
        ok += co_await reader.readexactly(message_size) == request;
    }
    writer.close();
    co_return ok;
}

Coro<std::uint64_t> pairs_main(int connections, int pairs) {
    sim::Network& net = sim::network();
    aio::Event listening;
    net.add_host("server", [&listening] { return serve(listening); });
    sim::Host& host = net.add_host("client");
    co_await listening.wait();
    std::vector<aio::Task<std::uint64_t>> clients;
    for (int i = 0; i < connections; ++i)
        clients.push_back(host.spawn(client(pairs / connections + (i < pairs % connections ? 1 : 0))));
    std::uint64_t ok = 0;
    for (std::uint64_t n : co_await aio::gather(std::move(clients))) ok += n;
    co_return ok;
}

aio::RunOptions fifo_options() {
    return {.loop_factory = sim::loop_factory({.schedule = {.limits = {.max_steps = 1'000'000'000}}})};
}

void request_response(benchmark::State& state) {
    const int connections = static_cast<int>(state.range(0));
    const int pairs = scaled(1'000'000);
    const aio::RunOptions opts = fifo_options();
    double cpu = 0;
    for (auto _ : state) {
        const double t0 = thread_cpu_seconds();
        const std::uint64_t ok = aio::run(pairs_main(connections, pairs), opts);
        cpu += thread_cpu_seconds() - t0;
        if (ok != static_cast<std::uint64_t>(pairs)) {
            state.SkipWithError("a reply did not match its request");
            return;
        }
    }
    const double total = static_cast<double>(state.iterations()) * pairs;
    state.counters["pairs_per_s"] = benchmark::Counter(total, benchmark::Counter::kIsRate);
    state.counters["pairs_per_cpu_s"] = total / cpu;
    state.counters["ns_per_pair"] =
        benchmark::Counter(total, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(request_response)
    ->Name("sim_net_pairs_1M")
    ->Arg(1)
    ->Arg(100)
    ->ArgName("connections")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---- exploration of a networked program with faults ----------------------------------------
//
// Three clients on their own hosts send five requests each to a key-value server through
// streams, each request under a timeout; a reset or refused connection is retried once on a
// new connection; a crashed client host ends its client. Faults: a budget of 3, every kind,
// 5% per opportunity.

Coro<void> kv_serve(aio::StreamReader reader, aio::StreamWriter writer) {
    try {
        for (;;) {
            const std::string line = co_await reader.readline();
            if (line.empty()) break;
            writer.write("ok " + line);
            co_await writer.drain();
        }
    } catch (const aio::ConnectionError&) {
        // reset by a fault
    } catch (...) {
        writer.close();  // cancelled
        throw;
    }
    writer.close();
}

Coro<void> kv_server(aio::Event& listening) {
    aio::Server server = co_await aio::start_server(kv_serve, "", port);
    listening.set();
    co_await server.serve_forever();
}

Coro<int> kv_client(int id) {
    int answered = 0;
    for (int attempt = 0; attempt < 2 && answered < 5; ++attempt) {
        try {
            auto [reader, writer] = co_await aio::open_connection("kv", port);
            for (; answered < 5; ++answered) {
                writer.write(std::to_string(id * 10 + answered) + "\n");
                co_await writer.drain();
                const std::string reply = co_await aio::wait_for(reader.readline(), 1s);
                if (reply.empty()) throw aio::ConnectionResetError(ECONNRESET, "read");
            }
            writer.close();
        } catch (const aio::OSError&) {
            // refused or reset: try once more on a new connection
        } catch (const aio::TimeoutError&) {
            // the reply did not come within the timeout (a stall, a partition, a slow link)
        }
    }
    co_return answered;
}

Coro<int> kv_main() {
    sim::Network& net = sim::network();
    aio::Event listening;
    net.add_host("kv", [&listening] { return kv_server(listening); });
    std::vector<aio::Task<int>> clients;
    for (int i = 0; i < 3; ++i) clients.push_back(net.add_host("app" + std::to_string(i)).spawn(kv_client(i)));
    co_await listening.wait();
    int answered = 0;
    for (auto& c : clients) {
        try {
            answered += co_await c;
        } catch (const sim::HostCrashed&) {
            // a fault crashed the client's host
        }
    }
    co_return answered;
}

void explore_networked(benchmark::State& state) {
    const auto seeds = static_cast<std::uint64_t>(scaled(1000));
    aio::check::ExploreOptions o;
    o.name = "networked kv";
    o.policies = {aio::check::Policy::random};
    o.seeds = seeds;
    o.base.schedule.network.faults = {.budget = 3, .rate = 50};
    o.print = [](const std::string&) {};
    std::uint64_t runs = 0;
    for (auto _ : state) {
        const aio::check::ExploreResult r = aio::check::for_all_schedules([] { return kv_main(); }, o);
        if (!r.ok) {
            state.SkipWithError(r.report.c_str());
            return;
        }
        runs += r.runs;
    }
    state.counters["runs_per_s"] = benchmark::Counter(static_cast<double>(runs), benchmark::Counter::kIsRate);
}
BENCHMARK(explore_networked)->Name("sim_net_explore_1000_seeds/kv")->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- exploration of the networked scenarios (scenarios/net) --------------------------------
//
// As `aiosim explore NAME --seeds 1000 --faults 3 --fault-rate 100` runs them (CTest's
// explore.NAME runs 10,000): each seed under the random policy with up to three faults of
// every kind, the scenario's oracle judging each run, which must pass (these are the fixed
// versions).
void explore_scenario(benchmark::State& state, const char* name) {
    const auto seeds = static_cast<std::uint64_t>(scaled(1000));
    const aio::scenario::Scenario* scenario = aio::scenario::Registry::global().find(name);
    if (!scenario) {
        state.SkipWithError("no such scenario");
        return;
    }
    std::uint64_t runs = 0;
    for (auto _ : state) {
        for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
            sim::Config cfg;
            cfg.schedule.policy = sim::Policy::random;
            cfg.schedule.seed = seed;
            cfg.schedule.network.faults = {.budget = 3, .rate = 100};
            const aio::scenario::CheckResult r =
                aio::scenario::check(*scenario, {.loop_factory = sim::loop_factory(cfg)});
            if (!r.ok()) {
                state.SkipWithError(("a run failed: " + cfg.schedule.to_string()).c_str());
                return;
            }
        }
        runs += seeds;
    }
    state.counters["runs_per_s"] = benchmark::Counter(static_cast<double>(runs), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(explore_scenario, net_retry_fixed, "net_retry_fixed")
    ->Name("sim_net_explore_1000_seeds/net_retry_fixed")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(explore_scenario, net_pool_fixed, "net_pool_fixed")
    ->Name("sim_net_explore_1000_seeds/net_pool_fixed")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(explore_scenario, net_gather_fixed, "net_gather_fixed")
    ->Name("sim_net_explore_1000_seeds/net_gather_fixed")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
