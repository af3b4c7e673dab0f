#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<void> worker(aio::Semaphore& sem, std::string name) {
    out("{} wants, locked={}", name, py(sem.locked()));
    auto guard = co_await sem.scoped();
    out("{} in, value={}", name, sem.value());
    co_await yield();
    out("{} out", name);
}

static aio::Coro<void> amain() {
    aio::Semaphore sem(2);
    std::vector<aio::Task<void>> tasks;
    for (auto n : {"a", "b", "c", "d", "e"}) tasks.push_back(aio::create_task(worker(sem, n)));
    co_await yield();
    out("locked {} value {} waiters {}", py(sem.locked()), sem.value(), sem.waiters());
    co_await aio::gather(tasks);
    out("locked {} value {}", py(sem.locked()), sem.value());
    bool r1 = co_await sem.acquire();
    bool r2 = co_await sem.acquire();
    out("acquired {} {} locked {}", py(r1), py(r2), py(sem.locked()));
    sem.release();
    sem.release();
    sem.release();
    out("value after an extra release {}", sem.value());
    try {
        aio::Semaphore bad(-1);
    } catch (const aio::ValueError&) {
        out("{}", what_raised());
    }
    out("Semaphore(0) locked {}", py(aio::Semaphore(0).locked()));
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
