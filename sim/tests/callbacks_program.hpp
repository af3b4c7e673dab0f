#pragma once
// A program whose choice points are known, for the tests that count schedules (the delay
// policy's, sim/tests/delay_test.cpp; the bounded enumeration's, properties/tests/bounded_test.cpp).
#include <aio/aio.hpp>
#include <memory>
#include <vector>

namespace test_programs {

// m callbacks queued at once by call_soon; the last one to run resolves the future main awaits,
// which returns the order they ran in. The ready queue shrinks by one per step whatever runs,
// so every schedule offers exactly m-1 ready choices, with m, m-1, ..., 2 candidates.
inline aio::Coro<std::vector<int>> callbacks_main(int m) {
    aio::EventLoop& loop = aio::get_running_loop();
    aio::Future<void> all_ran(loop);
    auto order = std::make_shared<std::vector<int>>();
    for (int i = 0; i < m; ++i)
        loop.call_soon([order, i, m, all_ran]() mutable {
            order->push_back(i);
            if (static_cast<int>(order->size()) == m) all_ran.set_result();
        });
    co_await all_ran;
    co_return *order;
}

}  // namespace test_programs
