// open_connection / start_server and their Unix-socket forms on the real loop (loopback, ports
// chosen by the OS): an echo, half-close, a refused connect, the reader's limit on the server
// side, a client callback's error, a peer's reset, drain's backpressure over a socket, and no
// descriptor left behind.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <string>
#include <vector>

#include "net_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using net_test::open_fd_count;

namespace {

aio::Coro<void> echo_stream(aio::StreamReader r, aio::StreamWriter w) {
    for (;;) {
        std::string chunk = co_await r.read(std::ptrdiff_t{64} * 1024);
        if (chunk.empty()) break;
        w.write(chunk);
        co_await w.drain();
    }
    w.close();
    co_await w.wait_closed();
}

aio::Coro<void> line_server(aio::StreamReader r, aio::StreamWriter w) {
    std::string line = co_await r.readline();  // ValueError past the reader's limit
    w.write("got " + line);
    co_await w.drain();
    w.close();
}

aio::Coro<std::string> describe_outcome(aio::Coro<aio::StreamPair> c) {
    try {
        auto pair = co_await std::move(c);
        pair.second.close();
        co_return "connected";
    } catch (const aio::ConnectionRefusedError& e) {
        co_return std::string("ConnectionRefusedError: ") + e.what();
    } catch (...) {
        co_return aio::describe(std::current_exception());
    }
}

// Writes `total` bytes while another task reads them back; returns the echoed bytes' checksum.
aio::Coro<void> send_all(aio::StreamWriter w, std::size_t total, std::uint64_t* sum, bool* paused_seen) {
    std::string block(std::size_t{256} * 1024, '\0');
    std::size_t sent = 0;
    while (sent < total) {
        for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>((sent + i) * 31 % 251);
        *sum = net_test::checksum(block, *sum);
        w.write(block);
        *paused_seen = *paused_seen || w.protocol().writing_paused();
        co_await w.drain();
        sent += block.size();
    }
    w.write_eof();
}

}  // namespace

TEST_SUITE("stream api") {
    TEST_CASE("open_connection + start_server: an echo over TCP loopback, half-close, names") {
        const int fds = open_fd_count();
        aio::run([]() -> aio::Coro<void> {
            aio::Server server = co_await aio::start_server(echo_stream, "127.0.0.1", 0);
            const std::uint16_t port = server.sockets().at(0).port();
            auto [r, w] = co_await aio::open_connection("127.0.0.1", port);
            CHECK(w.peername()->str() == fmt::format("('127.0.0.1', {})", port));
            CHECK(w.sockname()->host() == "127.0.0.1");
            CHECK(std::any_cast<int>(w.get_extra_info("socket")) >= 0);
            w.write("hello\n");
            w.writelines({"wor", "ld\n"});
            co_await w.drain();
            CHECK(co_await r.readline() == "hello\n");
            CHECK(co_await r.readline() == "world\n");
            CHECK(w.can_write_eof());
            w.write_eof();  // the echo sees EOF, closes: we see EOF
            CHECK(co_await r.read() == "");
            CHECK(r.at_eof());
            w.close();
            co_await w.wait_closed();
            server.close();
            co_await server.wait_closed();
        }());
        CHECK(open_fd_count() == fds);
    }

    TEST_CASE("open_unix_connection + start_unix_server") {
        net_test::TempDir dir;
        const std::string path = dir.file("echo.sock");
        aio::run([](std::string path) -> aio::Coro<void> {
            aio::Server server = co_await aio::start_unix_server(echo_stream, path);
            auto [r, w] = co_await aio::open_unix_connection(path);
            w.write("over unix\n");
            CHECK(co_await r.readline() == "over unix\n");
            CHECK(w.peername()->path() == path);
            w.close();
            co_await w.wait_closed();
            server.close();
            co_await server.wait_closed();
        }(path));
    }

    TEST_CASE("a refused connection raises ConnectionRefusedError with asyncio's message") {
        const std::uint16_t port = net_test::closed_port();
        aio::run([](std::uint16_t port) -> aio::Coro<void> {
            CHECK(co_await describe_outcome(aio::open_connection("127.0.0.1", port)) ==
                  fmt::format("ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', {})", port));
        }(port));
    }

    TEST_CASE("the server's readers get the limit; a callback's error is reported and its connection closed") {
        aio_test::Reports reports;
        aio::run(
            []() -> aio::Coro<void> {
                aio::Server server = co_await aio::start_server(line_server, "127.0.0.1", 0, {.limit = 8});
                const std::uint16_t port = server.sockets().at(0).port();
                {
                    auto [r, w] = co_await aio::open_connection("127.0.0.1", port);
                    w.write("short\n");
                    CHECK(co_await r.read() == "got short\n");
                    w.close();
                    co_await w.wait_closed();
                }
                {
                    auto [r, w] = co_await aio::open_connection("127.0.0.1", port);
                    w.write("a line longer than eight bytes\n");
                    CHECK(co_await r.read() == "");  // the server's transport was closed
                    w.close();
                    co_await w.wait_closed();
                }
                server.close();
                co_await server.wait_closed();
            }(),
            reports.options());
        REQUIRE(reports.contexts.size() == 1);
        CHECK(reports.contexts[0].message == "Unhandled exception in client_connected_cb");
        CHECK(aio::describe(reports.contexts[0].exception) ==
              "ValueError: Separator is found, but chunk is longer than limit");
    }

    TEST_CASE("the client's limit applies to its reader") {
        aio::run([]() -> aio::Coro<void> {
            aio::Server server = co_await aio::start_server(echo_stream, "127.0.0.1", 0);
            auto [r, w] = co_await aio::open_connection("127.0.0.1", server.sockets().at(0).port(), {.limit = 4});
            CHECK(r.limit() == 4);
            w.write("123456\n");
            try {
                (void)co_await r.readuntil("\n");
                FAIL("no LimitOverrunError");
            } catch (const aio::LimitOverrunError& e) {
                CHECK(e.consumed() == 6);
            }
            CHECK(co_await r.readexactly(7) == "123456\n");  // the data stayed
            w.close();
            co_await w.wait_closed();
            server.close();
            co_await server.wait_closed();
        }());
    }

    TEST_CASE("a reset by the peer reaches the reader, drain() and wait_closed()") {
        aio::run([]() -> aio::Coro<void> {
            aio::Event accepted;
            aio::StreamWriter* server_writer = nullptr;
            std::optional<aio::StreamWriter> keep;
            auto cb = [&](aio::StreamReader, aio::StreamWriter w) -> aio::Coro<void> {
                keep = w;
                server_writer = &*keep;
                accepted.set();
                co_return;
            };
            aio::Server server = co_await aio::start_server(cb, "127.0.0.1", 0);
            auto [r, w] = co_await aio::open_connection("127.0.0.1", server.sockets().at(0).port());
            co_await accepted.wait();
            net_test::linger_zero(std::any_cast<int>(server_writer->get_extra_info("socket")));
            server_writer->transport().abort();
            std::string error;
            try {
                (void)co_await r.read();
            } catch (const aio::ConnectionResetError& e) {
                error = e.what();
            }
            CHECK(error == "[Errno 104] Connection reset by peer");
            try {
                co_await w.drain();
                FAIL("drain() did not raise");
            } catch (const aio::ConnectionResetError&) {}
            try {
                co_await w.wait_closed();
                FAIL("wait_closed() did not raise");
            } catch (const aio::ConnectionResetError&) {}
            keep.reset();
            server.close();
            co_await server.wait_closed();
        }());
    }

    TEST_CASE("8 MiB through an echo server with drain() backpressure, checksummed") {
        const int fds = open_fd_count();
        aio::run([]() -> aio::Coro<void> {
            aio::Server server = co_await aio::start_server(echo_stream, "127.0.0.1", 0);
            auto [r, w] = co_await aio::open_connection("127.0.0.1", server.sockets().at(0).port());
            constexpr std::size_t total = 8 << 20;
            std::uint64_t sent_sum = 1469598103934665603ull;
            bool paused_seen = false;
            auto sender = aio::create_task(send_all(w, total, &sent_sum, &paused_seen));
            std::uint64_t got_sum = 1469598103934665603ull;
            std::size_t got = 0;
            for (;;) {
                std::string chunk = co_await r.read(std::ptrdiff_t{100} * 1024);
                if (chunk.empty()) break;
                got += chunk.size();
                got_sum = net_test::checksum(chunk, got_sum);
            }
            co_await sender;
            CHECK(got == total);
            CHECK(got_sum == sent_sum);
            CHECK(paused_seen);  // the writer outran the loopback at least once
            w.close();
            co_await w.wait_closed();
            server.close();
            co_await server.wait_closed();
        }());
        CHECK(open_fd_count() == fds);
    }
}
