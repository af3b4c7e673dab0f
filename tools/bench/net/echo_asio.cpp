// The asio peer of aiosim's network benchmarks (tools/bench/net_compare.py runs it): standalone
// asio (Debian's libasio-dev, header only) with C++20 coroutines on one io_context run by one
// thread, server and clients in one process, over loopback with an OS-chosen port.
//
//     net_echo_asio rr CONNECTIONS SECONDS   round trips of a 64-byte message; prints
//                                            {"round_trips": N, "seconds": S}
//     net_echo_asio bulk BYTES               BYTES one way in 256 KiB writes; prints
//                                            {"bytes": N, "seconds": S}
#include <algorithm>
#include <asio.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr std::size_t message_size = 64;
constexpr std::size_t chunk_size = 256 * 1024;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

asio::awaitable<void> echo(tcp::socket s) {
    s.set_option(tcp::no_delay(true));
    char buf[message_size];
    try {
        for (;;) {
            co_await asio::async_read(s, asio::buffer(buf), asio::use_awaitable);
            co_await asio::async_write(s, asio::buffer(buf), asio::use_awaitable);
        }
    } catch (const std::system_error&) {
        // the client closed: the connection ends
    }
}

asio::awaitable<void> accept_forever(tcp::acceptor& acceptor) {
    for (;;) {
        tcp::socket s = co_await acceptor.async_accept(asio::use_awaitable);
        asio::co_spawn(acceptor.get_executor(), echo(std::move(s)), asio::detached);
    }
}

asio::awaitable<void> client(std::uint16_t port, Clock::time_point deadline, std::uint64_t& count) {
    auto ex = co_await asio::this_coro::executor;
    tcp::socket s(ex);
    co_await s.async_connect({asio::ip::address_v4::loopback(), port}, asio::use_awaitable);
    s.set_option(tcp::no_delay(true));
    char msg[message_size];
    std::memset(msg, 'x', sizeof msg);
    char buf[message_size];
    while (Clock::now() < deadline) {
        co_await asio::async_write(s, asio::buffer(msg), asio::use_awaitable);
        co_await asio::async_read(s, asio::buffer(buf), asio::use_awaitable);
        ++count;
    }
}

int round_trips(std::size_t connections, double seconds) {
    asio::io_context io(1);
    tcp::acceptor acceptor(io, {asio::ip::address_v4::loopback(), 0});
    const std::uint16_t port = acceptor.local_endpoint().port();
    asio::co_spawn(io, accept_forever(acceptor), asio::detached);
    std::vector<std::uint64_t> counts(connections, 0);
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    std::size_t running = connections;
    double elapsed = 0;
    for (std::size_t i = 0; i < connections; ++i) {
        asio::co_spawn(io, client(port, deadline, counts[i]), [&](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
            if (--running == 0) {
                elapsed = seconds_since(start);
                io.stop();
            }
        });
    }
    io.run();
    std::uint64_t total = 0;
    for (auto c : counts) total += c;
    std::printf("{\"round_trips\": %llu, \"seconds\": %.6f}\n", static_cast<unsigned long long>(total), elapsed);
    return 0;
}

asio::awaitable<void> sink(tcp::acceptor& acceptor, std::uint64_t& got) {
    tcp::socket s = co_await acceptor.async_accept(asio::use_awaitable);
    std::vector<char> buf(chunk_size);
    for (;;) {
        std::error_code ec;
        const std::size_t n =
            co_await s.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::eof) break;
        if (ec) throw std::system_error(ec);
        got += n;
    }
    const std::string reply = std::to_string(got) + "\n";
    co_await asio::async_write(s, asio::buffer(reply), asio::use_awaitable);
}

asio::awaitable<void> source(std::uint16_t port, std::uint64_t total, std::string& reply) {
    auto ex = co_await asio::this_coro::executor;
    tcp::socket s(ex);
    co_await s.async_connect({asio::ip::address_v4::loopback(), port}, asio::use_awaitable);
    const std::vector<char> chunk(chunk_size, 'y');
    for (std::uint64_t sent = 0; sent < total;) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_size, total - sent));
        co_await asio::async_write(s, asio::buffer(chunk.data(), n), asio::use_awaitable);
        sent += n;
    }
    s.shutdown(tcp::socket::shutdown_send);
    std::error_code ec;
    co_await asio::async_read(s, asio::dynamic_buffer(reply), asio::redirect_error(asio::use_awaitable, ec));
    if (ec && ec != asio::error::eof) throw std::system_error(ec);
}

int bulk(std::uint64_t total) {
    asio::io_context io(1);
    tcp::acceptor acceptor(io, {asio::ip::address_v4::loopback(), 0});
    std::uint64_t got = 0;
    std::string reply;
    asio::co_spawn(io, sink(acceptor, got), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    const auto start = Clock::now();
    double elapsed = 0;
    asio::co_spawn(io, source(acceptor.local_endpoint().port(), total, reply), [&](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
        elapsed = seconds_since(start);
    });
    io.run();
    if (got != total || reply != std::to_string(total) + "\n") {
        std::fprintf(stderr, "the server received %llu of %llu bytes\n", static_cast<unsigned long long>(got),
                     static_cast<unsigned long long>(total));
        return 1;
    }
    std::printf("{\"bytes\": %llu, \"seconds\": %.6f}\n", static_cast<unsigned long long>(got), elapsed);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 4 && std::strcmp(argv[1], "rr") == 0)
        return round_trips(std::strtoul(argv[2], nullptr, 10), std::atof(argv[3]));
    if (argc == 3 && std::strcmp(argv[1], "bulk") == 0) return bulk(std::strtoull(argv[2], nullptr, 10));
    std::fprintf(stderr, "usage: net_echo_asio rr CONNECTIONS SECONDS | bulk BYTES\n");
    return 2;
}
