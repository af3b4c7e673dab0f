// expect-error: aio::Coro can only co_await aio awaitables
// A standard awaitable inside an aio::Coro would suspend the task without telling the loop.
#include <aio/coro.hpp>

#include <coroutine>

aio::Coro<int> amain() {
    co_await std::suspend_always{};
    co_return 1;
}

int main() { return amain() ? 0 : 1; }
