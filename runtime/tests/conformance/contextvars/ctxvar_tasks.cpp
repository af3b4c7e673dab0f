// contextvars and tasks: each task runs in a copy of its creator's context (nothing it sets
// reaches its parent or a sibling), create_task(context=) shares that context, Task.get_context.
#include <string>
#include <vector>

#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

namespace {

aio::ContextVar<std::string> v("v", "unset");

aio::Coro<std::string> child(std::string name) {
    out("{} starts with {}", name, v.get());
    v.set(name);
    co_await aio::sleep(100ms);
    out("{} still has {}", name, v.get());
    co_return v.get();
}

aio::Coro<void> setter(int n) {
    v.set(v.get() + "+" + std::to_string(n));
    co_return;
}

std::string list(const std::vector<std::string>& xs) {
    std::string s = "[";
    for (std::size_t i = 0; i < xs.size(); ++i) s += (i ? ", '" : "'") + xs[i] + "'";
    return s + "]";
}

aio::Coro<void> amain() {
    v.set("main");
    auto a = aio::create_task(child("a"));
    auto b = aio::create_task(child("b"));
    v.set("main2");
    auto [ra, rb] = co_await aio::gather(a, b);
    out("gathered {}", list({ra, rb}));
    out("main has {}", v.get());
    co_await aio::create_task(child("c"));
    out("main after c has {}", v.get());

    aio::Context ctx;
    co_await aio::create_task(setter(1), "", ctx);
    co_await aio::create_task(setter(2), "", ctx);
    out("ctx has {}; main has {}", *ctx.get(v), v.get());
    co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
        tg.create_task(setter(3), "", ctx);
        tg.create_task(child("d"));
        co_return;
    });
    out("ctx has {}; main has {}", *ctx.get(v), v.get());

    auto t = aio::create_task(child("e"));
    t.get_context().run([] { v.set("from outside"); });
    co_await t;
    out("e left {}", *t.get_context().get(v));

    std::vector<aio::Coro<std::string>> coros;
    for (int i = 0; i < 3; ++i) coros.push_back(child("g" + std::to_string(i)));
    auto results = co_await aio::gather(std::move(coros));
    out("gather of coroutines {}; main has {}", list(results), v.get());
}

}  // namespace

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    out("after run: {}", v.get());
    return 0;
}
