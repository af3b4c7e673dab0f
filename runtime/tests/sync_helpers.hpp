#pragma once
// Small helpers shared by the sync primitive tests.
#include <aio/aio.hpp>
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support.hpp"

namespace sync_test {

/// Gives up the loop n times (n passes of the loop): support.hpp's passes(n).
inline aio::Coro<void> yield(int n = 1) { return aio_test::passes(n); }

/// Awaits t; returns "ok", "CancelledError: <msg>" or "<Type>: <msg>".
template <class T>
aio::Coro<std::string> outcome(aio::Task<T> t) {
    try {
        co_await t;
        co_return "ok";
    } catch (const aio::CancelledError& e) {
        co_return "CancelledError: " + e.message();
    } catch (...) {
        co_return aio::describe(std::current_exception());
    }
}

/// True when the (done) task was cancelled.
inline bool was_cancelled(const aio::AnyTask& t) { return t.done() && t.cancelled(); }

/// SplitMix64: a small seeded generator for the shuffled-order tests.
struct SplitMix {
    std::uint64_t s;
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

/// A real loop that runs ready entries in a seeded random order (any ready step may go
/// next), to check that the primitives' invariants do not depend on asyncio's FIFO order.
/// Its chooser is the whole difference: the clock and the driver stay the real loop's.
class ShuffledLoop final : public aio::EventLoop {
public:
    explicit ShuffledLoop(std::uint64_t seed) : chooser_{SplitMix{seed}} {
        install_seam(aio::seam::Seam{nullptr, nullptr, &chooser_});
    }
    ~ShuffledLoop() override { install_seam({}); }  // chooser_ dies before EventLoop

private:
    struct Shuffle final : aio::seam::Chooser {
        explicit Shuffle(SplitMix r) : rng(r) {}
        Offers offers() const noexcept override { return {true, false, false}; }
        std::size_t choose_ready(const aio::detail::ReadyQueue& ready, std::size_t batch_left) override {
            return rng.below(std::min(ready.size(), batch_left));
        }
        SplitMix rng;
    };
    Shuffle chooser_;
};

inline aio::RunOptions shuffled(std::uint64_t seed) {
    return {.debug = false, .loop_factory = [seed] { return std::make_unique<ShuffledLoop>(seed); }};
}

}  // namespace sync_test
