#include "sync_conformance.hpp"

using namespace conformance;

// `async with sem:` spelled out: here the release at the end raises ValueError, which a
// LockGuard's destructor could only report, not raise.
static aio::Coro<void> waiter(aio::BoundedSemaphore& sem, std::string name) {
    try {
        co_await sem.acquire();
        try {
            out("{} in, value {}", name, sem.value());
            co_await yield();
        } catch (...) {
            sem.release();
            throw;
        }
        sem.release();
    } catch (const aio::CancelledError&) {
        out("{} cancelled, value {}", name, sem.value());
        throw;
    }
    out("{} out, value {}", name, sem.value());
}

static aio::Coro<void> amain() {
    aio::BoundedSemaphore sem(2);
    try {
        sem.release();
    } catch (const aio::ValueError&) {
        out("{}; value {}", what_raised(), sem.value());
    }
    co_await sem.acquire();
    co_await sem.acquire();
    out("locked {}", py(sem.locked()));

    auto w1 = aio::create_task(waiter(sem, "w1"));
    auto w2 = aio::create_task(waiter(sem, "w2"));
    co_await yield();
    sem.release();
    w1.cancel();
    sem.release();
    out("after two releases, value {}", sem.value());
    try {
        sem.release();
    } catch (const aio::ValueError&) {
        out("third release: {}", what_raised());
    }
    auto res = co_await aio::gather_outcomes(w1, w2);
    out("{} value {} locked {}", kinds(res), sem.value(), py(sem.locked()));

    try {
        auto guard = co_await sem.scoped();
        throw std::out_of_range("k");
    } catch (const std::out_of_range&) {
        out("KeyError passed through, value {}", sem.value());
    }
    try {
        aio::BoundedSemaphore bad(-1);
    } catch (const aio::ValueError&) {
        out("{}", what_raised());
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
