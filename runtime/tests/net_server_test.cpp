// The loop's connection calls and aio::Server: getaddrinfo, create_connection (each address,
// local_addr, asyncio's errors), create_server (port 0, every interface, bind errors,
// start_serving=false), Server's 3.12.1 close/wait_closed, serve_forever, serving(), the Unix
// forms (stale socket files), accepting when out of descriptors (EMFILE), cancellation leaving
// nothing behind, and 1,000 connections at once.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <aio/aio.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "net_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using net_test::cancelled_after;
using net_test::open_fd_count;

namespace {

// Echoes what it receives; closes when the peer does. Counts the live connections.
struct EchoStats {
    int made = 0;
    int lost = 0;
    std::vector<std::exception_ptr> errors;
};

class Echo final : public aio::Protocol {
public:
    explicit Echo(std::shared_ptr<EchoStats> s) : s_(std::move(s)) {}
    void connection_made(aio::Transport& t) override {
        t_ = &t;
        ++s_->made;
    }
    void data_received(std::string_view d) override { t_->write(d); }
    void connection_lost(std::exception_ptr e) override {
        ++s_->lost;
        if (e) s_->errors.push_back(e);
    }

private:
    std::shared_ptr<EchoStats> s_;
    aio::Transport* t_ = nullptr;
};

aio::ProtocolFactory echo(std::shared_ptr<EchoStats> s) {
    return [s] { return std::make_unique<Echo>(s); };
}

// A client protocol that collects the bytes and completes a future at EOF.
class Collect final : public aio::Protocol {
public:
    explicit Collect(aio::Future<std::string> done) : done_(std::move(done)) {}
    void data_received(std::string_view d) override { got_ += d; }
    bool eof_received() override {
        if (!done_.done()) done_.set_result(got_);
        return false;
    }
    void connection_lost(std::exception_ptr e) override {
        if (done_.done()) return;
        if (e)
            done_.set_exception(e);
        else
            done_.set_result(got_);
    }

private:
    aio::Future<std::string> done_;
    std::string got_;
};

// One client: connect, send, half-close, collect the echo.
aio::Coro<std::string> echo_client(std::string host, std::uint16_t port, std::string message) {
    auto& loop = aio::get_running_loop();
    aio::Future<std::string> done(loop);
    // Named first: g++ 12 destroys a capturing lambda built inside a co_await twice (to_thread.hpp).
    aio::ProtocolFactory factory = [done] { return std::make_unique<Collect>(done); };
    auto t = co_await loop.create_connection(std::move(factory), host, port);
    t->write(message);
    t->write_eof();
    std::string got = co_await done;
    t->close();
    co_return got;
}

aio::Coro<std::string> unix_echo_client(std::string path, std::string message) {
    auto& loop = aio::get_running_loop();
    aio::Future<std::string> done(loop);
    aio::ProtocolFactory factory = [done] { return std::make_unique<Collect>(done); };
    auto t = co_await loop.create_unix_connection(std::move(factory), path);
    t->write(message);
    t->write_eof();
    std::string got = co_await done;
    t->close();
    co_return got;
}

aio::ProtocolFactory plain() {
    return [] { return std::make_unique<aio::Protocol>(); };
}

aio::Coro<void> connect_plain(std::string host, std::uint16_t port) {
    (void)co_await aio::get_running_loop().create_connection(plain(), host, port);
}

aio::Coro<void> resolve_localhost() { (void)co_await aio::get_running_loop().getaddrinfo("localhost", "80"); }

aio::Coro<void> wait_closed_of(aio::Server s) { co_await s.wait_closed(); }
aio::Coro<void> serve_forever_of(aio::Server s) { co_await s.serve_forever(); }

std::string error_of(std::exception_ptr e) { return aio::exception_message(e); }

// The listening descriptor bound to addr (the test needs it to poll the backlog).
int server_fd(aio::EventLoop&, const aio::SocketAddress& addr) {
    for (int fd = 0; fd < 65536; ++fd) {
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) continue;
        int listening = 0;
        socklen_t l2 = sizeof listening;
        if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &l2) != 0 || !listening) continue;
        if (aio::SocketAddress(reinterpret_cast<sockaddr*>(&ss), len) == addr) return fd;
    }
    FAIL("no listening descriptor");
    return -1;
}

}  // namespace

TEST_SUITE("net server") {
    TEST_CASE("getaddrinfo of localhost (in the executor); an unknown name is gaierror") {
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            auto infos = co_await loop.getaddrinfo("localhost", "80", {.socktype = SOCK_STREAM});
            REQUIRE_FALSE(infos.empty());
            bool v4 = false;
            for (auto& i : infos) {
                CHECK(i.socktype == SOCK_STREAM);
                CHECK(i.address.port() == 80);
                if (i.address.str() == "('127.0.0.1', 80)") v4 = true;
            }
            CHECK(v4);
            auto passive =
                co_await loop.getaddrinfo("", "0", {.family = AF_INET, .socktype = SOCK_STREAM, .flags = AI_PASSIVE});
            REQUIRE(passive.size() == 1);
            CHECK(passive[0].address.host() == "0.0.0.0");
            try {
                (void)co_await loop.getaddrinfo("nonexistent.invalid", "80");
                FAIL("resolved");
            } catch (const aio::gaierror& e) {
                CHECK(std::string(e.what()) == "[Errno -2] Name or service not known");
                CHECK(e.code().value() == EAI_NONAME);
            }
        }());
    }

    TEST_CASE("create_server on port 0, create_connection to it: an echo; the transport's addresses") {
        auto stats = std::make_shared<EchoStats>();
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            aio::Server server = co_await loop.create_server(echo(stats), "127.0.0.1", 0);
            CHECK(server.is_serving());
            CHECK(&server.get_loop() == &loop);
            REQUIRE(server.sockets().size() == 1);
            const auto addr = server.sockets()[0];
            CHECK(addr.host() == "127.0.0.1");
            CHECK(addr.port() != 0);
            CHECK(co_await echo_client("127.0.0.1", addr.port(), "ping") == "ping");
            CHECK(co_await echo_client("localhost", addr.port(), "by name") == "by name");
            server.close();
            CHECK_FALSE(server.is_serving());
            CHECK(server.sockets().empty());
            co_await server.wait_closed();
        }());
        CHECK(stats->made == 2);
        CHECK(stats->lost == 2);
    }

    TEST_CASE("host \"\" listens on every interface: one socket per family, IPv6 only on the IPv6 one") {
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            aio::Server server = co_await loop.create_server(plain(), "", 0);
            const auto socks = server.sockets();
            REQUIRE_FALSE(socks.empty());
            bool v4 = false;
            for (const auto& a : socks) {
                if (a.family() == AF_INET) {
                    v4 = true;
                    CHECK(a.host() == "0.0.0.0");
                    auto t = co_await loop.create_connection(plain(), "127.0.0.1", a.port());
                    t->close();  // else wait_closed() below waits for it, as asyncio's
                } else {
                    CHECK(a.family() == AF_INET6);
                    CHECK(a.host() == "::");
                }
            }
            CHECK(v4);
            server.close();
            co_await server.wait_closed();
        }());
    }

    TEST_CASE("a port in use: asyncio's bind message; a refused connection: 'Connect call failed'") {
        const int before = open_fd_count();
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            aio::Server server = co_await loop.create_server(plain(), "127.0.0.1", 0);
            const auto port = server.sockets()[0].port();
            try {
                (void)co_await loop.create_server(plain(), "127.0.0.1", port);
                FAIL("bound twice");
            } catch (const aio::OSError& e) {
                CHECK(e.errno_value() == EADDRINUSE);
                CHECK(std::string(e.what()) ==
                      fmt::format("[Errno 98] error while attempting to bind on address ('127.0.0.1', {}): "
                                  "address already in use",
                                  port));
            }
            server.close();
            co_await server.wait_closed();
            const auto closed = net_test::closed_port();
            try {
                (void)co_await loop.create_connection(plain(), "127.0.0.1", closed);
                FAIL("connected");
            } catch (const aio::ConnectionRefusedError& e) {
                CHECK(std::string(e.what()) ==
                      fmt::format("[Errno 111] Connect call failed ('127.0.0.1', {})", closed));
            }
            CHECK(loop.fd_driver("test").watch_count() == 0);
        }());
        CHECK(open_fd_count() == before);
    }

    TEST_CASE("every address failing differently: OSError 'Multiple exceptions: ...'") {
        // ::1 then 127.0.0.1 through the numeric path is one address each: use a name that
        // resolves to both when this host has one; otherwise two local_addr failures differ.
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            const auto closed = net_test::closed_port();
            // A local address of the other family: asyncio's own message.
            try {
                // Named first: g++ 12 destroys an aggregate temporary with a destructor built
                // inside a co_await expression twice (to_thread.hpp).
                aio::ConnectOptions o{.local_addr = std::pair<std::string, std::uint16_t>("127.0.0.1", 0)};
                (void)co_await loop.create_connection(plain(), "::1", closed, std::move(o));
                FAIL("connected");
            } catch (const aio::OSError& e) {
                CHECK(std::string(e.what()) ==
                      "no matching local address with family=<AddressFamily.AF_INET6: 10> found");
                CHECK(e.errno_value() == 0);  // Python's errno None
            }
            auto infos = co_await loop.getaddrinfo("localhost", std::to_string(closed), {.socktype = SOCK_STREAM});
            if (infos.size() >= 2 && infos[0].address.str() != infos[1].address.str()) {
                try {
                    (void)co_await loop.create_connection(plain(), "localhost", closed);
                    FAIL("connected");
                } catch (const aio::ConnectionRefusedError&) {
                    FAIL("one error only");
                } catch (const aio::OSError& e) {
                    CHECK(std::string(e.what()).starts_with("Multiple exceptions: [Errno 111] Connect call failed ("));
                }
            } else {
                // This host's localhost is one address: one refusal, raised as it is (asyncio's rule).
                CHECK_THROWS_AS(co_await loop.create_connection(plain(), "localhost", closed),
                                aio::ConnectionRefusedError);
            }
        }());
    }

    TEST_CASE("local_addr binds the client's end") {
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            aio::Server server = co_await loop.create_server(plain(), "127.0.0.1", 0);
            aio::Socket probe = aio::Socket::open(AF_INET);
            const auto any = aio::SocketAddress::ip("127.0.0.1", 0);
            REQUIRE(::bind(probe.fd(), any.data(), any.size()) == 0);
            const auto local_port = aio::SocketAddress::local_of(probe.fd()).port();
            probe.close();
            aio::ConnectOptions o{.local_addr = std::pair<std::string, std::uint16_t>("127.0.0.1", local_port)};
            auto t = co_await loop.create_connection(plain(), "127.0.0.1", server.sockets()[0].port(), std::move(o));
            CHECK(t->sockname()->port() == local_port);
            t->close();
            server.close();
            co_await server.wait_closed();
        }());
    }

    TEST_CASE("3.12.1 wait_closed: not before close(), and not while a connection is open") {
        auto stats = std::make_shared<EchoStats>();
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            aio::Server server = co_await loop.create_server(echo(stats), "127.0.0.1", 0);
            auto early = aio::create_task(wait_closed_of(server));
            co_await aio::sleep(10ms);
            CHECK_FALSE(early.done());  // open and no connection: 3.12.0 returned here, 3.12.1 waits
            auto client = co_await loop.create_connection(plain(), "127.0.0.1", server.sockets()[0].port());
            co_await aio::sleep(10ms);
            CHECK(stats->made == 1);
            server.close();
            server.close();  // idempotent
            co_await aio::sleep(10ms);
            CHECK_FALSE(early.done());  // closed, a connection still attached
            client->close();
            co_await early;  // the server side's connection_lost detached it
            CHECK(stats->lost == 1);
            co_await server.wait_closed();  // afterwards: at once
        }());
    }

    TEST_CASE("start_serving=false: nothing accepted until start_serving()") {
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            auto stats = std::make_shared<EchoStats>();
            aio::Server server = co_await loop.create_server(echo(stats), "127.0.0.1", 0, {.start_serving = false});
            CHECK_FALSE(server.is_serving());
            const auto port = server.sockets()[0].port();
            CHECK(port != 0);  // bound already
            co_await server.start_serving();
            CHECK(server.is_serving());
            co_await server.start_serving();  // again: nothing
            CHECK(co_await echo_client("127.0.0.1", port, "late start") == "late start");
            server.close();
            co_await server.wait_closed();
        }());
    }

    TEST_CASE("serve_forever: runs until cancelled, then the server is closed; misuse is RuntimeError") {
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            aio::Server server = co_await loop.create_server(plain(), "127.0.0.1", 0, {.start_serving = false});
            auto forever = aio::create_task(serve_forever_of(server));
            co_await aio::sleep(0s);
            CHECK(server.is_serving());
            try {
                co_await server.serve_forever();
                FAIL("served twice");
            } catch (const aio::RuntimeError& e) {
                CHECK(std::string(e.what()).ends_with("is already being awaited on serve_forever()"));
            }
            CHECK(co_await cancelled_after(forever));
            CHECK_FALSE(server.is_serving());
            CHECK(server.sockets().empty());
            co_await server.wait_closed();
            try {
                co_await server.serve_forever();
                FAIL("served a closed server");
            } catch (const aio::RuntimeError& e) {
                CHECK(std::string(e.what()) == "server <Server sockets=()> is closed");
            }
        }());
    }

    TEST_CASE("close() from elsewhere ends serve_forever with CancelledError") {
        aio::run([&]() -> aio::Coro<void> {
            aio::Server server = co_await aio::get_running_loop().create_server(plain(), "127.0.0.1", 0);
            auto forever = aio::create_task(serve_forever_of(server));
            co_await aio::sleep(0s);
            server.close();
            bool cancelled = false;
            try {
                co_await forever;
            } catch (const aio::CancelledError&) {
                cancelled = true;
            }
            CHECK(cancelled);
        }());
    }

    TEST_CASE("serving(): the body's value; closed and waited for also when the body throws") {
        auto stats = std::make_shared<EchoStats>();
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            aio::Server server = co_await loop.create_server(echo(stats), "127.0.0.1", 0);
            const int n = co_await aio::serving(server, [](aio::Server& s) -> aio::Coro<int> {
                CHECK(s.is_serving());
                std::string got = co_await echo_client("127.0.0.1", s.sockets()[0].port(), "inside");
                co_return static_cast<int>(got.size());
            });
            CHECK(n == 6);
            CHECK_FALSE(server.is_serving());

            aio::Server other = co_await loop.create_server(echo(stats), "127.0.0.1", 0);
            try {
                co_await aio::serving(other, [](aio::Server&) -> aio::Coro<void> {
                    co_await aio::sleep(0s);
                    throw std::runtime_error("body failed");
                });
                FAIL("no error");
            } catch (const std::runtime_error& e) {
                CHECK(std::string(e.what()) == "body failed");
            }
            CHECK_FALSE(other.is_serving());
            CHECK(other.sockets().empty());
        }());
    }

    TEST_CASE("Unix sockets: a server on a path, a stale socket file removed first, peer addresses") {
        net_test::TempDir dir;
        const std::string path = dir.file("s.sock");
        {  // a stale socket file: bound, then closed without unlinking
            aio::Socket stale = aio::Socket::open(AF_UNIX);
            const auto a = aio::SocketAddress::unix_path(path);
            REQUIRE(::bind(stale.fd(), a.data(), a.size()) == 0);
        }
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        auto stats = std::make_shared<EchoStats>();
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            aio::Server server = co_await loop.create_unix_server(echo(stats), path);
            REQUIRE(server.sockets().size() == 1);
            CHECK(server.sockets()[0].path() == path);
            CHECK(server.sockets()[0].str() == "'" + path + "'");
            CHECK(co_await unix_echo_client(path, "over unix") == "over unix");
            auto t = co_await loop.create_unix_connection(plain(), path);
            CHECK(t->peername()->path() == path);
            CHECK(t->sockname()->path().empty());  // an unbound client
            t->close();
            server.close();
            co_await server.wait_closed();
            try {
                (void)co_await loop.create_unix_connection(plain(), dir.file("nobody"));
                FAIL("connected");
            } catch (const aio::OSError& e) {
                CHECK(e.errno_value() == ENOENT);
            }
        }());
        CHECK(stats->made == 1);
        CHECK(::stat(path.c_str(), &st) == 0);  // 3.12 leaves the file behind
    }

    TEST_CASE("an abstract Unix address in use: asyncio's 'Address ... is already in use'") {
        const std::string name = std::string("\0aiosim-test-", 13) + std::to_string(::getpid());
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            aio::Server a = co_await loop.create_unix_server(plain(), name);
            try {
                (void)co_await loop.create_unix_server(plain(), name);
                FAIL("bound twice");
            } catch (const aio::OSError& e) {
                CHECK(e.errno_value() == EADDRINUSE);
                CHECK(std::string(e.what()) ==
                      fmt::format("[Errno 98] Address '\\x00aiosim-test-{}' is already in use", ::getpid()));
            }
            a.close();
            co_await a.wait_closed();
        }());
    }

    TEST_CASE("a cancelled create_connection (the listener never accepts) leaves no descriptor and no watch") {
        const net_test::FullBacklog full;  // a connect to it stays in progress
        const aio::SocketAddress& addr = full.address;
        const int before = open_fd_count();
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            auto t = aio::create_task(connect_plain("127.0.0.1", addr.port()));
            co_await aio::sleep(50ms);
            CHECK_FALSE(t.done());
            CHECK(co_await cancelled_after(t));
            CHECK(loop.fd_driver("test").watch_count() == 0);
            // wait_for's timeout is the same cancellation
            CHECK_THROWS_AS(co_await aio::wait_for(connect_plain("127.0.0.1", addr.port()), 20ms), aio::TimeoutError);
            CHECK(loop.fd_driver("test").watch_count() == 0);
        }());
        CHECK(open_fd_count() == before);
    }

    TEST_CASE("out of descriptors (EMFILE): reported, accepting pauses 1 s, then resumes") {
        aio_test::Reports reports;
        auto stats = std::make_shared<EchoStats>();
        rlimit old{};
        REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
        aio::run(
            [&]() -> aio::Coro<void> {
                auto& loop = aio::get_running_loop();
                aio::Server server = co_await loop.create_server(echo(stats), "127.0.0.1", 0);
                const auto addr = server.sockets()[0];
                // All in this step, so the server cannot accept before the limit is tight.
                std::vector<aio::Socket> clients;
                for (int i = 0; i < 3; ++i) {
                    clients.push_back(aio::Socket::open(AF_INET));
                    (void)::connect(clients.back().fd(), addr.data(), addr.size());
                }
                pollfd pl{server_fd(loop, addr), POLLIN, 0};
                REQUIRE(::poll(&pl, 1, 1000) == 1);  // a connection waits in the backlog
                // A new descriptor takes the lowest free number: a limit at that number makes
                // the next accept4() fail with EMFILE (the open ones above it stay valid).
                int lowest_free = 0;
                while (::fcntl(lowest_free, F_GETFD) != -1) ++lowest_free;
                rlimit tight = old;
                tight.rlim_cur = static_cast<rlim_t>(lowest_free);
                REQUIRE(::setrlimit(RLIMIT_NOFILE, &tight) == 0);
                co_await aio::sleep(50ms);
                ::setrlimit(RLIMIT_NOFILE, &old);
                CHECK(stats->made == 0);
                CHECK(reports.messages() == std::vector<std::string>{"socket.accept() out of system resource"});
                if (!reports.contexts.empty()) {
                    CHECK_THROWS_AS(std::rethrow_exception(reports.contexts[0].exception), aio::OSError);
                    CHECK(error_of(reports.contexts[0].exception) == "[Errno 24] Too many open files");
                }
                co_await aio::sleep(500ms);
                CHECK(stats->made == 0);  // still pausing
                co_await aio::sleep(800ms);
                CHECK(stats->made == 3);  // resumed after asyncio's ACCEPT_RETRY_DELAY
                CHECK(reports.contexts.size() == 1);
                clients.clear();
                server.close();
                co_await server.wait_closed();
            }(),
            reports.options());
        rlimit now{};
        ::getrlimit(RLIMIT_NOFILE, &now);
        CHECK(now.rlim_cur == old.rlim_cur);
    }

    TEST_CASE("an accept storm: one readiness accepts up to the backlog, not one connection per pass") {
        auto stats = std::make_shared<EchoStats>();
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            aio::Server server = co_await loop.create_server(echo(stats), "127.0.0.1", 0, {.backlog = 5});
            const auto addr = server.sockets()[0];
            std::vector<aio::Socket> clients;
            for (int i = 0; i < 5; ++i) {
                clients.push_back(aio::Socket::open(AF_INET));
                (void)::connect(clients.back().fd(), addr.data(), addr.size());
            }
            std::this_thread::sleep_for(50ms);  // in this step: all of them wait in the backlog
            std::vector<int> made;              // connection_made count after each pass
            for (int i = 0; i < 6; ++i) {
                co_await aio::sleep(0s);
                made.push_back(stats->made);
            }
            // Each pass runs our step first: pass 1 accepts all five at once (after our step),
            // pass 2 makes their transports, pass 3 runs their connection_made after our step,
            // which pass 4 sees (asyncio's _accept_connection2 task takes the same hops).
            CHECK(made == std::vector<int>{0, 0, 0, 5, 5, 5});
            clients.clear();
            server.close();
            co_await server.wait_closed();
        }());
    }

    TEST_CASE("a cancelled getaddrinfo: CancelledError at once; the executor's answer is dropped") {
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            auto t = aio::create_task(resolve_localhost());
            co_await aio::sleep(0s);
            CHECK(co_await cancelled_after(t));
            co_await loop.shutdown_default_executor();  // the job finishes; nothing is delivered
            CHECK(aio::detail::EventLoopAccess::thread_work_in_flight(loop) == 0);
        }());
    }

    TEST_CASE("1,000 connections at once: every echo right, then no descriptor and no watch left") {
        const int before = open_fd_count();
        auto stats = std::make_shared<EchoStats>();
        constexpr int n = 1000;
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            aio::Server server = co_await loop.create_server(echo(stats), "127.0.0.1", 0, {.backlog = 1024});
            const auto port = server.sockets()[0].port();
            std::vector<aio::Task<std::string>> clients;
            clients.reserve(n);
            for (int i = 0; i < n; ++i)
                clients.push_back(aio::create_task(echo_client("127.0.0.1", port, fmt::format("client {}", i))));
            int right = 0;
            for (int i = 0; i < n; ++i)
                if (co_await clients[static_cast<std::size_t>(i)] == fmt::format("client {}", i)) ++right;
            CHECK(right == n);
            server.close();
            co_await server.wait_closed();
            CHECK(loop.fd_driver("test").watch_count() == 0);
        }());
        CHECK(stats->made == n);
        CHECK(stats->lost == n);
        CHECK(stats->errors.empty());
        CHECK(open_fd_count() == before);
    }

    TEST_CASE("a loop closed with a server and connections open leaves no descriptor") {
        const int before = open_fd_count();
        auto stats = std::make_shared<EchoStats>();
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            aio::Server server = co_await loop.create_server(echo(stats), "127.0.0.1", 0);
            auto t = co_await loop.create_connection(plain(), "127.0.0.1", server.sockets()[0].port());
            co_await aio::sleep(10ms);
            CHECK(stats->made == 1);
            // returns with all of it open: the loop's close() closes the sockets
        }());
        CHECK(open_fd_count() == before);
    }
}
