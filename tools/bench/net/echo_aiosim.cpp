// The aiosim peer of the network benchmarks (tools/bench/net_compare.py runs it beside CPython
// asyncio, uvloop, asio and tokio): the streams API on the real loop, server and clients in one
// process and one loop, over loopback with an OS-chosen port; the same code as the asyncio
// peer (echo_asyncio.py).
//
//     net_echo_aiosim rr CONNECTIONS SECONDS   round trips of a 64-byte message over
//                                              CONNECTIONS connections; prints
//                                              {"round_trips": N, "seconds": S}
//     net_echo_aiosim bulk BYTES               BYTES one way in 256 KiB writes with drain();
//                                              prints {"bytes": N, "seconds": S}
#include <fmt/format.h>

#include <aio/aio.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t message_size = 64;
constexpr std::size_t chunk_size = 256 * 1024;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

aio::Coro<void> echo(aio::StreamReader reader, aio::StreamWriter writer) {
    try {
        for (;;) {
            const std::string data = co_await reader.readexactly(message_size);
            writer.write(data);
            co_await writer.drain();
        }
    } catch (const aio::IncompleteReadError&) {
        // the client closed
    } catch (const aio::ConnectionError&) {
        // the client went away abruptly
    }
    writer.close();
}

aio::Coro<std::uint64_t> client(std::uint16_t port, Clock::time_point deadline) {
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
    const std::string msg(message_size, 'x');
    std::uint64_t n = 0;
    while (Clock::now() < deadline) {
        writer.write(msg);
        co_await writer.drain();
        co_await reader.readexactly(message_size);
        ++n;
    }
    writer.close();
    co_await writer.wait_closed();
    co_return n;
}

aio::Coro<void> round_trips(std::size_t connections, double seconds) {
    aio::Server server = co_await aio::start_server(echo, "127.0.0.1", 0);
    const std::uint16_t port = server.sockets().at(0).port();
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    std::vector<aio::Coro<std::uint64_t>> clients;
    for (std::size_t i = 0; i < connections; ++i) clients.push_back(client(port, deadline));
    const std::vector<std::uint64_t> counts = co_await aio::gather(std::move(clients));
    const double elapsed = seconds_since(start);
    server.close();
    fmt::print("{{\"round_trips\": {}, \"seconds\": {:.6f}}}\n",
               std::accumulate(counts.begin(), counts.end(), std::uint64_t{0}), elapsed);
}

aio::Coro<void> sink(aio::StreamReader reader, aio::StreamWriter writer, aio::Future<std::uint64_t> done) {
    std::uint64_t got = 0;
    for (;;) {
        const std::string data = co_await reader.read(static_cast<std::ptrdiff_t>(chunk_size));
        if (data.empty()) break;
        got += data.size();
    }
    writer.write(fmt::format("{}\n", got));
    co_await writer.drain();
    writer.close();
    done.set_result(got);
}

aio::Coro<int> bulk(std::uint64_t total) {
    aio::Future<std::uint64_t> done(aio::get_running_loop());
    aio::ClientConnected handler = [done](aio::StreamReader r, aio::StreamWriter w) { return sink(r, w, done); };
    aio::Server server = co_await aio::start_server(std::move(handler), "127.0.0.1", 0);
    const auto start = Clock::now();
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", server.sockets().at(0).port());
    const std::string chunk(chunk_size, 'y');
    for (std::uint64_t sent = 0; sent < total;) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_size, total - sent));
        writer.write(std::string_view(chunk).substr(0, n));
        co_await writer.drain();
        sent += n;
    }
    writer.write_eof();
    const std::string reply = co_await reader.read();
    const double elapsed = seconds_since(start);
    const std::uint64_t got = co_await done;
    writer.close();
    server.close();
    if (got != total || reply != fmt::format("{}\n", total)) {
        fmt::print(stderr, "the server received {} of {} bytes\n", got, total);
        co_return 1;
    }
    fmt::print("{{\"bytes\": {}, \"seconds\": {:.6f}}}\n", got, elapsed);
    co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 4 && std::strcmp(argv[1], "rr") == 0) {
        aio::run(round_trips(std::strtoul(argv[2], nullptr, 10), std::atof(argv[3])));
        return 0;
    }
    if (argc == 3 && std::strcmp(argv[1], "bulk") == 0) return aio::run(bulk(std::strtoull(argv[2], nullptr, 10)));
    fmt::print(stderr, "usage: net_echo_aiosim rr CONNECTIONS SECONDS | bulk BYTES\n");
    return 2;
}
