#pragma once
// Runs `main` on a fresh loop for a few passes, then closes the loop while `main` (and what
// it started) is still pending. Under ASan the leak checker proves that the frames, futures
// and callbacks of a structured-concurrency helper abandoned this way are all freed.
#include <aio/aio.hpp>
#include <memory>

template <class T>
void close_while_pending(aio::Coro<T> main) {
    using namespace std::chrono_literals;
    auto loop = std::make_unique<aio::EventLoop>();
    loop->set_exception_handler([](aio::EventLoop&, const aio::ExceptionContext&) {});
    auto task = loop->create_task(std::move(main));
    loop->run_until_complete([]() -> aio::Coro<void> {
        for (int i = 0; i < 5; ++i) co_await aio::sleep(0s);
    }());
    REQUIRE_FALSE(task.done());
    loop->close();
}
