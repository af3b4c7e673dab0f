// contextvars: get with and without defaults, set/reset and the three reset errors in CPython's
// order, Context.run (its result, nesting, exceptions), copies, tokens of another context.
#include <string>

#include "conformance.hpp"

using conformance::out;

namespace {

aio::ContextVar<std::string> v("v");
aio::ContextVar<std::string> w("w", "w-default");

template <class F>
void attempt(const char* what, F&& fn) {
    try {
        if constexpr (std::is_void_v<decltype(fn())>) {
            fn();
            out("{}: ok None", what);
        } else {
            auto r = fn();
            out("{}: ok {}", what, r);
        }
    } catch (const aio::LookupError&) {
        out("{}: LookupError", what);
    } catch (const aio::RuntimeError&) {
        out("{}: RuntimeError", what);
    } catch (const aio::ValueError&) {
        out("{}: ValueError", what);
    }
}

std::string body() {
    attempt("get unset", [] { return v.get(); });
    out("get with default: {}; w: {}; w with default: {}", v.get("fallback"), w.get(), w.get("mine"));
    auto t1 = v.set("one");
    out("old value missing: {}; var is v: {}", conformance::py(!t1.old_value()), conformance::py(&t1.var() == &v));
    auto t2 = v.set("two");
    out("old value: {}; now {}", *t2.old_value(), v.get());
    v.reset(t2);
    out("after reset: {}", v.get());
    attempt("reset used token", [&] { v.reset(t2); });
    auto tw = w.set("w1");
    attempt("reset by another var", [&] { v.reset(tw); });
    w.reset(tw);
    attempt("used token of another var", [&] { v.reset(tw); });
    v.reset(t1);
    attempt("get after reset to missing", [] { return v.get(); });
    return "body result";
}

aio::Coro<aio::Token<std::string>> task_token() { co_return v.set("task"); }

aio::Coro<void> amain() {
    aio::Context ctx = aio::copy_context();
    out("run returned: {}", ctx.run(body));
    out("ctx size after body: {}", ctx.size());

    attempt("nested run", [&] { ctx.run([&] { ctx.run([] {}); }); });
    attempt("run raising", [&] {
        ctx.run([] {
            v.set("in raises");
            throw aio::ValueError("boom");
        });
    });
    out("value set before the exception kept: {}; run again: {}", *ctx.get(v), ctx.run([] { return "ok"; }));

    aio::Context a;
    aio::Context b;
    auto tok = a.run([] { return v.set("in a"); });
    attempt("reset in another context", [&] { b.run([&] { v.reset(tok); }); });
    a.run([&] { v.reset(tok); });
    out("a has v: {}", conformance::py(a.contains(v)));

    aio::Context c = ctx.copy();
    c.run([] { v.set("in c"); });
    out("copy isolated: ctx {}, c {}", *ctx.get(v), *c.get(v));

    auto task_tok = co_await aio::create_task(task_token());
    attempt("reset a task token in main", [&] { v.reset(task_tok); });
}

}  // namespace

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
