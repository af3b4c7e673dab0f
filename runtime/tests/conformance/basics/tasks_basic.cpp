// Tasks: create_task names, current_task, all_tasks, done callbacks, set_name, cancel and
// cancelling, result()/exception() of finished, failed and cancelled tasks.
#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

static const char* py(bool b) { return b ? "True" : "False"; }

static aio::Coro<std::string> work(std::string tag, std::chrono::milliseconds delay, bool fail = false) {
    out("{} runs as {}", tag, aio::current_task().name());
    co_await aio::sleep(delay);
    if (fail) throw aio::ValueError(tag + " failed");
    co_return tag + " result";
}

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    out("main is {}, tasks: {}", aio::current_task().name(), loop.all_tasks().size());
    auto a = aio::create_task(work("a", 300ms), "alpha");
    auto b = aio::create_task(work("b", 100ms, true));
    auto c = aio::create_task(work("c", 400ms));
    out("created {} {} {}, done={}, tasks: {}", a.name(), b.name(), c.name(), py(a.done()), loop.all_tasks().size());
    a.add_done_callback([a](aio::AnyTask t) { out("callback: {} done, result={}", t.name(), a.result()); });
    co_await aio::sleep(0s);
    c.set_name("gamma");
    out("c renamed {}", c.name());
    co_await aio::sleep(200ms);
    out("b done={} exception={}: {}", py(b.done()), conformance::type(b.exception()), conformance::msg(b.exception()));
    const bool first = c.cancel("enough");
    out("c.cancel() -> {}, cancelling={}", py(first), c.cancelling());
    try {
        co_await c;
    } catch (const aio::CancelledError& e) {
        out("c raised CancelledError: {}; cancelled={}", e.message(), py(c.cancelled()));
    }
    out("c.cancel() again -> {}", py(c.cancel()));
    std::string ra = co_await a;
    out("a -> {}", ra);
    try {
        a.set_name("x");
        out("{}", b.result());
    } catch (const aio::ValueError& e) {
        out("b.result() raised ValueError: {}", e.what());
    }
    try {
        (void)c.result();
    } catch (const aio::CancelledError&) {
        out("c.result() raised CancelledError");
    }
    co_await aio::sleep(0s);
    out("tasks at the end: {}", loop.all_tasks().size());
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
