#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <memory>

using namespace std::chrono_literals;

TEST_CASE("closing a loop drops the done-callbacks of the tasks still pending") {
    auto sentinel = std::make_shared<int>(0);
    {
        auto loop = std::make_unique<aio::EventLoop>();
        loop->set_exception_handler([](aio::EventLoop&, const aio::ExceptionContext&) {});
        auto t = loop->create_task([]() -> aio::Coro<void> { co_await aio::sleep(100s); }());
        loop->run_until_complete([]() -> aio::Coro<void> { co_await aio::sleep(0s); }());
        // A callback holding the task itself, as TaskGroup's and shield's callbacks do.
        t.add_done_callback([t, sentinel](aio::AnyTask) {});
        CHECK(sentinel.use_count() == 2);
        loop->close();
    }
    CHECK(sentinel.use_count() == 1);  // the callback (and the task it held) is gone
}
