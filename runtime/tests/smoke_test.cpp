#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {
aio::Coro<int> add_later(int a, int b) {
    co_await aio::sleep(10ms);
    co_return a + b;
}
aio::Coro<std::string> main_coro(std::vector<std::string>& log) {
    auto t1 = aio::create_task(add_later(1, 2), "first");
    auto t2 = aio::create_task(add_later(3, 4));
    log.push_back(t1.name());
    log.push_back(t2.name());
    int a = co_await t1;
    int b = co_await t2;
    auto [c, d] = co_await aio::gather(add_later(5, 6), add_later(7, 8));
    log.push_back(std::to_string(a + b + c + d));
    co_return "done";
}
}  // namespace

TEST_CASE("run returns the main coroutine's result") {
    std::vector<std::string> log;
    CHECK(aio::run(main_coro(log)) == "done");
    CHECK(log == std::vector<std::string>{"first", "Task-3", "36"});
}
