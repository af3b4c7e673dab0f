// CPython 3.12 Lib/test/test_asyncio/test_taskgroups.py, ported (README.md here). The class is
// an IsolatedAsyncioTestCase: each method is the main task of its own loop (cpy::run: the
// simulator's loop, virtual time). `async with TaskGroup() as g: <body>` is
// `co_await g.run(<body>)`, the body a coroutine lambda run inside the calling task.
#include <doctest/doctest.h>

#include <set>
#include <stdexcept>
#include <string>

#include "cpython_support.hpp"

namespace cpy_taskgroups {

using namespace std::chrono_literals;
using aio::Coro;
using aio::TaskGroup;

struct MyExc : std::runtime_error {
    MyExc() : std::runtime_error("MyExc") {}
};
// Python's BaseException that is not an Exception: a C++ type not derived from std::exception.
struct MyBaseExc {};
struct ZeroDivisionError : std::runtime_error {
    ZeroDivisionError() : std::runtime_error("division by zero") {}
};
struct TypeError : std::runtime_error {
    TypeError() : std::runtime_error("TypeError") {}
};
struct CustomException : std::runtime_error {
    CustomException() : std::runtime_error("CustomException") {}
};

[[noreturn]] void zero_div() { throw ZeroDivisionError(); }  // 1 / 0

std::string type_of(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const aio::ExceptionGroup&) {
        return "ExceptionGroup";
    } catch (const ZeroDivisionError&) {
        return "ZeroDivisionError";
    } catch (const MyExc&) {
        return "MyExc";
    } catch (const MyBaseExc&) {
        return "MyBaseExc";
    } catch (const TypeError&) {
        return "TypeError";
    } catch (const CustomException&) {
        return "CustomException";
    } catch (const aio::ValueError&) {
        return "ValueError";
    } catch (const aio::KeyboardInterrupt&) {
        return "KeyboardInterrupt";
    } catch (const aio::CancelledError&) {
        return "CancelledError";
    } catch (...) {
        return "other";
    }
}

// get_error_types(eg): {type(exc) for exc in eg.exceptions}
std::set<std::string> get_error_types(const aio::ExceptionGroup& eg) {
    std::set<std::string> out;
    for (const auto& e : eg.exceptions()) out.insert(type_of(e));
    return out;
}
using Types = std::set<std::string>;

// `eg.exceptions[0]` as a group.
const aio::ExceptionGroup& first_group(const aio::ExceptionGroup& eg) {
    const auto* g = cpy::as<aio::ExceptionGroup>(eg.exceptions().at(0));
    REQUIRE(g != nullptr);
    return *g;
}

Coro<void> nap(aio::Duration d) { co_await aio::sleep(d); }

Coro<void> crash_after(aio::Duration t) {
    co_await aio::sleep(t);
    throw aio::ValueError("crash_after");  // raise ValueError(t)
}

// The cases stay in the namespace: the unity build joins the files of this directory.

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_01") {
    auto main = []() -> Coro<void> {
        auto foo1 = []() -> Coro<int> {
            co_await aio::sleep(100ms);
            co_return 42;
        };
        auto foo2 = []() -> Coro<int> {
            co_await aio::sleep(200ms);
            co_return 11;
        };
        TaskGroup g;
        std::optional<aio::Task<int>> t1, t2;
        co_await g.run([&]() -> Coro<void> {
            t1 = g.create_task(foo1());
            t2 = g.create_task(foo2());
            co_return;
        });
        CHECK(t1->result() == 42);
        CHECK(t2->result() == 11);
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_02") {
    auto main = []() -> Coro<void> {
        auto foo1 = []() -> Coro<int> {
            co_await aio::sleep(100ms);
            co_return 42;
        };
        auto foo2 = []() -> Coro<int> {
            co_await aio::sleep(200ms);
            co_return 11;
        };
        TaskGroup g;
        std::optional<aio::Task<int>> t1, t2;
        co_await g.run([&]() -> Coro<void> {
            t1 = g.create_task(foo1());
            co_await aio::sleep(150ms);
            t2 = g.create_task(foo2());
        });
        CHECK(t1->result() == 42);
        CHECK(t2->result() == 11);
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_03") {
    auto main = []() -> Coro<void> {
        auto foo1 = []() -> Coro<int> {
            co_await aio::sleep(1s);
            co_return 42;
        };
        auto foo2 = []() -> Coro<int> {
            co_await aio::sleep(200ms);
            co_return 11;
        };
        TaskGroup g;
        std::optional<aio::Task<int>> t1, t2;
        co_await g.run([&]() -> Coro<void> {
            t1 = g.create_task(foo1());
            co_await aio::sleep(150ms);
            // cancel t1 explicitly, i.e. everything should continue working as expected.
            t1->cancel();
            t2 = g.create_task(foo2());
        });
        CHECK(t1->cancelled());
        CHECK(t2->result() == 11);
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_04") {
    auto main = []() -> Coro<void> {
        int NUM = 0;
        bool t2_cancel = false;
        std::optional<aio::Task<void>> t2;
        auto foo1 = []() -> Coro<void> {
            co_await aio::sleep(100ms);
            zero_div();
        };
        auto foo2 = [&]() -> Coro<void> {
            try {
                co_await aio::sleep(1s);
            } catch (const aio::CancelledError&) {
                t2_cancel = true;
                throw;
            }
            NUM += 1;
        };
        auto runner = [&]() -> Coro<void> {
            TaskGroup g;
            co_await g.run([&]() -> Coro<void> {
                g.create_task(foo1());
                t2 = g.create_task(foo2());
                co_return;
            });
            NUM += 10;
        };
        Types types;
        try {
            co_await aio::create_task(runner());
            FAIL("no ExceptionGroup");
        } catch (const aio::ExceptionGroup& eg) {
            types = get_error_types(eg);
        }
        CHECK(types == Types{"ZeroDivisionError"});
        CHECK(NUM == 0);
        CHECK(t2_cancel);
        CHECK(t2->cancelled());
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_cancel_children_on_child_error") {
    auto main = []() -> Coro<void> {
        // When a child task raises an error, the rest of the children are cancelled and the
        // errors are gathered into an EG.
        int NUM = 0;
        bool t2_cancel = false;
        bool runner_cancel = false;
        auto foo1 = []() -> Coro<void> {
            co_await aio::sleep(100ms);
            zero_div();
        };
        auto foo2 = [&]() -> Coro<void> {
            try {
                co_await aio::sleep(5s);
            } catch (const aio::CancelledError&) {
                t2_cancel = true;
                throw;
            }
            NUM += 1;
        };
        auto runner = [&]() -> Coro<void> {
            TaskGroup g;
            co_await g.run([&]() -> Coro<void> {
                g.create_task(foo1());
                g.create_task(foo1());
                g.create_task(foo1());
                g.create_task(foo2());
                try {
                    co_await aio::sleep(10s);
                } catch (const aio::CancelledError&) {
                    runner_cancel = true;
                    throw;
                }
            });
            NUM += 10;
        };
        Types types;
        try {
            co_await aio::create_task(runner());
            FAIL("no ExceptionGroup");
        } catch (const aio::ExceptionGroup& eg) {
            types = get_error_types(eg);
        }
        CHECK(types == Types{"ZeroDivisionError"});
        CHECK(NUM == 0);
        CHECK(t2_cancel);
        CHECK(runner_cancel);
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_cancellation") {
    auto main = []() -> Coro<void> {
        int NUM = 0;
        auto foo = [&]() -> Coro<void> {
            try {
                co_await aio::sleep(5s);
            } catch (const aio::CancelledError&) {
                NUM += 1;
                throw;
            }
        };
        auto runner = [&]() -> Coro<void> {
            TaskGroup g;
            co_await g.run([&]() -> Coro<void> {
                for (int i = 0; i < 5; ++i) g.create_task(foo());
                co_return;
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        CHECK_FALSE(r.done());
        r.cancel();
        CHECK_THROWS_AS(co_await r, aio::CancelledError);
        CHECK(NUM == 5);
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_07") {
    auto main = []() -> Coro<void> {
        int NUM = 0;
        auto foo = [&]() -> Coro<void> {
            try {
                co_await aio::sleep(5s);
            } catch (const aio::CancelledError&) {
                NUM += 1;
                throw;
            }
        };
        auto runner = [&]() -> Coro<void> {
            TaskGroup g;
            co_await g.run([&]() -> Coro<void> {
                for (int i = 0; i < 5; ++i) g.create_task(foo());
                try {
                    co_await aio::sleep(10s);
                } catch (const aio::CancelledError&) {
                    NUM += 10;
                    throw;
                }
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        CHECK_FALSE(r.done());
        r.cancel();
        CHECK_THROWS_AS(co_await r, aio::CancelledError);
        CHECK(NUM == 15);
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_08") {
    auto main = []() -> Coro<void> {
        auto foo = []() -> Coro<void> {
            try {
                co_await aio::sleep(10s);
            } catch (...) {}
            zero_div();  // finally: 1 / 0
        };
        auto runner = [&]() -> Coro<void> {
            TaskGroup g;
            co_await g.run([&]() -> Coro<void> {
                for (int i = 0; i < 5; ++i) g.create_task(foo());
                co_await aio::sleep(10s);
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        CHECK_FALSE(r.done());
        r.cancel();
        Types types;
        try {
            co_await r;
            FAIL("no ExceptionGroup");
        } catch (const aio::ExceptionGroup& eg) {
            types = get_error_types(eg);
        }
        CHECK(types == Types{"ZeroDivisionError"});
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_09") {
    auto main = []() -> Coro<void> {
        std::optional<aio::Task<int>> t1, t2;
        auto foo1 = []() -> Coro<int> {
            co_await aio::sleep(1s);
            co_return 42;
        };
        auto foo2 = []() -> Coro<int> {
            co_await aio::sleep(2s);
            co_return 11;
        };
        auto runner = [&]() -> Coro<void> {
            TaskGroup g;
            co_await g.run([&]() -> Coro<void> {
                t1 = g.create_task(foo1());
                t2 = g.create_task(foo2());
                co_await aio::sleep(100ms);
                zero_div();
            });
        };
        Types types;
        try {
            co_await runner();
            FAIL("ExceptionGroup was not raised");
        } catch (const aio::ExceptionGroup& eg) {
            types = get_error_types(eg);
        }
        CHECK(types == Types{"ZeroDivisionError"});
        CHECK(t1->cancelled());
        CHECK(t2->cancelled());
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_10") {
    auto main = []() -> Coro<void> {
        std::optional<aio::Task<int>> t1, t2;
        auto foo1 = []() -> Coro<int> {
            co_await aio::sleep(1s);
            co_return 42;
        };
        auto foo2 = []() -> Coro<int> {
            co_await aio::sleep(2s);
            co_return 11;
        };
        auto runner = [&]() -> Coro<void> {
            TaskGroup g;
            co_await g.run([&]() -> Coro<void> {
                t1 = g.create_task(foo1());
                t2 = g.create_task(foo2());
                zero_div();
                co_return;
            });
        };
        Types types;
        try {
            co_await runner();
            FAIL("ExceptionGroup was not raised");
        } catch (const aio::ExceptionGroup& eg) {
            types = get_error_types(eg);
        }
        CHECK(types == Types{"ZeroDivisionError"});
        CHECK(t1->cancelled());
        CHECK(t2->cancelled());
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_11") {
    auto main = []() -> Coro<void> {
        auto foo = []() -> Coro<void> {
            try {
                co_await aio::sleep(10s);
            } catch (...) {}
            zero_div();
        };
        auto runner = [&]() -> Coro<void> {
            TaskGroup g1;
            co_await g1.run([&]() -> Coro<void> {
                TaskGroup g2;
                co_await g2.run([&]() -> Coro<void> {
                    for (int i = 0; i < 5; ++i) g2.create_task(foo());
                    co_await aio::sleep(10s);
                });
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        CHECK_FALSE(r.done());
        r.cancel();
        Types types, inner;
        try {
            co_await r;
            FAIL("no ExceptionGroup");
        } catch (const aio::ExceptionGroup& eg) {
            types = get_error_types(eg);
            inner = get_error_types(first_group(eg));
        }
        CHECK(types == Types{"ExceptionGroup"});
        CHECK(inner == Types{"ZeroDivisionError"});
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_12") {
    auto main = []() -> Coro<void> {
        auto foo = []() -> Coro<void> {
            try {
                co_await aio::sleep(10s);
            } catch (...) {}
            zero_div();
        };
        auto runner = [&]() -> Coro<void> {
            TaskGroup g1;
            co_await g1.run([&]() -> Coro<void> {
                g1.create_task(nap(10s));
                TaskGroup g2;
                co_await g2.run([&]() -> Coro<void> {
                    for (int i = 0; i < 5; ++i) g2.create_task(foo());
                    co_await aio::sleep(10s);
                });
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        CHECK_FALSE(r.done());
        r.cancel();
        Types types, inner;
        try {
            co_await r;
            FAIL("no ExceptionGroup");
        } catch (const aio::ExceptionGroup& eg) {
            types = get_error_types(eg);
            inner = get_error_types(first_group(eg));
        }
        CHECK(types == Types{"ExceptionGroup"});
        CHECK(inner == Types{"ZeroDivisionError"});
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_13") {
    auto main = []() -> Coro<void> {
        auto runner = []() -> Coro<void> {
            TaskGroup g1;
            co_await g1.run([&]() -> Coro<void> {
                g1.create_task(crash_after(100ms));
                TaskGroup g2;
                co_await g2.run([&]() -> Coro<void> {
                    g2.create_task(crash_after(10s));
                    co_return;
                });
            });
        };
        auto r = aio::create_task(runner());
        Types types;
        try {
            co_await r;
            FAIL("no ExceptionGroup");
        } catch (const aio::ExceptionGroup& eg) {
            types = get_error_types(eg);
        }
        CHECK(types == Types{"ValueError"});
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_14") {
    auto main = []() -> Coro<void> {
        auto runner = []() -> Coro<void> {
            TaskGroup g1;
            co_await g1.run([&]() -> Coro<void> {
                g1.create_task(crash_after(10s));
                TaskGroup g2;
                co_await g2.run([&]() -> Coro<void> {
                    g2.create_task(crash_after(100ms));
                    co_return;
                });
            });
        };
        auto r = aio::create_task(runner());
        Types types, inner;
        try {
            co_await r;
            FAIL("no ExceptionGroup");
        } catch (const aio::ExceptionGroup& eg) {
            types = get_error_types(eg);
            inner = get_error_types(first_group(eg));
        }
        CHECK(types == Types{"ExceptionGroup"});
        CHECK(inner == Types{"ValueError"});
    };
    cpy::run(main());
}

// `except CancelledError: await sleep(0.5); raise`: C++ cannot co_await in a catch block, so
// the exception is kept and rethrown after the await.
Coro<void> sleep_10_then_linger(aio::Duration linger) {
    std::exception_ptr cancelled;
    try {
        co_await aio::sleep(10s);
    } catch (const aio::CancelledError&) {
        cancelled = std::current_exception();
    }
    if (cancelled) {
        co_await aio::sleep(linger);
        std::rethrow_exception(cancelled);
    }
}

Coro<void> crash_soon_300ms() {
    co_await aio::sleep(300ms);
    zero_div();
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_15") {
    auto main = []() -> Coro<void> {
        auto runner = []() -> Coro<void> {
            TaskGroup g1;
            co_await g1.run([&]() -> Coro<void> {
                g1.create_task(crash_soon_300ms());
                co_await sleep_10_then_linger(500ms);
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        CHECK_FALSE(r.done());
        r.cancel();
        Types types;
        try {
            co_await r;
            FAIL("no ExceptionGroup");
        } catch (const aio::ExceptionGroup& eg) {
            types = get_error_types(eg);
        }
        CHECK(types == Types{"ZeroDivisionError"});
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_16") {
    auto main = []() -> Coro<void> {
        auto nested_runner = []() -> Coro<void> {
            TaskGroup g1;
            co_await g1.run([&]() -> Coro<void> {
                g1.create_task(crash_soon_300ms());
                co_await sleep_10_then_linger(500ms);
            });
        };
        auto runner = [&]() -> Coro<void> {
            auto t = aio::create_task(nested_runner());
            co_await t;
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        CHECK_FALSE(r.done());
        r.cancel();
        Types types;
        try {
            co_await r;
            FAIL("no ExceptionGroup");
        } catch (const aio::ExceptionGroup& eg) {
            types = get_error_types(eg);
        }
        CHECK(types == Types{"ZeroDivisionError"});
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_17") {
    auto main = []() -> Coro<void> {
        int NUM = 0;
        auto runner = [&]() -> Coro<void> {
            TaskGroup g;
            co_await g.run([&]() -> Coro<void> {
                try {
                    co_await aio::sleep(10s);
                } catch (const aio::CancelledError&) {
                    NUM += 10;
                    throw;
                }
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        CHECK_FALSE(r.done());
        r.cancel();
        CHECK_THROWS_AS(co_await r, aio::CancelledError);
        CHECK(NUM == 10);
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_18") {
    auto main = []() -> Coro<void> {
        int NUM = 0;
        auto runner = [&]() -> Coro<void> {
            TaskGroup g;
            co_await g.run([&]() -> Coro<void> {
                try {
                    co_await aio::sleep(10s);
                } catch (const aio::CancelledError&) {
                    NUM += 10;
                    // This isn't a good idea, but we have to support this weird case.
                    throw MyExc();
                }
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(100ms);
        CHECK_FALSE(r.done());
        r.cancel();
        Types types;
        try {
            co_await r;
            FAIL("ExceptionGroup was not raised");
        } catch (const aio::ExceptionGroup& eg) {
            types = get_error_types(eg);
        }
        CHECK(types == Types{"MyExc"});
        CHECK(NUM == 10);
    };
    cpy::run(main());
}

Coro<void> crash_soon_100ms() {
    co_await aio::sleep(100ms);
    zero_div();
}

// nested(): try: await sleep(10) finally: raise E
template <class E>
Coro<void> nested_raising() {
    try {
        co_await aio::sleep(10s);
    } catch (...) {}
    throw E();
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_19") {
    auto main = []() -> Coro<void> {
        auto runner = []() -> Coro<void> {
            TaskGroup g;
            co_await g.run([&]() -> Coro<void> {
                g.create_task(crash_soon_100ms());
                co_await nested_raising<MyExc>();
            });
        };
        auto r = aio::create_task(runner());
        Types types;
        try {
            co_await r;
            FAIL("TaskGroupError was not raised");
        } catch (const aio::ExceptionGroup& eg) {
            types = get_error_types(eg);
        }
        CHECK(types == Types{"MyExc", "ZeroDivisionError"});
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_20") {
    auto main = []() -> Coro<void> {
        auto runner = []() -> Coro<void> {
            TaskGroup g;
            co_await g.run([&]() -> Coro<void> {
                g.create_task(crash_soon_100ms());
                co_await nested_raising<aio::KeyboardInterrupt>();
            });
        };
        std::string got = "nothing";
        try {
            co_await runner();
        } catch (...) {
            got = type_of(std::current_exception());
        }
        CHECK(got == "KeyboardInterrupt");  // assertRaises(KeyboardInterrupt)
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_20a") {
    auto main = []() -> Coro<void> {
        auto runner = []() -> Coro<void> {
            TaskGroup g;
            co_await g.run([&]() -> Coro<void> {
                g.create_task(crash_soon_100ms());
                co_await nested_raising<MyBaseExc>();
            });
        };
        std::string got = "nothing";
        Types types;
        try {
            co_await runner();
        } catch (const aio::BaseExceptionGroup& eg) {
            got = cpy::as<aio::ExceptionGroup>(std::current_exception()) ? "ExceptionGroup" : "BaseExceptionGroup";
            for (const auto& e : eg.exceptions()) types.insert(type_of(e));
        } catch (...) {
            got = type_of(std::current_exception());
        }
        CHECK(got == "BaseExceptionGroup");
        CHECK(types == Types{"MyBaseExc", "ZeroDivisionError"});
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_21a") {
    auto main = []() -> Coro<void> {
        auto crash_soon = []() -> Coro<void> {
            co_await aio::sleep(100ms);
            throw MyBaseExc();
        };
        auto runner = [&]() -> Coro<void> {
            TaskGroup g;
            co_await g.run([&]() -> Coro<void> {
                g.create_task(crash_soon());
                co_await nested_raising<TypeError>();
            });
        };
        std::string got = "nothing";
        Types types;
        try {
            co_await runner();
        } catch (const aio::BaseExceptionGroup& eg) {
            got = cpy::as<aio::ExceptionGroup>(std::current_exception()) ? "ExceptionGroup" : "BaseExceptionGroup";
            for (const auto& e : eg.exceptions()) types.insert(type_of(e));
        } catch (...) {
            got = type_of(std::current_exception());
        }
        CHECK(got == "BaseExceptionGroup");
        CHECK(types == Types{"MyBaseExc", "TypeError"});
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_22") {
    auto main = []() -> Coro<void> {
        auto runner = []() -> Coro<void> {
            TaskGroup g;
            co_await g.run([&]() -> Coro<void> {
                g.create_task(nap(1s));
                g.create_task(nap(2s));
                co_return;
            });
        };
        auto r = aio::create_task(runner());
        co_await aio::sleep(50ms);
        r.cancel();
        CHECK_THROWS_AS(co_await r, aio::CancelledError);
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_23") {
    auto main = []() -> Coro<void> {
        TaskGroup g;
        co_await g.run([&]() -> Coro<void> {
            for (int count = 0; count < 10; ++count) {
                co_await aio::sleep(100ms);
                g.create_task(nap(300ms));
                if (count == 5) CHECK(g.size() < 5);
            }
            co_await aio::sleep(1350ms);
            CHECK(g.size() == 0);
        });
    };
    cpy::run(main());
}

Coro<void> root_24(TaskGroup g) {
    co_await aio::sleep(100ms);
    g.create_task(nap(100ms));
    g.create_task(nap(200ms));
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_24") {
    auto main = []() -> Coro<void> {
        bool done = false;
        TaskGroup g;
        co_await g.run([&]() -> Coro<void> {
            g.create_task(root_24(g));
            co_return;
        });
        done = true;
        CHECK(done);  // runner() returned: the group waited for the grandchildren
        CHECK(g.size() == 0);
    };
    cpy::run(main());
}

// clang++-16 takes a coroutine that creates coroutine objects of itself for a call to itself
// (-Winfinite-recursion); each call only makes a new frame, and the group's cancel ends them.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Winfinite-recursion"
#endif
Coro<void> hydra(TaskGroup g, int& nhydras) {
    nhydras += 1;
    co_await aio::sleep(10ms);
    g.create_task(hydra(g, nhydras));
    g.create_task(hydra(g, nhydras));
}
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_25") {
    auto main = []() -> Coro<void> {
        int nhydras = 0;
        auto hercules = [&]() -> Coro<void> {
            while (nhydras < 10) co_await aio::sleep(15ms);
            zero_div();
        };
        auto runner = [&]() -> Coro<void> {
            TaskGroup g;
            co_await g.run([&]() -> Coro<void> {
                g.create_task(hydra(g, nhydras));
                g.create_task(hercules());
                co_return;
            });
        };
        Types types;
        try {
            co_await runner();
            FAIL("no ExceptionGroup");
        } catch (const aio::ExceptionGroup& eg) {
            types = get_error_types(eg);
        }
        CHECK(types == Types{"ZeroDivisionError"});
        CHECK(nhydras >= 10);
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_task_name") {
    auto main = []() -> Coro<void> {
        TaskGroup g;
        co_await g.run([&]() -> Coro<void> {
            auto t = g.create_task(nap(0s), "yolo");
            CHECK(t.name() == "yolo");
            co_return;
        });
    };
    cpy::run(main());
}

Coro<void> coro1_fails() {
    co_await aio::sleep(1ms);
    zero_div();
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_no_create_task_after_failure") {
    auto main = []() -> Coro<void> {
        auto coro2 = [](TaskGroup g) -> Coro<void> {
            bool cancelled = false;
            try {
                co_await aio::sleep(1s);
            } catch (const aio::CancelledError&) {
                cancelled = true;
            }
            if (cancelled) {
                CHECK_THROWS_AS(g.create_task(coro1_fails()), aio::RuntimeError);
                // We still have to await c1 (in C++ the refused coroutine is destroyed unstarted).
                CHECK_THROWS_AS(co_await coro1_fails(), ZeroDivisionError);
            }
        };
        Types types;
        try {
            TaskGroup g;
            co_await g.run([&]() -> Coro<void> {
                g.create_task(coro1_fails());
                g.create_task(coro2(g));
                co_return;
            });
            FAIL("no ExceptionGroup");
        } catch (const aio::ExceptionGroup& eg) {
            types = get_error_types(eg);
        }
        CHECK(types == Types{"ZeroDivisionError"});
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_context_manager_exit_raises") {
    // See https://github.com/python/cpython/issues/95289
    auto main = []() -> Coro<void> {
        auto raise_exc = []() -> Coro<void> {
            throw CustomException();
            co_return;
        };
        auto task = aio::current_task();
        std::exception_ptr err;
        try {
            TaskGroup tg;
            co_await tg.run([&]() -> Coro<void> {
                // async with database(): (an asynccontextmanager whose finally raises)
                try {
                    tg.create_task(raise_exc());
                    co_await aio::sleep(1s);
                } catch (...) {}
                throw CustomException();  // finally: raise CustomException
            });
        } catch (...) {
            err = std::current_exception();
        }
        // except* CustomException as err: ... else: self.fail('CustomException not raised')
        aio::ExceptStar x(err);
        auto matched = x.match<CustomException>();
        REQUIRE_MESSAGE(matched != nullptr, "CustomException not raised");
        CHECK(task.cancelling() == 0);
        CHECK(aio::as_group(matched)->exceptions().size() == 2);  // len(err.exceptions) == 2
        CHECK(x.rest() == nullptr);                               // nothing else to re-raise
    };
    auto outer = [&]() -> Coro<void> { co_await aio::create_task(main()); };
    cpy::run(outer());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_already_entered") {
    auto main = []() -> Coro<void> {
        TaskGroup tg;
        co_await tg.run([&]() -> Coro<void> {
            try {
                co_await tg.run([]() -> Coro<void> { co_return; });
                FAIL("no RuntimeError");
            } catch (const aio::RuntimeError& e) {
                CHECK(cpy::contains(e.what(), "has already been entered"));
            }
        });
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_double_enter") {
    auto main = []() -> Coro<void> {
        TaskGroup tg;
        co_await tg.run([]() -> Coro<void> { co_return; });
        try {
            co_await tg.run([]() -> Coro<void> { co_return; });
            FAIL("no RuntimeError");
        } catch (const aio::RuntimeError& e) {
            CHECK(cpy::contains(e.what(), "has already been entered"));
        }
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_finished") {
    auto main = []() -> Coro<void> {
        TaskGroup tg;
        co_await tg.run([]() -> Coro<void> { co_return; });
        try {
            tg.create_task(nap(0s));
            FAIL("no RuntimeError");
        } catch (const aio::RuntimeError& e) {
            CHECK(cpy::contains(e.what(), "is finished"));
        }
    };
    cpy::run(main());
}

TEST_CASE("test_taskgroups.py::TestTaskGroup::test_taskgroup_not_entered") {
    auto main = []() -> Coro<void> {
        TaskGroup tg;
        try {
            tg.create_task(nap(0s));
            FAIL("no RuntimeError");
        } catch (const aio::RuntimeError& e) {
            CHECK(cpy::contains(e.what(), "has not been entered"));
        }
        co_return;
    };
    cpy::run(main());
}

}  // namespace cpy_taskgroups
