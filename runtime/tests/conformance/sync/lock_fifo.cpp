#include "sync_conformance.hpp"

using namespace conformance;

static aio::Coro<void> worker(aio::Lock& lock, std::string name, int rounds) {
    for (int i = 0; i < rounds; ++i) {
        out("{} wants", name);
        {
            auto guard = co_await lock.scoped();
            out("{} holds {}", name, i);
            co_await yield();
            co_await yield();
        }
        out("{} released", name);
    }
}

static aio::Coro<void> amain() {
    aio::Lock lock;
    out("locked {}", py(lock.locked()));
    std::vector<aio::Task<void>> tasks;
    for (auto n : {"a", "b", "c"}) tasks.push_back(aio::create_task(worker(lock, n, 2)));
    co_await yield();
    out("locked {} waiters {}", py(lock.locked()), lock.waiters());
    co_await aio::gather(tasks);
    out("locked {} waiters {}", py(lock.locked()), lock.waiters());
    bool r = co_await lock.acquire();
    out("acquire returns {}", py(r));
    lock.release();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
