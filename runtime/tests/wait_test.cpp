// aio::wait: (done, pending) in argument order, for each return_when.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <string>
#include <vector>
#include "close_while_pending.hpp"

using namespace std::chrono_literals;

namespace {

aio::Coro<int> done_after(aio::Future<void> go, int v, bool fail = false) {
    co_await go;
    if (fail) throw aio::ValueError("failed " + std::to_string(v));
    co_return v;
}

std::vector<std::string> names(const std::vector<aio::Task<int>>& v) {
    std::vector<std::string> out;
    for (auto& t : v) out.push_back(t.name());
    return out;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("wait returns when return_when is met, done and pending in argument order") {
    auto main = []() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        struct Case {
            aio::ReturnWhen when;
            Names done, pending;
        };
        std::vector<Case> cases{{aio::FIRST_COMPLETED, {"b"}, {"a", "c", "d"}},
                                {aio::FIRST_EXCEPTION, {"b", "c"}, {"a", "d"}},
                                {aio::ALL_COMPLETED, {"a", "b", "c", "d"}, {}}};
        for (auto& k : cases) {
            aio::Future<void> ga(loop), gb(loop), gc(loop), gd(loop);
            std::vector tasks{aio::create_task(done_after(ga, 1), "a"), aio::create_task(done_after(gb, 2), "b"),
                              aio::create_task(done_after(gc, 3, true), "c"), aio::create_task(done_after(gd, 4), "d")};
            // b finishes, then c fails, then a and d finish, each a few passes apart.
            auto driver = aio::create_task([](aio::Future<void> ga, aio::Future<void> gb, aio::Future<void> gc,
                                              aio::Future<void> gd) -> aio::Coro<void> {
                for (auto* g : {&gb, &gc, &ga, &gd}) {
                    g->set_result();
                    for (int i = 0; i < 3; ++i) co_await aio::sleep(0s);
                }
            }(ga, gb, gc, gd));
            auto [done, pending] = co_await aio::wait(tasks, std::nullopt, k.when);
            CHECK(names(done) == k.done);
            CHECK(names(pending) == k.pending);
            co_await driver;
            (void)tasks[2].exception();
        }
    };
    aio::run(main());
}

TEST_CASE("wait with a timeout returns what is done and cancels nothing") {
    auto main = []() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        aio::Future<void> never(loop), now(loop);
        now.set_result();
        std::vector tasks{aio::create_task(done_after(never, 1), "slow"), aio::create_task(done_after(now, 2), "fast")};
        auto [done, pending] = co_await aio::wait(tasks, 1ms);
        CHECK(names(done) == Names{"fast"});
        CHECK(names(pending) == Names{"slow"});
        CHECK_FALSE(tasks[0].cancelled());
        never.set_result();
        co_await tasks[0];
    };
    aio::run(main());
}

TEST_CASE("wait drops duplicates, accepts futures and AnyTask, and refuses an empty set") {
    auto main = []() -> aio::Coro<void> {
        aio::EventLoop& loop = aio::get_running_loop();
        aio::Future<void> go(loop);
        go.set_result();
        auto t = aio::create_task(done_after(go, 1), "t");
        std::vector dup{t, t, t};
        auto [done, pending] = co_await aio::wait(dup);
        CHECK(names(done) == Names{"t"});
        CHECK(pending.empty());

        aio::Future<int> f1(loop), f2(loop);
        f2.set_exception(std::make_exception_ptr(aio::ValueError("f2")));
        std::vector fs{f1, f2};
        auto r = co_await aio::wait(fs, std::nullopt, aio::FIRST_EXCEPTION);
        CHECK(r.first.size() == 1);
        CHECK(r.first[0].state() == f2.state());
        CHECK(r.second[0].state() == f1.state());

        std::vector<aio::AnyTask> any{aio::create_task(done_after(go, 2)), aio::create_task(done_after(go, 3))};
        auto r2 = co_await aio::wait(any);
        CHECK(r2.first.size() == 2);

        std::vector<aio::Task<int>> none;
        CHECK_THROWS_WITH_AS(co_await aio::wait(none), "Set of Tasks/Futures is empty.", aio::ValueError);
        (void)f2.exception();
    };
    aio::run(main());
}

TEST_CASE("cancelling the waiting task leaves the awaited tasks running") {
    auto main = []() -> aio::Coro<void> {
        aio::Future<void> go(aio::get_running_loop());
        std::vector tasks{aio::create_task(done_after(go, 1))};
        auto waiter = aio::create_task(
            [](std::vector<aio::Task<int>> tasks) -> aio::Coro<void> { co_await aio::wait(tasks); }(tasks));
        co_await aio::sleep(0s);
        waiter.cancel();
        CHECK_THROWS_AS(co_await waiter, aio::CancelledError);
        CHECK_FALSE(tasks[0].done());
        go.set_result();
        CHECK(co_await tasks[0] == 1);
    };
    aio::run(main());
}

TEST_CASE("closing the loop during wait and wait_for frees everything") {
    close_while_pending([]() -> aio::Coro<void> {
        aio::Future<void> never(aio::get_running_loop());
        std::vector tasks{aio::create_task(done_after(never, 1)), aio::create_task(done_after(never, 2))};
        auto w = aio::create_task(aio::wait_for(done_after(never, 3), 100s));
        co_await aio::wait(tasks, 100s, aio::FIRST_COMPLETED);
    }());
}
