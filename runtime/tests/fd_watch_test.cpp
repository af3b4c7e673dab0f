// The real loop's file-descriptor watches: add_reader/add_writer (asyncio's level-triggered
// callbacks), detail::wait_readable/wait_writable (what the socket operations await), their
// cancellation, the eventfd wake-up once epoll is in use, and that nothing is left behind.
#include <doctest/doctest.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <aio/aio.hpp>
#include <aio/detail/fd_wait.hpp>
#include <aio/net/errors.hpp>
#include <atomic>
#include <csignal>
#include <dirent.h>
#include <netdb.h>
#include <string>
#include <thread>
#include <vector>

#include "net_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using net_test::open_fd_count;

namespace {

std::atomic<int> g_usr1_seen{0};
extern "C" void count_usr1(int) { g_usr1_seen.fetch_add(1, std::memory_order_relaxed); }

struct SocketPair {
    int fd[2] = {-1, -1};
    SocketPair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd) == 0); }
    ~SocketPair() {
        for (int f : fd)
            if (f >= 0) ::close(f);
    }
    void send(const char* s) const { REQUIRE(::write(fd[1], s, std::char_traits<char>::length(s)) > 0); }
};

// A task body with the fd as a parameter: a lambda coroutine's captures die with the lambda,
// before the task runs.
aio::Coro<void> wait_on(int fd) { co_await aio::detail::wait_readable(fd); }

}  // namespace

TEST_SUITE("fd watches") {
    TEST_CASE("add_reader is called on each pass while the fd is readable, until removed") {
        SocketPair p;
        int calls = 0;
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            loop.add_reader(p.fd[0], [&] {
                ++calls;
                if (calls == 3) {
                    char buf[8];
                    CHECK(::read(p.fd[0], buf, sizeof buf) == 1);
                    CHECK(loop.remove_reader(p.fd[0]));
                }
            });
            p.send("x");
            for (int i = 0; i < 10; ++i) co_await aio::sleep(0s);
            CHECK_FALSE(loop.remove_reader(p.fd[0]));
        }());
        CHECK(calls == 3);  // level-triggered: pass after pass until the data was read
    }

    TEST_CASE("a step that removes a readiness callback queued in the same pass: the pass ends at its batch") {
        // The sleeping task's step and the writer's callback are in one pass's batch, the step
        // first; remove_writer drops the queued callback, and the pass must not run past its
        // end into the queue's next entries (it used to pop from an empty queue and crash).
        SocketPair p;
        int calls = 0;
        std::vector<std::string> log;
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            loop.add_writer(p.fd[0], [&] { ++calls; });
            co_await aio::sleep(10ms);
            const int seen = calls;
            CHECK(seen >= 1);
            CHECK(loop.remove_writer(p.fd[0]));
            loop.call_soon([&] { log.push_back("next pass"); });
            log.push_back("removed");
            co_await aio::sleep(0s);
            co_await aio::sleep(10ms);
            CHECK(calls == seen);  // the queued callback of the removing pass did not run
        }());
        CHECK(log == std::vector<std::string>{"removed", "next pass"});
    }

    TEST_CASE(
        "signals interrupting epoll_wait (EINTR, no SA_RESTART): the loop waits again; sleeps and reads end right") {
        struct sigaction sa {};
        struct sigaction old {};
        sa.sa_handler = count_usr1;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;  // no SA_RESTART: a blocked epoll_wait returns EINTR
        REQUIRE(::sigaction(SIGUSR1, &sa, &old) == 0);
        g_usr1_seen = 0;
        SocketPair p;
        const pthread_t loop_thread = ::pthread_self();
        std::string got;
        double slept = 0;
        std::thread kicker;
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            loop.add_reader(p.fd[0], [] {});  // the loop now waits in epoll_wait
            CHECK(loop.remove_reader(p.fd[0]));
            kicker = std::thread([&] {
                for (int i = 0; i < 5; ++i) {
                    std::this_thread::sleep_for(20ms);
                    ::pthread_kill(loop_thread, SIGUSR1);
                }
                std::this_thread::sleep_for(150ms);
                p.send("z");
            });
            const auto t0 = loop.time();
            co_await aio::sleep(200ms);  // interrupted five times while it waits
            slept = std::chrono::duration<double>(loop.time() - t0).count();
            co_await aio::detail::wait_readable(p.fd[0]);  // interrupted by nothing, woken by the data
            char c = 0;
            CHECK(::read(p.fd[0], &c, 1) == 1);
            got.assign(1, c);
        }());
        kicker.join();
        REQUIRE(::sigaction(SIGUSR1, &old, nullptr) == 0);
        CHECK(g_usr1_seen.load() == 5);
        CHECK(slept >= 0.2);
        CHECK(got == "z");
    }

    TEST_CASE("add_writer fires for a writable socket; replacing a reader keeps one watch") {
        SocketPair p;
        std::vector<std::string> log;
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            loop.add_writer(p.fd[0], [&] {
                log.push_back("writable");
                loop.remove_writer(p.fd[0]);
            });
            loop.add_reader(p.fd[0], [&] { log.push_back("old reader"); });
            loop.add_reader(p.fd[0], [&] {
                log.push_back("new reader");
                loop.remove_reader(p.fd[0]);
            });
            p.send("y");
            for (int i = 0; i < 5; ++i) co_await aio::sleep(0s);
        }());
        // Both ready in one poll: the reader's callback first, as asyncio's _process_events.
        CHECK(log == std::vector<std::string>{"new reader", "writable"});
    }

    TEST_CASE("a task waits in epoll for readability and wakes when data arrives from another thread") {
        SocketPair p;
        std::string got;
        aio::run([&]() -> aio::Coro<void> {
            std::thread writer([&] {
                std::this_thread::sleep_for(20ms);
                p.send("hello");
            });
            co_await aio::detail::wait_readable(p.fd[0]);
            char buf[16];
            const auto n = ::read(p.fd[0], buf, sizeof buf);
            got.assign(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
            writer.join();
        }());
        CHECK(got == "hello");
    }

    TEST_CASE("cancelling a task blocked on an fd removes its watch; the loop then sleeps, not spins") {
        SocketPair p;
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            auto& d = loop.fd_driver("test");
            auto t = aio::create_task(wait_on(p.fd[0]));
            co_await aio::sleep(0s);
            CHECK(d.watch_count() == 1);
            t.cancel();
            bool cancelled = false;
            try {
                co_await t;
            } catch (const aio::CancelledError&) {
                cancelled = true;
            }
            CHECK(cancelled);
            CHECK(d.watch_count() == 0);
            // With no watch left and one timer, the loop blocks until the timer: CPU time stays
            // far below the 100 ms of wall time (a spinning loop would use all of it).
            const std::clock_t c0 = std::clock();
            co_await aio::sleep(100ms);
            CHECK(static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC < 0.05);
        }());
    }

    TEST_CASE("an idle loop watching 1,000 sockets uses no CPU while it waits") {
        std::vector<std::unique_ptr<SocketPair>> pairs;
        for (int i = 0; i < 1000; ++i) pairs.push_back(std::make_unique<SocketPair>());
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            for (auto& p : pairs) loop.add_reader(p->fd[0], [] {});
            const std::clock_t c0 = std::clock();
            co_await aio::sleep(200ms);
            CHECK(static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC < 0.05);
            for (auto& p : pairs) CHECK(loop.remove_reader(p->fd[0]));
        }());
    }

    TEST_CASE("call_soon_threadsafe wakes a loop blocked in epoll_wait") {
        SocketPair p;
        bool woke = false;
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            loop.add_reader(p.fd[0], [] {});  // epoll is in use from here on
            aio::Event ev;
            std::thread t([&] {
                std::this_thread::sleep_for(20ms);
                loop.call_soon_threadsafe([&] { ev.set(); });
            });
            co_await ev.wait();
            woke = true;
            t.join();
            loop.remove_reader(p.fd[0]);
        }());
        CHECK(woke);
    }

    TEST_CASE("a closed fd with a registration: remove_reader still forgets it, and the number can be reused") {
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            auto* p = new SocketPair;
            const int fd = p->fd[0];
            loop.add_reader(fd, [] {});
            ::close(fd);  // closed with the registration in place (the kernel drops it from epoll)
            p->fd[0] = -1;
            delete p;
            CHECK(loop.remove_reader(fd));
            SocketPair q;  // very likely reuses the number
            int calls = 0;
            loop.add_reader(q.fd[0], [&] {
                ++calls;
                loop.remove_reader(q.fd[0]);
            });
            q.send("z");
            for (int i = 0; i < 3; ++i) co_await aio::sleep(0s);
            CHECK(calls == 1);
        }());
    }

    TEST_CASE("a callback's exception reaches the exception handler; the loop goes on") {
        SocketPair p;
        aio_test::Reports reports;
        aio::run(
            [&]() -> aio::Coro<void> {
                auto& loop = aio::get_running_loop();
                loop.add_writer(p.fd[0], [&] {
                    loop.remove_writer(p.fd[0]);
                    throw std::runtime_error("boom");
                });
                for (int i = 0; i < 3; ++i) co_await aio::sleep(0s);
            }(),
            reports.options());
        REQUIRE(reports.contexts.size() == 1);
        CHECK(reports.contexts[0].message == "Exception in callback");
        CHECK(aio::exception_message(reports.contexts[0].exception) == "boom");
    }

    TEST_CASE("a regular file cannot be watched: OSError, and no watch is left") {
        char path[] = "/tmp/aiosim-fdwatch-XXXXXX";
        const int fd = ::mkstemp(path);
        REQUIRE(fd >= 0);
        ::unlink(path);
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            CHECK_THROWS_AS(loop.add_reader(fd, [] {}), aio::OSError);
            CHECK(loop.fd_driver("test").watch_count() == 0);
            co_return;
        }());
        ::close(fd);
    }

    TEST_CASE("runs with watches and cancelled waits leave no file descriptor behind") {
        SocketPair p;
        const int before = open_fd_count();
        for (int round = 0; round < 3; ++round) {
            aio::run([&]() -> aio::Coro<void> {
                auto t = aio::create_task(wait_on(p.fd[0]));
                co_await aio::sleep(0s);
                // left pending: run() cancels it at shutdown, close() closes epoll and the eventfd
                co_return;
            }());
        }
        CHECK(open_fd_count() == before);
    }

    TEST_CASE("errors: errno picks the subclass, what() reads as Python's str(OSError)") {
        try {
            aio::throw_os_error(ECONNREFUSED, "connect", "Connect call failed ('127.0.0.1', 9)");
        } catch (const aio::ConnectionRefusedError& e) {
            CHECK(e.errno_value() == ECONNREFUSED);
            CHECK(e.operation() == "connect");
            CHECK(std::string(e.what()) == "[Errno 111] Connect call failed ('127.0.0.1', 9)");
            CHECK(e.code() == std::errc::connection_refused);
        }
        CHECK_THROWS_AS(aio::throw_os_error(ECONNRESET, "recv"), aio::ConnectionResetError);
        CHECK_THROWS_AS(aio::throw_os_error(EPIPE, "send"), aio::BrokenPipeError);
        CHECK_THROWS_AS(aio::throw_os_error(ECONNABORTED, "accept"), aio::ConnectionAbortedError);
        CHECK_THROWS_AS(aio::throw_os_error(ENOENT, "open"), aio::OSError);
        const aio::gaierror g(EAI_NONAME, "getaddrinfo");
        CHECK(g.code().category().name() == std::string("getaddrinfo"));
        const std::exception& as_std = aio::ConnectionResetError(ECONNRESET, "recv");
        CHECK(std::string(as_std.what()) == "[Errno 104] Connection reset by peer");
    }
}
