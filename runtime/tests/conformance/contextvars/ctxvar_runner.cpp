// contextvars and the runner: one context for all of a Runner's runs, run(coro, context=),
// asyncio.run inside Context.run, and an eager task created inside Context.run.
#include <string>
#include <vector>

#include "conformance.hpp"

using conformance::out;
using namespace std::chrono_literals;

namespace {

aio::ContextVar<int> v("v", 0);

aio::Coro<int> bump() {
    v.set(v.get() + 1);
    co_return v.get();
}

aio::Coro<void> child(std::vector<std::string>& log) {
    log.push_back(fmt::format("child first step sees {}", v.get()));
    v.set(50);
    co_await aio::sleep(0s);
    log.push_back(fmt::format("child later has {}", v.get()));
}

aio::Coro<void> eager_main() {
    aio::get_running_loop().set_eager_tasks(true);
    std::vector<std::string> log;
    v.set(1);
    aio::Context ctx;
    ctx.run([] { v.set(10); });
    aio::Task<void> t;
    ctx.run([&] { t = aio::create_task(child(log)); });
    log.push_back(fmt::format("main after create has {}; ctx has {}", v.get(), *ctx.get(v)));
    co_await t;
    for (auto& line : log) out("{}", line);
}

}  // namespace

int conformance_program(aio::RunOptions opts) {
    {
        aio::Runner runner(opts);
        out("first run: {}", runner.run(bump()));
        out("second run sees the first: {}", runner.run(bump()));
        aio::Context ctx;
        int r = runner.run(bump(), ctx);
        out("run with context: {}; ctx has {}", r, *ctx.get(v));
        out("third run: {}", runner.run(bump()));
    }
    out("outside: {}", v.get());
    aio::Context outer;
    outer.run([] { v.set(3); });
    int r = outer.run([&] { return aio::run(bump(), opts); });
    out("asyncio.run inside Context.run: {}; outer keeps {}", r, *outer.get(v));
    aio::run(eager_main(), std::move(opts));
    return 0;
}
