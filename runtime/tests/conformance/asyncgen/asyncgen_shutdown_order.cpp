// aio::run's shutdown and async generators: a local generator destroyed when main returns is
// handed to the loop (an aclose task, which the shutdown cancels before its first step, so the
// frame is destroyed without resuming: RAII only); a global one is closed by
// shutdown_asyncgens after the pending tasks were cancelled, its cleanup awaiting.
//
// CPython throws the cancellation into the local generator, whose finally runs up to its first
// await and is ended there by GeneratorExit ("local cleanup start" and no "end"). aiosim
// destroys that frame, so the C++ generator says "cleanup start" from a destructor when its
// awaiting cleanup never ran (README, Differences from asyncio).
#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

namespace {

aio::AsyncGenerator<int> gen(std::string name) {
    bool cleaned = false;
    struct Unresumed {
        const std::string& name;
        const bool& cleaned;
        ~Unresumed() {
            if (!cleaned) out("{} cleanup start", name);
        }
    } unresumed{name, cleaned};
    std::exception_ptr exit;  // Python's finally, by hand: no co_await in a C++ catch block
    try {
        for (int i = 0; i < 10; ++i) {
            co_await aio::sleep(0s);
            co_yield i;
        }
    } catch (...) {
        exit = std::current_exception();
    }
    cleaned = true;
    out("{} cleanup start", name);
    co_await aio::sleep(0s);
    out("{} cleanup end", name);
    if (exit) std::rethrow_exception(exit);
}

aio::Coro<void> other() {
    try {
        co_await aio::sleep(10s);
    } catch (const aio::CancelledError&) {
        out("other task cancelled");
        throw;
    }
}

aio::AsyncGenerator<int> G;

aio::Coro<void> amain() {
    aio::create_task(other());
    auto g = gen("local");
    out("{}", *co_await g.next());
    G = gen("global");
    out("{}", *co_await G.next());
    co_await aio::sleep(0s);
    out("main end");
}

}  // namespace

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), opts);
    G = {};
    out("after run");
    return 0;
}
