// POSIX signals on the real loop: add_signal_handler/remove_signal_handler (asyncio's
// unix_events.py) and aio::run's Ctrl-C handling (runners.py 3.12), the latter in forked
// children: SIGINT is sent to a child that runs aio::run(), and its exit status is checked.
//
// The in-process tests use SIGUSR1/SIGUSR2/SIGHUP: doctest owns SIGINT while a test runs, and
// removing a handler restores SIG_DFL.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <csignal>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <aio/aio.hpp>
#include <aio/net/errors.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "net_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;

namespace {

using net_test::open_fd_count;

// signum's disposition: "default" (SIG_DFL), "ignored" (SIG_IGN) or "handled".
std::string disposition(int signum) {
    struct sigaction sa {};
    if (::sigaction(signum, nullptr, &sa) != 0) return "sigaction failed";
    if ((sa.sa_flags & SA_SIGINFO) == 0 && sa.sa_handler == SIG_DFL) return "default";
    if ((sa.sa_flags & SA_SIGINFO) == 0 && sa.sa_handler == SIG_IGN) return "ignored";
    return "handled";
}

int sa_flags(int signum) {
    struct sigaction sa {};
    REQUIRE(::sigaction(signum, nullptr, &sa) == 0);
    return sa.sa_flags;
}

// Passes until pred() or 5 s (a signal is handled on a later pass, not inside the handler).
template <class P>
aio::Coro<bool> wait_until(P pred) {
    for (int i = 0; i < 5000 && !pred(); ++i) co_await aio::sleep(1ms);
    co_return pred();
}

aio::Coro<void> wait_event(aio::Event& e) { co_await e.wait(); }

// --- forked children ------------------------------------------------------------------------

// A child process: body() runs there and its return value is the exit status; nothing of the
// test framework runs in the child (no CHECK, no return into doctest). What the child wants the
// parent to see it writes to `out`, one line per event.
struct Child {
    pid_t pid = -1;
    int out = -1;  // the parent's end
    int err = -1;  // the child's standard error
    std::string lines;
    std::string errors;

    template <class F>
    explicit Child(F body) {
        int o[2], e[2];
        REQUIRE(::pipe2(o, O_CLOEXEC) == 0);
        REQUIRE(::pipe2(e, O_CLOEXEC) == 0);
        std::fflush(nullptr);  // the child must not write the parent's buffered output again
        pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(o[0]);
            ::close(e[0]);
            ::dup2(e[1], STDERR_FILENO);
            // A fresh program's SIGINT disposition (doctest has its own while a test runs).
            struct sigaction dfl {};
            dfl.sa_handler = SIG_DFL;
            sigemptyset(&dfl.sa_mask);
            ::sigaction(SIGINT, &dfl, nullptr);
            int code = 99;
            try {
                code = body(o[1]);
            } catch (...) {
                code = 98;
            }
            ::_exit(code);
        }
        ::close(o[1]);
        ::close(e[1]);
        out = o[0];
        err = e[0];
    }
    ~Child() {
        if (pid > 0) {  // a test that failed early: do not leave the child behind
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
        ::close(out);
        ::close(err);
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    /// Reads the child's lines until `line` arrived (or 10 s).
    bool wait_for_line(const std::string& line) {
        const auto end = std::chrono::steady_clock::now() + 10s;
        while (!aio_test::contains(lines, line + "\n")) {
            if (std::chrono::steady_clock::now() > end) return false;
            pollfd p{out, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            char buf[256];
            const ssize_t n = ::read(out, buf, sizeof buf);
            if (n <= 0) return false;
            lines.append(buf, static_cast<std::size_t>(n));
        }
        return true;
    }
    void signal(int signum) const { REQUIRE(::kill(pid, signum) == 0); }
    /// Waits (up to 20 s) for the child's end; its wait status. Reads what is left of its lines.
    int wait() {
        int status = 0;
        const auto end = std::chrono::steady_clock::now() + 20s;
        for (;;) {
            const pid_t r = ::waitpid(pid, &status, WNOHANG);
            REQUIRE(r >= 0);
            if (r == pid) break;
            if (std::chrono::steady_clock::now() > end) FAIL("the child did not end within 20 s");
            std::this_thread::sleep_for(5ms);
        }
        pid = -1;
        drain(out, lines);
        drain(err, errors);
        return status;
    }

private:
    static void drain(int fd, std::string& into) {
        char buf[1024];
        ssize_t n;
        while ((n = ::read(fd, buf, sizeof buf)) > 0) into.append(buf, static_cast<std::size_t>(n));
    }
};

void say(int fd, const std::string& line) {
    const std::string s = line + "\n";
    (void)!::write(fd, s.data(), s.size());
}

bool exited_with(int status, int code) { return WIFEXITED(status) && WEXITSTATUS(status) == code; }

// Each coroutine body takes what it uses as parameters (a lambda coroutine's captures would
// die before a task created from it runs).
aio::Coro<void> sleeper_guard(int fd) {
    try {
        co_await aio::sleep(30s);
    } catch (const aio::CancelledError&) {
        say(fd, "guard cancelled");
        throw;
    }
}

// Sleeps until cancelled, then cleans up (an await in the cleanup too) and ends cancelled.
aio::Coro<void> main_sleeps(int fd) {
    auto guard = aio::create_task(sleeper_guard(fd));
    say(fd, "ready");
    bool cancelled = false;
    try {
        co_await aio::sleep(30s);
        say(fd, "slept 30 s");
    } catch (const aio::CancelledError&) {
        say(fd, "main cancelled");
        cancelled = true;
    }
    if (cancelled) {
        co_await aio::sleep(0s);
        say(fd, "main cleaned up");
        throw aio::CancelledError();
    }
}

// Ignores the first cancellation and sleeps on.
aio::Coro<void> main_ignores_cancel(int fd) {
    say(fd, "ready");
    try {
        co_await aio::sleep(30s);
    } catch (const aio::CancelledError&) {
        say(fd, "ignoring the cancellation");
    }
    co_await aio::sleep(30s);
    say(fd, "slept 30 s more");
}

aio::Coro<void> cancel_then_interrupt(aio::AnyTask main) {
    co_await aio::sleep(0s);
    main.cancel();
    ::raise(SIGINT);  // runners.py's test_interrupt_cancelled_task
}

// runners.py's test_interrupt_cancelled_task: the main task was cancelled by someone else too.
aio::Coro<void> main_cancelled_by_another(int fd) {
    auto t = aio::create_task(cancel_then_interrupt(aio::current_task()));
    say(fd, "ready");
    co_await aio::sleep(10s);
}

// runners.py's test_interrupt_call_soon: main never waits on anything but sleep(0).
aio::Coro<void> main_busy(int fd) {
    aio::get_running_loop().call_later(100ms, [] { ::raise(SIGINT); });
    try {
        for (;;) co_await aio::sleep(0s);
    } catch (const aio::CancelledError&) {
        say(fd, "main cancelled");
        throw;
    }
}

// runners.py's test_interrupt_wait: the future main awaits is cancelled with it.
aio::Coro<void> main_waits_future(int fd, aio::Future<int>* fut) {
    aio::get_running_loop().call_later(100ms, [] { ::raise(SIGINT); });
    try {
        co_await *fut;
    } catch (const aio::CancelledError&) {
        say(fd, fut->cancelled() ? "future cancelled" : "future not cancelled");
        throw;
    }
}

int run_catching_interrupt(int fd, aio::Coro<void> main) {
    try {
        aio::run(std::move(main));
        say(fd, "returned");
        return 0;
    } catch (const aio::KeyboardInterrupt&) {
        say(fd, "KeyboardInterrupt");
        say(fd, "SIGINT " + disposition(SIGINT));
        return 42;
    } catch (const aio::CancelledError&) {
        say(fd, "CancelledError");
        return 43;
    }
}

// A loop whose driver watches no file descriptors (as the simulator's).
class NoFdLoop : public aio::EventLoop {
public:
    NoFdLoop() { install_seam({.driver = &driver_}); }
    ~NoFdLoop() override { install_seam({}); }

private:
    aio::seam::CondvarDriver driver_;
};

}  // namespace

TEST_SUITE("signals") {
    TEST_CASE("a handler runs on the loop on a later pass, once per signal, never inside the handler") {
        int calls = 0;
        bool on_loop = false;
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            loop.add_signal_handler(SIGUSR1, [&] {
                ++calls;
                on_loop = aio::EventLoop::running() == &loop;
            });
            CHECK(disposition(SIGUSR1) == "handled");
            CHECK((sa_flags(SIGUSR1) & SA_RESTART) != 0);  // asyncio: siginterrupt(sig, False)
            REQUIRE(::raise(SIGUSR1) == 0);
            CHECK(calls == 0);  // the C handler only wrote to the loop's socketpair
            CHECK(co_await wait_until([&] { return calls == 1; }));
            CHECK(on_loop);
            // Two before the loop reads them: two calls (one byte each, as asyncio's wakeup fd).
            REQUIRE(::raise(SIGUSR1) == 0);
            REQUIRE(::raise(SIGUSR1) == 0);
            CHECK(co_await wait_until([&] { return calls == 3; }));
            for (int i = 0; i < 10; ++i) co_await aio::sleep(0s);
            CHECK(calls == 3);
            CHECK(loop.remove_signal_handler(SIGUSR1));
        }());
        CHECK(disposition(SIGUSR1) == "default");
    }

    TEST_CASE("a signal from another thread wakes a loop that waits in epoll") {
        std::atomic<bool> handled{false};
        double waited = 0;
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            aio::Event got;
            loop.add_signal_handler(SIGUSR2, [&] {
                handled = true;
                got.set();
            });
            const auto t0 = std::chrono::steady_clock::now();
            std::thread sender([] {
                std::this_thread::sleep_for(50ms);
                ::kill(::getpid(), SIGUSR2);  // any thread may take it: the byte goes to the loop's socket
            });
            try {
                co_await aio::wait_for(wait_event(got), 10s);
            } catch (const aio::TimeoutError&) {}
            sender.join();
            waited = aio::to_seconds(std::chrono::steady_clock::now() - t0);
            loop.remove_signal_handler(SIGUSR2);
        }());
        CHECK(handled);
        CHECK(waited < 5.0);  // woken by the signal, not by the 10 s timeout
    }

    TEST_CASE("the signals' socket is a quiet watch: busy passes poll it only after a signal arrived") {
        // What makes aio::run's Ctrl-C handler free for a loop that never waits: no epoll_wait
        // per pass (an ordinary watch costs one, as asyncio's selector poll).
        int fd[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd) == 0);
        int calls = 0;
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            loop.add_quiet_reader(fd[0], [&] {
                ++calls;
                char c;
                while (::read(fd[0], &c, 1) == 1) {}
            });
            REQUIRE(::write(fd[1], "x", 1) == 1);
            for (int i = 0; i < 50; ++i) co_await aio::sleep(0s);
            CHECK(calls == 0);  // readable all along, never polled by a busy pass
            aio::detail::g_signal_arrived.store(true);
            co_await aio::sleep(0s);
            co_await aio::sleep(0s);
            CHECK(calls == 1);                           // the flag made the next pass poll
            aio::detail::g_signal_arrived.store(false);  // (the signals' reader clears it)
            REQUIRE(::write(fd[1], "y", 1) == 1);
            co_await aio::sleep(1ms);  // a blocking wait sees it
            CHECK(calls == 2);
            CHECK(loop.remove_quiet_reader(fd[0]));
            CHECK_FALSE(loop.remove_quiet_reader(fd[0]));
            CHECK(loop.fd_driver("test").watch_count() == 0);
        }());
        ::close(fd[0]);
        ::close(fd[1]);
    }

    TEST_CASE("adding a handler again replaces it; remove returns true once, then false") {
        std::vector<std::string> log;
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            loop.add_signal_handler(SIGHUP, [&] { log.push_back("old"); });
            loop.add_signal_handler(SIGHUP, [&] { log.push_back("new"); });
            REQUIRE(::raise(SIGHUP) == 0);
            CHECK(co_await wait_until([&] { return !log.empty(); }));
            CHECK(loop.remove_signal_handler(SIGHUP));
            CHECK(disposition(SIGHUP) == "default");
            CHECK_FALSE(loop.remove_signal_handler(SIGHUP));
            CHECK_FALSE(loop.remove_signal_handler(SIGUSR1));  // never had one
        }());
        CHECK(log == std::vector<std::string>{"new"});
    }

    TEST_CASE("invalid signal numbers raise ValueError; SIGKILL and SIGSTOP cannot be caught") {
        aio::EventLoop loop;
        for (int s : {0, -1, NSIG, 1000, 32, 33}) {  // 32 and 33 are glibc's own (not in valid_signals())
            CAPTURE(s);
            CHECK_THROWS_WITH_AS(loop.add_signal_handler(s, [] {}), fmt::format("invalid signal number {}", s).c_str(),
                                 aio::ValueError);
            CHECK_THROWS_WITH_AS(loop.remove_signal_handler(s), fmt::format("invalid signal number {}", s).c_str(),
                                 aio::ValueError);
        }
        CHECK_THROWS_WITH_AS(loop.add_signal_handler(SIGKILL, [] {}), "sig 9 cannot be caught", aio::RuntimeError);
        CHECK_THROWS_WITH_AS(loop.add_signal_handler(SIGSTOP, [] {}), "sig 19 cannot be caught", aio::RuntimeError);
        CHECK_FALSE(loop.remove_signal_handler(SIGKILL));
        CHECK(disposition(SIGKILL) == "default");
        // A real-time signal is valid, as in asyncio.
        loop.add_signal_handler(SIGRTMIN + 2, [] {});
        CHECK(loop.remove_signal_handler(SIGRTMIN + 2));
        CHECK_THROWS_AS(loop.add_signal_handler(SIGUSR1, std::function<void()>{}), aio::ValueError);
        CHECK(disposition(SIGUSR1) == "default");
    }

    TEST_CASE("add_signal_handler refuses a closed loop, another thread, and a loop without fds") {
        {
            aio::EventLoop loop;
            loop.close();
            CHECK_THROWS_WITH_AS(loop.add_signal_handler(SIGUSR1, [] {}),
                                 "Event loop is closed (called add_signal_handler on a closed loop)",
                                 aio::RuntimeError);
            CHECK_FALSE(loop.remove_signal_handler(SIGUSR1));
        }
        std::string what;
        bool removed = true;
        std::thread t([&] {
            aio::run([&]() -> aio::Coro<void> {
                auto& loop = aio::get_running_loop();
                try {
                    loop.add_signal_handler(SIGUSR1, [] {});
                } catch (const aio::RuntimeError& e) {
                    what = e.what();
                }
                removed = loop.remove_signal_handler(SIGUSR1);
                co_return;
            }());
        });
        t.join();
        CHECK(aio_test::contains(what, "only works in the main thread"));
        CHECK_FALSE(removed);
        CHECK(disposition(SIGUSR1) == "default");
        NoFdLoop nofd;
        CHECK_THROWS_WITH_AS(nofd.add_signal_handler(SIGUSR1, [] {}),
                             doctest::Contains("loop.add_signal_handler(): this event loop does not watch OS file"),
                             aio::RuntimeError);
        CHECK(disposition(SIGUSR1) == "default");
    }

    TEST_CASE("closing the loop removes its handlers and closes its socketpair") {
        const int fds = open_fd_count();
        {
            aio::EventLoop loop;
            loop.add_signal_handler(SIGUSR1, [] {});  // before the loop runs, as asyncio allows
            loop.add_signal_handler(SIGUSR2, [] {});
            CHECK(disposition(SIGUSR1) == "handled");
            CHECK(open_fd_count() > fds);
            loop.close();
            CHECK(disposition(SIGUSR1) == "default");
            CHECK(disposition(SIGUSR2) == "default");
            CHECK_FALSE(loop.remove_signal_handler(SIGUSR1));
        }
        CHECK(open_fd_count() == fds);
        {
            aio::EventLoop loop;
            loop.add_signal_handler(SIGHUP, [] {});
        }  // the destructor closes it
        CHECK(disposition(SIGHUP) == "default");
        CHECK(open_fd_count() == fds);
    }

    TEST_CASE("a handler that throws is reported to the exception handler, and the loop goes on") {
        aio_test::Reports reports;
        int after = 0;
        aio::run(
            [&]() -> aio::Coro<void> {
                auto& loop = aio::get_running_loop();
                loop.add_signal_handler(SIGUSR1, [&] {
                    ++after;
                    throw aio::ValueError("bad handler");
                });
                REQUIRE(::raise(SIGUSR1) == 0);
                CHECK(co_await wait_until([&] { return after == 1; }));
                REQUIRE(::raise(SIGUSR1) == 0);
                CHECK(co_await wait_until([&] { return after == 2; }));
                loop.remove_signal_handler(SIGUSR1);
            }(),
            reports.options());
        REQUIRE(reports.contexts.size() == 2);
        CHECK(reports.contexts[0].message == "Exception in callback");
        CHECK(aio::describe(reports.contexts[0].exception) == "ValueError: bad handler");
    }

    TEST_CASE("a handler removed before the loop reads the signal is not called") {
        int calls = 0;
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            loop.add_signal_handler(SIGUSR1, [&] { ++calls; });
            loop.add_signal_handler(SIGUSR2, [] {});  // keeps the loop's socketpair registered
            REQUIRE(::raise(SIGUSR1) == 0);           // the byte is in the socket when the handler goes
            CHECK(loop.remove_signal_handler(SIGUSR1));
            for (int i = 0; i < 20; ++i) co_await aio::sleep(0s);
            loop.remove_signal_handler(SIGUSR2);
        }());
        CHECK(calls == 0);
    }

    TEST_CASE("a second loop that adds a handler for the signal takes it from the first") {
        int first = 0, second = 0;
        aio::EventLoop a;
        a.add_signal_handler(SIGUSR1, [&] { ++first; });
        aio::run([&]() -> aio::Coro<void> {
            auto& loop = aio::get_running_loop();
            loop.add_signal_handler(SIGUSR1, [&] { ++second; });
            REQUIRE(::raise(SIGUSR1) == 0);
            CHECK(co_await wait_until([&] { return second == 1; }));
            co_return;
        }());  // its close() restored SIG_DFL
        CHECK_FALSE(a.remove_signal_handler(SIGUSR1));
        a.run_until_complete([]() -> aio::Coro<void> {
            for (int i = 0; i < 10; ++i) co_await aio::sleep(0s);
        }());
        CHECK(first == 0);
        CHECK(second == 1);
        CHECK(disposition(SIGUSR1) == "default");
    }

    TEST_CASE("a forked child ignores the signals its parent's loop handles; its own loop can add them") {
        // Forked outside any running loop: a child forked inside one would still see that loop
        // as its thread's running loop (asyncio resets it in the child; aio does not yet).
        int parent_calls = 0;
        aio::EventLoop loop;
        loop.add_signal_handler(SIGUSR1, [&] { ++parent_calls; });
        Child child([](int out) {
            ::raise(SIGUSR1);  // the inherited handler: ignored, not written to the parent's socket
            say(out, "survived");
            int calls = 0;
            aio::run([&]() -> aio::Coro<void> {
                auto& l = aio::get_running_loop();
                l.add_signal_handler(SIGUSR1, [&] { ++calls; });
                ::raise(SIGUSR1);
                co_await wait_until([&] { return calls == 1; });
            }());
            say(out, calls == 1 ? "child handled" : "child not handled");
            return 0;
        });
        CHECK(exited_with(child.wait(), 0));
        CHECK(child.lines == "survived\nchild handled\n");
        loop.run_until_complete([]() -> aio::Coro<void> {
            for (int i = 0; i < 20; ++i) co_await aio::sleep(1ms);
        }());
        CHECK(parent_calls == 0);
        // The parent's handler still works.
        REQUIRE(::raise(SIGUSR1) == 0);
        loop.run_until_complete(wait_until([&] { return parent_calls == 1; }));
        CHECK(parent_calls == 1);
        CHECK(loop.remove_signal_handler(SIGUSR1));
    }

    TEST_CASE("Ctrl-C: the first SIGINT cancels main, cleanup runs, run() throws KeyboardInterrupt") {
        Child child([](int out) { return run_catching_interrupt(out, main_sleeps(out)); });
        REQUIRE(child.wait_for_line("ready"));
        child.signal(SIGINT);
        const int status = child.wait();
        CHECK(exited_with(status, 42));
        CHECK(child.lines ==
              "ready\nmain cancelled\nmain cleaned up\nguard cancelled\nKeyboardInterrupt\nSIGINT default\n");
        CHECK(child.errors.empty());
    }

    TEST_CASE("Ctrl-C twice: a main that ignores the cancellation dies of the second SIGINT at once") {
        Child child([](int out) { return run_catching_interrupt(out, main_ignores_cancel(out)); });
        REQUIRE(child.wait_for_line("ready"));
        child.signal(SIGINT);
        REQUIRE(child.wait_for_line("ignoring the cancellation"));
        child.signal(SIGINT);
        const int status = child.wait();
        CHECK(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGINT);
        CHECK(child.lines == "ready\nignoring the cancellation\n");  // no cleanup, no KeyboardInterrupt
        CHECK(aio_test::contains(child.errors, "KeyboardInterrupt: a second SIGINT while aio::run()"));
    }

    TEST_CASE("Ctrl-C: a main task also cancelled by another task ends in CancelledError") {
        Child child([](int out) { return run_catching_interrupt(out, main_cancelled_by_another(out)); });
        CHECK(exited_with(child.wait(), 43));
        CHECK(child.lines == "ready\nCancelledError\n");
    }

    TEST_CASE("Ctrl-C reaches a main that only ever awaits sleep(0)") {
        Child child([](int out) { return run_catching_interrupt(out, main_busy(out)); });
        CHECK(exited_with(child.wait(), 42));
        CHECK(child.lines == "main cancelled\nKeyboardInterrupt\nSIGINT default\n");
    }

    TEST_CASE("Ctrl-C cancels the future main awaits along with main") {
        Child child([](int out) {
            aio::Runner runner;
            aio::Future<int> fut(runner.get_loop());
            try {
                runner.run(main_waits_future(out, &fut));
            } catch (const aio::KeyboardInterrupt&) {
                say(out, "KeyboardInterrupt");
                return 42;
            }
            return 0;
        });
        CHECK(exited_with(child.wait(), 42));
        CHECK(child.lines == "future cancelled\nKeyboardInterrupt\n");
    }

    TEST_CASE("a SIGINT after main is done makes run() throw KeyboardInterrupt") {
        Child child([](int out) {
            return run_catching_interrupt(out, [](int fd) -> aio::Coro<void> {
                say(fd, "ready");
                ::raise(SIGINT);
                co_return;
            }(out));
        });
        CHECK(exited_with(child.wait(), 42));
        CHECK(child.lines == "ready\nKeyboardInterrupt\nSIGINT default\n");
    }

    TEST_CASE("run() leaves SIGINT alone when it is not at its default, and restores it when done") {
        Child child([](int out) {
            struct sigaction ign {};
            ign.sa_handler = SIG_IGN;
            sigemptyset(&ign.sa_mask);
            ::sigaction(SIGINT, &ign, nullptr);
            aio::run([](int fd) -> aio::Coro<void> {
                say(fd, disposition(SIGINT) + " during run");
                ::raise(SIGINT);
                co_await aio::sleep(10ms);
                say(fd, "not interrupted");
            }(out));
            // The default again: run() installs its handler for its duration only.
            ::sigaction(SIGINT, nullptr, nullptr);
            struct sigaction dfl {};
            dfl.sa_handler = SIG_DFL;
            sigemptyset(&dfl.sa_mask);
            ::sigaction(SIGINT, &dfl, nullptr);
            aio::run([](int fd) -> aio::Coro<void> {
                say(fd, disposition(SIGINT) + " during run");
                co_return;
            }(out));
            say(out, disposition(SIGINT) + " after run");
            return 0;
        });
        CHECK(exited_with(child.wait(), 0));
        CHECK(child.lines == "ignored during run\nnot interrupted\nhandled during run\ndefault after run\n");
    }

    TEST_CASE("a SIGINT handler the main coroutine adds replaces run()'s: SIGINT no longer cancels main") {
        Child child([](int out) {
            return run_catching_interrupt(out, [](int fd) -> aio::Coro<void> {
                auto& loop = aio::get_running_loop();
                int got = 0;
                loop.add_signal_handler(SIGINT, [&got] { ++got; });
                ::raise(SIGINT);
                ::raise(SIGINT);  // not a "second SIGINT": the handler is the loop's
                co_await wait_until([&] { return got == 2; });
                say(fd, got == 2 ? "handled twice" : "not handled");
                say(fd, loop.remove_signal_handler(SIGINT) ? "removed" : "not removed");
                say(fd, "SIGINT " + disposition(SIGINT));
            }(out));
        });
        CHECK(exited_with(child.wait(), 0));
        CHECK(child.lines == "handled twice\nremoved\nSIGINT default\nreturned\n");
    }

    TEST_CASE("run() on a loop without fds (the simulator's kind) or off the main thread installs nothing") {
        Child child([](int out) {
            aio::run(
                [](int fd) -> aio::Coro<void> {
                    say(fd, disposition(SIGINT));
                    co_return;
                }(out),
                aio::RunOptions{.loop_factory = [] { return std::make_unique<NoFdLoop>(); }});
            std::thread t([out] {
                aio::run([](int fd) -> aio::Coro<void> {
                    say(fd, disposition(SIGINT));
                    co_return;
                }(out));
            });
            t.join();
            return 0;
        });
        CHECK(exited_with(child.wait(), 0));
        CHECK(child.lines == "default\ndefault\n");
    }
}

TEST_SUITE("errors") {
    TEST_CASE("describe() and exception_type_name() print Python's names for KeyboardInterrupt and OSError's family") {
        auto ptr = [](auto e) { return std::make_exception_ptr(e); };
        CHECK(aio::describe(ptr(aio::KeyboardInterrupt{})) == "KeyboardInterrupt");
        CHECK(aio::exception_type_name(ptr(aio::KeyboardInterrupt{})) == "KeyboardInterrupt");
        CHECK(aio::describe(
                  ptr(aio::ConnectionRefusedError(ECONNREFUSED, "connect", "Connect call failed ('127.0.0.1', 1)"))) ==
              "ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 1)");
        CHECK(aio::describe(ptr(aio::ConnectionResetError(ECONNRESET, "recv"))) ==
              "ConnectionResetError: [Errno 104] Connection reset by peer");
        CHECK(aio::describe(ptr(aio::BrokenPipeError(EPIPE, "send"))) == "BrokenPipeError: [Errno 32] Broken pipe");
        CHECK(aio::exception_type_name(ptr(aio::ConnectionAbortedError(ECONNABORTED, "accept"))) ==
              "ConnectionAbortedError");
        CHECK(aio::exception_type_name(ptr(aio::ConnectionError(ECONNRESET, "x"))) == "ConnectionError");
        CHECK(aio::describe(ptr(aio::OSError(EBADF, "epoll_ctl"))) == "OSError: [Errno 9] Bad file descriptor");
        CHECK(aio::describe(ptr(aio::gaierror(EAI_NONAME, "getaddrinfo"))) ==
              "gaierror: [Errno -2] Name or service not known");
        // throw_os_error's pick, by errno, named as Python names it.
        for (auto [err, name] : {std::pair{EPIPE, "BrokenPipeError"}, std::pair{ESHUTDOWN, "BrokenPipeError"},
                                 std::pair{ECONNREFUSED, "ConnectionRefusedError"}, std::pair{ENOENT, "OSError"}}) {
            CAPTURE(err);
            try {
                aio::throw_os_error(err, "op");
            } catch (...) {
                CHECK(aio::exception_type_name(std::current_exception()) == name);
            }
        }
        // KeyboardInterrupt is not a std::exception (Python's BaseException, not Exception).
        CHECK_FALSE(std::is_base_of_v<std::exception, aio::KeyboardInterrupt>);
        CHECK(aio::exception_message(ptr(aio::KeyboardInterrupt{})).empty());
    }
}
