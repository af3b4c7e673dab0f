// contextvars and callbacks: call_soon / call_later / call_at / call_soon_threadsafe /
// add_done_callback run in a copy of the context taken when they are scheduled (a set there is
// lost), or in the context given (a set there stays in it).
#include <string>

#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

namespace {

aio::ContextVar<std::string> v("v", "unset");

void show(const std::string& what) { out("{}: {}", what, v.get()); }

void show_and_set(const std::string& what) {
    show(what);
    v.set("set by " + what);
}

aio::Coro<void> nothing() { co_return; }

aio::Coro<void> amain() {
    auto& loop = aio::get_running_loop();
    aio::Context ctx;
    ctx.run([] { v.set("ctx"); });
    v.set("before");
    loop.call_soon([] { show_and_set("soon"); });
    loop.call_soon([] { show_and_set("soon ctx"); }, ctx);
    loop.call_later(100ms, [] { show("later"); });
    loop.call_later(
        100ms, [] { show_and_set("later ctx"); }, ctx);
    loop.call_at(loop.time() + 200ms, [] { show("at"); });
    loop.call_at(
        loop.time() + 200ms, [] { show("at ctx"); }, ctx);
    loop.call_soon_threadsafe([] { show("threadsafe"); });
    loop.call_soon_threadsafe([] { show("threadsafe ctx"); }, ctx);
    v.set("after");
    co_await aio::sleep(300ms);
    out("main: {}; ctx: {}", v.get(), *ctx.get(v));

    aio::Future<void> fut(loop);
    v.set("when added");
    fut.add_done_callback([](aio::Future<void>) { show("future done"); });
    fut.add_done_callback([](aio::Future<void>) { show("future done ctx"); }, ctx);
    auto t = aio::create_task(nothing());
    t.add_done_callback([](aio::AnyTask) { show("task done"); });
    t.add_done_callback([](aio::AnyTask) { show_and_set("task done ctx"); }, ctx);
    v.set("when done");
    fut.set_result();
    co_await t;
    co_await aio::sleep(0s);
    out("main: {}; ctx: {}", v.get(), *ctx.get(v));

    auto h = loop.call_later(100ms, [] { show("cancelled"); });
    h.cancel();
    co_await aio::sleep(200ms);
}

}  // namespace

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
