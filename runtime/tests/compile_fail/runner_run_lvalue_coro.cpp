// expect-error: aio::Runner::run() accepts only a coroutine
// A named coroutine passed to aio::Runner::run without std::move.
#include <aio/coro.hpp>
#include <aio/run.hpp>

aio::Coro<int> amain() { co_return 1; }

int main() {
    aio::Runner runner;
    aio::Coro<int> coro = amain();
    return runner.run(coro);
}
