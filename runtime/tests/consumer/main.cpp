// A tiny user program: only the installed headers and library. Exit 0 when the runtime
// behaves; prints what differs otherwise.
#include <aio/aio.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <tuple>

using namespace std::chrono_literals;

namespace {
aio::Coro<int> square_later(int x) {
    co_await aio::sleep(0s);
    co_return x* x;
}

aio::Coro<std::string> amain() {
    auto task = aio::create_task(square_later(3), "square");
    auto [a, b] = co_await aio::gather(square_later(4), square_later(5));
    int c = co_await task;
    co_return task.name() + "=" + std::to_string(a + b + c);
}
}  // namespace

int main() {
    const std::string got = aio::run(amain());
    const std::string want = "square=50";
    if (got != want) {
        std::fprintf(stderr, "consumer: aio::run returned '%s', expected '%s'\n", got.c_str(), want.c_str());
        return 1;
    }
    std::printf("consumer: %s\n", got.c_str());
    return 0;
}
