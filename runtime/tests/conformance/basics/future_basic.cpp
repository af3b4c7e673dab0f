// Future: result, exception and cancellation seen by several awaiters, done callbacks
// (also on a future already done), the InvalidStateError cases.
#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;
using Fut = aio::Future<std::string>;

static const char* py(bool b) { return b ? "True" : "False"; }

static aio::Coro<void> setter(Fut fut, std::chrono::milliseconds delay, std::string value) {
    co_await aio::sleep(delay);
    out("setting {}", value);
    fut.set_result(value);
}

static aio::Coro<void> waiter(std::string tag, Fut fut) {
    try {
        std::string v = co_await fut;
        out("{} got {}", tag, v);
    } catch (const aio::CancelledError&) {
        out("{} saw the future cancelled", tag);
    } catch (const aio::ValueError& e) {
        out("{} got ValueError: {}", tag, e.what());
    }
}

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    Fut f(loop);
    f.add_done_callback([](Fut fut) { out("callback 1: result={}", fut.result()); });
    out("pending: done={} cancelled={}", py(f.done()), py(f.cancelled()));
    try {
        (void)f.result();
    } catch (const aio::InvalidStateError& e) {
        out("result() of a pending future: InvalidStateError: {}", e.what());
    }
    auto w1 = aio::create_task(waiter("w1", f));
    auto w2 = aio::create_task(waiter("w2", f));
    aio::create_task(setter(f, 100ms, "hello"));
    co_await aio::gather(w1, w2);
    f.add_done_callback([](Fut) { out("callback 2 on a done future"); });
    try {
        f.set_result("again");
    } catch (const aio::InvalidStateError&) {
        out("set_result twice: InvalidStateError");
    }
    out("after: result={} exception={}", f.result(), f.exception() ? "set" : "None");
    co_await aio::sleep(0s);

    Fut g(loop);
    auto w3 = aio::create_task(waiter("w3", g));
    co_await aio::sleep(0s);
    const bool cancelled_now = g.cancel();
    out("cancel -> {}, cancelled={}", py(cancelled_now), py(g.cancelled()));
    co_await w3;
    try {
        (void)g.exception();
    } catch (const aio::CancelledError&) {
        out("exception() of a cancelled future raises CancelledError");
    }

    Fut h(loop);
    auto w4 = aio::create_task(waiter("w4", h));
    co_await aio::sleep(0s);
    h.set_exception(std::make_exception_ptr(aio::ValueError("bad value")));
    co_await w4;
    out("h.exception(): {}: {}", conformance::type(h.exception()), conformance::msg(h.exception()));
    out("cancel a done future -> {}", py(h.cancel()));
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
