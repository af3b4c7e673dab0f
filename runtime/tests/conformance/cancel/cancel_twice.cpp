#include <optional>
#include <vector>

#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

namespace {

const char* py(bool b) { return b ? "True" : "False"; }

// nullopt: uncancel(); otherwise cancel(message), where an empty optional inside is None.
struct Step {
    bool uncancel = false;
    std::optional<std::string> msg;
};
const Step kUncancel{true, std::nullopt};
Step cancel(std::optional<std::string> m) { return Step{false, std::move(m)}; }

struct Sequence {
    const char* label;
    std::vector<Step> steps;
};

std::vector<Sequence> sequences() {
    return {
        {"first,second", {cancel("first"), cancel("second")}},
        {"first,none", {cancel("first"), cancel(std::nullopt)}},
        {"first,uncancel", {cancel("first"), kUncancel}},
        {"first,second,uncancel", {cancel("first"), cancel("second"), kUncancel}},
    };
}

aio::Coro<void> forever() { co_await aio::sleep(3600s); }

struct Ctx {
    std::optional<aio::Future<void>> fut;
    aio::Task<void> inner, a, b;
    aio::Lock lock;
    aio::Event event;
    aio::Queue<int> queue;
    aio::Condition cond;
};

std::string describe(std::exception_ptr e) { return conformance::type(e) + " <" + conformance::msg(e) + ">"; }

aio::Coro<std::string> wait_on(std::string kind, Ctx& ctx) {
    try {
        if (kind == "sleep") {
            co_await aio::sleep(3600s);
        } else if (kind == "yield") {
            co_await aio::sleep(0s);
        } else if (kind == "future") {
            co_await *ctx.fut;
        } else if (kind == "task") {
            co_await ctx.inner;
        } else if (kind == "gather") {
            co_await aio::gather(ctx.a, ctx.b);
        } else if (kind == "lock") {
            co_await ctx.lock.acquire();
        } else if (kind == "event") {
            co_await ctx.event.wait();
        } else if (kind == "queue") {
            co_await ctx.queue.get();
        } else if (kind == "condition") {
            auto guard = co_await ctx.cond.scoped();
            co_await ctx.cond.wait();
        } else if (kind == "timeout") {
            co_await aio::timeout(0s).run([]() -> aio::Coro<void> { co_await aio::sleep(3600s); });
        }
    } catch (...) {
        out("  at the await: {}", describe(std::current_exception()));
        throw;
    }
    co_return "returned";
}

aio::Coro<void> one_case(std::string kind, const Sequence& seq) {
    out("{} {}:", kind, seq.label);
    Ctx ctx;
    if (kind == "future") {
        ctx.fut.emplace(aio::get_running_loop());
    } else if (kind == "task") {
        ctx.inner = aio::create_task(forever());
    } else if (kind == "gather") {
        ctx.a = aio::create_task(forever());
        ctx.b = aio::create_task(forever());
    } else if (kind == "lock") {
        co_await ctx.lock.acquire();
    }
    auto t = aio::create_task(wait_on(kind, ctx));
    co_await aio::sleep(0s);                         // t is waiting now (for "yield": its next step is scheduled)
    if (kind == "timeout") co_await aio::sleep(0s);  // the timeout has cancelled t; t has not run yet
    for (const auto& s : seq.steps) {
        if (s.uncancel)
            t.uncancel();
        else
            t.cancel(s.msg);
    }
    out("  cancelling={}", t.cancelling());
    std::exception_ptr err;
    try {
        out("  task: {}", co_await t);
    } catch (...) {
        err = std::current_exception();
    }
    if (err) out("  task: {}", describe(err));
    out("  after: cancelling={} cancelled={}", t.cancelling(), py(t.cancelled()));
    auto show = [](const char* k, const aio::Task<void>& x) {
        if (x) out("  {}: cancelled={} cancelling={}", k, py(x.cancelled()), x.cancelling());
    };
    show("inner", ctx.inner);
    show("a", ctx.a);
    show("b", ctx.b);
    if (kind == "lock") ctx.lock.release();
}

aio::Coro<void> amain() {
    for (const char* kind :
         {"sleep", "yield", "future", "task", "gather", "lock", "event", "queue", "condition", "timeout"})
        for (const auto& seq : sequences()) co_await one_case(kind, seq);
}

}  // namespace

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
