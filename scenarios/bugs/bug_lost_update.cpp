// A known bug: a lost update across an await. Three workers count requests in a shared
// counter with read, await (a simulated write to a store), write back. In asyncio's own order
// the read-modify-write windows never overlap (each worker first awaits its request, one
// yield per worker number, so they arrive one pass apart) and the count is right; in an order
// where a later worker reads while an earlier one is inside its window, one increment is
// lost. The fix: no await between the read and the write (or an aio::Lock around both).
#include <aio/aio.hpp>
#include <aio/scenario.hpp>
#include <chrono>

using namespace std::chrono_literals;
using aio::scenario::Context;

namespace {

constexpr int kWorkers = 3;

aio::Coro<void> worker(int number, int& hits) {
    for (int i = 0; i < number; ++i) co_await aio::sleep(0s);  // the request arrives
    const int seen = hits;
    co_await aio::sleep(0s);  // persist the new value: the task yields here
    hits = seen + 1;
}

aio::Coro<void> main(Context& ctx) {
    int hits = 0;
    std::vector<aio::Task<void>> workers;
    for (int n = 0; n < kWorkers; ++n)
        workers.push_back(aio::create_task(worker(n, hits), fmt::format("worker-{}", n)));
    for (auto& w : workers) co_await w;
    ctx.print("hits = {}", hits);
}

}  // namespace

AIOSIM_SCENARIO(bug_lost_update,
                "known bug: three workers increment a shared counter across an await; some orders lose an update") {
    aio::run(main(ctx), ctx.run_options());
    return 0;
}

AIOSIM_ORACLE(bug_lost_update) {
    verdict.require(!outcome.escaped && outcome.exit_status == 0,
                    "the program must end normally, but it exited with status {} ({})", outcome.exit_status,
                    outcome.escaped_description());
    verdict.require(outcome.last_line() == fmt::format("hits = {}", kWorkers),
                    "every increment must count: the last line must be 'hits = {}', but it is '{}' (lost update)",
                    kWorkers, outcome.last_line());
}
