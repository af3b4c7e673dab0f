#pragma once
// aio::sim::SimLoop: the simulator's event loop, passed to aio::run as its loop_factory.
//
//     aio::run(amain(), {.loop_factory = aio::sim::loop_factory({.schedule = {.policy = Policy::random, .seed = 7}})});
//
//     aio::sim::Recorder rec;                                  // what happened (record.hpp)
//     int v = aio::sim::run(amain(), {.schedule = {.policy = Policy::pct, .seed = 3}}, rec);
//     fmt::print("{}\n", rec->replay);
//
// Same loop core as the real loop (ready queue, timers, tasks); what differs is its seam
// (aio/loop_seam.hpp):
//  - Virtual time: starts at 0 and moves when nothing is ready, straight to the earliest
//    timer (or the last timer due within Schedule::batch of it; plus jitter under the timers
//    policy), by Schedule::cost per ready entry, and when a due-soon timer overtakes ready work
//    (decision 'o', policy.hpp). Nothing sleeps for real.
//  - Every point where the run could go more than one way is a ChoicePoint answered by the
//    decision source (policy.hpp, replay.hpp); all non-zero answers are recorded.
//  - Deadlock: nothing ready, no timer, no to_thread work in flight -> Deadlock (errors.hpp)
//    listing every pending task. Limits -> LimitExceeded.
//  - to_thread: the function runs on a real worker thread (the loop's own pool) while the
//    loop keeps running ready work. Completions enter the loop only at deterministic
//    points: when nothing else is ready, or once Config::thread_step_budget further steps
//    have run since the oldest job was submitted; there the loop blocks until EVERY
//    in-flight job has finished, then schedules their completions in submission order (a
//    thread-order choice under non-fifo policies). Virtual time never moves while a job is
//    in flight. So a run is deterministic when the functions are. Limits: a function that
//    waits for the loop (for a later to_thread job, or a result it posts with
//    call_soon_threadsafe) blocks it; callbacks posted with call_soon_threadsafe from other
//    threads are run as they arrive, which makes the run nondeterministic; a job still
//    running after Config::thread_timeout of real time is reported as a Deadlock.
//  - Determinism: no address, container order, real time or thread timing influences the
//    order; the same Config gives the same trace on every machine.
// A SimLoop is single-use in spirit (aio::run makes a fresh one per call); it may be run
// several times (aio::Runner), and then its record covers all runs. Its record goes to the
// RecordSink given beside the Config when the loop is destroyed.
#include <functional>
#include <memory>
#include <string>

#include "aio/event_loop.hpp"
#include "aio/net/server.hpp"
#include "aio/run.hpp"
#include "aio/sim/config.hpp"
#include "aio/sim/errors.hpp"
#include "aio/sim/network.hpp"
#include "aio/sim/record.hpp"

namespace aio::sim {

class SimLoop final : public EventLoop {
public:
    explicit SimLoop(Config cfg = {}, RecordSink sink = {});
    explicit SimLoop(std::shared_ptr<const Config> cfg, RecordSink sink = {});
    /// Closes the loop if needed and gives its record to the sink (if any).
    ~SimLoop() override;

    const Config& config() const noexcept;
    /// The schedule followed so far (parameters and non-zero decisions).
    Schedule schedule() const;
    std::string replay_string() const { return schedule().to_string(); }
    std::uint64_t decisions() const noexcept;
    std::uint64_t nonzero_decisions() const noexcept;
    /// The record as it would be filled now.
    RunRecord make_record() const;
    /// Every pending task, what it awaits and where it was created (the Deadlock report),
    /// as of now.
    std::string pending_tasks_report() const;

    void run_in_executor(std::function<void()> job, std::function<void()> done) override;
    using EventLoop::run_in_executor;  // the Future-returning run_in_executor(nullptr, f, args...)

    /// The simulated network (network.hpp): hosts, DNS, connections, faults. aio::sim::network()
    /// returns it for the running SimLoop.
    Network& network() noexcept;

    // The loop's names and connections are the simulated network's (network.hpp). The Unix
    // socket forms throw RuntimeError: the simulated network has no file system.
    Coro<std::vector<AddrInfo>> getaddrinfo(std::string host, std::string port, AddrInfoHints hints = {}) override;
    Coro<std::shared_ptr<Transport>> create_connection(ProtocolFactory factory, std::string host, std::uint16_t port,
                                                       ConnectOptions options = {}) override;
    Coro<std::shared_ptr<Transport>> create_unix_connection(ProtocolFactory factory, std::string path) override;
    Coro<Server> create_server(ProtocolFactory factory, std::string host, std::uint16_t port,
                               ServerOptions options = {}) override;
    Coro<Server> create_unix_server(ProtocolFactory factory, std::string path, ServerOptions options = {}) override;

private:
    // The simulator's side of the seam (aio/loop_seam.hpp): the virtual clock, the driver
    // that advances it, and the chooser that asks the decision source.
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

using LoopFactory = std::function<std::unique_ptr<EventLoop>()>;

/// A loop_factory for aio::RunOptions: each call makes a fresh SimLoop with `cfg`, whose
/// record goes to `sink` when it is destroyed (every loop the factory makes: pass a Recorder
/// to keep the last one).
LoopFactory loop_factory(Config cfg, RecordSink sink = {});

/// aio::run on a SimLoop, its record given to `sink`; after a normal return, also throws the
/// ReplayDivergence of a strict replay that ended before all its decisions were used.
template <class T>
T run(Coro<T> coro, Config cfg, RecordSink sink = {}) {
    auto incomplete = std::make_shared<std::exception_ptr>();
    RecordSink both = [incomplete, sink = std::move(sink)](RunRecord&& r) {
        *incomplete = r.replay_incomplete ? r.replay_incomplete->exception : nullptr;
        if (sink) sink(std::move(r));
    };
    auto check = [&] {
        if (*incomplete) std::rethrow_exception(*incomplete);
    };
    if constexpr (std::is_void_v<T>) {
        aio::run(std::move(coro), RunOptions{.loop_factory = loop_factory(std::move(cfg), std::move(both))});
        check();
    } else {
        T result = aio::run(std::move(coro), RunOptions{.loop_factory = loop_factory(std::move(cfg), std::move(both))});
        check();
        return result;
    }
}

}  // namespace aio::sim
