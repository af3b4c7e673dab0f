// The asio peer of aiosim's workloads (tools/bench/compare.py builds and runs it): the same four
// programs as tools/bench/programs.hpp and bench.py, in standalone asio (Debian's libasio-dev)
// with C++20 coroutines (asio::awaitable) on one io_context run by one thread, a fresh
// io_context per run as aiosim::run and asyncio.run make a fresh loop.
//
//     bench_asio lesson SECONDS      the lesson's gather program, whole runs, for SECONDS of CPU
//     bench_asio sleepers N RUNS     N tasks with random sleeps gathered; the first run is cold
//     bench_asio ping_pong MESSAGES  two tasks hand a message back and forth through two channels
//     bench_asio yields TASKS N      TASKS tasks x N yields (co_await asio::post)
//
// Each prints one JSON line. Times are this thread's CPU time and, for W3/W4, wall time too.
//
// Virtual time (W1, W2), as the simulator's and bench.py's: the timers are
// basic_waitable_timer<VirtualClock, JumpingWaitTraits>. Built with ASIO_DISABLE_EPOLL (asio's
// select reactor: the epoll one re-arms a timerfd whenever the earliest timer changes, asking
// for the wait at that moment), asio asks the timer queue how long to block
// (WaitTraits::to_wait_duration of the earliest timer minus now) only when no handler is
// ready; the traits move the virtual clock to that timer and answer zero, so select() returns
// at once and the timer is due. Everything else is asio's own timer queue and scheduler. W3
// and W4 use no timer and no socket, so no reactor is created at all.
#include <fmt/format.h>
#include <sys/resource.h>

#include <asio.hpp>
#include <asio/experimental/channel.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#ifndef ASIO_DISABLE_EPOLL
#error "the virtual clock needs ASIO_DISABLE_EPOLL (see the top of this file)"
#endif

namespace {

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double max_rss_mib() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

// ---- virtual time --------------------------------------------------------------------------
struct VirtualClock {
    using duration = std::chrono::nanoseconds;
    using rep = duration::rep;
    using period = duration::period;
    using time_point = std::chrono::time_point<VirtualClock>;
    static constexpr bool is_steady = true;
    static inline std::int64_t now_ns = 0;
    static time_point now() noexcept { return time_point(duration(now_ns)); }
};

struct JumpingWaitTraits {
    static VirtualClock::duration to_wait_duration(const VirtualClock::duration& d) {
        if (d.count() > 0) VirtualClock::now_ns += d.count();
        return VirtualClock::duration::zero();
    }
    static VirtualClock::duration to_wait_duration(const VirtualClock::time_point& t) {
        return to_wait_duration(t - VirtualClock::now());
    }
};

using VirtualTimer = asio::basic_waitable_timer<VirtualClock, JumpingWaitTraits>;

asio::awaitable<void> sleep_for(VirtualClock::duration d) {
    VirtualTimer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

// ---- tasks and gather (asyncio's create_task and gather; asio has neither) ------------------
// A channel of ints: the ping-pong's queues, and gather's wake-up (an event that needs no
// reactor; asio 1.22's channel of void(error_code) alone does not compile).
using Channel = asio::experimental::channel<void(asio::error_code, int)>;

struct GatherState {
    explicit GatherState(const asio::any_io_executor& ex) : wake(ex, 1) {}
    std::size_t remaining = 0;
    std::exception_ptr error;
    Channel wake;
};

struct TaskState {
    bool done = false;
    std::exception_ptr error;
    std::shared_ptr<GatherState> gather;
};
using Task = std::shared_ptr<TaskState>;

Task create_task(const asio::any_io_executor& ex, asio::awaitable<void> a) {
    auto st = std::make_shared<TaskState>();
    asio::co_spawn(ex, std::move(a), [st](std::exception_ptr e) {
        st->done = true;
        st->error = e;
        if (auto g = std::move(st->gather)) {
            if (e && !g->error) {
                g->error = e;
                g->wake.try_send(asio::error_code{}, 0);
            } else if (--g->remaining == 0) {
                g->wake.try_send(asio::error_code{}, 0);
            }
        }
    });
    return st;
}

// The first error is raised at once; the other tasks go on running.
asio::awaitable<void> gather(const std::vector<Task>& tasks) {
    auto g = std::make_shared<GatherState>(co_await asio::this_coro::executor);
    for (const Task& t : tasks) {
        if (t->error) std::rethrow_exception(t->error);
        if (!t->done) ++g->remaining;
    }
    if (g->remaining == 0) co_return;
    for (const Task& t : tasks)
        if (!t->done) t->gather = g;
    (void)co_await g->wake.async_receive(asio::use_awaitable);
    if (g->error) {
        for (const Task& t : tasks) t->gather.reset();
        std::rethrow_exception(g->error);
    }
}

// ---- W1: the lesson's gather example -------------------------------------------------------
using Lines = std::vector<std::string>;

asio::awaitable<void> task_func(Lines& out, const char* name, int duration) {
    out.push_back(fmt::format("Задача {} запущена, будет выполнена за {} секунд.", name, duration));
    co_await sleep_for(std::chrono::seconds(duration));
    out.push_back(fmt::format("Задача {} завершена.", name));
}

asio::awaitable<void> exceptor(Lines& out, const char* name, int duration) {
    co_await sleep_for(std::chrono::seconds(duration));
    out.push_back(fmt::format("Задача {} вызвала ошибку через {} секунды", name, duration));
    throw std::runtime_error("Произошла ошибка в main()");
}

asio::awaitable<void> lesson_main(Lines& out) {
    auto ex = co_await asio::this_coro::executor;
    std::vector<Task> ts{create_task(ex, task_func(out, "first", 3)), create_task(ex, task_func(out, "second", 1)),
                         create_task(ex, exceptor(out, "ex\u0441eption", 2))};
    co_await gather(ts);
}

void lesson_program(Lines& out) {
    try {
        VirtualClock::now_ns = 0;
        asio::io_context io(1);
        asio::co_spawn(io, lesson_main(out), [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
        io.run();  // main's exception comes out of run(); ~io_context destroys the task still sleeping
    } catch (const std::exception& e) {
        out.push_back(fmt::format("Было поднято исключение: {}", e.what()));
    }
}

int lesson(double seconds) {
    Lines out;
    out.reserve(8);
    lesson_program(out);
    if (out.size() != 5 || out.back() != "Было поднято исключение: Произошла ошибка в main()") {
        std::fprintf(stderr, "the lesson program printed something unexpected:\n");
        for (const std::string& l : out) std::fprintf(stderr, "  %s\n", l.c_str());
        return 1;
    }
    const double t0 = thread_cpu_seconds();
    std::uint64_t runs = 0;
    do {
        for (int i = 0; i < 64; ++i) {
            out.clear();
            lesson_program(out);
        }
        runs += 64;
    } while (thread_cpu_seconds() - t0 < seconds);
    std::printf("{\"runs\": %llu, \"cpu_s\": %.6f}\n", static_cast<unsigned long long>(runs),
                thread_cpu_seconds() - t0);
    return 0;
}

// ---- W2: n tasks with random sleeps, gathered ------------------------------------------------
// The simulator's PRNG (xoshiro256** seeded by SplitMix64, Lemire's bounded draw), so every
// peer sleeps exactly the same durations.
class Prng {
public:
    explicit Prng(std::uint64_t seed) {
        for (auto& w : s_) {
            std::uint64_t z = (seed += 0x9E3779B97F4A7C15ull);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            w = z ^ (z >> 31);
        }
    }
    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9, t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    std::uint64_t below(std::uint64_t n) {
        unsigned __int128 p = static_cast<unsigned __int128>(next()) * n;
        if (static_cast<std::uint64_t>(p) < n) {
            const std::uint64_t threshold = (0 - n) % n;
            while (static_cast<std::uint64_t>(p) < threshold) p = static_cast<unsigned __int128>(next()) * n;
        }
        return static_cast<std::uint64_t>(p >> 64);
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4]{};
};

asio::awaitable<void> sleeper(VirtualClock::duration d) { co_await sleep_for(d); }

asio::awaitable<void> sleepers_main(int n, std::uint64_t seed) {
    auto ex = co_await asio::this_coro::executor;
    Prng prng(seed);
    std::vector<Task> ts;
    ts.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        ts.push_back(
            create_task(ex, sleeper(std::chrono::microseconds(static_cast<std::int64_t>(prng.below(1'000'000))))));
    co_await gather(ts);
}

template <class Main>
void run_main(Main&& m) {
    VirtualClock::now_ns = 0;
    asio::io_context io(1);
    asio::co_spawn(io, std::forward<Main>(m), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    io.run();
}

int sleepers(int n, int runs) {
    // The durations' sum, which compare.py checks against bench.py's copy of the PRNG. Drawn
    // after the timed runs: the first one must be the process's first work.
    std::vector<double> times;
    double cold_rss = 0;
    for (int i = 0; i < runs; ++i) {
        const double t0 = thread_cpu_seconds();
        run_main(sleepers_main(n, 1));
        times.push_back(thread_cpu_seconds() - t0);
        if (i == 0) cold_rss = max_rss_mib();
    }
    std::string warm;
    for (std::size_t i = 1; i < times.size(); ++i) warm += fmt::format("{}{:.6f}", i > 1 ? ", " : "", times[i]);
    Prng prng(1);
    unsigned long long sleep_us_sum = 0;
    for (int i = 0; i < n; ++i) sleep_us_sum += prng.below(1'000'000);
    std::printf(
        "{\"cold_cpu_s\": %.6f, \"warm_cpu_s\": [%s], \"cold_max_rss_MiB\": %.1f, \"max_rss_MiB\": %.1f, "
        "\"sleep_us_sum\": %llu}\n",
        times[0], warm.c_str(), cold_rss, max_rss_mib(), sleep_us_sum);
    return 0;
}

// ---- W3: ping-pong through two channels ----------------------------------------------------
asio::awaitable<void> pinger(Channel& to, Channel& from, int rounds) {
    for (int i = 0; i < rounds; ++i) {
        co_await to.async_send(asio::error_code{}, i, asio::use_awaitable);
        (void)co_await from.async_receive(asio::use_awaitable);
    }
}
asio::awaitable<void> ponger(Channel& from, Channel& to, int rounds) {
    for (int i = 0; i < rounds; ++i) {
        const int v = co_await from.async_receive(asio::use_awaitable);
        co_await to.async_send(asio::error_code{}, v, asio::use_awaitable);
    }
}
asio::awaitable<void> ping_pong_main(int messages) {
    auto ex = co_await asio::this_coro::executor;
    // Buffered, as asyncio.Queue(): a put with room completes without waiting for the getter.
    Channel a(ex, 1024), b(ex, 1024);
    const int rounds = messages / 2;
    std::vector<Task> ts{create_task(ex, pinger(a, b, rounds)), create_task(ex, ponger(a, b, rounds))};
    co_await gather(ts);
}

// ---- W4: tasks x yields ----------------------------------------------------------------------
asio::awaitable<void> yielder(int n) {
    auto ex = co_await asio::this_coro::executor;
    for (int i = 0; i < n; ++i) co_await asio::post(ex, asio::use_awaitable);
}
asio::awaitable<void> yields_main(int tasks, int n) {
    auto ex = co_await asio::this_coro::executor;
    std::vector<Task> ts;
    ts.reserve(static_cast<std::size_t>(tasks));
    for (int i = 0; i < tasks; ++i) ts.push_back(create_task(ex, yielder(n)));
    co_await gather(ts);
}

template <class F>
int timed(long long ops, F&& f) {
    const double c0 = thread_cpu_seconds();
    const auto w0 = std::chrono::steady_clock::now();
    f();
    const double c = thread_cpu_seconds() - c0;
    const double w = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    std::printf("{\"ops\": %lld, \"cpu_s\": %.6f, \"wall_s\": %.6f}\n", ops, c, w);
    return 0;
}

int usage() {
    std::fprintf(stderr, "usage: bench_asio lesson SECONDS | sleepers N RUNS | ping_pong MESSAGES | yields TASKS N\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string w = argc > 1 ? argv[1] : "";
    auto arg = [&](int i) { return i < argc ? std::atoi(argv[i]) : 0; };
    if (w == "lesson") return lesson(argc > 2 ? std::atof(argv[2]) : 1.0);
    if (w == "sleepers" && arg(2) > 0) return sleepers(arg(2), arg(3) > 0 ? arg(3) : 1);
    if (w == "ping_pong" && arg(2) > 0) return timed(arg(2), [&] { run_main(ping_pong_main(arg(2))); });
    if (w == "yields" && arg(2) > 0 && arg(3) > 0)
        return timed(static_cast<long long>(arg(2)) * arg(3), [&] { run_main(yields_main(arg(2), arg(3))); });
    return usage();
}
