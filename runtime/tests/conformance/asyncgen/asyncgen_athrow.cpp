// athrow: an exception caught by the generator (which goes on and yields again), one it does
// not catch (athrow throws it, the generator is finished), and next() afterwards.
#include "conformance.hpp"

using namespace std::chrono_literals;
using conformance::out;

namespace {

struct Retry : std::runtime_error {
    using std::runtime_error::runtime_error;
};

aio::AsyncGenerator<int> numbers() {
    int i = 0;
    for (;;) {
        std::string retry;
        try {
            co_yield i;
            ++i;
        } catch (const Retry& e) {
            retry = e.what();
        }
        if (!retry.empty()) {  // no co_await inside a catch block in C++
            out("retry {}", retry);
            co_await aio::sleep(100ms);
        }
    }
}

aio::Coro<void> amain() {
    auto g = numbers();
    out("{}", *co_await g.next());
    out("{}", *co_await g.next());
    out("{}", *co_await g.athrow(Retry("once")));
    out("{}", *co_await g.next());
    try {
        co_await g.athrow(aio::ValueError("fatal"));
    } catch (const aio::ValueError& e) {
        out("ValueError {}", e.what());
    }
    auto v = co_await g.next();
    out("{}", v ? std::to_string(*v) : "finished");
}

}  // namespace

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), opts);
    return 0;
}
