// add_signal_handler / remove_signal_handler (asyncio's unix_events.py) and aio::run's Ctrl-C
// handling (runners.py 3.12), on one process-wide table.
//
// asyncio asks Python's C-level handler to write each signal's number to a non-blocking socket
// (signal.set_wakeup_fd) that the loop reads like any other fd. Here the C handler is ours: it
// only reads atomics and sends one byte to the socketpair of the loop that handles the signal;
// the loop's reader schedules the callback. Nothing else may run in a signal handler (no lock,
// no allocation), so everything else (which callback, which loop) lives in a registry under a
// mutex that only ordinary code takes.
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "aio/event_loop.hpp"
#include "aio/net/errors.hpp"
#include "aio/detail/signals.hpp"

namespace aio {

namespace {

constexpr int kSignals = NSIG;  // signal numbers are 1 .. NSIG-1

// ---- what the C handler reads: lock-free atomics only ------------------------------------
// Each signal's target: the write end of the handling loop's socketpair, plus one, so that the
// zero-initialised table means "none" before any code ran.
constinit std::atomic<int> g_target[kSignals]{};
// Handlers between reading a target and writing to it: a socketpair is closed only when no
// handler can still be writing to it (the number could be reused by another file meanwhile).
constinit std::atomic<int> g_in_handler{0};
// The process whose loops the targets belong to. A forked child inherits the handler and the
// table but not the loops (asyncio's child resets its wakeup fd): its handler ignores them.
constinit std::atomic<pid_t> g_pid{0};
// SIGINT's handler is aio::run's (RunnerSigint), and how many SIGINTs came since it was.
constinit std::atomic<bool> g_runner_sigint{false};
constinit std::atomic<int> g_sigint_hits{0};
// Loops with a socketpair: none means no loop has a handler (the common close() path).
constinit std::atomic<int> g_pipe_count{0};

static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free &&
                  std::atomic<pid_t>::is_always_lock_free,
              "the signal handler may only use lock-free atomics");

constexpr char kSecondSigint[] =
    "KeyboardInterrupt: a second SIGINT while aio::run() was cancelling the main task; the process "
    "exits at once, without cleanup\n";

// runners.py raises KeyboardInterrupt from its handler on a second SIGINT. A C++ signal handler
// cannot throw into the interrupted code, so the process dies of SIGINT, as a Python process does
// when that KeyboardInterrupt is not caught (its exit status is the signal's).
void die_of_second_sigint() noexcept {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    ::sigaction(SIGINT, &dfl, nullptr);
    (void)!::write(STDERR_FILENO, kSecondSigint, sizeof kSecondSigint - 1);
    ::raise(SIGINT);
    // SIGINT is blocked while its handler runs: unblock it so that it is delivered (and kills)
    // here, whoever called this handler.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

void on_signal(int signo) {
    const int saved_errno = errno;
    if (g_pid.load() == ::getpid() && signo > 0 && signo < kSignals) {
        if (signo == SIGINT && g_runner_sigint.load() && g_sigint_hits.fetch_add(1) >= 1) die_of_second_sigint();
        g_in_handler.fetch_add(1);
        const int fd = g_target[signo].load() - 1;
        if (fd >= 0) {
            const auto byte = static_cast<unsigned char>(signo);
            // Never blocks (a full buffer drops the signal, as asyncio's wakeup fd does) and never
            // raises SIGPIPE.
            (void)::send(fd, &byte, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
            detail::g_signal_arrived.store(true);  // after the byte: the pass that sees it finds the byte
        }
        g_in_handler.fetch_sub(1);
    }
    errno = saved_errno;
}

// ---- the registry: ordinary code only --------------------------------------------------
struct Entry {
    EventLoop* loop = nullptr;  // null: no handler
    std::shared_ptr<std::function<void()>> cb;
    // aio::run's SIGINT handler (not one of the loop's: remove_signal_handler does not see it).
    const detail::RunnerSigint::State* runner = nullptr;
};

struct LoopPipe {
    EventLoop* loop;
    int rfd;
    int wfd;
};

struct Registry {
    std::mutex mu;
    pid_t pid = 0;
    Entry sig[kSignals];
    std::vector<LoopPipe> pipes;
};

// Never destroyed: a loop may close during static destruction.
Registry& registry() {
    static Registry& r = *new Registry;
    return r;
}

// In a forked child, the parent's entries and socketpairs are copies: forget them. Their fds
// are the child's own and are closed; the loops are not touched (their epoll instance is shared
// with the parent, which must keep its registrations).
void forget_parent(Registry& r) noexcept {
    for (int s = 1; s < kSignals; ++s) {
        g_target[s].store(0);
        r.sig[s] = Entry{};
    }
    g_runner_sigint.store(false);
    g_sigint_hits.store(0);
    for (const LoopPipe& p : r.pipes) {
        ::close(p.rfd);
        ::close(p.wfd);
    }
    r.pipes.clear();
    g_pipe_count.store(0);
}

std::unique_lock<std::mutex> lock(Registry& r) {
    std::unique_lock lk(r.mu);
    const pid_t me = ::getpid();
    if (r.pid != me) {
        if (r.pid != 0) forget_parent(r);
        r.pid = me;
        g_pid.store(me);
    }
    return lk;
}

bool on_main_thread() noexcept { return ::gettid() == ::getpid(); }

// signal.valid_signals(): what sigfillset() fills (glibc leaves out the two numbers it keeps
// for its threads, 32 and 33).
bool valid_signal(int signum) noexcept {
    if (signum <= 0 || signum >= kSignals) return false;
    sigset_t all;
    sigfillset(&all);
    return sigismember(&all, signum) == 1;
}

void check_signal(int signum) {
    if (!valid_signal(signum)) throw ValueError(fmt::format("invalid signal number {}", signum));
}

int install(int signum) noexcept {
    struct sigaction sa {};
    sa.sa_handler = &on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;  // asyncio's siginterrupt(sig, False): other threads' calls go on
    return ::sigaction(signum, &sa, nullptr) < 0 ? errno : 0;
}

// remove_signal_handler's part: no target, no entry, SIG_DFL (asyncio: default_int_handler for
// SIGINT, whose C++ counterpart is SIG_DFL).
int restore_default(Registry& r, int signum) noexcept {
    g_target[signum].store(0);
    if (signum == SIGINT) g_runner_sigint.store(false);
    r.sig[signum] = Entry{};
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    return ::sigaction(signum, &dfl, nullptr) < 0 ? errno : 0;
}

// Runs on the loop: asyncio's _read_from_self + _handle_signal. Each byte is one signal and
// schedules one call (asyncio's _add_callback_signalsafe: the callback runs on the next pass).
void read_signals(EventLoop& loop, int fd) {
    // Before reading: a signal sent after the last read sets it again.
    detail::g_signal_arrived.store(false);
    unsigned char buf[256];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // EAGAIN: all read
        std::vector<std::shared_ptr<std::function<void()>>> calls;
        {
            Registry& r = registry();
            auto lk = lock(r);
            for (ssize_t i = 0; i < n; ++i) {
                const Entry& e = r.sig[buf[i] < kSignals ? buf[i] : 0];
                // Removed, or taken by another loop, since the byte was written: dropped (asyncio
                // "assumes it's some race condition").
                if (e.loop == &loop && e.cb) calls.push_back(e.cb);
            }
        }
        for (auto& cb : calls) loop.call_soon([cb = std::move(cb)] { (*cb)(); });
    }
}

// The loop's socketpair, made on first use; it lives until the loop closes (asyncio's self-pipe
// lives as long as its loop).
LoopPipe& pipe_of(Registry& r, EventLoop& loop) {
    for (LoopPipe& p : r.pipes)
        if (p.loop == &loop) return p;
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
        throw_os_error(errno, "socketpair");
    try {
        r.pipes.reserve(r.pipes.size() + 1);
        loop.add_quiet_reader(sv[0], [l = &loop, fd = sv[0]] { read_signals(*l, fd); });
    } catch (...) {
        ::close(sv[0]);
        ::close(sv[1]);
        throw;
    }
    r.pipes.push_back({&loop, sv[0], sv[1]});
    g_pipe_count.fetch_add(1);
    return r.pipes.back();
}

}  // namespace

void EventLoop::add_quiet_reader(int fd, std::function<void()> cb) {
    add_reader(fd, std::move(cb));  // fd has no reader yet (a fresh socketpair's)
    ++quiet_watches_;
}

bool EventLoop::remove_quiet_reader(int fd) {
    if (!remove_reader(fd)) return false;
    --quiet_watches_;
    return true;
}

void EventLoop::add_signal_handler(int signum, std::function<void()> cb) {
    check_thread("loop.add_signal_handler()");
    check_signal(signum);
    check_not_closed("add_signal_handler");
    if (!on_main_thread())
        throw RuntimeError(
            "loop.add_signal_handler() only works in the main thread (asyncio: \"set_wakeup_fd only works in "
            "main thread of the main interpreter\")");
    fd_driver("loop.add_signal_handler()");
    if (!cb) throw ValueError("loop.add_signal_handler(): the callback is empty");
    Registry& r = registry();
    auto lk = lock(r);
    const LoopPipe& p = pipe_of(r, *this);
    Entry& e = r.sig[signum];
    const Entry previous = e;
    const int previous_target = g_target[signum].load();
    const bool previous_runner = signum == SIGINT && g_runner_sigint.load();
    // A signal has one handler in the process: this loop's replaces any other's (another loop's
    // handler, aio::run's Ctrl-C handler), whose own remove then finds nothing.
    e = Entry{this, std::make_shared<std::function<void()>>(std::move(cb)), nullptr};
    if (signum == SIGINT) g_runner_sigint.store(false);
    g_target[signum].store(p.wfd + 1);
    if (const int err = install(signum)) {
        e = previous;
        g_target[signum].store(previous_target);
        if (previous_runner) g_runner_sigint.store(true);
        if (err == EINVAL) throw RuntimeError(fmt::format("sig {} cannot be caught", signum));
        throw_os_error(err, "sigaction");
    }
}

bool EventLoop::remove_signal_handler(int signum) {
    check_thread("loop.remove_signal_handler()");
    check_signal(signum);
    Registry& r = registry();
    auto lk = lock(r);
    const Entry& e = r.sig[signum];
    if (e.loop != this || e.runner) return false;
    if (const int err = restore_default(r, signum)) {
        if (err == EINVAL) throw RuntimeError(fmt::format("sig {} cannot be caught", signum));
        throw_os_error(err, "sigaction");
    }
    return true;
}

namespace detail {

void forget_signal_handlers(EventLoop& loop) noexcept {
    if (g_pipe_count.load() == 0) return;  // no loop has a handler (a forked child's count is its parent's)
    Registry& r = registry();
    auto lk = lock(r);
    for (int s = 1; s < kSignals; ++s)
        if (r.sig[s].loop == &loop) (void)restore_default(r, s);
    for (auto it = r.pipes.begin(); it != r.pipes.end(); ++it) {
        if (it->loop != &loop) continue;
        // No target names this socketpair any more; wait out a handler that read one before.
        while (g_in_handler.load() != 0) std::this_thread::yield();
        try {
            loop.remove_quiet_reader(it->rfd);
        } catch (...) {}  // the loop's fd callbacks are being dropped anyway
        ::close(it->rfd);
        ::close(it->wfd);
        r.pipes.erase(it);
        g_pipe_count.fetch_sub(1);
        break;
    }
}

struct RunnerSigint::State {
    EventLoop* loop;
    AnyTask task;
    bool active = true;
    int interrupts = 0;           // runners.py's _interrupt_count (SIGINTs the loop received)
    bool cancelled_task = false;  // the first one cancelled the main task
    bool raise_pending = false;   // one came when the main task was done: Python raises then
};

namespace {
// runners.py's _on_sigint, on the loop. A second SIGINT never gets here: the C handler ends
// the process (see die_of_second_sigint).
void on_sigint(RunnerSigint::State& s) {
    if (!s.active) return;
    ++s.interrupts;
    if (s.interrupts == 1 && !s.task.done()) {
        s.task.cancel();
        s.cancelled_task = true;
        return;
    }
    s.raise_pending = true;
}
}  // namespace

RunnerSigint::RunnerSigint(EventLoop& loop, const AnyTask& main_task) {
    // The simulator's loop has no handler (Ctrl-C kills): asked first, without a sigaction()
    // call or fd_driver()'s exception (an unwind per simulated run).
    if (!loop.has_fd_driver()) return;
    if (!on_main_thread()) return;
    struct sigaction current {};
    if (::sigaction(SIGINT, nullptr, &current) < 0) return;
    // Only over the default disposition: a program (or a test framework) with its own SIGINT
    // handler, or one that ignores SIGINT, keeps it (runners.py checks default_int_handler).
    if ((current.sa_flags & SA_SIGINFO) != 0 || current.sa_handler != SIG_DFL) return;
    try {
        loop.fd_driver("aio::run()");  // the simulator's loop: no handler (Ctrl-C kills)
        auto st = std::make_shared<State>(State{&loop, main_task});
        Registry& r = registry();
        auto lk = lock(r);
        const LoopPipe& p = pipe_of(r, loop);
        Entry& e = r.sig[SIGINT];
        const Entry previous = e;
        e = Entry{&loop, std::make_shared<std::function<void()>>([st] { on_sigint(*st); }), st.get()};
        g_sigint_hits.store(0);
        g_runner_sigint.store(true);
        g_target[SIGINT].store(p.wfd + 1);
        if (install(SIGINT) != 0) {
            g_runner_sigint.store(false);
            g_target[SIGINT].store(0);
            e = previous;
            return;
        }
        state_ = std::move(st);
    } catch (const std::exception&) {
        // No handler (no fd driver, no socketpair): run() goes on and Ctrl-C keeps its default
        // action, as runners.py does when signal.signal() refuses (gh-91880).
    }
}

RunnerSigint::~RunnerSigint() { (void)finish(); }

int RunnerSigint::finish() noexcept {
    if (!state_) return 0;
    std::shared_ptr<State> st = std::move(state_);
    st->active = false;
    Registry& r = registry();
    auto lk = lock(r);
    const Entry& e = r.sig[SIGINT];
    // Still ours: back to the default (a handler the program installed since stays).
    if (e.runner == st.get()) (void)restore_default(r, SIGINT);
    return g_sigint_hits.load();
}

void RunnerSigint::returned() {
    if (!state_) return;
    std::shared_ptr<State> st = state_;
    const int hits = finish();
    // A SIGINT the loop did not turn into the main task's cancellation (it came when the task was
    // done, or after the loop's last look at its socket): runners.py's handler raises at once.
    if (st->raise_pending || (hits > 0 && !st->cancelled_task)) throw KeyboardInterrupt();
}

void RunnerSigint::cancelled() {
    if (!state_) return;
    std::shared_ptr<State> st = state_;
    const int hits = finish();
    if (st->cancelled_task) {
        // runners.py: KeyboardInterrupt unless someone else cancelled the task too.
        if (st->task.uncancel() == 0) throw KeyboardInterrupt();
        return;
    }
    // The SIGINT came, but the task ended before the loop read it. runners.py's handler runs at
    // once and would have cancelled the still pending task, then uncancelled it here: the
    // outcome is KeyboardInterrupt unless someone else cancelled the task too.
    if ((st->raise_pending || hits > 0) && st->task.cancelling() == 0) throw KeyboardInterrupt();
}

}  // namespace detail

}  // namespace aio
