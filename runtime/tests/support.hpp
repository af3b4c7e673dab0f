#pragma once
// Helpers shared by the runtime's unit tests: recording what a loop reports, counting
// cleanup, and observing the loop that aio::run() creates and destroys.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <aio/aio.hpp>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aio_test {

/// What a loop reported: every context its exception handler received and every line its
/// log sink got. Install it with watch(loop) or through options().
struct Reports {
    std::vector<aio::ExceptionContext> contexts;
    std::vector<std::string> lines;

    /// Records the handler's contexts and the log lines instead of printing them.
    void watch(aio::EventLoop& loop) {
        loop.set_exception_handler([this](aio::EventLoop&, const aio::ExceptionContext& c) { contexts.push_back(c); });
        loop.set_log_sink([this](std::string_view l) { lines.emplace_back(l); });
    }
    /// Only the log lines: the default exception handler still runs and writes there.
    void watch_log(aio::EventLoop& loop) {
        loop.set_log_sink([this](std::string_view l) { lines.emplace_back(l); });
    }
    /// RunOptions whose loop is watched (the Reports must outlive the run).
    aio::RunOptions options(std::optional<bool> debug = std::nullopt, bool keep_default_handler = false) {
        return aio::RunOptions{.debug = debug, .loop_factory = [this, keep_default_handler] {
                                   auto loop = std::make_unique<aio::EventLoop>();
                                   if (keep_default_handler)
                                       watch_log(*loop);
                                   else
                                       watch(*loop);
                                   return loop;
                               }};
    }
    std::vector<std::string> messages() const {
        std::vector<std::string> out;
        for (auto& c : contexts) out.push_back(c.message);
        return out;
    }
    /// The first log line containing `needle`, or empty.
    std::string line_with(std::string_view needle) const {
        for (auto& l : lines)
            if (l.find(needle) != std::string::npos) return l;
        return {};
    }
};

/// Adds one to *count when destroyed: proves that RAII cleanup in a coroutine frame ran.
struct Cleanup {
    int* count;
    explicit Cleanup(int* c) : count(c) {}
    /// A moved-from Cleanup counts nothing (coroutine parameters are moved into the frame).
    Cleanup(Cleanup&& o) noexcept : count(std::exchange(o.count, nullptr)) {}
    Cleanup& operator=(Cleanup&&) = delete;
    ~Cleanup() {
        if (count) ++*count;
    }
};

/// A real-time loop that, when destroyed, records whether it had been closed and whether its
/// default executor (if it made one) had been shut down.
class WitnessLoop : public aio::EventLoop {
public:
    struct Seen {
        bool destroyed = false;
        bool closed_when_destroyed = false;
        bool running_when_destroyed = false;
        bool executor_shut_down = false;
        aio::EventLoop* address = nullptr;
    };
    explicit WitnessLoop(Seen* seen) : seen_(seen) { seen_->address = this; }
    ~WitnessLoop() override {
        seen_->destroyed = true;
        seen_->closed_when_destroyed = is_closed();
        seen_->running_when_destroyed = is_running();
        if (executor) seen_->executor_shut_down = executor->is_shutdown();
    }
    /// Set by a test that made the loop create its default executor.
    aio::ThreadPoolExecutor* executor = nullptr;

private:
    Seen* seen_;
};

/// CPU time consumed by the calling thread.
inline double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

inline bool contains(std::string_view hay, std::string_view needle) {
    return hay.find(needle) != std::string_view::npos;
}

/// Gives the loop up for n passes (n sleep(0)s): lets n rounds of callbacks and steps run.
inline aio::Coro<void> passes(int n) {
    for (int i = 0; i < n; ++i) co_await aio::sleep(std::chrono::seconds(0));
}

/// q.get() / q.put(v) as coroutines, for create_task and spawn: a queue's get() and put()
/// are awaitables, and a task runs a coroutine.
template <class T>
aio::Coro<T> get(aio::Queue<T>& q) {
    co_return co_await q.get();
}
template <class T>
aio::Coro<void> put(aio::Queue<T>& q, T v) {
    co_await q.put(std::move(v));
}

/// create_task under a TagScope: the task (and what it creates) gets `tag`.
template <class T>
aio::Task<T> spawn(std::uint32_t tag, aio::Coro<T> c, std::string name = {}) {
    auto scope = aio::get_running_loop().enter_tag(tag);
    return aio::create_task(std::move(c), std::move(name));
}

/// v, after n passes.
inline aio::Coro<int> value_after(int n, int v) {
    co_await passes(n);
    co_return v;
}

/// e's what(), or "?" for an exception that is no std::exception.
inline std::string what_of(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "?";
    }
}

/// The exception the kill_tasks tests kill with (a stand-in for the simulator's HostCrashed).
struct Crash : std::runtime_error {
    using std::runtime_error::runtime_error;
};
inline std::exception_ptr crash() { return std::make_exception_ptr(Crash("host down")); }

}  // namespace aio_test

// Failed comparisons of logs print the logs, not "{?}".
template <>
struct doctest::StringMaker<std::vector<std::string>> {
    static doctest::String convert(const std::vector<std::string>& v) { return fmt::format("{}", v).c_str(); }
};
template <>
struct doctest::StringMaker<std::vector<int>> {
    static doctest::String convert(const std::vector<int>& v) { return fmt::format("{}", v).c_str(); }
};
