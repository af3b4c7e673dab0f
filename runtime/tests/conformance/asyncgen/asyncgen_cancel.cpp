// Cancelling a task iterating a generator while the generator awaits: CancelledError reaches
// the generator's await, its catch block and RAII run, then the consumer's.
#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;
using conformance::py;

namespace {

struct Finally {
    ~Finally() { out("gen finally"); }
};

aio::AsyncGenerator<int> slow() {
    Finally fin;
    try {
        for (int i = 0;; ++i) {
            co_await aio::sleep(100ms);
            co_yield i;
        }
    } catch (const aio::CancelledError&) {
        out("gen cancelled");
        throw;
    }
}

aio::Coro<void> consumer() {
    try {
        auto g = slow();
        while (auto v = co_await g.next()) out("got {}", *v);
    } catch (const aio::CancelledError&) {
        out("consumer cancelled");
        throw;
    }
}

aio::Coro<void> amain() {
    auto t = aio::create_task(consumer());
    co_await aio::sleep(250ms);
    t.cancel();
    try {
        co_await t;
    } catch (const aio::CancelledError&) {
        out("main saw cancelled {}", py(t.cancelled()));
    }
}

}  // namespace

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), opts);
    return 0;
}
