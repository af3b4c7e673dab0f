// A known bug: check-then-act on a shared map. Two requests for the same user go through a
// cache that checks whether the key is present, and if not awaits a (simulated) load and
// inserts it. In asyncio's own order the second request arrives one pass later (it first
// awaits its parsing) and finds the entry the first one inserted; in an order where it checks
// while the first one is still loading, both load: the entry is initialised twice (two
// connections opened, the first value overwritten). The fix: insert a future for the key
// before the first await, and let later requests await it.
#include <aio/aio.hpp>
#include <aio/scenario.hpp>
#include <chrono>
#include <map>
#include <string>

using namespace std::chrono_literals;
using aio::scenario::Context;

namespace {

struct Cache {
    std::map<std::string, int> entries;
    int loads = 0;
};

aio::Coro<int> get(Context& ctx, Cache& cache, const std::string& key) {
    if (!cache.entries.contains(key)) {
        co_await aio::sleep(0s);  // load from the database: the task yields here
        const int value = ++cache.loads;
        ctx.print("init {} (load #{})", key, value);
        cache.entries[key] = value;
    }
    co_return cache.entries.at(key);
}

aio::Coro<int> request(Context& ctx, Cache& cache, int parse_yields) {
    for (int i = 0; i < parse_yields; ++i) co_await aio::sleep(0s);  // parse the request
    co_return co_await get(ctx, cache, "user:42");
}

aio::Coro<void> main(Context& ctx) {
    Cache cache;
    auto a = aio::create_task(request(ctx, cache, 0), "request-a");
    auto b = aio::create_task(request(ctx, cache, 1), "request-b");
    const int va = co_await a;
    const int vb = co_await b;
    ctx.print("request-a got {}, request-b got {}", va, vb);
}

}  // namespace

AIOSIM_SCENARIO(bug_check_then_act,
                "known bug: check-then-act on a shared cache across an await; some orders initialise an entry twice") {
    aio::run(main(ctx), ctx.run_options());
    return 0;
}

AIOSIM_ORACLE(bug_check_then_act) {
    verdict.require(!outcome.escaped && outcome.exit_status == 0,
                    "the program must end normally, but it exited with status {} ({})", outcome.exit_status,
                    outcome.escaped_description());
    std::size_t inits = 0;
    for (const auto& l : outcome.lines) inits += l.starts_with("init user:42");
    verdict.require(inits == 1, "user:42 must be initialised exactly once, but it was initialised {} times", inits);
}
