#include "sync_conformance.hpp"

using namespace conformance;

namespace {
struct Shared {
    aio::Lock lock;
    int calls = 0;
    std::vector<std::string> taken;
};
}  // namespace

static aio::Coro<void> lockit(Shared& s, std::string name) {
    ++s.calls;
    co_await s.lock.acquire();
    s.taken.push_back(name);
    out("{} took the lock", name);
}

static aio::Coro<void> amain() {
    auto& loop = aio::get_running_loop();
    Shared s;
    co_await s.lock.acquire();
    auto t1 = aio::create_task(lockit(s, "t1"));
    auto t2 = aio::create_task(lockit(s, "t2"));
    auto t3 = aio::create_task(lockit(s, "t3"));
    co_await yield();
    loop.call_soon([&] {
        out("trigger: cancel t1, release");
        t1.cancel();
        s.lock.release();
    });
    try {
        co_await t1;
    } catch (const aio::CancelledError&) {
        out("t1 raised CancelledError");
    }
    std::string taken;
    for (auto& n : s.taken) taken += (taken.empty() ? "'" : ", '") + n + "'";
    out("taken [{}] calls {}", taken, s.calls);
    out("t1 cancelled {} t2 done {} t3 done {}", py(t1.cancelled()), py(t2.done()), py(t3.done()));
    t3.cancel();
    co_await yield();
    out("t3 cancelled {} locked {} waiters {}", py(t3.cancelled()), py(s.lock.locked()), s.lock.waiters());
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
