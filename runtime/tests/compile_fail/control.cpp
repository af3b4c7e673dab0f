// expect: compiles
// The correct spellings of what the other files here get wrong.
#include <aio/aio.hpp>

#include <chrono>
#include <utility>

namespace {
aio::Coro<int> answer() {
    co_await aio::sleep(std::chrono::milliseconds(0));
    co_return 42;
}
aio::Coro<int> amain() {
    auto task = aio::create_task(answer());
    int a = co_await answer();
    int b = co_await task;
    co_return a + b;
}
}  // namespace

int main() {
    aio::Coro<int> named = amain();
    aio::Runner runner;
    int r = runner.run(answer());
    runner.close();
    return aio::run(std::move(named)) + aio::run(amain()) == 2 * 84 && r == 42 ? 0 : 1;
}
