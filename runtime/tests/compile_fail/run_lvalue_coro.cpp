// expect-error: aio::run() takes ownership of the coroutine
// A named coroutine passed without std::move.
#include <aio/coro.hpp>
#include <aio/run.hpp>

aio::Coro<int> amain() { co_return 1; }

int main() {
    aio::Coro<int> coro = amain();
    return aio::run(coro);
}
