// A generator destroyed while suspended is closed by the loop (asyncio's finalizer hook), in a
// task created on the next pass: its cleanup runs there, and a cleanup that throws is that
// task's exception, never retrieved (reported to the exception handler).
#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

namespace {

aio::AsyncGenerator<int> bad() {
    try {
        co_yield 1;
    } catch (...) {}
    out("bad cleanup");
    throw aio::ValueError("boom");
}

aio::AsyncGenerator<int> good() {
    std::exception_ptr exit;
    try {
        co_yield 1;
    } catch (...) {
        exit = std::current_exception();
    }
    out("good cleanup start");
    co_await aio::sleep(0s);
    out("good cleanup end");
    if (exit) std::rethrow_exception(exit);
}

aio::Coro<void> amain() {
    aio::get_running_loop().set_exception_handler([](aio::EventLoop&, const aio::ExceptionContext& ctx) {
        out("handler: {} {} {}", ctx.message, conformance::type(ctx.exception), conformance::msg(ctx.exception));
    });
    auto g = good();
    out("{}", *co_await g.next());
    g = {};
    out("good dropped");
    co_await aio::sleep(0s);
    out("one pass later");
    co_await aio::sleep(0s);
    co_await aio::sleep(0s);
    auto b = bad();
    out("{}", *co_await b.next());
    b = {};
    out("bad dropped");
    co_await aio::sleep(0s);
    co_await aio::sleep(0s);
    out("main end");
}

}  // namespace

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), opts);
    return 0;
}
