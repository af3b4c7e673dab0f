// Cancelling a task in an await cycle (A awaits B awaits A) ends both tasks cancelled
// instead of recursing forever (CPython 3.12 raises RecursionError from cancel() there).
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <string>
#include <vector>

using namespace std::chrono_literals;

TEST_CASE("cancelling a task that awaits itself through other tasks cancels the whole cycle") {
    for (int len : {1, 2, 3}) {
        std::vector<aio::Task<void>> ring(static_cast<std::size_t>(len));
        std::vector<std::string> log;
        auto member = [&](int i) -> aio::Coro<void> {
            co_await aio::sleep(0s);  // every handle is set by now
            try {
                if (len == 1)
                    co_await aio::gather(ring[0]);  // awaiting itself directly is refused
                else
                    co_await ring[static_cast<std::size_t>((i + 1) % len)];
            } catch (const aio::CancelledError&) {
                log.push_back("cancelled " + std::to_string(i));
                throw;
            }
        };
        auto amain = [&]() -> aio::Coro<void> {
            for (int i = 0; i < len; ++i) ring[static_cast<std::size_t>(i)] = aio::create_task(member(i));
            co_await aio::sleep(10ms);
            CHECK(ring[0].cancel());
            for (auto& t : ring) {
                try {
                    co_await t;
                } catch (const aio::CancelledError&) {}
            }
        };
        aio::run(amain());
        CAPTURE(len);
        CHECK(log.size() == static_cast<std::size_t>(len));
        for (auto& t : ring) CHECK(t.cancelled());
        CHECK(ring[0].cancelling() == 1);
    }
}
