// aio::run's shutdown order with an executor job still running when main returns: the pending
// task is cancelled, the async generator left suspended is closed, then
// shutdown_default_executor waits for the job (well inside its timeout) before the loop closes.
// (On the simulator the job's thread is waited for when the loop closes; the same output.)
#include <thread>

#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

namespace {

aio::Coro<void> waiter() {
    try {
        co_await aio::sleep(10s);
    } catch (const aio::CancelledError&) {
        out("waiter cleanup");
        throw;
    }
}

aio::AsyncGenerator<int> gen() {
    struct Finally {
        ~Finally() { out("gen cleanup"); }
    } fin;
    co_yield 1;
}

aio::AsyncGenerator<int> G;

aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    aio::create_task(waiter());
    loop.run_in_executor(
        [] {
            std::this_thread::sleep_for(300ms);
            out("job done");
        },
        [] {});
    G = gen();
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
