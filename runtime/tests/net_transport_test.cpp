// The real loop's socket transport (asyncio's _SelectorSocketTransport): the protocol's events
// and their order, partial writes with water marks and pause/resume_writing, write_eof and
// half-close, pause/resume_reading, close (after the buffer) and abort, resets and broken
// pipes as connection_lost's error, the fd belonging to the transport, and nothing left behind.
#include <doctest/doctest.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <aio/aio.hpp>
#include <memory>
#include <string>
#include <vector>

#include "net_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using net_test::open_fd_count;

namespace {

// What a protocol saw; shared so the test reads it after the transport (and the protocol) went.
struct Events {
    std::vector<std::string> log;
    std::string data;
    std::exception_ptr lost;
    int lost_calls = 0;
    aio::Transport* transport = nullptr;
    bool keep_open = false;            // eof_received's answer
    bool throw_in_data = false;        // data_received throws
    std::size_t pause_reading_at = 0;  // pause_reading() once this many bytes arrived (0: never)
};

class Recorder final : public aio::Protocol {
public:
    explicit Recorder(std::shared_ptr<Events> e) : e_(std::move(e)) {}
    void connection_made(aio::Transport& t) override {
        e_->transport = &t;
        e_->log.push_back("made");
    }
    void data_received(std::string_view d) override {
        if (e_->throw_in_data) throw std::runtime_error("bad data");
        e_->data += d;
        if (e_->log.empty() || e_->log.back() != "data") e_->log.push_back("data");
        if (e_->pause_reading_at && e_->data.size() >= e_->pause_reading_at) {
            e_->pause_reading_at = 0;
            e_->transport->pause_reading();
        }
    }
    bool eof_received() override {
        e_->log.push_back("eof");
        return e_->keep_open;
    }
    void pause_writing() override { e_->log.push_back("pause_writing"); }
    void resume_writing() override { e_->log.push_back("resume_writing"); }
    void connection_lost(std::exception_ptr exc) override {
        e_->lost = exc;
        ++e_->lost_calls;
        e_->log.push_back(exc ? "lost: " + aio::exception_message(exc) : "lost");
    }

private:
    std::shared_ptr<Events> e_;
};

aio::ProtocolFactory recorder(std::shared_ptr<Events> e) {
    return [e] { return std::make_unique<Recorder>(e); };
}

// A connected pair: our transport over a[0], the test's raw peer a[1] (non-blocking).
struct Pair {
    int fd[2] = {-1, -1};
    explicit Pair(int family = AF_UNIX) {
        if (family == AF_UNIX) {
            REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd) == 0);
        } else {
            aio::Socket l = net_test::listener();
            const auto addr = aio::SocketAddress::local_of(l.fd());
            aio::Socket c = aio::Socket::open(AF_INET);
            (void)::connect(c.fd(), addr.data(), addr.size());
            net_test::set_blocking(l.fd());
            fd[1] = ::accept4(l.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            REQUIRE(fd[1] >= 0);
            fd[0] = c.release();
        }
    }
    ~Pair() {
        if (fd[1] >= 0) ::close(fd[1]);
        if (fd[0] >= 0) ::close(fd[0]);
    }
    // The transport takes fd[0].
    aio::Socket take() { return aio::Socket(std::exchange(fd[0], -1)); }
    void send(std::string_view s) const {
        REQUIRE(::send(fd[1], s.data(), s.size(), MSG_NOSIGNAL) == (ssize_t)s.size());
    }
    // What the peer can read now (non-blocking); eof set at EOF.
    std::string drain(bool* eof = nullptr) const {
        std::string got;
        char buf[65536];
        for (;;) {
            const ssize_t n = ::recv(fd[1], buf, sizeof buf, 0);
            if (n > 0) {
                got.append(buf, static_cast<std::size_t>(n));
                continue;
            }
            if (eof) *eof = n == 0;
            return got;
        }
    }
};

aio::Coro<void> passes(int n) {
    for (int i = 0; i < n; ++i) co_await aio::sleep(0s);
}

// Reads the peer's side until EOF while the loop runs (the peer is ours, not a transport).
aio::Coro<std::string> peer_read_all(int fd) {
    std::string got;
    for (;;) {
        std::string part = co_await aio::get_running_loop().sock_recv(fd, 65536);
        if (part.empty()) co_return got;
        got += part;
    }
}

}  // namespace

TEST_SUITE("net transport") {
    TEST_CASE("events in asyncio's order: connection_made, data_received, eof_received, connection_lost") {
        Pair p;
        auto e = std::make_shared<Events>();
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            auto t = co_await loop.connect_accepted_socket(recorder(e), p.take());
            CHECK(e->log == std::vector<std::string>{"made"});  // before the call returns
            CHECK(e->transport == t.get());
            CHECK(dynamic_cast<Recorder*>(&t->get_protocol()) != nullptr);
            CHECK(t->is_reading());
            p.send("hello");
            co_await passes(3);
            CHECK(e->data == "hello");
            ::shutdown(p.fd[1], SHUT_WR);
            co_await passes(3);
            CHECK(t->is_closing());  // eof_received() said false: the transport closed
        }());
        CHECK(e->log == std::vector<std::string>{"made", "data", "eof", "lost"});
        CHECK(e->lost_calls == 1);
        bool eof = false;
        p.drain(&eof);
        CHECK(eof);  // our side's socket was closed
    }

    TEST_CASE("get_extra_info: peername, sockname, socket; TCP_NODELAY on a TCP transport") {
        Pair p(AF_INET);
        const auto peer_local = aio::SocketAddress::local_of(p.fd[1]);
        const auto ours = aio::SocketAddress::local_of(p.fd[0]);
        auto e = std::make_shared<Events>();
        aio::run([&]() -> aio::Coro<void> {
            auto t = co_await aio::get_running_loop().connect_accepted_socket(recorder(e), p.take());
            CHECK(std::any_cast<aio::SocketAddress>(t->get_extra_info("peername")) == peer_local);
            CHECK(std::any_cast<aio::SocketAddress>(t->get_extra_info("sockname")) == ours);
            CHECK(t->peername() == peer_local);
            CHECK(t->sockname() == ours);
            const int fd = std::any_cast<int>(t->get_extra_info("socket"));
            int nodelay = 0;
            socklen_t len = sizeof nodelay;
            REQUIRE(::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &len) == 0);
            CHECK(nodelay != 0);
            CHECK(std::any_cast<std::string>(t->get_extra_info("nope", std::string("fallback"))) == "fallback");
            t->close();
            co_await passes(2);
            CHECK_FALSE(t->get_extra_info("socket").has_value());  // closed
        }());
    }

    TEST_CASE("water marks: asyncio's defaults and rules") {
        Pair p;
        auto e = std::make_shared<Events>();
        aio::run([&]() -> aio::Coro<void> {
            auto t = co_await aio::get_running_loop().connect_accepted_socket(recorder(e), p.take());
            CHECK(t->get_write_buffer_limits() == std::pair<std::size_t, std::size_t>{16384, 65536});
            t->set_write_buffer_limits(1000);
            CHECK(t->get_write_buffer_limits() == std::pair<std::size_t, std::size_t>{250, 1000});
            t->set_write_buffer_limits(std::nullopt, 100);
            CHECK(t->get_write_buffer_limits() == std::pair<std::size_t, std::size_t>{100, 400});
            CHECK_THROWS_WITH_AS(t->set_write_buffer_limits(10, 20), "high (10) must be >= low (20) must be >= 0",
                                 aio::ValueError);
            t->close();
        }());
    }

    TEST_CASE("a big write into a small send buffer: buffered, pause_writing, then resume_writing and every byte") {
        Pair p;
        const int small = 4096;
        REQUIRE(::setsockopt(p.fd[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);
        std::string data(4 << 20, '\0');
        for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31 + (i >> 12));
        auto e = std::make_shared<Events>();
        std::string got;
        aio::run([&]() -> aio::Coro<void> {
            auto t = co_await aio::get_running_loop().connect_accepted_socket(recorder(e), p.take());
            t->write(std::string_view(data).substr(0, 1000));  // fits: sent at once
            CHECK(t->get_write_buffer_size() == 0);
            t->write(std::string_view(data).substr(1000));
            CHECK(t->get_write_buffer_size() > 65536);  // the kernel took only a little
            CHECK(e->log == std::vector<std::string>{"made", "pause_writing"});
            t->write_eof();  // after the buffer: shutdown once it is sent
            got = co_await peer_read_all(p.fd[1]);
            CHECK(t->get_write_buffer_size() == 0);
            CHECK(e->log == std::vector<std::string>{"made", "pause_writing", "resume_writing"});
            t->close();
        }());
        CHECK(got.size() == data.size());
        CHECK(net_test::checksum(got) == net_test::checksum(data));
    }

    TEST_CASE("writelines sends the pieces in order and buffers what does not fit") {
        Pair p;
        auto e = std::make_shared<Events>();
        std::string got;
        aio::run([&]() -> aio::Coro<void> {
            auto t = co_await aio::get_running_loop().connect_accepted_socket(recorder(e), p.take());
            std::string big(1 << 20, 'b');
            const std::string_view parts[] = {"a", "", big, "c"};
            t->writelines(parts);
            t->write("d");
            t->write_eof();
            got = co_await peer_read_all(p.fd[1]);
            t->close();
        }());
        CHECK(got == "a" + std::string(1 << 20, 'b') + "cd");
    }

    TEST_CASE("write_eof half-closes: the peer sees EOF and can still send to us") {
        Pair p;
        auto e = std::make_shared<Events>();
        aio::run([&]() -> aio::Coro<void> {
            auto t = co_await aio::get_running_loop().connect_accepted_socket(recorder(e), p.take());
            CHECK(t->can_write_eof());
            t->write("last words");
            t->write_eof();
            t->write_eof();  // again: nothing
            CHECK_THROWS_WITH_AS(t->write("more"), "Cannot call write() after write_eof()", aio::RuntimeError);
            CHECK(co_await peer_read_all(p.fd[1]) == "last words");  // then EOF
            p.send("still open");
            co_await passes(3);
            CHECK(e->data == "still open");
            CHECK_FALSE(t->is_closing());
            t->close();
        }());
        CHECK(e->log == std::vector<std::string>{"made", "data", "lost"});
    }

    TEST_CASE("eof_received() true keeps the transport open for writing (half-close from the peer)") {
        Pair p;
        auto e = std::make_shared<Events>();
        e->keep_open = true;
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            auto t = co_await loop.connect_accepted_socket(recorder(e), p.take());
            p.send("question");
            ::shutdown(p.fd[1], SHUT_WR);
            co_await passes(4);
            CHECK(e->log == std::vector<std::string>{"made", "data", "eof"});
            CHECK_FALSE(t->is_closing());
            t->pause_reading();
            t->resume_reading();  // after EOF: no second eof_received()
            co_await passes(3);
            t->write("answer");
            t->close();
            co_await passes(2);
            bool eof = false;
            CHECK(p.drain(&eof) == "answer");
            CHECK(eof);
        }());
        CHECK(e->log == std::vector<std::string>{"made", "data", "eof", "lost"});
    }

    TEST_CASE("pause_reading stops data_received until resume_reading") {
        Pair p;
        auto e = std::make_shared<Events>();
        e->pause_reading_at = 3;
        aio::run([&]() -> aio::Coro<void> {
            auto t = co_await aio::get_running_loop().connect_accepted_socket(recorder(e), p.take());
            p.send("abc");
            co_await passes(3);
            CHECK_FALSE(t->is_reading());
            p.send("def");
            co_await passes(5);
            CHECK(e->data == "abc");  // paused: the bytes wait in the kernel
            t->pause_reading();       // again: nothing
            t->resume_reading();
            CHECK(t->is_reading());
            co_await passes(3);
            CHECK(e->data == "abcdef");
            t->close();
            CHECK_FALSE(t->is_reading());
            t->resume_reading();  // closing: nothing
            CHECK_FALSE(t->is_reading());
        }());
    }

    TEST_CASE("close() sends the buffer first; connection_lost(nullptr) once, after; later writes are errors") {
        Pair p;
        const int small = 4096;
        REQUIRE(::setsockopt(p.fd[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);
        auto e = std::make_shared<Events>();
        const std::string data(1 << 20, 'x');
        std::string got;
        aio::run([&]() -> aio::Coro<void> {
            auto t = co_await aio::get_running_loop().connect_accepted_socket(recorder(e), p.take());
            t->write(data);
            CHECK(t->get_write_buffer_size() > 0);
            t->close();
            t->close();  // idempotent
            CHECK(t->is_closing());
            CHECK_THROWS_WITH_AS(t->write("x"), "Cannot call write() after close()", aio::RuntimeError);
            co_await passes(2);
            CHECK(e->lost_calls == 0);  // still sending
            got = co_await peer_read_all(p.fd[1]);
            co_await passes(2);
            CHECK(e->lost_calls == 1);
        }());
        CHECK(got == data);
        CHECK(e->lost == nullptr);
    }

    TEST_CASE("abort() drops the buffer and closes at once: connection_lost(nullptr) on the next pass") {
        Pair p;
        const int small = 4096;
        REQUIRE(::setsockopt(p.fd[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);
        auto e = std::make_shared<Events>();
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            auto t = co_await loop.connect_accepted_socket(recorder(e), p.take());
            t->write(std::string(1 << 20, 'y'));
            t->abort();
            CHECK(t->get_write_buffer_size() == 0);
            CHECK(e->lost_calls == 0);
            co_await aio::sleep(0s);
            CHECK(e->lost_calls == 1);
            CHECK(loop.fd_driver("test").watch_count() == 0);
            t->write("ignored");  // the connection is lost: ignored, as asyncio
            t->abort();
            co_await passes(2);
            CHECK(e->lost_calls == 1);
        }());
        bool eof = false;
        const std::string got = p.drain(&eof);
        CHECK(got.size() < (1u << 20));
        CHECK(eof);
    }

    TEST_CASE("a reset by the peer (SO_LINGER 0) is connection_lost(ConnectionResetError)") {
        Pair p(AF_INET);
        auto e = std::make_shared<Events>();
        aio::run([&]() -> aio::Coro<void> {
            auto t = co_await aio::get_running_loop().connect_accepted_socket(recorder(e), p.take());
            net_test::linger_zero(p.fd[1]);
            ::close(std::exchange(p.fd[1], -1));
            co_await aio::sleep(20ms);
            CHECK(t->is_closing());
        }());
        REQUIRE(e->lost_calls == 1);
        CHECK_THROWS_AS(std::rethrow_exception(e->lost), aio::ConnectionResetError);
        CHECK(e->log.back() == "lost: [Errno 104] Connection reset by peer");
    }

    TEST_CASE("writing to a peer that is gone: an error in connection_lost, never SIGPIPE") {
        struct sigaction old {};
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        ::sigaction(SIGPIPE, &dfl, &old);
        Pair p;
        auto e = std::make_shared<Events>();
        aio::run([&]() -> aio::Coro<void> {
            auto t = co_await aio::get_running_loop().connect_accepted_socket(recorder(e), p.take());
            ::close(std::exchange(p.fd[1], -1));
            co_await passes(3);  // the EOF closes the transport; write before it notices:
            t->write("anyone?");
            co_await passes(3);
        }());
        ::sigaction(SIGPIPE, &old, nullptr);
        CHECK(e->lost_calls == 1);
    }

    TEST_CASE("a write that fails is connection_lost(BrokenPipeError) (EPIPE, no SIGPIPE)") {
        struct sigaction old {};
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        ::sigaction(SIGPIPE, &dfl, &old);
        Pair p;
        auto e = std::make_shared<Events>();
        e->keep_open = true;  // the EOF does not close: the write meets the broken pipe
        aio::run([&]() -> aio::Coro<void> {
            auto t = co_await aio::get_running_loop().connect_accepted_socket(recorder(e), p.take());
            ::close(std::exchange(p.fd[1], -1));
            co_await passes(3);
            t->write("anyone?");
            co_await passes(2);
        }());
        ::sigaction(SIGPIPE, &old, nullptr);
        REQUIRE(e->lost_calls == 1);
        CHECK_THROWS_AS(std::rethrow_exception(e->lost), aio::BrokenPipeError);
    }

    TEST_CASE("data_received throwing: the handler hears 'Fatal error: protocol.data_received() call failed.'") {
        Pair p;
        auto e = std::make_shared<Events>();
        e->throw_in_data = true;
        aio_test::Reports reports;
        aio::run(
            [&]() -> aio::Coro<void> {
                auto t = co_await aio::get_running_loop().connect_accepted_socket(recorder(e), p.take());
                p.send("boom");
                co_await passes(4);
            }(),
            reports.options());
        REQUIRE(reports.contexts.size() == 1);
        CHECK(reports.contexts[0].message == "Fatal error: protocol.data_received() call failed.");
        REQUIRE(e->lost_calls == 1);
        CHECK(aio::exception_message(e->lost) == "bad data");
    }

    TEST_CASE("the transport's fd is its own: add_reader and sock_recv on it are RuntimeError") {
        Pair p;
        auto e = std::make_shared<Events>();
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            auto t = co_await loop.connect_accepted_socket(recorder(e), p.take());
            const int fd = std::any_cast<int>(t->get_extra_info("socket"));
            try {
                loop.add_reader(fd, [] {});
                FAIL("no error");
            } catch (const aio::RuntimeError& err) {
                CHECK(std::string(err.what()).starts_with(fmt::format("File descriptor {} is used by transport", fd)));
            }
            CHECK_THROWS_AS(loop.remove_writer(fd), aio::RuntimeError);
            CHECK_THROWS_AS(co_await loop.sock_recv(fd, 1), aio::RuntimeError);
            t->close();
            CHECK_FALSE(loop.remove_reader(fd));  // closing: allowed again, as asyncio
        }());
    }

    TEST_CASE("after connection_lost the loop's reference is gone; no descriptor and no watch stay") {
        const int before = open_fd_count();
        std::weak_ptr<aio::Transport> weak;
        {
            Pair p(AF_INET);
            auto e = std::make_shared<Events>();
            aio::run([&]() -> aio::Coro<void> {
                auto& loop = aio::get_running_loop();
                auto t = co_await loop.connect_accepted_socket(recorder(e), p.take());
                weak = t;
                t->write("x");
                t->close();
                t.reset();
                CHECK_FALSE(weak.expired());  // the loop holds it until connection_lost
                co_await passes(2);
                CHECK(weak.expired());
                CHECK(loop.fd_driver("test").watch_count() == 0);
            }());
        }
        CHECK(open_fd_count() == before);
    }

    TEST_CASE("a loop closed with transports open closes their sockets without connection_lost") {
        const int before = open_fd_count();
        auto e = std::make_shared<Events>();
        std::shared_ptr<aio::Transport> kept;
        {
            Pair p;
            aio::run([&]() -> aio::Coro<void> {
                kept = co_await aio::get_running_loop().connect_accepted_socket(recorder(e), p.take());
                p.send("unread");
            }());
            CHECK(kept->is_closing());
            kept->write("ignored after the loop closed");
            kept->close();
        }
        kept.reset();
        CHECK(e->lost_calls == 0);
        CHECK(open_fd_count() == before);
    }
}
