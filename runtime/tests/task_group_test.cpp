// aio::TaskGroup: the behaviours of CPython 3.12's test_taskgroups.py that C++ can express.
// Orders are forced with futures and yields, never with real-time durations; the long
// sleeps only ever end by cancellation.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <string>
#include <vector>
#include "close_while_pending.hpp"

using namespace std::chrono_literals;

namespace {

using Log = std::vector<std::string>;

aio::Coro<int> value_after(aio::Future<void> go, int v) {
    co_await go;
    co_return v;
}

aio::Coro<void> fail_after_yields(int n, std::string msg) {
    for (int i = 0; i < n; ++i) co_await aio::sleep(0s);
    throw aio::ValueError(msg);
}

aio::Coro<void> wait_forever(Log& log, std::string name) {
    try {
        co_await aio::sleep(100s);
    } catch (const aio::CancelledError&) {
        log.push_back(name + " cancelled");
        throw;
    }
}

aio::Coro<void> fail_on_cancel(Log& log, std::string name) {
    try {
        co_await aio::sleep(100s);
    } catch (const aio::CancelledError&) {
        log.push_back(name + " cleanup raises");
    }
    throw aio::RuntimeError(name + " cleanup");
}

std::vector<std::string> messages(const aio::ExceptionGroup& eg) {
    std::vector<std::string> out;
    for (auto& e : eg.exceptions()) out.push_back(aio::describe(e));
    return out;
}

}  // namespace

TEST_CASE("ExceptionGroup's what() counts its sub-exceptions like Python's str()") {
    auto e = std::make_exception_ptr(aio::ValueError("x"));
    CHECK(std::string(aio::ExceptionGroup("m", {e}).what()) == "m (1 sub-exception)");
    CHECK(std::string(aio::ExceptionGroup("m", {e, e}).what()) == "m (2 sub-exceptions)");
    CHECK(aio::ExceptionGroup("m", {e, e}).message() == "m");
    CHECK(aio::describe(std::make_exception_ptr(aio::ExceptionGroup("m", {e}))) ==
          "ExceptionGroup: m (1 sub-exception)");
}

TEST_CASE("task_group waits for every child and returns the body's result") {
    auto main = []() -> aio::Coro<int> {
        aio::Future<void> go(aio::get_running_loop());
        aio::Task<int> a, b;
        int r = co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<int> {
            a = tg.create_task(value_after(go, 1));
            b = tg.create_task(value_after(go, 2), "bee");
            CHECK(tg.size() == 2);
            CHECK(b.name() == "bee");
            go.set_result();
            co_return 40;
        });
        CHECK(a.done());
        CHECK(b.done());
        co_return r + a.result() + b.result();
    };
    CHECK(aio::run(main()) == 43);
}

TEST_CASE("children created by other children are waited for too") {
    Log log;
    auto grandchild = [](Log& log) -> aio::Coro<void> {
        co_await aio::sleep(0s);
        log.push_back("grandchild done");
    };
    auto child = [&](aio::TaskGroup tg) -> aio::Coro<void> {
        co_await aio::sleep(0s);
        tg.create_task(grandchild(log));
        log.push_back("child done");
    };
    auto main = [&]() -> aio::Coro<void> {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
            tg.create_task(child(tg));
            co_return;
        });
        log.push_back("block done");
    };
    aio::run(main());
    CHECK(log == Log{"child done", "grandchild done", "block done"});
}

TEST_CASE("a failing child cancels its siblings and the body; errors come in completion order") {
    Log log;
    auto main = [&]() -> aio::Coro<void> {
        auto me = aio::current_task();
        try {
            co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
                tg.create_task(fail_on_cancel(log, "s1"));
                tg.create_task(fail_after_yields(1, "first"));
                tg.create_task(wait_forever(log, "w"));
                try {
                    co_await aio::sleep(100s);
                } catch (const aio::CancelledError&) {
                    log.push_back("body cancelled, cancelling=" + std::to_string(me.cancelling()));
                    throw;
                }
            });
            FAIL("no ExceptionGroup");
        } catch (const aio::ExceptionGroup& eg) {
            CHECK(std::string(eg.what()) == "unhandled errors in a TaskGroup (2 sub-exceptions)");
            CHECK(messages(eg) == std::vector<std::string>{"ValueError: first", "RuntimeError: s1 cleanup"});
        }
        CHECK(me.cancelling() == 0);  // the group withdrew its own cancel request
        co_await aio::sleep(0s);      // and the task is not cancelled again
        log.push_back("after");
    };
    aio::run(main());
    CHECK(log == Log{"s1 cleanup raises", "w cancelled", "body cancelled, cancelling=1", "after"});
}

TEST_CASE("an exception in the body cancels the children and is reported last") {
    Log log;
    auto main = [&]() -> aio::Coro<void> {
        aio::Task<void> w;
        try {
            co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
                w = tg.create_task(wait_forever(log, "w"));
                tg.create_task(fail_on_cancel(log, "s"));
                co_await aio::sleep(0s);
                throw aio::ValueError("body");
            });
            FAIL("no ExceptionGroup");
        } catch (const aio::ExceptionGroup& eg) {
            CHECK(messages(eg) == std::vector<std::string>{"RuntimeError: s cleanup", "ValueError: body"});
        }
        CHECK(w.cancelled());
    };
    aio::run(main());
    CHECK(log == Log{"w cancelled", "s cleanup raises"});
}

TEST_CASE("a cancelled child is not an error, nor is one that swallows its cancellation") {
    auto main = []() -> aio::Coro<void> {
        Log log;
        aio::Task<void> w;
        aio::Task<int> stubborn;
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
            w = tg.create_task(wait_forever(log, "w"));
            stubborn = tg.create_task([]() -> aio::Coro<int> {
                try {
                    co_await aio::sleep(100s);
                } catch (const aio::CancelledError&) {}
                co_return 7;
            }());
            co_await aio::sleep(0s);
            w.cancel();
            stubborn.cancel();
        });
        CHECK(w.cancelled());
        CHECK(stubborn.result() == 7);
        CHECK(log == Log{"w cancelled"});
    };
    aio::run(main());
}

TEST_CASE("cancelling the parent from outside cancels the children and propagates CancelledError") {
    Log log;
    auto runner = [&]() -> aio::Coro<void> {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
            tg.create_task(wait_forever(log, "c1"));
            tg.create_task(wait_forever(log, "c2"));
            try {
                co_await aio::sleep(100s);
            } catch (const aio::CancelledError& e) {
                log.push_back("body cancelled: " + e.message());
                throw;
            }
        });
        log.push_back("not reached");
    };
    auto main = [&]() -> aio::Coro<void> {
        auto r = aio::create_task(runner());
        co_await aio::sleep(0s);
        r.cancel("stop");
        try {
            co_await r;
            FAIL("no CancelledError");
        } catch (const aio::CancelledError& e) {
            CHECK(e.message() == "stop");
        }
        CHECK(r.cancelled());
        CHECK(r.cancelling() == 1);
    };
    aio::run(main());
    CHECK(log == Log{"body cancelled: stop", "c1 cancelled", "c2 cancelled"});
}

TEST_CASE("an error in a child beats the parent's CancelledError") {
    Log log;
    auto runner = [&]() -> aio::Coro<void> {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
            tg.create_task(fail_on_cancel(log, "c"));
            co_await aio::sleep(100s);
        });
    };
    auto main = [&]() -> aio::Coro<void> {
        auto r = aio::create_task(runner());
        co_await aio::sleep(0s);
        r.cancel();
        try {
            co_await r;
            FAIL("no ExceptionGroup");
        } catch (const aio::ExceptionGroup& eg) {
            CHECK(messages(eg) == std::vector<std::string>{"RuntimeError: c cleanup"});
        }
        CHECK_FALSE(r.cancelled());
    };
    aio::run(main());
}

TEST_CASE("a parent cancelled repeatedly still waits for its children before propagating") {
    Log log;
    aio::Future<void>* release = nullptr;
    auto slow = [&](aio::Future<void> done) -> aio::Coro<void> {
        try {
            co_await aio::sleep(100s);
        } catch (const aio::CancelledError&) {
            log.push_back("child cancelled");
        }
        co_await done;  // cleanup that takes a while (until main releases it)
        log.push_back("child cleanup done");
    };
    auto runner = [&](aio::Future<void> done) -> aio::Coro<void> {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
            tg.create_task(slow(done));
            co_return;
        });
    };
    auto main = [&]() -> aio::Coro<void> {
        aio::Future<void> done(aio::get_running_loop());
        release = &done;
        auto r = aio::create_task(runner(done));
        co_await aio::sleep(0s);
        r.cancel();
        for (int i = 0; i < 3; ++i) co_await aio::sleep(0s);
        r.cancel();  // the group is already aborting: it keeps waiting
        for (int i = 0; i < 3; ++i) co_await aio::sleep(0s);
        CHECK_FALSE(r.done());
        log.push_back("releasing");
        release->set_result();
        try {
            co_await r;
        } catch (const aio::CancelledError&) {
            log.push_back("runner cancelled");
        }
        CHECK(r.cancelling() == 2);
    };
    aio::run(main());
    CHECK(log == Log{"child cancelled", "releasing", "child cleanup done", "runner cancelled"});
}

TEST_CASE("nested groups: the inner ExceptionGroup is nested in the outer one") {
    auto main = []() -> aio::Coro<void> {
        Log log;
        try {
            co_await aio::task_group([&](aio::TaskGroup& g1) -> aio::Coro<void> {
                g1.create_task(wait_forever(log, "outer child"));
                co_await aio::task_group([&](aio::TaskGroup& g2) -> aio::Coro<void> {
                    g2.create_task(fail_after_yields(1, "inner"));
                    co_return;
                });
            });
            FAIL("no ExceptionGroup");
        } catch (const aio::ExceptionGroup& eg) {
            REQUIRE(eg.exceptions().size() == 1);
            try {
                std::rethrow_exception(eg.exceptions()[0]);
            } catch (const aio::ExceptionGroup& inner) {
                CHECK(messages(inner) == std::vector<std::string>{"ValueError: inner"});
            }
        }
        CHECK(log == Log{"outer child cancelled"});
    };
    aio::run(main());
}

TEST_CASE("create_task and entering are refused with asyncio's messages") {
    auto main = []() -> aio::Coro<void> {
        auto noop = []() -> aio::Coro<void> { co_return; };
        aio::TaskGroup tg;
        CHECK(tg.repr() == "<TaskGroup>");
        CHECK_THROWS_WITH_AS(tg.create_task(noop()), "TaskGroup <TaskGroup> has not been entered", aio::RuntimeError);
        co_await tg.run([&]() -> aio::Coro<void> {
            CHECK(tg.repr() == "<TaskGroup entered>");
            tg.create_task(noop());
            CHECK(tg.repr() == "<TaskGroup tasks=1 entered>");
            try {
                co_await tg.run(noop());
                FAIL("entered twice");
            } catch (const aio::RuntimeError& e) {
                CHECK(std::string(e.what()) == "TaskGroup <TaskGroup tasks=1 entered> has already been entered");
            }
        });
        CHECK_THROWS_WITH_AS(tg.create_task(noop()), "TaskGroup <TaskGroup entered> is finished", aio::RuntimeError);

        aio::TaskGroup tg2;
        std::string shutting_down;
        try {
            co_await tg2.run([&]() -> aio::Coro<void> {
                tg2.create_task(fail_after_yields(0, "x"));
                try {
                    co_await aio::sleep(100s);
                } catch (const aio::CancelledError&) {
                    try {
                        tg2.create_task(noop());
                    } catch (const aio::RuntimeError& e) {
                        shutting_down = e.what();
                    }
                    throw;
                }
            });
        } catch (const aio::ExceptionGroup&) {}
        CHECK(shutting_down == "TaskGroup <TaskGroup errors=1 cancelling> is shutting down");
        CHECK(tg2.repr() == "<TaskGroup cancelling>");
    };
    aio::run(main());
}

TEST_CASE("a group never returns with a child still running, whatever happens") {
    auto main = []() -> aio::Coro<void> {
        Log log;
        std::vector<aio::AnyTask> children;
        for (int round = 0; round < 3; ++round) {
            try {
                co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
                    for (int i = 0; i < 4; ++i) children.push_back(tg.create_task(wait_forever(log, "c")));
                    children.push_back(tg.create_task(fail_after_yields(round, "f")));
                    if (round == 2) throw aio::ValueError("body");
                    co_await aio::sleep(100s);
                });
            } catch (const aio::ExceptionGroup&) {}
            for (auto& c : children) CHECK(c.done());
        }
    };
    aio::run(main());
}

TEST_CASE("closing the loop while a group and its children are pending frees them") {
    Log log;
    close_while_pending([](Log& log) -> aio::Coro<void> {
        co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
            tg.create_task(wait_forever(log, "a"));
            tg.create_task(wait_forever(log, "b"));
            co_await aio::sleep(100s);
        });
    }(log));
    CHECK(log.empty());  // frames destroyed, not cancelled: no catch block ran
}
