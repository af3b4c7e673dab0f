#pragma once
// The program the cross-process determinism test runs: tasks, timers, a gather, a
// cancellation, threads, and heap allocations whose addresses differ from run to run.
#include <fmt/format.h>

#include <aio/aio.hpp>
#include <aio/sim/sim.hpp>
#include <map>
#include <memory>
#include <string>

namespace probe {

inline aio::Coro<int> probe_main() {
    std::map<int, std::unique_ptr<int>> boxes;  // addresses vary; nothing may depend on them
    auto worker = [&](int id) -> aio::Coro<int> {
        int acc = 0;
        for (int i = 0; i < 3; ++i) {
            boxes[id * 10 + i] = std::make_unique<int>(i);
            co_await aio::sleep(std::chrono::milliseconds((id + i) % 3));
            acc += co_await aio::to_thread([id, i] { return id * i; });
        }
        co_return acc;
    };
    std::vector<aio::Task<int>> ts;
    for (int id = 1; id <= 4; ++id) ts.push_back(aio::create_task(worker(id), fmt::format("w{}", id)));
    auto loser = aio::create_task(
        []() -> aio::Coro<int> {
            co_await aio::sleep(std::chrono::seconds(10));
            co_return 0;
        }(),
        "loser");
    auto results = co_await aio::gather(ts);
    loser.cancel();
    int sum = 0;
    for (int r : results) sum += r;
    co_return sum;
}

inline std::string summary(aio::sim::Policy policy, std::uint64_t seed) {
    aio::sim::Recorder rec;
    int r = aio::sim::run(probe_main(),
                          {.schedule = {.policy = policy, .seed = seed}, .trace = aio::sim::TraceMode::hash}, rec);
    return fmt::format("result={} replay={} hash={}", r, rec->replay, aio::sim::format_hash(*rec->trace_hash));
}

}  // namespace probe
