#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <chrono>

using namespace std::chrono_literals;

namespace {
aio::Coro<void> sleep_an_hour() { co_await aio::sleep(1h); }
aio::Coro<void> nothing() { co_return; }
}  // namespace

TEST_CASE("cancel() of a task abandoned by close() does not touch its destroyed frame") {
    aio::Task<void> t;
    {
        aio::EventLoop loop;
        loop.set_log_sink([](std::string_view) {});  // "destroyed but it is pending" is expected
        t = loop.create_task(sleep_an_hour());
        t.state_ptr()->log_destroy_pending = false;  // expected here
        loop.run_until_complete(nothing());
        loop.close();
    }
    // The task waited on a sleep living in its (now destroyed) frame. Under ASan the old code
    // read freed memory here.
    CHECK_FALSE(t.done());
    t.cancel();
    CHECK_FALSE(t.done());
}
