// Cancelling a stream operation blocked on a real loopback socket (open_connection, a server's
// accept and serve_forever, read/readline/readexactly, drain, StreamWriter::wait_closed,
// Server::wait_closed) by task.cancel(), by aio::wait_for and by aio::timeout leaves nothing
// behind: once the test closed what it owns, the count of open descriptors (/proc/self/fd), the
// fd driver's watches and the loop's transports are what they were before, and the operation
// ended with CancelledError (cancel) or TimeoutError (wait_for, timeout).
#include <doctest/doctest.h>
#include <sys/socket.h>

#include <aio/aio.hpp>
#include <string>
#include <thread>
#include <vector>

#include "net_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using net_test::open_fd_count;

namespace {

enum class How { cancel, wait_for, timeout };
constexpr How all_ways[] = {How::cancel, How::wait_for, How::timeout};

const char* name_of(How h) {
    switch (h) {
    case How::cancel: return "task.cancel()";
    case How::wait_for: return "wait_for";
    case How::timeout: return "timeout";
    }
    return "?";
}

// What the loop holds for the network, to compare before and after.
struct Held {
    int fds;
    std::size_t watches;
    std::size_t transports;
    std::size_t timers;  // a wait_for's or timeout's timer is gone once it is over
    friend bool operator==(const Held&, const Held&) = default;
};

// The real loop opens its epoll descriptor and eventfd at the first watch (and closes them with
// the loop): watch once before the baseline so that those two are in it.
void open_the_driver() {
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
    auto& loop = aio::get_running_loop();
    loop.add_reader(sv[0], [] {});
    CHECK(loop.remove_reader(sv[0]));
    ::close(sv[0]);
    ::close(sv[1]);
}

Held held_now() {
    auto& loop = aio::get_running_loop();
    return Held{open_fd_count(), loop.fd_driver("test").watch_count(),
                aio::detail::EventLoopAccess::transport_count(loop), aio::detail::EventLoopAccess::timer_count(loop)};
}

// Waits (bounded) for the loop to finish closing what was closed (connection_lost callbacks,
// the peer seeing EOF or the reset), then asserts the strict equality with `before`.
aio::Coro<void> check_back_to(Held before) {
    for (int i = 0; i < 1000 && !(held_now() == before); ++i) co_await aio::sleep(1ms);
    const Held now = held_now();
    CHECK(now.fds == before.fds);
    CHECK(now.watches == before.watches);
    CHECK(now.transports == before.transports);
    CHECK(now.timers == before.timers);
}

// Runs `op`, which must block, and interrupts it `how` after 30 ms; true when it ended with the
// interruption's exception (CancelledError for cancel, TimeoutError for the other two).
aio::Coro<bool> interrupted(aio::Coro<void> op, How how) {
    constexpr auto after = 30ms;
    switch (how) {
    case How::cancel: {
        auto t = aio::create_task(std::move(op));
        co_await aio::sleep(after);
        if (t.done()) co_return false;
        t.cancel();
        try {
            co_await t;
        } catch (const aio::CancelledError&) {
            co_return true;
        }
        co_return false;
    }
    case How::wait_for: try { co_await aio::wait_for(std::move(op), after);
        } catch (const aio::TimeoutError&) {
            co_return true;
        }
        co_return false;
    case How::timeout: {
        auto cm = aio::timeout(after);
        try {
            co_await cm.run(std::move(op));
        } catch (const aio::TimeoutError&) {
            co_return true;
        }
        co_return false;
    }
    }
    co_return false;
}

// (The handlers and options are named before the co_await that takes them: GCC 12 destroys a
// temporary inside a co_await expression twice.)

// A server's client callback that neither reads nor writes until `release` is set, then reads
// to the end (EOF or the client's reset) and closes.
aio::Coro<void> hold_until(aio::Event* release, aio::StreamReader r, aio::StreamWriter w) {
    co_await release->wait();
    try {
        while (!(co_await r.read(std::ptrdiff_t{1} << 20)).empty()) {}
    } catch (const aio::ConnectionError&) {}
    w.close();
}

aio::ClientConnected holder(aio::Event* release) {
    return
        [release](aio::StreamReader r, aio::StreamWriter w) { return hold_until(release, std::move(r), std::move(w)); };
}

aio::Coro<void> connect_op(std::uint16_t port) {
    auto pair = co_await aio::open_connection("127.0.0.1", port);
    pair.second.close();  // connected after all: the test fails, without leaking
}

aio::Coro<void> read_op(aio::StreamReader r, int which) {
    switch (which) {
    case 0: (void)co_await r.read(); break;
    case 1: (void)co_await r.readline(); break;
    default: (void)co_await r.readexactly(10); break;
    }
}

aio::Coro<void> drain_op(aio::StreamWriter w) { co_await w.drain(); }
aio::Coro<void> writer_wait_closed_op(aio::StreamWriter w) { co_await w.wait_closed(); }
aio::Coro<void> serve_forever_op(aio::Server s) { co_await s.serve_forever(); }
aio::Coro<void> server_wait_closed_op(aio::Server s) { co_await s.wait_closed(); }

// Writes "hi\n" after a short wait, then reads to the client's EOF and closes.
aio::Coro<void> greet_late(aio::StreamReader r, aio::StreamWriter w) {
    co_await aio::sleep(20ms);
    w.write("hi\n");
    co_await w.drain();
    (void)co_await r.read();
    w.close();
}

// Fills the transport's write buffer past the high-water mark while the peer does not read:
// 80 MiB, more than the kernel takes in on loopback (the receiver's buffer autotunes up to
// tcp_rmem's maximum, 32 MiB here, plus the sender's 4 MiB), so that the transport keeps most
// of it and stays paused.
void overfill(aio::StreamWriter& w) {
    const std::string block(std::size_t{1} << 20, 'x');
    for (int i = 0; i < 80; ++i) w.write(block);
}

}  // namespace

TEST_SUITE("net cancel") {
    TEST_CASE("open_connection to a listener whose backlog is full: interrupted, nothing left") {
        const net_test::FullBacklog full;  // a connect to it stays in progress
        const aio::SocketAddress& addr = full.address;
        for (How how : all_ways) {
            const std::string way = name_of(how);
            CAPTURE(way);
            const int fds = open_fd_count();
            aio::run([](std::uint16_t port, How how) -> aio::Coro<void> {
                open_the_driver();
                const Held before = held_now();
                CHECK(co_await interrupted(connect_op(port), how));
                co_await check_back_to(before);
            }(addr.port(), how));
            CHECK(open_fd_count() == fds);
        }
    }

    TEST_CASE("a server accepting with no client: closed, or serve_forever interrupted") {
        const int fds = open_fd_count();
        aio::run([]() -> aio::Coro<void> {
            open_the_driver();
            const Held before = held_now();
            aio::Event release;
            aio::ClientConnected handler = holder(&release);
            aio::Server s = co_await aio::start_server(handler, "127.0.0.1", 0);
            CHECK(held_now().fds > before.fds);
            CHECK(held_now().watches == before.watches + 1);  // the listening socket's reader
            co_await aio::sleep(10ms);
            s.close();
            co_await s.wait_closed();
            co_await check_back_to(before);
        }());
        CHECK(open_fd_count() == fds);
        for (How how : all_ways) {
            const std::string way = name_of(how);
            CAPTURE(way);
            aio::run([](How how) -> aio::Coro<void> {
                open_the_driver();
                const Held before = held_now();
                aio::Event release;
                aio::StreamServerOptions options{.server = {.start_serving = false}};
                aio::ClientConnected handler = holder(&release);
                aio::Server s = co_await aio::start_server(handler, "127.0.0.1", 0, options);
                CHECK(co_await interrupted(serve_forever_op(s), how));
                CHECK_FALSE(s.is_serving());  // cancelling serve_forever closes the server
                co_await s.wait_closed();
                co_await check_back_to(before);
            }(how));
            CHECK(open_fd_count() == fds);
        }
    }

    TEST_CASE("read, readline, readexactly with no data: interrupted, nothing left") {
        const int fds = open_fd_count();
        for (int which = 0; which < 3; ++which) {
            for (How how : all_ways) {
                CAPTURE(which);
                const std::string way = name_of(how);
                CAPTURE(way);
                aio::run([](int which, How how) -> aio::Coro<void> {
                    open_the_driver();
                    const Held before = held_now();
                    aio::Event release;
                    aio::ClientConnected handler = holder(&release);
                    aio::Server s = co_await aio::start_server(handler, "127.0.0.1", 0);
                    auto [r, w] = co_await aio::open_connection("127.0.0.1", s.sockets().at(0).port());
                    CHECK(co_await interrupted(read_op(r, which), how));
                    CHECK_FALSE(r.has_waiter());
                    CHECK(r.buffered() == 0);
                    release.set();
                    w.close();
                    co_await w.wait_closed();
                    s.close();
                    co_await s.wait_closed();
                    co_await check_back_to(before);
                }(which, how));
                CHECK(open_fd_count() == fds);
            }
        }
    }

    TEST_CASE("drain with the peer not reading (above the high-water mark): interrupted, nothing left") {
        const int fds = open_fd_count();
        for (How how : all_ways) {
            const std::string way = name_of(how);
            CAPTURE(way);
            aio::run([](How how) -> aio::Coro<void> {
                open_the_driver();
                const Held before = held_now();
                aio::Event release;
                aio::ClientConnected handler = holder(&release);
                aio::Server s = co_await aio::start_server(handler, "127.0.0.1", 0);
                auto [r, w] = co_await aio::open_connection("127.0.0.1", s.sockets().at(0).port());
                overfill(w);
                REQUIRE(w.protocol().writing_paused());
                CHECK(co_await interrupted(drain_op(w), how));
                CHECK(w.protocol().writing_paused());  // still: nothing was read
                // The buffered bytes would never be read: abort drops them (asyncio's abort()).
                CHECK(w.transport().get_write_buffer_size() > 0);
                w.transport().abort();
                CHECK(w.transport().get_write_buffer_size() == 0);  // the buffer is dropped
                release.set();
                co_await w.wait_closed();
                s.close();
                co_await s.wait_closed();
                co_await check_back_to(before);
            }(how));
            CHECK(open_fd_count() == fds);
        }
    }

    TEST_CASE("StreamWriter::wait_closed with data the peer does not read: interrupted, nothing left") {
        // close() with a full write buffer keeps the socket open until the buffer drains, so
        // wait_closed() waits for as long as the peer neither reads nor closes.
        const int fds = open_fd_count();
        for (How how : all_ways) {
            const std::string way = name_of(how);
            CAPTURE(way);
            aio::run([](How how) -> aio::Coro<void> {
                open_the_driver();
                const Held before = held_now();
                aio::Event release;
                aio::ClientConnected handler = holder(&release);
                aio::Server s = co_await aio::start_server(handler, "127.0.0.1", 0);
                auto [r, w] = co_await aio::open_connection("127.0.0.1", s.sockets().at(0).port());
                overfill(w);
                w.close();
                CHECK(co_await interrupted(writer_wait_closed_op(w), how));
                CHECK(w.is_closing());
                CHECK(w.transport().get_write_buffer_size() > 0);
                w.transport().abort();
                CHECK(w.transport().get_write_buffer_size() == 0);  // the buffer is dropped
                release.set();
                // As asyncio's: the interrupted wait_closed() cancelled the protocol's closed
                // future itself (a task's cancel cancels the future it awaits), so a later
                // wait_closed() raises CancelledError rather than waiting for connection_lost.
                bool cancelled_again = false;
                try {
                    co_await w.wait_closed();
                } catch (const aio::CancelledError&) {
                    cancelled_again = true;
                }
                CHECK(cancelled_again);
                s.close();
                co_await s.wait_closed();
                co_await check_back_to(before);
            }(how));
            CHECK(open_fd_count() == fds);
        }
    }

    TEST_CASE("Server::wait_closed with a client attached: interrupted, nothing left") {
        const int fds = open_fd_count();
        for (How how : all_ways) {
            const std::string way = name_of(how);
            CAPTURE(way);
            aio::run([](How how) -> aio::Coro<void> {
                open_the_driver();
                const Held before = held_now();
                aio::Event release;
                aio::ClientConnected handler = holder(&release);
                aio::Server s = co_await aio::start_server(handler, "127.0.0.1", 0);
                auto [r, w] = co_await aio::open_connection("127.0.0.1", s.sockets().at(0).port());
                co_await aio::sleep(10ms);  // the server accepted it
                s.close();
                CHECK(co_await interrupted(server_wait_closed_op(s), how));
                release.set();
                w.close();
                co_await w.wait_closed();
                co_await s.wait_closed();  // now it returns: the connection is gone
                co_await check_back_to(before);
            }(how));
            CHECK(open_fd_count() == fds);
        }
    }

    TEST_CASE("wait_for and timeout around a read that completes in time give its result") {
        const int fds = open_fd_count();
        aio::run([]() -> aio::Coro<void> {
            open_the_driver();
            const Held before = held_now();
            aio::ClientConnected handler = greet_late;
            aio::Server s = co_await aio::start_server(handler, "127.0.0.1", 0);
            const std::uint16_t port = s.sockets().at(0).port();
            {
                auto [r, w] = co_await aio::wait_for(aio::open_connection("127.0.0.1", port), 5s);
                CHECK(co_await aio::wait_for(r.readline(), 5s) == "hi\n");
                w.close();
                co_await w.wait_closed();
            }
            {
                auto [r, w] = co_await aio::open_connection("127.0.0.1", port);
                auto cm = aio::timeout(5s);
                CHECK(co_await cm.run(r.readline()) == "hi\n");
                w.close();
                co_await w.wait_closed();
            }
            s.close();
            co_await s.wait_closed();
            co_await check_back_to(before);
        }());
        CHECK(open_fd_count() == fds);
    }
}
