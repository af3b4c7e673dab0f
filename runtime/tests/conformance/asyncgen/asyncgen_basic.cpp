// Async generators: iteration over two generators interleaved by gather, exhaustion, aclose
// (the cleanup runs), aclose of a never started generator, next() with a default.
#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

namespace {

// Python's finally: RAII (it runs on exhaustion, on aclose's GeneratorExit and on errors).
struct Finally {
    std::string name;
    ~Finally() { out("{} finally", name); }
};

aio::AsyncGenerator<std::string> ticker(std::string name, int n) {
    Finally fin{name};
    for (int i = 0; i < n; ++i) {
        co_await aio::sleep(100ms);
        co_yield fmt::format("{}{}", name, i);
    }
    out("{} exhausted", name);
}

aio::Coro<void> consume(std::string name, int n) {
    auto g = ticker(name, n);
    while (auto v = co_await g.next()) out("got {}", *v);
}

aio::Coro<void> amain() {
    co_await aio::gather(consume("a", 3), consume("b", 2));
    auto g = ticker("c", 5);
    out("first {}", *co_await g.next());
    out("second {}", *co_await g.next());
    co_await g.aclose();
    out("after aclose {}", (co_await g.next()).value_or("exhausted"));
    auto u = ticker("u", 1);
    co_await u.aclose();
    out("unstarted closed {}", (co_await u.next()).value_or("exhausted"));
}

}  // namespace

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), opts);
    out("done");
    return 0;
}
