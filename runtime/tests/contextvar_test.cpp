// aio::ContextVar, aio::Token, aio::Context (context_var.hpp, context.hpp): Python's contextvars
// as asyncio uses them. The expected outcomes are CPython 3.12.1's (the conformance pairs under
// conformance/contextvars/ run the same programs against CPython itself).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

using Log = std::vector<std::string>;

template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const aio::RuntimeError& e) {
        return std::string("RuntimeError: ") + e.what();
    } catch (const aio::ValueError& e) {
        return std::string("ValueError: ") + e.what();
    } catch (const aio::LookupError& e) {
        return std::string("LookupError: ") + e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("get: the value, else get's fallback, else the default, else LookupError") {
    aio::ContextVar<int> plain("plain");
    aio::ContextVar<int> with_default("with_default", 5);
    aio::Context ctx;
    ctx.run([&] {
        CHECK(error_of([&] { (void)plain.get(); }) == "LookupError: <ContextVar name='plain'>");
        CHECK(plain.get(3) == 3);
        CHECK(with_default.get() == 5);
        CHECK(with_default.get(9) == 9);  // get's fallback wins over the variable's default
        plain.set(1);
        with_default.set(2);
        CHECK(plain.get() == 1);
        CHECK(plain.get(3) == 1);
        CHECK(with_default.get(9) == 2);
    });
    CHECK(ctx.size() == 2);
    CHECK(ctx.get(plain) == 1);
    CHECK(ctx.contains(with_default));
    CHECK(with_default.default_value() == 5);
    CHECK(plain.name() == "plain");
}

TEST_CASE("reset restores the old value, or no value, and each error comes in CPython's order") {
    aio::ContextVar<std::string> v("v");
    aio::ContextVar<std::string> w("w");
    aio::Context ctx;
    ctx.run([&] {
        auto t1 = v.set("a");
        CHECK_FALSE(t1.old_value().has_value());  // Token.MISSING
        CHECK(&t1.var() == &v);
        auto t2 = v.set("b");
        CHECK(t2.old_value() == "a");
        v.reset(t2);
        CHECK(v.get() == "a");
        CHECK(t2.used());
        CHECK(error_of([&] { v.reset(t2); }) ==
              "RuntimeError: <Token used var=<ContextVar name='v'>> has already been used once");
        auto tw = w.set("x");
        CHECK(error_of([&] { v.reset(tw); }) ==
              "ValueError: <Token var=<ContextVar name='w'>> was created by a different ContextVar");
        // Used and of another variable: "used" is checked first.
        w.reset(tw);
        CHECK(error_of([&] { v.reset(tw); }).rfind("RuntimeError:", 0) == 0);
        auto copy = t1;  // NOLINT(performance-unnecessary-copy-initialization): a copy is the same token
        v.reset(t1);
        CHECK(copy.used());
        CHECK(error_of([&] { (void)v.get(); }) == "LookupError: <ContextVar name='v'>");
        CHECK(w.get("none") == "none");
    });
    CHECK(ctx.size() == 0);
}

TEST_CASE("reset in another context is a ValueError and leaves the token unused") {
    aio::ContextVar<int> v("v");
    aio::Context a;
    aio::Context b;
    auto tok = a.run([&] { return v.set(1); });
    CHECK(error_of([&] { b.run([&] { v.reset(tok); }); }) ==
          "ValueError: <Token var=<ContextVar name='v'>> was created in a different Context");
    CHECK_FALSE(tok.used());
    a.run([&] { v.reset(tok); });
    CHECK_FALSE(a.contains(v));
}

TEST_CASE("copies are isolated; run() returns fn's result and keeps what it set") {
    aio::ContextVar<int> v("v", 0);
    aio::Context a;
    a.run([&] { v.set(1); });
    aio::Context b = a.copy();
    int r = b.run([&] {
        CHECK(v.get() == 1);
        v.set(2);
        return 40 + v.get();
    });
    CHECK(r == 42);
    CHECK(a.get(v) == 1);
    CHECK(b.get(v) == 2);
    aio::Context same = a;  // a handle: the same context
    CHECK(same == a);
    CHECK_FALSE(b == a);
    same.run([&] { v.set(3); });
    CHECK(a.get(v) == 3);
    // Outside any run(), the thread's base context: untouched by all of it.
    CHECK(v.get() == 0);
}

TEST_CASE("run() of an entered context is a RuntimeError; an exception inside leaves it usable") {
    aio::Context ctx;
    std::string inner;
    ctx.run([&] { inner = error_of([&] { ctx.run([] {}); }); });
    CHECK(inner == "RuntimeError: cannot enter context: <Context> is already entered");
    CHECK_THROWS_AS(ctx.run([]() -> int { throw aio::ValueError("boom"); }), aio::ValueError);
    CHECK(ctx.run([] { return 7; }) == 7);  // not left entered
}

TEST_CASE("copy_context copies the current context, and run() nests") {
    aio::ContextVar<int> v("v", 0);
    aio::Context outer;
    outer.run([&] {
        v.set(1);
        aio::Context snap = aio::copy_context();
        v.set(2);
        CHECK(snap.get(v) == 1);
        aio::Context inner;
        inner.run([&] {
            CHECK(v.get() == 0);  // inner is empty
            v.set(5);
        });
        CHECK(v.get() == 2);
        CHECK(inner.get(v) == 5);
    });
}

TEST_CASE("a task runs in a copy of its creator's context: nothing leaks to parent or siblings") {
    static aio::ContextVar<int> v("v", -1);
    Log log;
    auto child = [&](int id) -> aio::Coro<void> {
        log.push_back("child " + std::to_string(id) + " sees " + std::to_string(v.get()));
        v.set(id);
        co_await aio::sleep(0s);
        log.push_back("child " + std::to_string(id) + " has " + std::to_string(v.get()));
    };
    auto amain = [&]() -> aio::Coro<void> {
        v.set(100);
        auto a = aio::create_task(child(1));
        auto b = aio::create_task(child(2));
        v.set(200);  // after creation: the children do not see it
        co_await a;
        co_await b;
        log.push_back("main has " + std::to_string(v.get()));
        co_await aio::create_task(child(3));
    };
    aio::run(amain());
    CHECK(log == Log{"child 1 sees 100", "child 2 sees 100", "child 1 has 1", "child 2 has 2", "main has 200",
                     "child 3 sees 200", "child 3 has 3"});
    CHECK(v.get() == -1);  // aio::run's context is a copy
}

TEST_CASE("create_task(coro, name, context) runs in that very context") {
    static aio::ContextVar<int> v("v", 0);
    int seen_a = 0;
    int seen_b = 0;
    auto setter = [&]() -> aio::Coro<void> {
        v.set(v.get() + 1);
        co_return;
    };
    auto reader = [&](int& out) -> aio::Coro<void> {
        out = v.get();
        co_return;
    };
    auto amain = [&]() -> aio::Coro<void> {
        aio::Context ctx;
        co_await aio::create_task(setter(), "a", ctx);
        co_await aio::create_task(setter(), "b", ctx);
        CHECK(ctx.get(v) == 2);
        CHECK(v.get() == 0);  // the caller's context is not ctx
        co_await aio::create_task(reader(seen_a), "", ctx);
        co_await aio::create_task(reader(seen_b));
        aio::TaskGroup tg;
        co_await tg.run([&]() -> aio::Coro<void> {
            tg.create_task(setter(), "g", ctx);
            co_return;
        });
        CHECK(ctx.get(v) == 3);
        auto t = aio::create_task(reader(seen_b), "", ctx);
        CHECK(t.get_context() == ctx);
        co_await t;
    };
    aio::run(amain());
    CHECK(seen_a == 2);
    CHECK(seen_b == 3);
}

TEST_CASE("Task::get_context names the task's context") {
    static aio::ContextVar<int> v("v", 0);
    auto amain = []() -> aio::Coro<void> {
        auto worker = []() -> aio::Coro<int> {
            co_await aio::sleep(0s);
            co_return v.get();
        };
        auto t = aio::create_task(worker());
        aio::Context c = t.get_context();
        c.run([] { v.set(9); });  // before the task's first step
        CHECK(co_await t == 9);
        CHECK(c.get(v) == 9);
        CHECK(v.get() == 0);
        aio::Context mine = aio::current_task().get_context();
        v.set(4);
        CHECK(mine.get(v) == 4);
    };
    aio::run(amain());
}

TEST_CASE("callbacks run in a copy taken when scheduled, or in the context given") {
    static aio::ContextVar<std::string> v("v", "unset");
    Log log;
    auto amain = [&]() -> aio::Coro<void> {
        auto& loop = aio::get_running_loop();
        aio::Context ctx;
        ctx.run([] { v.set("ctx"); });
        v.set("before");
        loop.call_soon([&] {
            log.push_back("soon " + v.get());
            v.set("lost");
        });
        loop.call_later(10ms, [&] { log.push_back("later " + v.get()); });
        loop.call_at(loop.time() + 20ms, [&] { log.push_back("at " + v.get()); });
        loop.call_soon(
            [&] {
                log.push_back("soon ctx " + v.get());
                v.set("kept");
            },
            ctx);
        loop.call_later(
            10ms, [&] { log.push_back("later ctx " + v.get()); }, ctx);
        loop.call_at(
            loop.time() + 20ms, [&] { log.push_back("at ctx " + v.get()); }, ctx);
        loop.call_soon_threadsafe([&] { log.push_back("threadsafe " + v.get()); });
        loop.call_soon_threadsafe([&] { log.push_back("threadsafe ctx " + v.get()); }, ctx);
        v.set("after");
        co_await aio::sleep(50ms);
        log.push_back("main " + v.get());
        CHECK(ctx.get(v) == "kept");
    };
    aio::run(amain());
    CHECK(log == Log{"soon before", "soon ctx ctx", "threadsafe before", "threadsafe ctx kept", "later before",
                     "later ctx kept", "at before", "at ctx kept", "main after"});
}

TEST_CASE("done callbacks run in the context current when they were added, or the one given") {
    static aio::ContextVar<int> v("v", 0);
    Log log;
    auto amain = [&]() -> aio::Coro<void> {
        aio::Future<int> f(aio::get_running_loop());
        aio::Context ctx;
        ctx.run([] { v.set(7); });
        v.set(1);
        f.add_done_callback([&](aio::Future<int>) { log.push_back("future " + std::to_string(v.get())); });
        f.add_done_callback([&](aio::Future<int>) { log.push_back("future ctx " + std::to_string(v.get())); }, ctx);
        auto t = aio::create_task([]() -> aio::Coro<void> { co_return; }());
        t.add_done_callback([&](aio::AnyTask) { log.push_back("task " + std::to_string(v.get())); });
        t.add_done_callback([&](aio::AnyTask) { log.push_back("task ctx " + std::to_string(v.get())); }, ctx);
        v.set(2);
        f.set_result(0);
        co_await t;
        co_await aio::sleep(0s);
    };
    aio::run(amain());
    CHECK(log == Log{"future 1", "future ctx 7", "task 1", "task ctx 7"});
}

TEST_CASE("an aio::Runner keeps one context for all its runs; run(coro, context) uses the one given") {
    static aio::ContextVar<int> v("v", 0);
    aio::Runner runner;
    runner.run([]() -> aio::Coro<void> {
        v.set(1);
        co_return;
    }());
    CHECK(runner.run([]() -> aio::Coro<int> { co_return v.get(); }()) == 1);
    aio::Context ctx;
    CHECK(runner.run([]() -> aio::Coro<int> { co_return v.get(); }(), ctx) == 0);
    runner.run(
        []() -> aio::Coro<void> {
            v.set(5);
            co_return;
        }(),
        ctx);
    CHECK(ctx.get(v) == 5);
    CHECK(v.get() == 0);
}

TEST_CASE("a loop run inside Context::run: its main task copies that context") {
    static aio::ContextVar<int> v("v", 0);
    aio::Context outer;
    outer.run([] { v.set(3); });
    int seen = outer.run([] {
        return aio::run([]() -> aio::Coro<int> {
            int before = v.get();
            v.set(4);  // in aio::run's own copy
            co_return before;
        }());
    });
    CHECK(seen == 3);
    CHECK(outer.get(v) == 3);
}

TEST_CASE("Context::run inside a step, and an eager child created in it") {
    static aio::ContextVar<int> v("v", 0);
    Log log;
    auto child = [&]() -> aio::Coro<void> {
        log.push_back("child first step " + std::to_string(v.get()));
        v.set(50);
        co_await aio::sleep(0s);
        log.push_back("child later " + std::to_string(v.get()));
    };
    auto amain = [&]() -> aio::Coro<void> {
        aio::get_running_loop().set_eager_tasks(true);
        v.set(1);
        aio::Context ctx;
        ctx.run([] { v.set(10); });
        aio::Task<void> t;
        ctx.run([&] {
            t = aio::create_task(child());  // eager: its first step runs here, in its own copy
            log.push_back("in run after create " + std::to_string(v.get()));
        });
        log.push_back("main " + std::to_string(v.get()));
        co_await t;
        CHECK(ctx.get(v) == 10);
    };
    aio::run(amain());
    CHECK(log == Log{"child first step 10", "in run after create 10", "main 1", "child later 50"});
}

TEST_CASE("cost guard: a task created where no variable was ever set holds no map") {
    auto amain = []() -> aio::Coro<void> {
        auto t = aio::create_task([]() -> aio::Coro<void> { co_return; }());
        CHECK(t.state_ptr()->context_slot().empty_private());
        co_await t;
    };
    aio::run(amain());
}

TEST_CASE("many variables, a variable destroyed while contexts hold its value") {
    std::vector<std::unique_ptr<aio::ContextVar<int>>> vars;
    for (int i = 0; i < 17; ++i) vars.push_back(std::make_unique<aio::ContextVar<int>>("v" + std::to_string(i)));
    aio::Context ctx;
    ctx.run([&] {
        for (int i = 16; i >= 0; --i) vars[static_cast<std::size_t>(i)]->set(i * 10);
    });
    CHECK(ctx.size() == 17);
    aio::Context keep = ctx.copy();
    for (int i = 0; i < 17; ++i) CHECK(keep.get(*vars[static_cast<std::size_t>(i)]) == i * 10);
    auto shared = std::make_shared<int>(5);
    {
        aio::ContextVar<std::shared_ptr<int>> gone("gone");
        keep.run([&] { gone.set(shared); });
        CHECK(shared.use_count() == 2);
    }
    CHECK(shared.use_count() == 2);  // the value stays with the context...
    keep = aio::Context();
    CHECK(shared.use_count() == 1);  // ...and goes with it
}

TEST_CASE("a token outlives its task and its context") {
    static aio::ContextVar<std::string> v("v");
    std::optional<aio::Token<std::string>> tok;
    aio::run([&]() -> aio::Coro<void> {
        co_await aio::create_task([&]() -> aio::Coro<void> {
            v.set("first");
            tok = v.set("second");
            co_return;
        }());
    }());
    REQUIRE(tok);
    CHECK(tok->old_value() == "first");
    CHECK_FALSE(tok->used());
    CHECK(error_of([&] { v.reset(*tok); }).rfind("ValueError:", 0) == 0);
}
