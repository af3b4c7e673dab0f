// A generator that yields again on GeneratorExit: aclose throws RuntimeError; destroyed, the
// loop's finaliser closes it (GeneratorExit at that last yield ends it, silently). A global
// generator whose cleanup throws at shutdown: reported to the exception handler.
#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

namespace {

constexpr std::string_view prefix = "an error occurred during closing of asynchronous generator";

aio::AsyncGenerator<int> stubborn() {
    bool exited = false;
    try {
        co_yield 1;
        co_yield 2;
    } catch (const aio::GeneratorExit&) {
        out("got GeneratorExit");
        exited = true;
    }
    if (exited) co_yield 3;  // no co_yield inside a catch block in C++
    out("never");
}

aio::AsyncGenerator<int> bad() {
    try {
        co_yield 1;
    } catch (...) {}
    out("bad cleanup");
    throw aio::ValueError("boom in cleanup");
}

aio::AsyncGenerator<int> G;

aio::Coro<void> amain() {
    aio::get_running_loop().set_exception_handler([](aio::EventLoop&, const aio::ExceptionContext& ctx) {
        out("handler: {} {} {}", ctx.message.substr(0, prefix.size()), conformance::type(ctx.exception),
            conformance::msg(ctx.exception));
    });
    auto g = stubborn();
    out("{}", *co_await g.next());
    try {
        co_await g.aclose();
    } catch (const aio::RuntimeError& e) {
        out("RuntimeError: {}", e.what());
    }
    g = {};
    co_await aio::sleep(0s);
    co_await aio::sleep(0s);
    G = bad();
    out("{}", *co_await G.next());
    out("main end");
}

}  // namespace

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), opts);
    G = {};
    out("after run");
    return 0;
}
